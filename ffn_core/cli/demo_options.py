"""``python -m ffn_core demo``: the options of :mod:`ffn_core.stages.demo`."""

from __future__ import annotations

import argparse
from pathlib import Path

from ffn_core.stages.demo import DemoConfig
from ffn_core.stages.train import run_default


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``demo`` command's options."""
    parser.add_argument("--out", type=Path, required=True, help="folder for the demo project")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smaller volume, half the training (a smoke run: weaker model)",
    )
    parser.add_argument("--seed", type=int, help=f"training seed (default {run_default('seed')})")


def to_config(args: argparse.Namespace) -> DemoConfig:
    """The :class:`DemoConfig` of the parsed options."""
    return DemoConfig(out=str(args.out), quick=args.quick, seed=args.seed)


def open_project(args: argparse.Namespace) -> None:
    """None: the demo builds its own project at ``<out>/project``."""
    return None
