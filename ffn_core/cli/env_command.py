"""``env [--require-gpu]``: what the worker can use (backends, GPUs, default device and
precision, CPU threads)."""

from __future__ import annotations

import argparse

from ffn_core.environment import describe_environment, require_gpu
from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter
from ffn_core.stages import StageResult


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``env`` command's options."""
    parser.add_argument(
        "--require-gpu", action="store_true", help="fail when no installed backend sees a GPU"
    )


def command(args: argparse.Namespace, emit: Emitter, cancel: CancelToken) -> StageResult:
    """The environment as the result's outputs; an error when no backend is installed, or
    without a GPU when one is required."""
    info = describe_environment()
    for name, entry in info["backends"].items():
        emit.log(f"{name}: {_backend_line(entry)}")
    if not any(entry["installed"] for entry in info["backends"].values()):
        raise UserError(
            "No backend is installed: TensorFlow, JAX or PyTorch is needed.",
            "Reinstall with 'make run' (or pip install tensorflow) in the .venv.",
        )
    if args.require_gpu:
        require_gpu(info)
    if info["default_device"] is None:
        emit.log(
            f"The default backend {info['default_backend']!r} is not installed: choose an "
            "installed backend for each job, or set KERAS_BACKEND to one.",
            "warning",
        )
    emit.log(
        f"A job computes by default with {info['default_backend']} on "
        f"{info['default_device'] or 'nothing (not installed)'} "
        f"({info['default_device_name'] or '-'}), precision {info['default_precision']}; "
        f"CPU threads: {info['cpu_count']}"
    )
    return StageResult(outputs=info)


def _backend_line(entry: dict) -> str:
    if not entry["installed"]:
        return "not installed"
    if entry["problem"]:
        return f"{entry['version']}, cannot start: {entry['problem']}"
    return f"{entry['version']}, GPUs: {', '.join(entry['gpus']) or 'none'}"
