"""``python -m ffn_core evaluate``: score a segmentation against ground-truth labels.

Example::

    python -m ffn_core evaluate --seg seg.h5:segmentation --gt labels/ --crop 0:100,0:256,0:256

A volume is ``file.h5:dataset`` (or ``file.h5@dataset``), a folder of PNG/TIFF slices,
or one multi-page TIFF. ``--crop`` is in the coordinates of the full volume. An HDF5
segmentation that covers only a box of the volume says where it lies through its
``bbox_start_zyx`` (our inference runs) or ``crop_zyx`` (z0,z1,y0,y1,x0,x1) attribute;
when the two volumes differ in shape and no crop is given, the segmentation's box is
scored. Scores follow :mod:`ffn_core.evaluate` (SNEMI3D adapted Rand error, VOI).
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ffn_core.cli import StageResult
from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter
from ffn_core.io.stacks import open_stack
from ffn_core.io.volume_spec import open_dataset

Box = tuple[tuple[int, int], ...]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seg", help="segmentation: file.h5:dataset, a slice folder or a TIFF")
    parser.add_argument("--run", help="or: the inference run NAME of --project")
    parser.add_argument("--gt", help="ground-truth labels (default: the project's labels volume)")
    parser.add_argument("--crop", help="z0:z1,y0:y1,x0:x1 in full-volume voxels")
    parser.add_argument("--project", help="project folder (for --run and the default --gt)")


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


def run(args: argparse.Namespace, emit: Emitter, cancel: CancelToken) -> StageResult:
    from ffn_core.evaluate import adapted_rand, contingency, voi

    seg, gt = _sources(args)
    box, locals_ = scored_box(seg, gt, parse_crop(args.crop) if args.crop else None)
    emit.log(f"Scoring {seg.name} against {gt.name} in z,y,x box "
             f"{', '.join(f'{a}:{b}' for a, b in box)}.")
    arrays = []
    for done, (source, local) in enumerate(zip((seg, gt), locals_)):
        if cancel.cancelled:
            return StageResult(outputs={}, status="stopped")
        arrays.append(source.read(local))
        emit.progress(done + 1, 3, "steps")
    if not np.any(arrays[1]):
        raise UserError(f"The ground truth {gt.name} has no labelled voxel in the scored box.",
                        "Check --gt and --crop.")
    table = contingency(*arrays)
    scores = {**adapted_rand(table=table), **voi(table=table)}
    emit.progress(3, 3, "steps")
    emit.log(f"{table.voxels} labelled voxels scored; {table.unassigned / table.voxels:.1%} of "
             f"them unsegmented (0) in the segmentation.")
    return StageResult(outputs=scores, extra={"voxels": table.voxels,
                                              "box_zyx": [list(pair) for pair in box]})


def _sources(args: argparse.Namespace) -> tuple[Source, Source]:
    if bool(args.seg) == bool(args.run):
        raise UserError("Give the segmentation as --seg SPEC or --run NAME (one of them).",
                        "For example --seg result.h5:segmentation.")
    project = None
    if args.run or not args.gt:
        if not args.project:
            raise UserError("--run and a missing --gt need --project.",
                            "Add --project P, or give --seg and --gt.")
        from ffn_core.project import Project
        project = Project.open(args.project)
    seg = _run_source(project, args.run) if args.run else open_source(args.seg)
    gt = open_source(args.gt if args.gt else project.volume_spec("labels"))
    return seg, gt


def parse_crop(text: str) -> Box:
    """``"z0:z1,y0:y1,x0:x1"`` to ``((z0, z1), (y0, y1), (x0, x1))``."""
    try:
        pairs = [tuple(int(v) for v in part.split(":")) for part in text.split(",")]
    except ValueError:
        pairs = []
    if len(pairs) != 3 or any(len(p) != 2 or p[0] < 0 or p[1] <= p[0] for p in pairs):
        raise UserError(f"--crop '{text}' is not z0:z1,y0:y1,x0:x1.",
                        "Give three start:stop ranges with start < stop, e.g. 0:100,0:256,0:256.")
    return tuple(pairs)


def scored_box(seg: Source, gt: Source, crop: Box | None) -> tuple[Box, list[Box]]:
    """The box to score (full-volume coordinates) and its place in ``seg`` and in ``gt``.

    Volumes of equal shape are compared whole when no crop is given, whatever their
    offsets say; otherwise the box must lie inside both volumes.
    """
    if crop is None and seg.shape == gt.shape:
        whole = tuple((0, s) for s in seg.shape)
        return tuple((o, o + s) for o, s in zip(seg.offset, seg.shape)), [whole, whole]
    if crop is None and not seg.placed:
        raise UserError(f"{seg.name} has shape {seg.shape} but {gt.name} has {gt.shape} (z, y, x).",
                        "Give the region that the segmentation covers as --crop z0:z1,y0:y1,x0:x1.")
    box = crop if crop is not None else tuple((o, o + s) for o, s in zip(seg.offset, seg.shape))
    return box, [_local(source, box) for source in (seg, gt)]


def _local(source: Source, box: Box) -> Box:
    local = tuple((a - o, b - o) for (a, b), o in zip(box, source.offset))
    if any(a < 0 or b > s for (a, b), s in zip(local, source.shape)):
        extent = ", ".join(f"{o}:{o + s}" for o, s in zip(source.offset, source.shape))
        wanted = ", ".join(f"{a}:{b}" for a, b in box)
        raise UserError(f"The box {wanted} (z, y, x) is not inside {source.name}, which covers "
                        f"{extent}.", "Choose a --crop inside both volumes.")
    return local


def open_source(spec: str) -> Source:
    """A label volume from ``file.h5:dataset``, a folder of slices or a multi-page TIFF."""
    path = Path(spec)
    if path.is_dir() or (path.suffix.lower() in (".tif", ".tiff") and path.is_file()):
        return _stack_source(spec)
    return _hdf5_source(spec)


def _stack_source(spec: str) -> Source:
    with open_stack(spec, labels=True) as stack:
        info = stack.info
    if info.channels != 1:
        raise UserError(f"{spec} holds colour images; labels are one ID per voxel.",
                        "Give grey label slices (8, 16 or 32-bit IDs).")

    def read(box: Box) -> np.ndarray:
        (z0, z1), (y0, y1), (x0, x1) = box
        with open_stack(spec, labels=True) as stack:
            return np.stack([stack.checked(z, stack.read(z))[y0:y1, x0:x1] for z in range(z0, z1)])

    return Source(spec, tuple(info.shape_zyx), read)


def _hdf5_source(spec: str) -> Source:
    handle, dataset = open_dataset(spec)
    with handle:
        if dataset.ndim != 3:
            raise UserError(f"{spec} has shape {dataset.shape}; a label volume is (z, y, x).",
                            "Give a 3-D dataset.")
        shape, offset = dataset.shape, _offset(dict(dataset.attrs))

    def read(box: Box) -> np.ndarray:
        handle, dataset = open_dataset(spec)
        with handle:
            return dataset[_slices(box)]

    return Source(spec, tuple(shape), read, *offset)


def _offset(attrs: dict) -> tuple[tuple[int, ...], bool]:
    if "bbox_start_zyx" in attrs:
        return tuple(int(v) for v in attrs["bbox_start_zyx"]), True
    if "crop_zyx" in attrs:
        return tuple(int(v) for v in np.asarray(attrs["crop_zyx"])[::2]), True
    return (0, 0, 0), False


def _run_source(project, run: str) -> Source:
    from ffn_core.io.export import load_run_segmentation, run_segmentation_attrs

    volume = load_run_segmentation(project, run)
    offset = _offset(run_segmentation_attrs(project, run))
    return Source(f"run '{run}'", volume.shape, lambda box: volume[_slices(box)], *offset)


def _slices(box: Box) -> tuple[slice, ...]:
    return tuple(slice(a, b) for a, b in box)
