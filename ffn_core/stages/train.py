"""The ``train`` stage: train an FFN on the project's image, labels and coordinates.

Several volumes of the project (named at import, preprocessed together) can be trained on
in one run, as the reference does with several ``--data_volumes``/``--label_volumes``:
each example comes from volume k with probability (k's coordinates) / (all coordinates).
A run lives in ``<project>/runs/<run>/``; naming an existing run continues it from its
latest checkpoint. A :class:`TrainConfig` holds what the user gives; ``None`` means "the
run's stored value" when the run exists, else the default of
:class:`~ffn_core.train.run_config.RunSettings` (see :func:`run_default`). The resolved
settings are stored in the run's ``config.json``. TensorFlow is imported inside
:func:`train` only.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from ffn_core.backend import check_backend, check_device, prepare
from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter
from ffn_core.io.volume_spec import image_stats, open_dataset
from ffn_core.model.args import ModelArgs, load_preset
from ffn_core.project import MAIN_VOLUME, Project, parse_volume_names, volume_key
from ffn_core.stages.base import StageConfig, StageResult, reporting
from ffn_core.train.examples import POLICIES as FOV_POLICIES
from ffn_core.train.examples import TrainVolume
from ffn_core.train.run_config import (
    RunSettings,
    merge_for_resume,
    read_run_config,
    write_run_config,
)

__all__ = ["DEFAULT_PRESET", "TrainConfig", "resolve_settings", "run_default", "train"]

DEFAULT_PRESET = "anisotropic"  # the model of a new run given neither preset nor model_args
IN_MEMORY_BYTES = 1 << 30  # volumes smaller than this are read into memory once
# Settings a run takes from the config when given (same names in RunSettings).
_SETTINGS = (
    "batch_size",
    "optimizer",
    "learning_rate",
    "learning_rate_decay_factor",
    "decay_steps",
    "max_steps",
    "checkpoint_minutes",
    "summary_seconds",
    "fov_policy",
    "fov_moves",
    "image_mean",
    "image_stddev",
    "seed",
    "precision",
)


@dataclass(frozen=True)
class TrainConfig(StageConfig):
    """What the user gives for a training run; ``None``: the run's value or the default.

    ``model_args`` (a :class:`~ffn_core.model.args.ModelArgs`, or the reference's dict or
    JSON text) overrides ``preset``; a new run given neither uses :data:`DEFAULT_PRESET`.
    ``image_mean``/``image_stddev`` default to the project image's. ``init_checkpoint``
    starts a new run from a reference or workbench checkpoint (fine-tuning). ``backend`` and
    ``device`` say what this job computes on (:mod:`ffn_core.backend`; not stored with the
    run: a run may continue on another backend). ``volumes`` names the project volumes to
    train on (default: the project's own; not stored with the run either).
    """

    stage: ClassVar[str] = "train"
    run: str = "default"
    preset: str | None = None
    model_args: ModelArgs | None = None
    max_steps: int | None = None
    batch_size: int | None = None
    optimizer: str | None = None
    learning_rate: float | None = None
    learning_rate_decay_factor: float | None = None
    decay_steps: int | None = None
    init_checkpoint: str | None = None
    checkpoint_minutes: float | None = None
    summary_seconds: float | None = None
    fov_policy: str | None = None
    fov_moves: int | None = None
    image_mean: float | None = None
    image_stddev: float | None = None
    seed: int | None = None
    precision: str | None = None
    backend: str | None = None
    device: str = "auto"
    volumes: tuple[str, ...] = (MAIN_VOLUME,)

    def __post_init__(self) -> None:
        object.__setattr__(self, "volumes", parse_volume_names(self.volumes))
        check_backend(self.backend)
        check_device(self.device)
        if self.model_args is not None and not isinstance(self.model_args, ModelArgs):
            object.__setattr__(self, "model_args", ModelArgs.from_reference(self.model_args))
        if self.fov_policy is not None and self.fov_policy not in FOV_POLICIES:
            raise UserError(
                f"Unknown FOV policy {self.fov_policy!r}.",
                f"Choose one of {', '.join(FOV_POLICIES)}.",
            )
        # The run's own rules on the given values, with defaults standing in for the rest
        # (a decay given half is completed by a neutral stand-in: a resumed run may hold the
        # other half; a new run without it fails when its settings are resolved).
        given = self.given_settings()
        if ("decay_steps" in given) != ("learning_rate_decay_factor" in given):
            given = {"learning_rate_decay_factor": 1.0, "decay_steps": 1, **given}
        RunSettings(
            **{
                "model_args": load_preset(DEFAULT_PRESET),
                "image_mean": 0.0,
                "image_stddev": 1.0,
                **given,
            }
        )

    def given_settings(self) -> dict[str, Any]:
        """The run settings this config names (model_args from ``preset`` when only it is)."""
        given = {name: getattr(self, name) for name in _SETTINGS if getattr(self, name) is not None}
        if self.model_args is not None:
            given["model_args"] = self.model_args
        elif self.preset is not None:
            given["model_args"] = load_preset(self.preset)
        return given

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values; ``model_args`` in the reference's form (x, y, z)."""
        data = super().to_dict()
        if self.model_args is not None:
            data["model_args"] = self.model_args.to_reference()
        return data


def run_default(name: str) -> Any:
    """The value a new run takes for setting ``name`` when the config leaves it ``None``."""
    if name == "preset":
        return DEFAULT_PRESET
    return {f.name: f.default for f in dataclasses.fields(RunSettings)}[name]


def resolve_settings(
    config: TrainConfig, run_dir: Path, image_stats: tuple[float, float]
) -> tuple[RunSettings, bool]:
    """The run's settings and whether it continues an existing run.

    An existing run keeps its stored settings except those ``config`` names (its model and
    optimizer cannot change); a new run takes the defaults, the project image's
    ``image_stats`` (mean, std) and :data:`DEFAULT_PRESET` for what ``config`` leaves out.
    """
    given = config.given_settings()
    stored = read_run_config(run_dir)
    if stored is not None:
        if config.init_checkpoint:
            raise UserError(
                f"Run {run_dir} exists; --init-checkpoint only starts new runs.",
                "Leave it out to continue the run, or choose another --run name.",
                "Leave Init checkpoint empty to continue the run, or choose another Run name.",
            )
        return merge_for_resume(stored, given, run_dir), True
    values = {
        "model_args": load_preset(DEFAULT_PRESET),
        "image_mean": image_stats[0],
        "image_stddev": image_stats[1],
        **given,
    }
    return RunSettings(init_checkpoint=config.init_checkpoint, **values), False


def train(
    config: TrainConfig,
    project: Project,
    *,
    emit: Emitter | None = None,
    cancel: CancelToken | None = None,
) -> StageResult:
    """Train the run ``config.run`` of ``project`` (continuing it when it exists).

    Parameters
    ----------
    config : TrainConfig
    project : Project
        Needs the ``image`` and ``labels`` and the preprocess coordinates of each of
        ``config.volumes``.
    emit, cancel : optional
        Progress reports and the stop request (a stop saves a checkpoint and ends cleanly).

    Returns
    -------
    StageResult
        ``checkpoint``, ``run_dir``, ``step``, ``steps_per_s``, ``model_busy`` and ``loss``;
        status ``completed`` (``max_steps`` reached) or ``stopped``; ``extra``: ``backend``,
        ``device``, ``device_name`` and ``devices`` (how many the batch is spread over).
    """
    emit, cancel = reporting("train", emit, cancel)
    run_dir = project.path("runs", config.run)
    with contextlib.ExitStack() as opened:
        volumes = [opened.enter_context(_open_volume(project, name)) for name in config.volumes]
        _log_volumes(emit, volumes)
        settings, resumed = resolve_settings(config, run_dir, _image_stats(project, config))
        emit.log(
            f"{'Continuing' if resumed else 'Starting'} run {run_dir} with model_args "
            f"{settings.model_args.to_json()}, batch {settings.batch_size}, "
            f"{settings.optimizer} lr {settings.learning_rate}."
        )
        compute = prepare(config.backend, config.device, settings.precision)
        emit.compute(compute.backend, compute.device, compute.device_name, settings.precision)
        run_dir.mkdir(parents=True, exist_ok=True)
        write_run_config(run_dir, settings)
        project.set_stage_params(
            "train", {"run": config.run, **settings.to_dict(), "volumes": list(config.volumes)}
        )

        from ffn_core.train.trainer import Trainer

        trainer = Trainer(settings, run_dir, volumes, emit, cancel)
        trainer.restore_or_initialize()
        outcome = trainer.train()
    emit.log(
        f"Training {outcome.status} at step {outcome.step}: {outcome.steps_per_s:.2f} "
        f"steps/s, model busy {outcome.model_busy:.0%} of the time."
    )
    outputs = {
        "checkpoint": outcome.checkpoint,
        "run_dir": str(run_dir),
        "step": outcome.step,
        "steps_per_s": outcome.steps_per_s,
        "model_busy": outcome.model_busy,
        "loss": outcome.loss,
    }
    return StageResult(
        outputs, status=outcome.status, extra={**compute.to_dict(), "devices": outcome.devices}
    )


def _image_stats(project: Project, config: TrainConfig) -> tuple[float, float]:
    """Image mean and std: the config's, else the project image's."""
    mean, std = image_stats(project, (config.image_mean, config.image_stddev))
    if mean is None or std is None:
        raise UserError(
            f"The project image {project.volume_spec('image')} has no mean/std.",
            "Import the image again, or give --image-mean and --image-std.",
            "Import the image again (the import computes its mean and std).",
        )
    return mean, std


@contextlib.contextmanager
def _open_volume(project: Project, volume: str) -> Iterator[TrainVolume]:
    """Image, labels and coordinates of ``volume``; each image in memory when small, else
    the open HDF5 dataset."""
    from ffn_core.preprocess.coordinates import load_coordinates

    with contextlib.ExitStack() as opened:
        image, labels = (
            opened.enter_context(_open_dataset(project, volume_key(kind, volume)))
            for kind in ("image", "labels")
        )
        if image.shape != labels.shape:
            raise UserError(
                f"Image {image.shape} and labels {labels.shape} of volume {volume} differ "
                "in shape.",
                "Import image and labels of the same size.",
            )
        yield TrainVolume(volume, image, labels, load_coordinates(project, volume=volume))


@contextlib.contextmanager
def _open_dataset(project: Project, name: str) -> Iterator[Any]:
    """The project volume ``name``: in memory when small, else the open HDF5 dataset."""
    handle, dataset = open_dataset(project.volume_spec(name))
    try:
        yield dataset[...] if dataset.size * dataset.dtype.itemsize < IN_MEMORY_BYTES else dataset
    finally:
        handle.close()


def _log_volumes(emit: Emitter, volumes: list[TrainVolume]) -> None:
    """Which volumes the examples come from, and in which shares (several volumes only)."""
    if len(volumes) < 2:
        return
    total = sum(len(v.coords_zyx) for v in volumes)
    emit.log(
        "Training on volumes "
        + ", ".join(
            f"{v.name} {tuple(v.image.shape)} ({len(v.coords_zyx)} coordinates, "
            f"{len(v.coords_zyx) / total:.0%} of the examples)"
            for v in volumes
        )
        + "."
    )
