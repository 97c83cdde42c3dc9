"""The ``preprocess`` stage: partition volume and balanced training coordinates.

``python -m ffn_core preprocess --project P [--thresholds T,...] [--lom-radius X,Y,Z]
[--min-size N] [--margin Z,Y,X] [--seed N] [--coordinates-tfrecord OUT.gz]`` reads the
project's ``labels`` volume and writes ``<project>/preprocess/partitions.h5:af`` and
``<project>/preprocess/coordinates.npy`` (optionally also the reference's GZIP TFRecord;
``--coordinates-from-tfrecord PATTERN`` stores the coordinates of such a file instead).
All files are written beside their targets and renamed together at the end, so a stop
or a failure leaves the previous outputs untouched and nothing half written.
"""
from __future__ import annotations

import argparse
import contextlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ffn_core.cli import StageResult
from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter
from ffn_core.io.volume_spec import open_dataset
from ffn_core.preprocess import Cancelled, replacing
from ffn_core.preprocess.coordinates import (BalancedCoordinates, balanced_coordinates,
                                             coordinates_path, save_coordinates)
from ffn_core.preprocess.partitions import (DATASET, DEFAULT_LOM_RADIUS_XYZ, DEFAULT_MIN_SIZE,
                                            DEFAULT_THRESHOLDS, adjust_bounding_boxes,
                                            compute_partitions, label_bounding_boxes,
                                            write_partitions)
from ffn_core.project import Project

__all__ = ["PreprocessConfig", "add_arguments", "parse_thresholds", "partitions_path", "preprocess",
           "run"]

PARTITIONS_FILE = "partitions.h5"


@dataclass(frozen=True)
class PreprocessConfig:
    """Parameters of the stage; geometry as the reference gives it (see field names)."""

    thresholds: tuple[float, ...] = DEFAULT_THRESHOLDS
    lom_radius_xyz: tuple[int, int, int] = DEFAULT_LOM_RADIUS_XYZ
    min_size: int = DEFAULT_MIN_SIZE
    margin_zyx: tuple[int, int, int] | None = None
    seed: int = 0
    coordinates_tfrecord: str | None = None
    tfrecord_volume_name: str = "validation1"
    coordinates_from_tfrecord: str | None = None

    @property
    def margin(self) -> tuple[int, int, int]:
        """The margin (z, y, x); by default the window radius, as the reference advises."""
        return self.margin_zyx or tuple(self.lom_radius_xyz[::-1])  # type: ignore[return-value]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", required=True, help="project folder with a labels volume")
    parser.add_argument("--thresholds", default=",".join(map(str, DEFAULT_THRESHOLDS)),
                        help="increasing same-ID fractions that split the partition classes")
    parser.add_argument("--lom-radius", default="24,24,24", metavar="X,Y,Z",
                        help="window radius x,y,z; use fov_size//2 + deltas (default 24,24,24)")
    parser.add_argument("--min-size", type=int, default=DEFAULT_MIN_SIZE,
                        help="IDs with fewer voxels are treated as background (default 10000)")
    parser.add_argument("--margin", metavar="Z,Y,X",
                        help="no coordinate closer than this to the border (default: lom radius)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the sampling")
    parser.add_argument("--coordinates-tfrecord", metavar="OUT.gz",
                        help="also write the coordinates as the reference's GZIP TFRecord")
    parser.add_argument("--tfrecord-volume-name", default="validation1",
                        help="label_volume_name in the TFRecord (default validation1)")
    parser.add_argument("--coordinates-from-tfrecord", metavar="PATTERN",
                        help="take the coordinates from the reference's TFRecord file(s) "
                             "(path, glob or path@N) instead of sampling them")


def run(args: argparse.Namespace, emit: Emitter, cancel: CancelToken) -> StageResult:
    """The stage entry point of ``python -m ffn_core preprocess``."""
    config = PreprocessConfig(
        thresholds=parse_thresholds(args.thresholds),
        lom_radius_xyz=_parse_ints(args.lom_radius, "--lom-radius", "X,Y,Z"),
        min_size=_non_negative(args.min_size, "--min-size"),
        margin_zyx=_parse_ints(args.margin, "--margin", "Z,Y,X") if args.margin else None,
        seed=args.seed, coordinates_tfrecord=args.coordinates_tfrecord,
        tfrecord_volume_name=args.tfrecord_volume_name,
        coordinates_from_tfrecord=args.coordinates_from_tfrecord)
    return preprocess(config, Project.open(args.project), emit, cancel)


def partitions_path(project: Project) -> Path:
    """``<project>/preprocess/partitions.h5`` (dataset ``af``)."""
    return project.path("preprocess", PARTITIONS_FILE)


def preprocess(config: PreprocessConfig, project: Project, emit: Emitter,
               cancel: CancelToken) -> StageResult:
    """Compute partitions and coordinates of ``project``'s labels and store them."""
    labels, boxes = _read_labels(project)
    _check_fits(config, labels.shape)
    emit.log(f"Partitions of labels {labels.shape} (z,y,x): lom_radius (x,y,z) "
             f"{config.lom_radius_xyz}, min_size {config.min_size}")
    try:
        partitions = compute_partitions(labels, config.thresholds, config.lom_radius_xyz,
                                        config.min_size, _meter(emit, "objects"), cancel)
        del labels
        if config.coordinates_from_tfrecord:
            coordinates = _read_tfrecord(config.coordinates_from_tfrecord, partitions.shape, emit)
        else:
            coordinates = balanced_coordinates(partitions, config.margin, config.seed)
            emit.log(f"{len(coordinates)} coordinates (margin z,y,x {config.margin}, "
                     f"seed {config.seed})")
        outputs = _write_outputs(config, project, partitions, boxes, coordinates, emit, cancel)
    except Cancelled:
        emit.log("Stopped; the previous preprocess outputs are unchanged.")
        return StageResult(outputs={}, status="stopped")
    project.reload()
    project.set_stage_params("preprocess", {**asdict(config), "margin_zyx": list(config.margin),
                                            "coordinates_count": len(coordinates)})
    return StageResult(outputs=outputs, extra={"coordinates_count": len(coordinates)})


