"""Lazy opening of large chunked HDF5 volumes as dask arrays (no Qt).

napari reads only the planes it shows: each dask chunk is one z plane (split in y and x
only for very large planes), read straight from the open HDF5 dataset. The file stays
open read-only as long as the array is referenced.

A volume larger than :data:`PYRAMID_BYTES` is shown as a napari multiscale
(:func:`lazy_levels`): level k keeps every 2**k-th voxel in y and x of the file (nothing is
computed or stored beside the volume), z is kept so that every plane stays reachable. Its
dask chunks are one HDF5 chunk layer deep and one chunk row high, so each compressed chunk
is read once and a task holds one chunk row at full resolution. napari then draws a
zoomed-out plane from a coarse level and, in 3-D, loads only the coarsest level (at most
:data:`LOWEST_LEVEL_BYTES`) instead of the whole volume.
"""

from __future__ import annotations

from pathlib import Path

import dask.array as da
import h5py
import numpy as np

from ffn_core.io.volume_spec import open_dataset

MAX_PLANE_CHUNK = 4096  # largest y and x extent of one dask chunk
PYRAMID_BYTES = 256 * 2**20  # volumes larger than this are shown as a multiscale pyramid
LOWEST_LEVEL_BYTES = 64 * 2**20  # the most its coarsest level takes


def plane_chunks(dataset: h5py.Dataset) -> tuple[int, ...]:
    """Dask chunks of one z plane, y and x cut at multiples of the HDF5 chunks if needed."""
    stored = dataset.chunks or (1, *dataset.shape[1:])
    sides = []
    for extent, chunk in zip(dataset.shape[1:], stored[1:]):
        sides.append(
            extent if extent <= MAX_PLANE_CHUNK else max(chunk, MAX_PLANE_CHUNK // chunk * chunk)
        )
    return (1, *sides)


def level_chunks(data: h5py.Dataset, step: int) -> tuple[int, ...]:
    """Dask chunks of the level keeping every ``step``-th voxel in y and x: one HDF5 chunk
    layer deep and one chunk row high (one plane when the dataset is not chunked)."""
    level = StridedDataset(data, step)
    if step == 1 or not data.chunks:
        return plane_chunks(level)
    return (data.chunks[0], max(1, data.chunks[1] // step), plane_chunks(level)[2])


def lazy_array(data: h5py.Dataset, step: int = 1) -> da.Array:
    """``data`` as a dask array of one-plane chunks; nothing is read until a plane is asked for.

    With ``step`` > 1, every ``step``-th voxel in y and x (:class:`StridedDataset`) in
    chunks of :func:`level_chunks`.
    """
    source = data if step == 1 else StridedDataset(data, step)
    return da.from_array(
        source,
        chunks=level_chunks(data, step),
        lock=True,
        asarray=True,
        name=f"h5-{Path(data.file.filename).name}-{data.name}-{step}-{id(data)}",
    )


def lazy_levels(data: h5py.Dataset) -> da.Array | list[da.Array]:
    """``data`` as one dask array, or as multiscale levels when larger than PYRAMID_BYTES.

    Levels take every 1st, 2nd, 4th... voxel in y and x until a level takes at most
    LOWEST_LEVEL_BYTES or its planes would drop below 64 pixels; napari shows such a
    list as a multiscale layer.
    """
    if data.nbytes <= PYRAMID_BYTES:
        return lazy_array(data)
    steps = [1]
    while (
        StridedDataset(data, steps[-1]).nbytes > LOWEST_LEVEL_BYTES
        and min(data.shape[1:]) >= 64 * 2 * steps[-1]
    ):
        steps.append(2 * steps[-1])
    return [lazy_array(data, step) for step in steps]


class StridedDataset:
    """Every ``step``-th voxel in y and x of a (z, y, x) HDF5 dataset.

    Indexed with a tuple of slices or integers (as dask's ``from_array`` does); each read
    takes the full-resolution region from HDF5 (a plain read: faster than an HDF5 strided
    selection) and returns a compact copy of every ``step``-th voxel, so only one read's
    region is ever held at full resolution. With ``step`` 1 it reads the dataset as is.
    """

    def __init__(self, data: h5py.Dataset, step: int) -> None:
        self.data, self.step = data, step
        self.dtype, self.chunks = data.dtype, data.chunks
        self.shape = (data.shape[0], *(-(-side // step) for side in data.shape[1:]))
        self.ndim = len(self.shape)

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape)) * self.dtype.itemsize

    def __getitem__(self, key: tuple[int | slice, ...]) -> np.ndarray:
        z, *plane = key
        full, kept = [z], [slice(None)] if isinstance(z, slice) else []
        for part, side, data_side in zip(plane, self.shape[1:], self.data.shape[1:]):
            if isinstance(part, slice):
                start, stop, _ = part.indices(side)
                full.append(slice(start * self.step, min(stop * self.step, data_side)))
                kept.append(slice(None, None, self.step))
            else:
                full.append(int(part) * self.step)
        return np.ascontiguousarray(self.data[tuple(full)][tuple(kept)])


def open_lazy(spec_or_path: str | Path, dataset: str | None = None) -> da.Array:
    """Open ``file.h5:dataset`` (or ``path`` plus ``dataset``) read-only as a dask array.

    The file stays open as long as the array is referenced; use
    :func:`ffn_core.io.volume_spec.open_dataset` + :func:`lazy_array` to close it yourself.
    """
    spec = f"{spec_or_path}:{dataset}" if dataset else str(spec_or_path)
    _handle, data = open_dataset(spec)
    return lazy_array(data)
