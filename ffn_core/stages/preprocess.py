"""The ``preprocess`` stage: partition volume and balanced training coordinates.

Reads the project's ``labels`` volume and writes ``<project>/preprocess/partitions.h5:af``
and ``<project>/preprocess/coordinates.npy`` (optionally also the reference's GZIP
TFRecord; ``coordinates_from_tfrecord`` stores the coordinates of such a file instead).
Given several ``volumes``, each gets its partitions and coordinates (a further volume in
``preprocess/<volume>/``), the classes balanced over all of them together as the
reference's ``build_coordinates`` does with several partition volumes.
All files are written beside their targets and renamed together at the end, so a stop
or a failure leaves the previous outputs untouched and nothing half written. From Python::

    from ffn_core.stages.preprocess import PreprocessConfig, preprocess
    preprocess(PreprocessConfig(lom_radius_xyz=(12, 12, 4)), Project.open("my_project"))

The work is done by :mod:`ffn_core.preprocess` (partitions, coordinates, tfrecord);
TensorFlow is imported only for the TFRecord options.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter
from ffn_core.io.atomic import replacing
from ffn_core.io.volume_spec import open_dataset
from ffn_core.memory import PREPROCESS_BYTES_PER_VOXEL, require_memory
from ffn_core.preprocess import Cancelled
from ffn_core.preprocess.coordinates import (
    MAX_COORDINATES,
    BalancedCoordinates,
    coordinates_path,
    joint_balanced_coordinates,
    save_coordinates,
)
from ffn_core.preprocess.partitions import (
    DATASET,
    DEFAULT_LOM_RADIUS_XYZ,
    DEFAULT_MIN_SIZE,
    DEFAULT_THRESHOLDS,
    adjust_bounding_boxes,
    compute_partitions,
    label_bounding_boxes,
    partitions_path,
    write_partitions,
)
from ffn_core.project import MAIN_VOLUME, Project, parse_volume_names, volume_key
from ffn_core.stages.base import StageConfig, StageResult, reporting
from ffn_core.zyx import parse_triple

__all__ = ["PreprocessConfig", "parse_thresholds", "preprocess"]


@dataclass(frozen=True)
class PreprocessConfig(StageConfig):
    """Parameters of the stage; geometry as the reference gives it (see field names).

    ``lom_radius_xyz`` is the window radius (x, y, z), the model's ``fov_size // 2 +
    deltas``; ``margin_zyx`` keeps coordinates away from the border (default: the radius).
    ``volumes`` names the training volumes whose coordinates are balanced together (the
    TFRecord options take one volume). ``max_coordinates`` caps the balanced list, every
    class keeping an equal share (None: the reference's full list of classes x largest class).
    """

    stage: ClassVar[str] = "preprocess"
    thresholds: tuple[float, ...] = DEFAULT_THRESHOLDS
    lom_radius_xyz: tuple[int, int, int] = DEFAULT_LOM_RADIUS_XYZ
    min_size: int = DEFAULT_MIN_SIZE
    margin_zyx: tuple[int, int, int] | None = None
    seed: int = 0
    coordinates_tfrecord: str | None = None
    tfrecord_volume_name: str = "validation1"
    coordinates_from_tfrecord: str | None = None
    volumes: tuple[str, ...] = (MAIN_VOLUME,)
    max_coordinates: int | None = MAX_COORDINATES

    def __post_init__(self) -> None:
        object.__setattr__(self, "volumes", parse_volume_names(self.volumes))
        if len(self.volumes) > 1 and (self.coordinates_tfrecord or self.coordinates_from_tfrecord):
            raise UserError(
                "The TFRecord options take one volume.",
                "Preprocess the volumes without them, or one volume at a time.",
            )
        object.__setattr__(self, "thresholds", parse_thresholds(self.thresholds))
        object.__setattr__(
            self, "lom_radius_xyz", parse_triple(self.lom_radius_xyz, "--lom-radius", order="X,Y,Z")
        )
        if self.margin_zyx is not None:
            object.__setattr__(self, "margin_zyx", parse_triple(self.margin_zyx, "--margin"))
        if self.max_coordinates is not None and self.max_coordinates < 1:
            raise UserError(
                f"At most {self.max_coordinates} coordinates leaves none to train on.",
                "Keep at least one coordinate per class, or no limit.",
            )
        if self.min_size < 0:
            raise UserError(
                f"--min-size {self.min_size} is negative.", "Give 0 or a positive number of voxels."
            )

    @property
    def margin(self) -> tuple[int, int, int]:
        """The margin (z, y, x); by default the window radius, as the reference advises."""
        return self.margin_zyx or tuple(self.lom_radius_xyz[::-1])  # type: ignore[return-value]


def parse_thresholds(value: str | Sequence[float]) -> tuple[float, ...]:
    """``"0.025,0.05,..."`` (or a sequence) as increasing fractions in (0, 1].

    Examples
    --------
    >>> parse_thresholds("0.2,0.5")
    (0.2, 0.5)
    """
    text = value if isinstance(value, str) else ",".join(map(str, value))
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        values = ()
    if (
        not values
        or not all(0 < v <= 1 for v in values)
        or any(b <= a for a, b in zip(values, values[1:]))
        or len(values) > 253
    ):
        raise UserError(
            f"Thresholds '{text}' are not increasing fractions between 0 and 1.",
            "Give them as e.g. 0.025,0.05,0.075,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9.",
        )
    return values


def preprocess(
    config: PreprocessConfig,
    project: Project,
    *,
    emit: Emitter | None = None,
    cancel: CancelToken | None = None,
) -> StageResult:
    """Compute partitions and coordinates of ``project``'s labels and store them.

    Parameters
    ----------
    config : PreprocessConfig
        Thresholds, window radius, dust size, margin, seed and the TFRecord options.
    project : Project
        The open project, with the ``labels`` of each of ``config.volumes``.
    emit : Emitter, optional
        Receives ``log``, ``artifact`` and ``progress`` (units ``objects``,
        ``coordinates``, ``records``) records.
    cancel : CancelToken, optional
        Polled throughout; when set, nothing is written and the result is stopped.

    Returns
    -------
    StageResult
        Outputs ``partitions`` (``file.h5:af``), ``coordinates`` (and
        ``coordinates_tfrecord``), ``<volume>/partitions`` and ``<volume>/coordinates``
        of a further volume; ``extra`` holds ``coordinates_count`` (and, for several
        volumes, ``volume_coordinates``: the count of each).
    """
    emit, cancel = reporting(config.stage, emit, cancel)
    for volume in config.volumes:  # every volume is there before any is worked on
        project.volume(volume_key("labels", volume))
    try:
        partitions, boxes = [], []
        for volume in config.volumes:
            volume_partitions, volume_boxes = _partitions(config, project, volume, emit, cancel)
            partitions.append(volume_partitions)
            boxes.append(volume_boxes)
        if config.coordinates_from_tfrecord:
            coordinates = [
                _read_tfrecord(config.coordinates_from_tfrecord, partitions[0].shape, emit)
            ]
        else:
            coordinates = joint_balanced_coordinates(
                partitions, config.margin, config.seed, config.max_coordinates
            )
            emit.log(
                f"{sum(map(len, coordinates))} coordinates, every class equally often "
                f"(margin z,y,x {config.margin}, seed {config.seed}, at most "
                f"{config.max_coordinates or 'all'})" + _per_volume(config.volumes, coordinates)
            )
        outputs = _write_outputs(config, project, partitions, boxes, coordinates, emit, cancel)
    except Cancelled:
        emit.log("Stopped; the previous preprocess outputs are unchanged.")
        return StageResult(outputs={}, status="stopped")
    count = sum(map(len, coordinates))
    project.reload()
    project.set_stage_params(
        "preprocess",
        {**config.to_dict(), "margin_zyx": list(config.margin), "coordinates_count": count},
    )
    extra: dict = {"coordinates_count": count}
    if len(config.volumes) > 1:
        extra["volume_coordinates"] = dict(zip(config.volumes, map(len, coordinates)))
    return StageResult(outputs=outputs, extra=extra)


def _partitions(
    config: PreprocessConfig, project: Project, volume: str, emit: Emitter, cancel: CancelToken
) -> tuple[np.ndarray, list]:
    """The partition volume of ``volume``'s labels and the labels' bounding boxes."""
    labels, boxes = _read_labels(project, volume)
    _check_fits(config, labels.shape)
    emit.log(
        f"Partitions of {volume_key('labels', volume)} {labels.shape} (z,y,x): lom_radius "
        f"(x,y,z) {config.lom_radius_xyz}, min_size {config.min_size}"
    )
    partitions = compute_partitions(
        labels,
        config.thresholds,
        config.lom_radius_xyz,
        config.min_size,
        _meter(emit, "objects"),
        cancel,
    )
    return partitions, boxes


def _per_volume(volumes: Sequence[str], coordinates: Sequence) -> str:
    """``": main 120, stack2 80"`` for several volumes, else nothing."""
    if len(volumes) < 2:
        return ""
    return ": " + ", ".join(f"{name} {len(c)}" for name, c in zip(volumes, coordinates))


def _write_outputs(
    config: PreprocessConfig,
    project: Project,
    partitions: Sequence[np.ndarray],
    boxes: Sequence[list],
    coordinates: Sequence[BalancedCoordinates | np.ndarray],
    emit: Emitter,
    cancel: CancelToken,
) -> dict[str, str]:
    """Write every output beside its target; rename them all only when all are complete."""
    outputs = {}
    with contextlib.ExitStack() as stack:
        for volume, volume_partitions, volume_boxes, volume_coordinates in zip(
            config.volumes, partitions, boxes, coordinates
        ):
            af_path = partitions_path(project, volume)
            coords_path = coordinates_path(project, volume)
            outputs[volume_key("partitions", volume)] = f"{af_path}:{DATASET}"
            outputs[volume_key("coordinates", volume)] = str(coords_path)
            af_tmp = stack.enter_context(replacing(af_path))
            coords_tmp = stack.enter_context(replacing(coords_path))
            write_partitions(
                af_tmp,
                volume_partitions,
                config.lom_radius_xyz,
                adjust_bounding_boxes(volume_boxes, config.lom_radius_xyz),
            )
            save_coordinates(coords_tmp, volume_coordinates, cancel, _meter(emit, "coordinates"))
        if config.coordinates_tfrecord:
            from ffn_core.preprocess.tfrecord import write_coordinates_tfrecord

            target = Path(config.coordinates_tfrecord).resolve()
            tfrecord_tmp = stack.enter_context(replacing(target))
            write_coordinates_tfrecord(
                tfrecord_tmp,
                coordinates[0],
                config.tfrecord_volume_name,
                _meter(emit, "records"),
                cancel,
            )
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
        raise UserError(
            f"Cannot read coordinates from {pattern}: {exc}",
            "Give a GZIP TFRecord of the reference (path, glob or path@N).",
        ) from exc
    if not len(zyx) or np.any(zyx < 0) or np.any(zyx >= np.array(shape)):
        raise UserError(
            f"The coordinates in {pattern} are empty or lie outside the labels "
            f"volume of shape (z,y,x) {tuple(shape)}.",
            "Use the coordinate file made for this label volume.",
        )
    volumes = ", ".join(sorted(name.decode("utf-8", "replace") for name in set(names)))
    emit.log(f"{len(zyx)} coordinates of volume(s) {volumes} from {pattern}")
    return zyx.astype(np.int32)


def _meter(emit: Emitter, unit: str) -> Callable[[int, int], None]:
    """A progress callback with its own rate and ETA (one per phase of the stage)."""
    meter = emit.child()
    return lambda done, total: meter.progress(done, total, unit)


def _read_labels(project: Project, volume: str) -> tuple[np.ndarray, list]:
    spec = project.volume_spec(volume_key("labels", volume))
    handle, dataset = open_dataset(spec)
    with handle:
        if dataset.ndim != 3 or dataset.dtype.kind not in "iub":
            raise UserError(
                f"The labels volume {spec} is {dataset.dtype} of shape "
                f"{dataset.shape}, not a 3-D integer volume.",
                "Import the label stack again (integer IDs, one slice per z).",
            )
        require_memory(
            dataset.size * PREPROCESS_BYTES_PER_VOXEL,
            f"Preprocessing the labels {spec} of shape z,y,x {dataset.shape}",
            "Preprocess a crop of the labels: import a smaller region as the training "
            "volume (training needs well-labelled neurons, not the whole stack).",
        )
        labels = dataset[...]
        if not labels.any():
            raise UserError(
                f"The labels volume {spec} holds no object: every voxel is 0 (background).",
                "Import the label stack that has the object IDs (0 = background), or check "
                "its export.",
            )
        return labels, label_bounding_boxes(dataset)


def _check_fits(config: PreprocessConfig, shape: tuple[int, ...]) -> None:
    for name, zyx in (("--lom-radius", config.lom_radius_xyz[::-1]), ("--margin", config.margin)):
        if any(2 * r >= n for r, n in zip(zyx, shape)):
            raise UserError(
                f"{name} (z,y,x) {tuple(zyx)} leaves no voxel of the labels "
                f"volume of shape (z,y,x) {tuple(shape)}.",
                "Use a smaller radius or margin (each under half the volume size); "
                "the radius is the model's fov_size//2 + deltas.",
            )
