"""Image and label stacks read lazily, one (z) slice at a time.

A source is a folder of PNG/TIFF slices (natural order: ``2.png`` before ``10.png``),
a multi-page TIFF, or an HDF5 dataset given as ``file.h5:dataset`` / ``file.h5@dataset``.
Shapes are (z, y, x); colour slices are (y, x, c) until converted with ``to_gray``.
Nothing here imports Qt or TensorFlow, so the GUI can call :func:`describe_source`
for its previews.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import tifffile

from ffn_core.errors import UserError
from ffn_core.io import slices as _slices
from ffn_core.io.blocks import z_planes
from ffn_core.io.volume_spec import open_dataset, parse_volume_spec

__all__ = ["SourceInfo", "SliceStack", "describe_source", "open_stack"]


@dataclass(frozen=True)
class SourceInfo:
    """What a source holds, as the importer and the GUI preview see it.

    Attributes
    ----------
    source : str
        The source as given (folder, TIFF file or ``file.h5:dataset``).
    kind : str
        ``"folder"``, ``"tiff"`` or ``"hdf5"``.
    files : tuple of str
        The files read, in slice order (one per slice for a folder).
    shape_zyx : tuple of int
        Stack shape (z, y, x).
    dtype : str
        Data type of the slices as read (numpy name, e.g. ``"uint8"``).
    channels : int
        1 for gray, 3 for RGB, 4 for RGBA sources.
    to_gray, labels : bool
        The options the source was opened with.
    skipped : tuple of str
        Files in the folder that are not slices and were skipped (``notes.txt``, ``x.h5``).
    """

    source: str
    kind: str
    files: tuple[str, ...]
    shape_zyx: tuple[int, int, int]
    dtype: str
    channels: int = 1
    to_gray: bool = False
    labels: bool = False
    skipped: tuple[str, ...] = field(default=())

    @property
    def is_color(self) -> bool:
        """True when the source has RGB(A) slices."""
        return self.channels > 1

    @property
    def name(self) -> str:
        """The source in messages: its first slice file, or the TIFF / ``file.h5:dataset``."""
        return self.files[0] if self.kind == "folder" else self.source

    def read_slice(self, index: int) -> np.ndarray:
        """Slice ``index`` as an array (y, x), or (y, x, c) for colour without to_gray."""
        with open_stack(self.source, to_gray=self.to_gray, labels=self.labels) as stack:
            return stack.read(index)

    def first_slice(self) -> np.ndarray:
        """The first slice, for a preview."""
        return self.read_slice(0)

    def order_summary(self, shown: int = 3) -> str:
        """The resolved slice order in one line, first and last few files."""
        if self.kind != "folder":
            return f"{self.shape_zyx[0]} slices from {self.source}"
        names = [Path(name).name for name in self.files]
        if len(names) > 2 * shown:
            names = names[:shown] + ["…"] + names[-shown:]
        return (
            f"{self.shape_zyx[0]} slices in natural order from "
            f"{Path(self.files[0]).parent}: {', '.join(names)}"
        )


class SliceStack:
    """An open source; read slices with :meth:`read` or iterate checked slices.

    Use as a context manager, or call :meth:`close`. Subclasses implement
    ``_count``, ``_read_raw`` and ``slice_name``.
    """

    kind = ""

    def __init__(self, source: str, to_gray: bool = False, labels: bool = False) -> None:
        self.source = str(source)
        self.to_gray = to_gray
        self.labels = labels
        self._first: np.ndarray | None = None

    def __enter__(self) -> SliceStack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release open files."""

    @property
    def files(self) -> tuple[str, ...]:
        return (self.source,)

    @property
    def skipped(self) -> tuple[str, ...]:
        return ()

    def _count(self) -> int:
        raise NotImplementedError

    def _read_raw(self, index: int) -> np.ndarray:
        raise NotImplementedError

    def slice_name(self, index: int) -> str:
        """How slice ``index`` is named in messages (its file, or file and page)."""
        raise NotImplementedError

    def __len__(self) -> int:
        return self._count()

    def read(self, index: int) -> np.ndarray:
        """Slice ``index``; converted to gray when opened with ``to_gray``."""
        if not 0 <= index < len(self):
            raise IndexError(f"slice {index} is outside 0..{len(self) - 1}")
        array = self._read_raw(index)
        return _slices.to_gray(array) if self.to_gray else array

    @property
    def first(self) -> np.ndarray:
        """The first slice (read once)."""
        if self._first is None:
            self._first = self.read(0)
        return self._first

    @cached_property
    def info(self) -> SourceInfo:
        """The :class:`SourceInfo` of this stack (reads the first slice)."""
        raw = self._read_raw(0)
        if self._first is None:
            self._first = _slices.to_gray(raw) if self.to_gray else raw
        channels = raw.shape[-1] if _slices.is_color(raw) else 1
        return SourceInfo(
            source=self.source,
            kind=self.kind,
            files=self.files,
            shape_zyx=(len(self),) + tuple(self.first.shape[:2]),
            dtype=self.first.dtype.name,
            channels=channels,
            to_gray=self.to_gray,
            labels=self.labels,
            skipped=self.skipped,
        )

    def __iter__(self) -> Iterator[np.ndarray]:
        """Every slice in order, each checked to match the first one's size and type."""
        for index in range(len(self)):
            yield self.checked(index, self.read(index))

    def checked(self, index: int, array: np.ndarray) -> np.ndarray:
        """``array`` (slice ``index``) when its shape and dtype match the first slice."""
        first = self.first
        if array.shape != first.shape:
            raise UserError(
                f"{self.slice_name(index)} is {_shape_text(array)}, but the first slice "
                f"{self.slice_name(0)} is {_shape_text(first)}.",
                "All slices of a stack must have the same size and channels: "
                "crop or pad that slice, or remove it.",
            )
        if array.dtype != first.dtype:
            raise UserError(
                f"{self.slice_name(index)} is {array.dtype.name}, but the first slice "
                f"{self.slice_name(0)} is {first.dtype.name}.",
                "Save all slices with the same bit depth.",
            )
        return array


