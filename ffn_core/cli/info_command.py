"""``info --project P``: the project (its project.json, with absolute volume specs)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ffn_core.events import CancelToken, Emitter
from ffn_core.project import Project
from ffn_core.stages import StageResult


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``info`` command's options."""
    parser.add_argument("--project", required=True, type=Path, help="project folder")


def command(args: argparse.Namespace, emit: Emitter, cancel: CancelToken) -> StageResult:
    """The project's data in the result's ``project`` field (its root in ``outputs``)."""
    project = Project.open(args.project)
    info = dict(project.data)
    info["root"] = str(project.root)
    info["volume_specs"] = {name: project.volume_spec(name) for name in project.data["volumes"]}
    return StageResult(outputs={"project": str(project.root)}, extra={"project": info})
