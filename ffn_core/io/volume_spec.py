"""HDF5 volume specs: ``file.h5:dataset`` (google/ffn) or ``file.h5@dataset`` (Windows fork)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import h5py

from ffn_core.errors import UserError

if TYPE_CHECKING:
    from ffn_core.project import Project

_SPEC = re.compile(r"^(?P<file>.+?\.(?:h5|hdf5|hdf|he5))(?:[:@](?P<dataset>.+))?$", re.IGNORECASE)


def parse_volume_spec(spec: str) -> tuple[Path, str | None]:
    """Split ``spec`` into the HDF5 file and the dataset name (None when not given).

    Drive letters (``C:\\data\\x.h5:raw``) are handled: only a separator after the
    ``.h5`` suffix counts.
    """
    match = _SPEC.match(str(spec))
    if not match:
        raise UserError(
            f"'{spec}' is not an HDF5 volume spec.",
            "Give it as file.h5:dataset or file.h5@dataset.",
        )
    return Path(match["file"]), match["dataset"]


def open_dataset(spec: str) -> tuple[h5py.File, h5py.Dataset]:
    """Open ``file.h5:dataset`` read-only; returns (file, dataset). Close the file after use."""
    path, name = parse_volume_spec(spec)
    if not path.is_file():
        raise UserError(f"HDF5 file {path} does not exist.", "Check the path.")
    try:
        handle = h5py.File(path, "r")
    except OSError as exc:
        raise UserError(
            f"Cannot read {path} as HDF5: {exc}.",
            "The file may be damaged or cut short (a full disk, an interrupted copy): copy it "
            "again; a project volume is rebuilt by importing its stack again.",
        ) from exc
    if name is None:
        names = [key for key, item in handle.items() if isinstance(item, h5py.Dataset)]
        if len(names) != 1:
            handle.close()
            raise UserError(
                f"{path} holds datasets {names}; which one?", f"Give the dataset as {path}:NAME."
            )
        name = names[0]
    if name not in handle or not isinstance(handle[name], h5py.Dataset):
        available = []
        handle.visititems(
            lambda key, item: available.append(key) if isinstance(item, h5py.Dataset) else None
        )
        handle.close()
        raise UserError(
            f"{path} has no dataset '{name}' (it has: {', '.join(available) or 'none'}).",
            f"Give one of those as {path}:NAME.",
        )
    return handle, handle[name]


def image_stats(
    project: Project, *given: tuple[float | None, float | None]
) -> tuple[float | None, float | None]:
    """The image mean and std to normalise with: the first given pair's values that are set,
    else the project image's (its record, then its dataset attributes); None when unknown.

    Parameters
    ----------
    project : Project
        The project whose ``image`` volume was imported.
    *given : (mean, std) pairs
        Values from the user, in order of precedence (a config's, a request's).
    """
    values = [_first_set(*(pair[i] for pair in given)) for i in range(2)]
    if None not in values:
        return values[0], values[1]  # the image file is not opened
    record = project.volume("image")
    handle, dataset = open_dataset(project.volume_spec("image"))
    with handle:
        stored = [_first_set(record.get(key), dataset.attrs.get(key)) for key in ("mean", "std")]
    return tuple(  # type: ignore[return-value]
        value if value is not None else fallback for value, fallback in zip(values, stored)
    )


def _first_set(*values: Any) -> float | None:
    return next((float(v) for v in values if v is not None), None)