def _shape_text(array: np.ndarray) -> str:
    size = f"{array.shape[1]}×{array.shape[0]} (x×y)"
    return size + (f" with {array.shape[2]} channels" if array.ndim == 3 else "")


class FolderStack(SliceStack):
    """A folder of single-page PNG or TIFF slices in natural order."""

    kind = "folder"

    def __init__(self, folder: Path, to_gray: bool = False, labels: bool = False) -> None:
        super().__init__(str(folder), to_gray, labels)
        self._paths, self._skipped = _slices.list_slice_files(folder)

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(str(path) for path in self._paths)

    @property
    def skipped(self) -> tuple[str, ...]:
        return tuple(str(path) for path in self._skipped)

    def _count(self) -> int:
        return len(self._paths)

    def _read_raw(self, index: int) -> np.ndarray:
        return _slices.read_slice_file(self._paths[index], label_ids=self.labels)

    def slice_name(self, index: int) -> str:
        return str(self._paths[index])


class TiffStack(SliceStack):
    """A multi-page TIFF, one page per slice."""

    kind = "tiff"

    def __init__(self, path: Path, to_gray: bool = False, labels: bool = False) -> None:
        super().__init__(str(path), to_gray, labels)
        self._path = path
        try:
            self._tif = tifffile.TiffFile(path)
            with _slices.tiff_damage_raises(path):
                self._pages = len(self._tif.pages)
        except UserError:
            self._tif.close()
            raise
        except Exception as exc:  # noqa: BLE001 - any parser failure means a bad file
            raise _slices.unreadable(path, exc) from exc

    def close(self) -> None:
        self._tif.close()

    def _count(self) -> int:
        return self._pages

    def _read_raw(self, index: int) -> np.ndarray:
        try:
            page = self._tif.pages[index]
            array = page.asarray()
            if array.ndim == 3 and page.planarconfig == tifffile.PLANARCONFIG.SEPARATE:
                array = np.moveaxis(array, 0, -1)  # planar RGB(A) to (y, x, c)
            return _slices.native(array)
        except Exception as exc:  # noqa: BLE001
            raise _slices.unreadable(self.slice_name(index), exc) from exc

    def slice_name(self, index: int) -> str:
        return f"{self._path} page {index}"


