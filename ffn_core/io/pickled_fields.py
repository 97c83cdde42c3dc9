"""The pickled fields of reference ``.npz`` files, read without running code from the file.

The reference stores ``origins`` and ``overlaps`` of a subvolume as pickled Python objects
(``np.savez`` of dicts). ``np.load(..., allow_pickle=True)`` would run whatever a file's pickle
asks for; :func:`read_pickled_field` lets a pickle build only numbers, strings, tuples, lists,
dicts and numpy arrays and scalars, and reads the reference's ``OriginInfo`` named tuples as
plain tuples. Anything else is refused with a :class:`~ffn_core.errors.UserError` naming the
file.
"""

from __future__ import annotations

import pickle
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from ffn_core.errors import UserError

_NUMPY = {("numpy", "ndarray"): np.ndarray, ("numpy", "dtype"): np.dtype}
_MULTIARRAY = ("numpy.core.multiarray", "numpy._core.multiarray")
_BUILTINS = {"tuple": tuple, "list": list, "dict": dict, "set": set, "frozenset": frozenset}
# google/ffn's ``OriginInfo(start_zyx, iters, walltime_sec)`` named tuple.
_ORIGIN_INFO = ("ffn.inference.storage", "OriginInfo")


def _reconstruct(subtype: type, shape: Any, dtype: Any) -> np.ndarray:
    """numpy's ``_reconstruct`` for plain arrays (the state comes after, via ``BUILD``)."""
    if subtype is not np.ndarray:
        raise pickle.UnpicklingError(f"array subclass {subtype!r}")
    return np.ndarray.__new__(subtype, shape, dtype)


def _scalar(dtype: np.dtype, data: bytes | None = None) -> Any:
    """numpy's ``scalar`` reconstructor for numeric dtypes only (no objects)."""
    if dtype.hasobject or data is None:
        raise pickle.UnpicklingError(f"numpy scalar of dtype {dtype}")
    return np.frombuffer(data, dtype=dtype, count=1)[0]


class _OriginInfo(tuple):
    """Stands in for ``OriginInfo`` while unpickling (pickle builds it by ``cls.__new__``)
    and yields a plain tuple of its fields."""

    def __new__(cls, *fields: Any) -> tuple:
        return tuple(fields)


class _DataOnly(pickle.Unpickler):
    """An unpickler that builds data and nothing else."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _NUMPY:
            return _NUMPY[module, name]
        if module in _MULTIARRAY and name in ("_reconstruct", "scalar"):
            return _reconstruct if name == "_reconstruct" else _scalar
        if module in ("builtins", "__builtin__") and name in _BUILTINS:
            return _BUILTINS[name]
        if (module, name) == _ORIGIN_INFO:
            return _OriginInfo
        raise pickle.UnpicklingError(f"{module}.{name}")


def read_pickled_field(npz: str | Path, field: str) -> Any:
    """The object pickled as ``field`` in the ``.npz`` file ``npz``, built as plain data.

    Returns the object (``.item()`` of a 0-d object array, else the array), or None when the
    file has no such field.

    Raises
    ------
    UserError
        The file is not a readable ``.npz``, or its pickle asks for anything but data.
    """
    npz = Path(npz)
    try:
        with zipfile.ZipFile(npz) as archive:
            if f"{field}.npy" not in archive.namelist():
                return None
            with archive.open(f"{field}.npy") as member:
                version = np.lib.format.read_magic(member)
                read_header = (
                    np.lib.format.read_array_header_1_0
                    if version == (1, 0)
                    else np.lib.format.read_array_header_2_0
                )
                shape, _, dtype = read_header(member)
                if not dtype.hasobject:
                    return np.frombuffer(member.read(), dtype=dtype).reshape(shape)
                value = _DataOnly(member, encoding="latin1").load()
    except pickle.UnpicklingError as exc:
        raise UserError(
            f"{npz} holds a '{field}' field that asks to run code ({exc}); it was not read.",
            "Only open inference results from people you trust; rerun the inference to "
            "make a clean file.",
        ) from None
    except (OSError, zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise UserError(
            f"Cannot read '{field}' of {npz}: {exc}.",
            "The file may be damaged or incomplete; rerun or resume the inference.",
        ) from None
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype.hasobject:
        return value.item()
    return value
