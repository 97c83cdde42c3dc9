"""The ``import`` stage: image (and label) stacks into ``<project>/volumes/*.h5``.

``python -m ffn_core import --project P --images SRC [--labels SRC] [--voxel-size Z,Y,X]
[--to-gray]`` writes ``volumes/image.h5:raw`` (uint8/uint16, attrs mean, std,
voxel_size (z, y, x), source, source_files) and ``volumes/labels.h5:raw`` (unsigned
integer ids as in the source). Slices stream through one chunk layer at a time; both
files are written beside their targets and renamed only when complete, so a failure or
a stop leaves the previous volumes untouched and nothing half written.
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
from ffn_core.io.import_checks import (as_labels, check_image_source, check_label_source,
                                       label_dtype)
from ffn_core.io.stacks import SliceStack, open_stack
from ffn_core.io.volume_writer import RunningStats, VolumeWriter
from ffn_core.project import Project

__all__ = ["ImportConfig", "add_arguments", "import_stack", "parse_voxel_size", "run"]

DATASET = "raw"


@dataclass(frozen=True)
class ImportConfig:
    """What to import: image source, optional label source, voxel size (z, y, x)."""

    images: str
    labels: str | None = None
    voxel_size_zyx: tuple[float, float, float] = (1.0, 1.0, 1.0)
    to_gray: bool = False


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", required=True, help="project folder (created when missing)")
    parser.add_argument("--images", required=True,
                        help="folder of PNG/TIFF slices, multi-page TIFF, or file.h5:dataset")
    parser.add_argument("--labels", help="label stack, same forms as --images")
    parser.add_argument("--voxel-size", default="1,1,1", metavar="Z,Y,X",
                        help="voxel size z,y,x (default 1,1,1)")
    parser.add_argument("--to-gray", action="store_true",
                        help="convert RGB(A) images to gray (0.299 R + 0.587 G + 0.114 B)")


def parse_voxel_size(text: str) -> tuple[float, float, float]:
    """``"Z,Y,X"`` as three positive floats.

    Examples
    --------
    >>> parse_voxel_size("30, 6, 6")
    (30.0, 6.0, 6.0)
    """
    try:
        values = tuple(float(part) for part in str(text).split(","))
    except ValueError:
        values = ()
    if len(values) != 3 or not all(np.isfinite(v) and v > 0 for v in values):
        raise UserError(f"Voxel size '{text}' is not three positive numbers Z,Y,X.",
                        "Give it as e.g. 30,6,6 (z first), or leave the default 1,1,1.")
    return values  # type: ignore[return-value]


def run(args: argparse.Namespace, emit: Emitter, cancel: CancelToken) -> StageResult:
    """The stage entry point of ``python -m ffn_core import``."""
    config = ImportConfig(images=args.images, labels=args.labels,
                          voxel_size_zyx=parse_voxel_size(args.voxel_size),
                          to_gray=bool(args.to_gray))
    return import_stack(config, Project.open_or_create(args.project), emit, cancel)


def import_stack(config: ImportConfig, project: Project, emit: Emitter,
                 cancel: CancelToken | None = None) -> StageResult:
    """Import the stacks of ``config`` into ``project`` and register them.

    Parameters
    ----------
    config : ImportConfig
        Sources, voxel size (z, y, x) and the to-gray choice.
    project : Project
        The open project; volumes go to ``<project>/volumes/``.
    emit : Emitter
        Receives ``log`` and per-slice ``progress`` (unit ``slices``) events.
    cancel : CancelToken, optional
        Polled before every slice; when set, nothing is written and the result is stopped.

    Returns
    -------
    StageResult
        Outputs ``image`` (and ``labels``) as absolute ``file.h5:raw`` specs.

    Raises
    ------
    UserError
        For any unusable input; nothing is written then.
    """
    cancel = cancel or CancelToken()
    with open_stack(config.images, to_gray=config.to_gray) as images:
        info = images.info
        check_image_source(info)
        _log_source(emit, "Images", images)
        if info.is_color:
            emit.log(f"Converting {info.channels}-channel colour images to gray "
                     "(0.299 R + 0.587 G + 0.114 B, alpha dropped), as --to-gray asks.")
        if config.labels is None:
            return _write(config, project, emit, cancel, images, None)
        with open_stack(config.labels, labels=True) as labels:
            check_label_source(labels.info, info.shape_zyx)
            _log_source(emit, "Labels", labels)
            return _write(config, project, emit, cancel, images, labels)


def _log_source(emit: Emitter, what: str, stack: SliceStack) -> None:
    info = stack.info
    emit.log(f"{what}: {info.order_summary()}; shape (z, y, x) {info.shape_zyx}, {info.dtype}.")
    if info.skipped:
        emit.log(f"Skipped {len(info.skipped)} non-slice file(s): "
                 + ", ".join(Path(name).name for name in info.skipped), level="warning")


def _write(config: ImportConfig, project: Project, emit: Emitter, cancel: CancelToken,
           images: SliceStack, labels: SliceStack | None) -> StageResult:
    volumes = project.path("volumes")
    volumes.mkdir(parents=True, exist_ok=True)
    shape = images.info.shape_zyx
    total = shape[0] * (2 if labels is not None else 1)
    writers: dict[str, VolumeWriter] = {}
    try:
        stats = RunningStats()
        writers["image"] = VolumeWriter(volumes / "image.h5", shape, images.info.dtype)
        if not _stream(images, writers["image"], _add_to(stats), emit, cancel, 0, total):
            return _stopped(emit)
        writers["image"].finish(**_attrs(config, images), mean=stats.mean, std=stats.std)
        if labels is not None:
            writers["labels"] = VolumeWriter(volumes / "labels.h5", shape,
                                             label_dtype(labels.info.dtype))
            convert = lambda index, array: as_labels(array, labels.slice_name(index))  # noqa: E731
            if not _stream(labels, writers["labels"], convert, emit, cancel, shape[0], total):
                return _stopped(emit)
            writers["labels"].finish(**_attrs(config, labels))
        for writer in writers.values():
            writer.commit()
    finally:
        for writer in writers.values():
            writer.discard()
    emit.log(f"Image mean {stats.mean:.2f}, std {stats.std:.2f}.")
    return _register(config, project, emit, writers, images, labels, stats)


def _add_to(stats: RunningStats) -> Callable[[int, np.ndarray], np.ndarray]:
    def add(index: int, array: np.ndarray) -> np.ndarray:
        stats.add(array)
        return array
    return add


def _stream(stack: SliceStack, writer: VolumeWriter,
            convert: Callable[[int, np.ndarray], np.ndarray], emit: Emitter,
            cancel: CancelToken, done: int, total: int) -> bool:
    """Write every slice of ``stack``; False when cancelled part-way."""
    for index, array in enumerate(stack):
        if cancel.cancelled:
            return False
        writer.append(convert(index, array))
        emit.progress(done + index + 1, total, "slices", volume=writer.target.stem)
    return not cancel.cancelled


def _stopped(emit: Emitter) -> StageResult:
    emit.log("Import stopped; the previous volumes (if any) are unchanged.", level="warning")
    return StageResult(outputs={}, status="stopped")


def _attrs(config: ImportConfig, stack: SliceStack) -> dict:
    return {"voxel_size": np.asarray(config.voxel_size_zyx, dtype=np.float64),
            "source": stack.source, "source_kind": stack.kind,
            "source_files": list(stack.info.files)}


def _register(config: ImportConfig, project: Project, emit: Emitter,
              writers: dict[str, VolumeWriter], images: SliceStack,
              labels: SliceStack | None, stats: RunningStats) -> StageResult:
    shape = list(images.info.shape_zyx)
    common = {"voxel_size": list(config.voxel_size_zyx), "shape": shape}
    project.register_volume("image", writers["image"].target, DATASET, mean=stats.mean,
                            std=stats.std, dtype=images.info.dtype, source=config.images,
                            **common)
    if labels is not None:
        project.register_volume("labels", writers["labels"].target, DATASET,
                                dtype=label_dtype(labels.info.dtype).name,
                                source=config.labels, **common)
    else:
        _drop_stale_labels(project, emit, shape)
    project.set_stage_params("import", {"images": config.images, "labels": config.labels,
                                        "voxel_size": list(config.voxel_size_zyx),
                                        "to_gray": config.to_gray})
    outputs = {name: f"{writer.target}:{DATASET}" for name, writer in writers.items()}
    if "labels" in project.data["volumes"]:
        outputs["labels"] = project.volume_spec("labels")
    for name, spec in outputs.items():
        emit.artifact("volume", spec)
    return StageResult(outputs=outputs)


def _drop_stale_labels(project: Project, emit: Emitter, shape: list[int]) -> None:
    """Keep earlier labels that still fit the new image; remove them otherwise."""
    record = project.data["volumes"].get("labels")
    if record is None:
        return
    if list(record.get("shape", [])) == shape:
        emit.log("Kept the labels imported earlier (same shape as the new image).")
        return
    project.path(record["file"]).unlink(missing_ok=True)
    project.data["volumes"].pop("labels")
    project.save()
    emit.log(f"Removed the labels imported earlier: their shape {record.get('shape')} "
             f"does not match the new image {shape}.", level="warning")
