"""``env`` stage: what the worker can use — TensorFlow version, GPUs, CPU threads."""
from __future__ import annotations

import argparse
import os
import platform
import sys
from typing import Any

from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--require-gpu", action="store_true",
                        help="fail when TensorFlow sees no GPU")


def describe_environment() -> dict[str, Any]:
    """TensorFlow version, visible GPUs and CPU threads (imports TensorFlow)."""
    try:
        import tensorflow as tf
    except ImportError as exc:
        raise UserError(f"TensorFlow cannot be imported: {exc}.",
                        "Reinstall with 'make run' (or pip install tensorflow) in the .venv.") from exc
    gpus = [device.name for device in tf.config.list_physical_devices("GPU")]
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "tensorflow": tf.__version__,
        "gpus": gpus,
        "cpu_count": os.cpu_count(),
        "intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
    }


def run(args: argparse.Namespace, emit: Emitter, cancel: CancelToken) -> dict[str, Any]:
    info = describe_environment()
    if args.require_gpu and not info["gpus"]:
        raise UserError("TensorFlow sees no GPU.",
                        "Install the NVIDIA driver and tensorflow[and-cuda], or run on the CPU.")
    emit.log(f"TensorFlow {info['tensorflow']}, GPUs: {info['gpus'] or 'none'}, "
             f"CPU threads: {info['cpu_count']}")
    return info
