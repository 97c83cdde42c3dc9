"""``env [--require-gpu]``: what the worker can use (TensorFlow, GPUs, CPU threads)."""

from __future__ import annotations

import argparse

from ffn_core.environment import describe_environment
from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter
from ffn_core.stages import StageResult


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``env`` command's options."""
    parser.add_argument(
        "--require-gpu", action="store_true", help="fail when TensorFlow sees no GPU"
    )


def command(args: argparse.Namespace, emit: Emitter, cancel: CancelToken) -> StageResult:
    """The environment as the result's outputs; an error without a GPU when one is required."""
    info = describe_environment()
    if args.require_gpu and not info["gpus"]:
        raise UserError(
            "TensorFlow sees no GPU.",
            "Install the NVIDIA driver and tensorflow[and-cuda], or run on the CPU.",
        )
    emit.log(
        f"TensorFlow {info['tensorflow']}, GPUs: {info['gpus'] or 'none'}, "
        f"CPU threads: {info['cpu_count']}"
    )
    return StageResult(outputs=info)
