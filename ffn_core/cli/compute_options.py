"""``--backend``, ``--device`` and ``--precision``: what the model computes on (infer, train)."""

from __future__ import annotations

import argparse

from ffn_core.backend import BACKENDS, DEVICES
from ffn_core.model.args import PRECISIONS


def add_compute_arguments(parser: argparse.ArgumentParser, precision: str | None) -> None:
    """Add the three options; ``precision`` is the stage's default (None: the stage decides)."""
    group = parser.add_argument_group("compute")
    group.add_argument(
        "--backend",
        choices=BACKENDS,
        help="Keras backend (default: KERAS_BACKEND, else tensorflow; jax and torch are "
        "optional installs)",
    )
    group.add_argument(
        "--device",
        choices=DEVICES,
        default="auto",
        help="auto: a GPU when the backend sees one; gpu: fail without one; cpu: never a GPU",
    )
    group.add_argument(
        "--precision",
        choices=PRECISIONS,
        default=precision,
        help="arithmetic of the model: float32 (as the reference), bfloat16 (about 1.8x faster "
        "on CPUs with AVX512-BF16 and on recent GPUs; a few voxels differ) or mixed "
        "(float16, GPUs only)",
    )
