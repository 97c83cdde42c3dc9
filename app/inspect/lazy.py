"""Lazy opening of large chunked HDF5 volumes as dask arrays (no Qt).

napari reads only the planes it shows: each dask chunk is one z plane (split in y and x
only for very large planes), read straight from the open HDF5 dataset. The file stays
open read-only as long as the array is referenced.
"""

from __future__ import annotations

from pathlib import Path

import dask.array as da
import h5py

from ffn_core.io.volume_spec import open_dataset

MAX_PLANE_CHUNK = 4096  # largest y and x extent of one dask chunk


def plane_chunks(dataset: h5py.Dataset) -> tuple[int, ...]:
    """Dask chunks of one z plane, y and x cut at multiples of the HDF5 chunks if needed."""
    stored = dataset.chunks or (1, *dataset.shape[1:])
    sides = []
    for extent, chunk in zip(dataset.shape[1:], stored[1:]):
        sides.append(
            extent if extent <= MAX_PLANE_CHUNK else max(chunk, MAX_PLANE_CHUNK // chunk * chunk)
        )
    return (1, *sides)


def lazy_array(data: h5py.Dataset) -> da.Array:
    """``data`` as a dask array of one-plane chunks; nothing is read until a plane is asked for."""
    return da.from_array(
        data,
        chunks=plane_chunks(data),
        lock=True,
        asarray=True,
        name=f"h5-{Path(data.file.filename).name}-{data.name}-{id(data)}",
    )


def open_lazy(spec_or_path: str | Path, dataset: str | None = None) -> da.Array:
    """Open ``file.h5:dataset`` (or ``path`` plus ``dataset``) read-only as a dask array.

    The file stays open as long as the array is referenced; use
    :func:`ffn_core.io.volume_spec.open_dataset` + :func:`lazy_array` to close it yourself.
    """
    spec = f"{spec_or_path}:{dataset}" if dataset else str(spec_or_path)
    _handle, data = open_dataset(spec)
    return lazy_array(data)
