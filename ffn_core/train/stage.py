"""``python -m ffn_core train``: train an FFN on the project's image, labels and coordinates.

A run lives in ``<project>/runs/<name>/``; naming an existing run continues it from its latest
checkpoint (settings not given on the command line are the run's). TensorFlow is imported
inside :func:`run` only.
"""
from __future__ import annotations

import argparse
import contextlib
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from ffn_core.cli import StageResult
from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter
from ffn_core.io.volume_spec import open_dataset
from ffn_core.model.args import PRECISIONS, ModelArgs, list_presets, load_preset
from ffn_core.project import Project
from ffn_core.train.run_config import (OPTIMIZERS, TrainConfig, merge_for_resume,
                                       read_run_config, write_run_config)

IN_MEMORY_BYTES = 1 << 30  # volumes smaller than this are read into memory once
_OPTIONS = {  # CLI dest -> TrainConfig field, for settings a resumed run may change
    "batch_size": "batch_size", "optimizer": "optimizer", "learning_rate": "learning_rate",
    "learning_rate_decay_factor": "learning_rate_decay_factor", "decay_steps": "decay_steps",
    "max_steps": "max_steps", "checkpoint_minutes": "checkpoint_minutes",
    "summary_seconds": "summary_seconds", "fov_policy": "fov_policy", "fov_moves": "fov_moves",
    "image_mean": "image_mean", "image_std": "image_stddev", "seed": "seed",
    "precision": "precision"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", required=True, help="project folder")
    parser.add_argument("--run", default="default", help="run name: runs/<run>/ (continued "
                        "when it exists)")
    parser.add_argument("--preset", choices=list_presets(), help="model preset (default "
                        "anisotropic for a new run)")
    parser.add_argument("--model-args", help='reference JSON, e.g. \'{"depth": 9, "fov_size": '
                        '[33, 33, 17], "deltas": [8, 8, 4]}\' (x, y, z); overrides --preset')
    parser.add_argument("--max-steps", type=int, help="train until this step (default 10000)")
    parser.add_argument("--batch-size", type=int, help="FOVs per step (default 4)")
    parser.add_argument("--optimizer", choices=OPTIMIZERS, help="default sgd")
    parser.add_argument("--learning-rate", type=float, help="default 0.001")
    parser.add_argument("--learning-rate-decay-factor", type=float,
                        help="multiply the learning rate by this every --decay-steps steps "
                        "(default: constant learning rate)")
    parser.add_argument("--decay-steps", type=int, help="steps between learning-rate decays")
    parser.add_argument("--init-checkpoint", help="start a new run from this checkpoint "
                        "(reference TF1 or ours) to fine-tune")
    parser.add_argument("--checkpoint-minutes", type=float,
                        help="minutes between checkpoints (default 5)")
    parser.add_argument("--summary-seconds", type=float,
                        help="seconds between eval summaries and previews (default 120)")
    parser.add_argument("--fov-policy", choices=("fixed", "max_pred_moves"), help="default fixed")
    parser.add_argument("--fov-moves", type=int, help="moves per direction (max_pred_moves)")
    parser.add_argument("--image-mean", type=float, help="default: the project image's")
    parser.add_argument("--image-std", type=float, help="default: the project image's")
    parser.add_argument("--seed", type=int, help="random seed of example order/augmentation")
    parser.add_argument("--precision", choices=PRECISIONS, help="arithmetic of the conv stack: "
                        "float32 (default, as the reference) or bfloat16 (about 1.7x faster on "
                        "CPUs with AVX512-BF16; weights stay float32)")


def _given_model_args(args: argparse.Namespace) -> ModelArgs | None:
    if args.model_args:
        return ModelArgs.from_reference(args.model_args)
    return load_preset(args.preset) if args.preset else None


def resolve_config(args: argparse.Namespace, run_dir: Path,
                   image_stats: tuple[float, float]) -> tuple[TrainConfig, bool]:
    """The run's settings and whether it continues an existing run."""
    given: dict[str, Any] = {field: getattr(args, dest) for dest, field in _OPTIONS.items()}
    given["model_args"] = _given_model_args(args)
    stored = read_run_config(run_dir)
    if stored is not None:
        if args.init_checkpoint:
            raise UserError(f"Run {run_dir} exists; --init-checkpoint only starts new runs.",
                            "Leave it out to continue the run, or choose another --run name.")
        return merge_for_resume(stored, given, run_dir), True
    values = {k: v for k, v in given.items() if v is not None}
    values.setdefault("model_args", load_preset("anisotropic"))
    values.setdefault("image_mean", image_stats[0])
    values.setdefault("image_stddev", image_stats[1])
    return TrainConfig(init_checkpoint=args.init_checkpoint, **values), False


def _image_stats(project: Project, args: argparse.Namespace) -> tuple[float, float]:
    """Image mean and std: the command line's, else the project image's."""
    record = project.volume("image")
    handle, dataset = open_dataset(project.volume_spec("image"))
    with handle:
        mean = next((v for v in (args.image_mean, record.get("mean"), dataset.attrs.get("mean"))
                     if v is not None), None)
        std = next((v for v in (args.image_std, record.get("std"), dataset.attrs.get("std"))
                    if v is not None), None)
    if mean is None or std is None:
        raise UserError(f"The project image {project.volume_spec('image')} has no mean/std.",
                        "Import the image again, or give --image-mean and --image-std.")
    return float(mean), float(std)


@contextlib.contextmanager
def _open_volume(project: Project, name: str) -> Iterator[Any]:
    """The project volume ``name``: in memory when small, else the open HDF5 dataset."""
    handle, dataset = open_dataset(project.volume_spec(name))
    try:
        yield dataset[...] if dataset.size * dataset.dtype.itemsize < IN_MEMORY_BYTES else dataset
    finally:
        handle.close()


def _load_coordinates(project: Project) -> np.ndarray:
    from ffn_core.preprocess.coordinates import load_coordinates

    return load_coordinates(project)


def run(args: argparse.Namespace, emit: Emitter, cancel: CancelToken) -> StageResult:
    project = Project.open(args.project)
    run_dir = project.path("runs", args.run)
    coords = _load_coordinates(project)
    with _open_volume(project, "image") as image, _open_volume(project, "labels") as labels:
        if image.shape != labels.shape:
            raise UserError(f"Image {image.shape} and labels {labels.shape} differ in shape.",
                            "Import image and labels of the same size.")
        config, resumed = resolve_config(args, run_dir, _image_stats(project, args))
        emit.log(f"{'Continuing' if resumed else 'Starting'} run {run_dir} with model_args "
                 f"{config.model_args.to_json()}, batch {config.batch_size}, "
                 f"{config.optimizer} lr {config.learning_rate}.")
        run_dir.mkdir(parents=True, exist_ok=True)
        write_run_config(run_dir, config)
        project.set_stage_params("train", {"run": args.run, **config.to_dict()})

        from ffn_core.train.trainer import Trainer

        trainer = Trainer(config, run_dir, image, labels, coords, emit, cancel)
        trainer.restore_or_initialize()
        outcome = trainer.train()
    emit.log(f"Training {outcome.status} at step {outcome.step}: {outcome.steps_per_s:.2f} "
             f"steps/s, model busy {outcome.model_busy:.0%} of the time.")
    outputs = {"checkpoint": outcome.checkpoint, "run_dir": str(run_dir),
               "step": outcome.step, "steps_per_s": outcome.steps_per_s,
               "model_busy": outcome.model_busy, "loss": outcome.loss}
    return StageResult(outputs, status=outcome.status)
