"""What the worker can use — TensorFlow version, GPUs, CPU threads."""

from __future__ import annotations

import os
import platform
import sys
from typing import Any

from ffn_core.errors import UserError


def describe_environment() -> dict[str, Any]:
    """TensorFlow version, visible GPUs and CPU threads (imports TensorFlow)."""
    try:
        import tensorflow as tf
    except ImportError as exc:
        raise UserError(
            f"TensorFlow cannot be imported: {exc}.",
            "Reinstall with 'make run' (or pip install tensorflow) in the .venv.",
        ) from exc
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