class Hdf5Stack(SliceStack):
    """A 3-D (z, y, x) or colour (z, y, x, c) HDF5 dataset, read in z blocks."""

    kind = "hdf5"

    def __init__(self, spec: str, to_gray: bool = False, labels: bool = False) -> None:
        super().__init__(spec, to_gray, labels)
        self._file, self._dataset = open_dataset(spec)
        self._path = parse_volume_spec(spec)[0]
        shape = self._dataset.shape
        if not (len(shape) == 3 or (len(shape) == 4 and shape[-1] in (3, 4))):
            self.close()
            raise UserError(
                f"{spec} has shape {shape}; a stack must be 3-D (z, y, x).",
                "Give a 3-D dataset, or a (z, y, x, 3) colour one.",
            )

    @property
    def files(self) -> tuple[str, ...]:
        return (str(self._path),)

    def close(self) -> None:
        self._file.close()

    def _count(self) -> int:
        return self._dataset.shape[0]

    def _read_raw(self, index: int) -> np.ndarray:
        return self._read_block(index, index + 1)[0]

    def _read_block(self, start: int, stop: int) -> np.ndarray:
        try:
            return _slices.native(self._dataset[start:stop])
        except OSError as exc:
            raise _slices.unreadable(f"{self.source} slices {start}..{stop - 1}", exc) from exc

    def slice_name(self, index: int) -> str:
        return f"{self.source} slice z={index}"

    def __iter__(self) -> Iterator[np.ndarray]:
        """Slices in order, read a chunk layer (at most :data:`~ffn_core.io.blocks.BLOCK_BYTES`)
        at a time, one layer in memory at a time."""
        for index, array in enumerate(z_planes(_Blocks(self))):
            array = _slices.to_gray(array) if self.to_gray else array
            yield self.checked(index, array)


class _Blocks:
    """The z blocks of an :class:`Hdf5Stack` for :func:`~ffn_core.io.blocks.z_planes`."""

    def __init__(self, stack: Hdf5Stack) -> None:
        self._stack = stack
        data = stack._dataset
        self.shape, self.dtype, self.chunks = data.shape, data.dtype, data.chunks

    def __getitem__(self, key: slice) -> np.ndarray:
        return self._stack._read_block(key.start, min(key.stop, self.shape[0]))


def open_stack(source: str | Path, to_gray: bool = False, labels: bool = False) -> SliceStack:
    """Open ``source`` as a :class:`SliceStack` (close it after use).

    Parameters
    ----------
    source : str or Path
        A folder of PNG/TIFF slices, a multi-page TIFF, or ``file.h5:dataset``.
    to_gray : bool
        Convert RGB(A) slices to gray (ITU-R 601-2 luma, alpha dropped).
    labels : bool
        The source holds label ids (palette PNGs then give indices, not colours).

    Raises
    ------
    UserError
        When the source does not exist, is of an unknown kind, or cannot be read.
    """
    text = str(source)
    path = Path(text)
    if path.is_dir():
        return FolderStack(path, to_gray, labels)
    if path.suffix.lower() in _slices.TIFF_SUFFIXES and path.is_file():
        return TiffStack(path, to_gray, labels)
    try:
        parse_volume_spec(text)
    except UserError:
        pass
    else:
        return Hdf5Stack(text, to_gray, labels)
    if path.suffix.lower() in _slices.PNG_SUFFIXES and path.is_file():
        raise UserError(
            f"{path} is a single PNG slice.",
            f"Give the folder that holds all the slices ({path.parent}).",
        )
    if not path.exists():
        raise UserError(f"{path} does not exist.", "Check the path.")
    raise UserError(
        f"{path} is not a folder of slices, a TIFF stack or an HDF5 file.",
        "Give a folder of PNG/TIFF slices, a multi-page .tif, or file.h5:dataset.",
    )


def describe_source(source: str | Path, to_gray: bool = False, labels: bool = False) -> SourceInfo:
    """Resolve ``source`` and report its files, shape (z, y, x) and dtype.

    Reads only the first slice. See :func:`open_stack` for the parameters.

    Examples
    --------
    >>> info = describe_source("stack.h5:raw")  # doctest: +SKIP
    >>> info.shape_zyx, info.dtype, info.first_slice().shape  # doctest: +SKIP
    ((100, 512, 512), 'uint8', (512, 512))
    """
    with open_stack(source, to_gray=to_gray, labels=labels) as stack:
        return stack.info
