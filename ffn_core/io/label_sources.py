"""Label volumes to compare, and where each lies in the full volume.

A volume is ``file.h5:dataset`` (or ``file.h5@dataset``), a folder of PNG/TIFF slices, one
multi-page TIFF, or an inference run of a project. An HDF5 volume that covers only a box
of the full volume says where it lies through its ``bbox_start_zyx`` (our inference runs)
or ``crop_zyx`` (z0,z1,y0,y1,x0,x1) attribute; :func:`scored_box` finds the box two
volumes are compared in, and :func:`scoring_slabs` cuts it into slabs read one at a time
(never a whole volume in memory).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ffn_core.errors import UserError
from ffn_core.io.blocks import slab_boxes
from ffn_core.io.export import RunSegmentation
from ffn_core.io.stacks import open_stack
from ffn_core.io.volume_spec import open_dataset
from ffn_core.project import Project
from ffn_core.zyx import Box, box_shape, box_slices, format_box

__all__ = ["SLAB_VOXELS", "Source", "open_source", "run_source", "scored_box", "scoring_slabs"]

SLAB_VOXELS = 2**24  # voxels of each volume read at once for scoring (64 MiB of uint32)


@dataclass
class Source:
    """A label volume: its name, shape, a reader, and where it lies in the full volume.

    ``placed`` is True when the file says where it lies (``offset``); else the
    offset is (0, 0, 0) by assumption. ``chunks`` are the HDF5 chunks (z, y, x), 1 when
    the volume is not chunked: slabs follow them so that each chunk is read once.
    """

    name: str
    shape: tuple[int, ...]
    read: Callable[[Box], np.ndarray]
    offset: tuple[int, ...] = (0, 0, 0)
    placed: bool = False
    chunks: tuple[int, ...] = (1, 1, 1)


def open_source(spec: str) -> Source:
    """A label volume from ``file.h5:dataset``, a folder of slices or a multi-page TIFF."""
    path = Path(spec)
    if path.is_dir() or (path.suffix.lower() in (".tif", ".tiff") and path.is_file()):
        return _stack_source(spec)
    return _hdf5_source(spec)


def run_source(project: Project, run: str) -> Source:
    """The segmentation of inference run ``run`` (proofreading edits applied), placed."""
    volume = RunSegmentation(project, run)
    return Source(
        f"run '{run}'",
        volume.shape,
        lambda box: volume[box_slices(box)],
        *_offset(volume.attrs),
        chunks=volume.chunks or (1, 1, 1),
    )


def scored_box(seg: Source, gt: Source, crop: Box | None) -> tuple[Box, list[Box]]:
    """The box to score (full-volume coordinates) and its place in ``seg`` and in ``gt``.

    Volumes of equal shape are compared whole when no crop is given, whatever their
    offsets say; otherwise the box must lie inside both volumes.
    """
    if crop is None and seg.shape == gt.shape:
        whole = tuple((0, s) for s in seg.shape)
        return tuple((o, o + s) for o, s in zip(seg.offset, seg.shape)), [whole, whole]
    if crop is None and not seg.placed:
        raise UserError(
            f"{seg.name} has shape {seg.shape} but {gt.name} has {gt.shape} (z, y, x).",
            "Give the region that the segmentation covers as --crop z0:z1,y0:y1,x0:x1.",
            "Evaluate a run of this project's image: its box says which region of the labels it "
            "covers.",
        )
    box = crop if crop is not None else tuple((o, o + s) for o, s in zip(seg.offset, seg.shape))
    return box, [_local(source, box) for source in (seg, gt)]


def scoring_slabs(
    seg: Source, gt: Source, locals_: list[Box], max_voxels: int = SLAB_VOXELS
) -> list[tuple[Box, Box]]:
    """The slabs to score one at a time: for each, its box in ``seg`` and in ``gt``.

    ``locals_`` are the places of the scored box in both (from :func:`scored_box`). Each
    slab has at most ``max_voxels`` voxels (more only when one row of a plane is larger)
    and is a whole number of chunk layers of both files deep where they fit
    (:func:`ffn_core.io.blocks.slab_boxes`; aligned with the chunks when the box starts on
    a chunk boundary, as a whole volume does).
    """
    chunks = tuple(math.lcm(a, b) for a, b in zip(seg.chunks, gt.chunks))
    slabs = slab_boxes(box_shape(locals_[0]), max_voxels, chunks)
    return [(_shifted(slab, locals_[0]), _shifted(slab, locals_[1])) for slab in slabs]


def _shifted(slab: Box, local: Box) -> Box:
    return tuple((a + start, b + start) for (a, b), (start, _) in zip(slab, local))


def _local(source: Source, box: Box) -> Box:
    local = tuple((a - o, b - o) for (a, b), o in zip(box, source.offset))
    if any(a < 0 or b > s for (a, b), s in zip(local, source.shape)):
        extent = format_box(tuple((o, o + s) for o, s in zip(source.offset, source.shape)))
        raise UserError(
            f"The box {format_box(box)} (z, y, x) is not inside {source.name}, "
            f"which covers {extent}.",
            "Choose a --crop inside both volumes.",
            "Evaluate a run whose box lies inside the project's labels.",
        )
    return local


def _stack_source(spec: str) -> Source:
    with open_stack(spec, labels=True) as stack:
        info = stack.info
    if info.channels != 1:
        raise UserError(
            f"{spec} holds colour images; labels are one ID per voxel.",
            "Give grey label slices (8, 16 or 32-bit IDs).",
        )

    def read(box: Box) -> np.ndarray:
        (z0, z1), (y0, y1), (x0, x1) = box
        with open_stack(spec, labels=True) as stack:
            return np.stack([stack.checked(z, stack.read(z))[y0:y1, x0:x1] for z in range(z0, z1)])

    return Source(spec, tuple(info.shape_zyx), read)


def _hdf5_source(spec: str) -> Source:
    handle, dataset = open_dataset(spec)
    with handle:
        if dataset.ndim != 3:
            raise UserError(
                f"{spec} has shape {dataset.shape}; a label volume is (z, y, x).",
                "Give a 3-D dataset.",
            )
        shape, offset = dataset.shape, _offset(dict(dataset.attrs))
        chunks = dataset.chunks or (1, 1, 1)

    def read(box: Box) -> np.ndarray:
        handle, dataset = open_dataset(spec)
        with handle:
            return dataset[box_slices(box)]

    return Source(spec, tuple(shape), read, *offset, chunks=chunks)


def _offset(attrs: dict) -> tuple[tuple[int, ...], bool]:
    if "bbox_start_zyx" in attrs:
        return tuple(int(v) for v in attrs["bbox_start_zyx"]), True
    if "crop_zyx" in attrs:
        return tuple(int(v) for v in np.asarray(attrs["crop_zyx"])[::2]), True
    return (0, 0, 0), False