def _write_outputs(config: PreprocessConfig, project: Project, partitions: np.ndarray,
                   boxes: list, coordinates: BalancedCoordinates | np.ndarray, emit: Emitter,
                   cancel: CancelToken) -> dict[str, str]:
    """Write every output beside its target; rename them all only when all are complete."""
    af_path, coords_path = partitions_path(project), coordinates_path(project)
    outputs = {"partitions": f"{af_path}:{DATASET}", "coordinates": str(coords_path)}
    with contextlib.ExitStack() as stack:
        af_tmp = stack.enter_context(replacing(af_path))
        coords_tmp = stack.enter_context(replacing(coords_path))
        write_partitions(af_tmp, partitions, config.lom_radius_xyz,
                         adjust_bounding_boxes(boxes, config.lom_radius_xyz))
        save_coordinates(coords_tmp, coordinates, cancel, _meter(emit, "coordinates"))
        if config.coordinates_tfrecord:
            from ffn_core.preprocess.tfrecord import write_coordinates_tfrecord

            target = Path(config.coordinates_tfrecord).resolve()
            tfrecord_tmp = stack.enter_context(replacing(target))
            write_coordinates_tfrecord(tfrecord_tmp, coordinates, config.tfrecord_volume_name,
                                       _meter(emit, "records"), cancel)
            outputs["coordinates_tfrecord"] = str(target)
    for kind, path in outputs.items():
        emit.artifact(kind, path)
    return outputs


def _read_tfrecord(pattern: str, shape: tuple[int, ...], emit: Emitter) -> np.ndarray:
    """Coordinates a user brings as the reference's TFRecord, checked against the volume."""
    from ffn_core.preprocess.tfrecord import read_coordinates_tfrecord

    try:
        zyx, names = read_coordinates_tfrecord(pattern)
    except (OSError, ValueError) as exc:
        raise UserError(f"Cannot read coordinates from {pattern}: {exc}",
                        "Give a GZIP TFRecord of the reference (path, glob or path@N).") from exc
    if not len(zyx) or np.any(zyx < 0) or np.any(zyx >= np.array(shape)):
        raise UserError(f"The coordinates in {pattern} are empty or lie outside the labels "
                        f"volume of shape (z,y,x) {tuple(shape)}.",
                        "Use the coordinate file made for this label volume.")
    volumes = ", ".join(sorted(name.decode("utf-8", "replace") for name in set(names)))
    emit.log(f"{len(zyx)} coordinates of volume(s) {volumes} from {pattern}")
    return zyx.astype(np.int32)


def _meter(emit: Emitter, unit: str) -> Callable[[int, int], None]:
    """A progress callback with its own rate and ETA (one per phase of the stage)."""
    meter = Emitter(stage=emit.stage, stream=emit.stream, min_interval=emit.min_interval)
    return lambda done, total: meter.progress(done, total, unit)


def _read_labels(project: Project) -> tuple[np.ndarray, list]:
    spec = project.volume_spec("labels")
    handle, dataset = open_dataset(spec)
    with handle:
        if dataset.ndim != 3 or dataset.dtype.kind not in "iub":
            raise UserError(f"The labels volume {spec} is {dataset.dtype} of shape "
                            f"{dataset.shape}, not a 3-D integer volume.",
                            "Import the label stack again (integer IDs, one slice per z).")
        return dataset[...], label_bounding_boxes(dataset)


def _check_fits(config: PreprocessConfig, shape: tuple[int, ...]) -> None:
    for name, zyx in (("--lom-radius", config.lom_radius_xyz[::-1]), ("--margin", config.margin)):
        if any(2 * r >= n for r, n in zip(zyx, shape)):
            raise UserError(f"{name} (z,y,x) {tuple(zyx)} leaves no voxel of the labels "
                            f"volume of shape (z,y,x) {tuple(shape)}.",
                            "Use a smaller radius or margin (each under half the volume size); "
                            "the radius is the model's fov_size//2 + deltas.")


def parse_thresholds(text: str) -> tuple[float, ...]:
    """``"0.025,0.05,..."`` as increasing fractions in (0, 1]."""
    try:
        values = tuple(float(part) for part in str(text).split(","))
    except ValueError:
        values = ()
    if not values or not all(0 < v <= 1 for v in values) \
            or any(b <= a for a, b in zip(values, values[1:])) or len(values) > 253:
        raise UserError(f"Thresholds '{text}' are not increasing fractions between 0 and 1.",
                        "Give them as e.g. 0.025,0.05,0.075,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9.")
    return values


def _parse_ints(text: str, flag: str, order: str) -> tuple[int, int, int]:
    try:
        values = tuple(int(part) for part in str(text).split(","))
    except ValueError:
        values = ()
    if len(values) != 3 or any(v < 0 for v in values):
        raise UserError(f"{flag} '{text}' is not three non-negative integers {order}.",
                        f"Give it as e.g. 24,24,24 ({order[0].lower()} first).")
    return values  # type: ignore[return-value]


def _non_negative(value: int, flag: str) -> int:
    if value < 0:
        raise UserError(f"{flag} {value} is negative.", "Give 0 or a positive number of voxels.")
    return value
