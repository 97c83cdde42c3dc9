"""Streaming (z, y, x) volume writing into chunked, compressed HDF5, and running statistics.

A :class:`VolumeWriter` fills one chunk layer of slices in memory and writes it. It writes
the temporary file of :func:`replacing_volume`, which renames it into place only when the
block succeeds, so readers see the old volume or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from ffn_core.errors import UserError
from ffn_core.io.atomic import replacing

__all__ = ["RunningStats", "VolumeWriter", "chunk_shape", "replacing_volume"]

CHUNK_ZYX = (16, 128, 128)
_LAYER_BYTES = 128 * 2**20  # the most one buffered chunk layer may take
_STATS_PIECE = 2**20  # values converted to float64 at once


def chunk_shape(shape_zyx: tuple[int, int, int], itemsize: int) -> tuple[int, int, int]:
    """HDF5 chunks for a volume: (16, 128, 128) clipped to the shape, fewer z for huge slices.

    Examples
    --------
    >>> chunk_shape((100, 512, 512), 1)
    (16, 128, 128)
    >>> chunk_shape((3, 40, 50), 2)
    (3, 40, 50)
    """
    z, y, x = shape_zyx
    slice_bytes = max(1, y * x * itemsize)
    depth = max(1, min(CHUNK_ZYX[0], z, _LAYER_BYTES // slice_bytes))
    return depth, max(1, min(CHUNK_ZYX[1], y)), max(1, min(CHUNK_ZYX[2], x))


class RunningStats:
    """Mean and (population) standard deviation over slices, merged with Chan's formula.

    Accumulates in float64, so the result equals ``np.mean`` / ``np.std`` of the whole
    stack to rounding, while only one slice is held at a time.
    """

    def __init__(self) -> None:
        self.count = 0
        self.mean = 0.0
        self._m2 = 0.0

    def add(self, array: np.ndarray) -> None:
        """Include the values of ``array`` (in float64 pieces of at most 8 MiB)."""
        flat = np.asarray(array).reshape(-1)
        for start in range(0, flat.size, _STATS_PIECE):
            self._merge(flat[start : start + _STATS_PIECE].astype(np.float64))

    def _merge(self, values: np.ndarray) -> None:
        count = values.size
        mean = float(values.mean())
        m2 = float(np.square(values - mean).sum())
        total = self.count + count
        delta = mean - self.mean
        self.mean += delta * count / total
        self._m2 += m2 + delta * delta * self.count * count / total
        self.count = total

    @property
    def std(self) -> float:
        """Population standard deviation (numpy's default, ddof=0)."""
        return float(np.sqrt(self._m2 / self.count)) if self.count else 0.0


@contextlib.contextmanager
def replacing_volume(target: str | Path) -> Iterator[Path]:
    """:func:`~ffn_core.io.atomic.replacing` for a volume file, with a clear error when
    another program holds ``target`` open (Windows refuses to replace it then)."""
    target = Path(target)
    try:
        with replacing(target) as path:
            yield path
    except PermissionError as exc:
        if exc.filename2 is None or Path(exc.filename2) != target:
            raise
        raise UserError(
            f"Cannot replace {target}: {exc.strerror}.",
            "Another program (or the viewer) has it open: close it and import again.",
        ) from exc


class VolumeWriter:
    """Writes a (z, y, x) volume slice by slice into ``path`` (dataset ``raw``).

    A context manager: leaving the block closes the file, finished or not. Write into the
    temporary path of :func:`replacing_volume`, so a failure leaves the old volume.

    Parameters
    ----------
    path : Path
        The ``.h5`` file to write (created or truncated).
    shape_zyx : tuple of int
        Shape of the volume.
    dtype : numpy dtype
        Data type stored.
    dataset : str
        Dataset name (``raw``, as the reference's png_to_h5 writes).
    """

    def __init__(
        self, path: str | Path, shape_zyx: tuple[int, int, int], dtype: Any, dataset: str = "raw"
    ) -> None:
        dtype = np.dtype(dtype)
        # v108 object headers store attributes larger than 64 KiB (long file lists)
        # and stay readable by HDF5 1.8 and later.
        chunks = chunk_shape(shape_zyx, dtype.itemsize)
        self._file = h5py.File(path, "w", libver=("v108", "latest"))
        try:
            self._dataset = self._file.create_dataset(
                dataset,
                shape=shape_zyx,
                dtype=dtype,
                chunks=chunks,
                compression="gzip",
                compression_opts=4,
                shuffle=dtype.itemsize > 1,
            )
        except BaseException:
            self._file.close()
            raise
        self._layer = np.empty((chunks[0],) + tuple(shape_zyx[1:]), dtype=dtype)
        self._filled = 0
        self._written = 0

    def __enter__(self) -> VolumeWriter:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def append(self, array: np.ndarray) -> None:
        """Add the next slice (y, x)."""
        self._layer[self._filled] = array
        self._filled += 1
        if self._filled == len(self._layer):
            self._flush()

    def _flush(self) -> None:
        if self._filled:
            stop = self._written + self._filled
            self._dataset[self._written : stop] = self._layer[: self._filled]
            self._written, self._filled = stop, 0

    def finish(self, **attrs: Any) -> None:
        """Write the last slices and ``attrs`` on the dataset, and close the file."""
        self._flush()
        if self._written != self._dataset.shape[0]:
            raise ValueError(f"{self._written} of {self._dataset.shape[0]} slices written")
        for key, value in attrs.items():
            self._dataset.attrs[key] = value
        self.close()

    def close(self) -> None:
        """Close the file (nothing when already closed)."""
        if self._file.id.valid:
            self._file.close()
