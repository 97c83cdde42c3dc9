"""Volumes read a block at a time, so that no stage holds a volume larger than memory.

:func:`block_depth` and :func:`z_planes` read whole z planes, one HDF5 chunk layer at a
time (each compressed chunk is decompressed once) up to a byte limit: import, export.
:func:`slab_boxes` tiles a box into slabs of at most a number of voxels, splitting the
planes in y when one chunk layer is too large: evaluation, which reads two volumes at once.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from ffn_core.zyx import Box

__all__ = ["BLOCK_BYTES", "block_depth", "slab_boxes", "z_planes"]

BLOCK_BYTES = 128 * 2**20  # the most one block of planes may take


def block_depth(
    shape: tuple[int, ...],
    itemsize: int,
    chunks: tuple[int, ...] | None = None,
    max_bytes: int = BLOCK_BYTES,
) -> int:
    """Planes to read at once: the chunk depth (1 when not chunked), at most ``max_bytes``.

    Examples
    --------
    >>> block_depth((100, 1024, 1024), 1, chunks=(16, 128, 128))
    16
    >>> block_depth((100, 8192, 8192), 4, chunks=(16, 128, 128))
    1
    """
    plane_bytes = max(1, math.prod(shape[1:]) * itemsize)
    depth = chunks[0] if chunks else 1
    return max(1, min(depth, max_bytes // plane_bytes, shape[0]))


def z_planes(volume: Any, max_bytes: int = BLOCK_BYTES) -> Iterator[np.ndarray]:
    """The planes of ``volume`` in order, read :func:`block_depth` planes at a time.

    ``volume`` is anything with ``shape``, ``dtype`` and z slicing: a numpy array, an
    h5py dataset, a :class:`~ffn_core.io.export.RunSegmentation`. Each plane is a copy, so
    a block is freed before the next one is read: one block in memory at a time, however
    long the caller keeps the last plane.
    """
    depth = block_depth(
        volume.shape, np.dtype(volume.dtype).itemsize, getattr(volume, "chunks", None), max_bytes
    )
    for z0 in range(0, volume.shape[0], depth):
        block = np.asarray(volume[z0 : z0 + depth])
        for plane in block:
            yield plane.copy()
        del block, plane


def slab_boxes(
    shape_zyx: tuple[int, int, int], max_voxels: int, chunks: tuple[int, ...] = (1, 1, 1)
) -> list[Box]:
    """Boxes tiling ``(0, 0, 0)..shape_zyx`` (z, then y), each at most ``max_voxels`` voxels.

    Slabs are whole planes, as many chunk layers (``chunks``: z, y, x, of the HDF5 files
    read; 1 when not chunked) as fit. When one chunk layer is larger than ``max_voxels``
    the layer is cut in y, in whole chunk rows where they fit; a slab is never smaller
    than one row of one plane.

    Examples
    --------
    >>> slab_boxes((40, 100, 100), 400_000, (16, 50, 50))
    [((0, 32), (0, 100), (0, 100)), ((32, 40), (0, 100), (0, 100))]
    >>> slab_boxes((40, 100, 100), 100_000, (16, 50, 50))[:2]
    [((0, 16), (0, 50), (0, 100)), ((0, 16), (50, 100), (0, 100))]
    >>> slab_boxes((16, 200, 100), 5_000, (16, 1, 1))[:2]
    [((0, 16), (0, 3), (0, 100)), ((0, 16), (3, 6), (0, 100))]
    """
    z, y, x = shape_zyx
    chunk_z, chunk_y = max(1, chunks[0]), max(1, chunks[1])
    depth = min(z, chunk_z if chunk_z * x <= max_voxels else 1)
    if depth * y * x <= max_voxels:
        layers = max_voxels // (depth * y * x)
        depth, rows = min(z, depth * layers), y
    else:
        rows = max(1, max_voxels // (depth * x))
        rows = rows // chunk_y * chunk_y or rows
    return [
        ((z0, min(z0 + depth, z)), (y0, min(y0 + rows, y)), (0, x))
        for z0 in range(0, z, depth)
        for y0 in range(0, y, rows)
    ]
