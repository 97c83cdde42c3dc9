"""``python -m ffn_core train``: the options of :mod:`ffn_core.stages.train`."""

from __future__ import annotations

import argparse

from ffn_core.cli.compute_options import add_compute_arguments
from ffn_core.model.args import list_presets
from ffn_core.stages.train import TrainConfig, run_default
from ffn_core.train.examples import POLICIES as FOV_POLICIES
from ffn_core.train.run_config import OPTIMIZERS


def _default(name: str) -> str:
    value = run_default(name)
    return f"default {value:g}" if isinstance(value, (int, float)) else f"default {value}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``train`` command's options (left out: the run's value, else the default)."""
    parser.add_argument("--project", required=True, help="project folder")
    parser.add_argument(
        "--run", default="default", help="run name: runs/<run>/ (continued when it exists)"
    )
    parser.add_argument(
        "--preset",
        choices=list_presets(),
        help=f"model preset ({_default('preset')} for a new run)",
    )
    parser.add_argument(
        "--model-args",
        help='reference JSON, e.g. \'{"depth": 9, "fov_size": '
        '[33, 33, 17], "deltas": [8, 8, 4]}\' (x, y, z); overrides --preset',
    )
    parser.add_argument(
        "--max-steps", type=int, help=f"train until this step ({_default('max_steps')})"
    )
    parser.add_argument("--batch-size", type=int, help=f"FOVs per step ({_default('batch_size')})")
    parser.add_argument("--optimizer", choices=OPTIMIZERS, help=_default("optimizer"))
    parser.add_argument("--learning-rate", type=float, help=_default("learning_rate"))
    parser.add_argument(
        "--learning-rate-decay-factor",
        type=float,
        help="multiply the learning rate by this every --decay-steps steps "
        "(default: constant learning rate)",
    )
    parser.add_argument("--decay-steps", type=int, help="steps between learning-rate decays")
    parser.add_argument(
        "--init-checkpoint",
        help="start a new run from this checkpoint (reference TF1 or ours) to fine-tune",
    )
    parser.add_argument(
        "--checkpoint-minutes",
        type=float,
        help=f"minutes between checkpoints ({_default('checkpoint_minutes')})",
    )
    parser.add_argument(
        "--summary-seconds",
        type=float,
        help=f"seconds between eval summaries and previews ({_default('summary_seconds')})",
    )
    parser.add_argument("--fov-policy", choices=FOV_POLICIES, help=_default("fov_policy"))
    parser.add_argument("--fov-moves", type=int, help="moves per direction (max_pred_moves)")
    parser.add_argument("--image-mean", type=float, help="default: the project image's")
    parser.add_argument("--image-std", type=float, help="default: the project image's")
    parser.add_argument("--seed", type=int, help="random seed of example order/augmentation")
    parser.add_argument(
        "--volumes",
        default=",".join(TrainConfig.volumes),
        metavar="A,B",
        help="project volumes to train on (named at import, preprocessed together); each gives "
        f"examples in proportion to its coordinates (default {TrainConfig.volumes[0]})",
    )
    add_compute_arguments(parser, None)  # precision default: the run's, else float32


def to_config(args: argparse.Namespace) -> TrainConfig:
    """The :class:`TrainConfig` of the parsed options."""
    return TrainConfig(
        run=args.run,
        preset=args.preset,
        model_args=args.model_args or None,
        max_steps=args.max_steps,
        batch_size=args.batch_size,
        optimizer=args.optimizer,
        learning_rate=args.learning_rate,
        learning_rate_decay_factor=args.learning_rate_decay_factor,
        decay_steps=args.decay_steps,
        init_checkpoint=args.init_checkpoint,
        checkpoint_minutes=args.checkpoint_minutes,
        summary_seconds=args.summary_seconds,
        fov_policy=args.fov_policy,
        fov_moves=args.fov_moves,
        image_mean=args.image_mean,
        image_stddev=args.image_std,
        seed=args.seed,
        precision=args.precision,
        backend=args.backend,
        device=args.device,
        volumes=args.volumes,
    )
