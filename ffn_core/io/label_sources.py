"""Label volumes to compare, and where each lies in the full volume.

A volume is ``file.h5:dataset`` (or ``file.h5@dataset``), a folder of PNG/TIFF slices, one
multi-page TIFF, or an inference run of a project. An HDF5 volume that covers only a box
of the full volume says where it lies through its ``bbox_start_zyx`` (our inference runs)
or ``crop_zyx`` (z0,z1,y0,y1,x0,x1) attribute; :func:`scored_box` finds the box two
volumes are compared in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ffn_core.errors import UserError
from ffn_core.io.export import load_run_segmentation, run_segmentation_attrs
from ffn_core.io.stacks import open_stack
from ffn_core.io.volume_spec import open_dataset
from ffn_core.project import Project
from ffn_core.zyx import Box, box_slices, format_box

__all__ = ["Source", "open_source", "run_source", "scored_box"]


@dataclass
class Source:
    """A label volume: its name, shape, a reader, and where it lies in the full volume.

    ``placed`` is True when the file says where it lies (``offset``); else the
    offset is (0, 0, 0) by assumption.
    """

    name: str
    shape: tuple[int, ...]
    read: Callable[[Box], np.ndarray]
    offset: tuple[int, ...] = (0, 0, 0)
    placed: bool = False


def open_source(spec: str) -> Source:
    """A label volume from ``file.h5:dataset``, a folder of slices or a multi-page TIFF."""
    path = Path(spec)
    if path.is_dir() or (path.suffix.lower() in (".tif", ".tiff") and path.is_file()):
        return _stack_source(spec)
    return _hdf5_source(spec)


def run_source(project: Project, run: str) -> Source:
    """The segmentation of inference run ``run`` (proofreading edits applied), placed."""
    volume = load_run_segmentation(project, run)
    offset = _offset(run_segmentation_attrs(project, run))
    return Source(f"run '{run}'", volume.shape, lambda box: volume[box_slices(box)], *offset)


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
        )
    box = crop if crop is not None else tuple((o, o + s) for o, s in zip(seg.offset, seg.shape))
    return box, [_local(source, box) for source in (seg, gt)]


def _local(source: Source, box: Box) -> Box:
    local = tuple((a - o, b - o) for (a, b), o in zip(box, source.offset))
    if any(a < 0 or b > s for (a, b), s in zip(local, source.shape)):
        extent = format_box(tuple((o, o + s) for o, s in zip(source.offset, source.shape)))
        raise UserError(
            f"The box {format_box(box)} (z, y, x) is not inside {source.name}, "
            f"which covers {extent}.",
            "Choose a --crop inside both volumes.",
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

    def read(box: Box) -> np.ndarray:
        handle, dataset = open_dataset(spec)
        with handle:
            return dataset[box_slices(box)]

    return Source(spec, tuple(shape), read, *offset)


def _offset(attrs: dict) -> tuple[tuple[int, ...], bool]:
    if "bbox_start_zyx" in attrs:
        return tuple(int(v) for v in attrs["bbox_start_zyx"]), True
    if "crop_zyx" in attrs:
        return tuple(int(v) for v in np.asarray(attrs["crop_zyx"])[::2]), True
    return (0, 0, 0), False
