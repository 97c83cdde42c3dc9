"""``info`` stage: print the project (its project.json, with absolute volume specs)."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ffn_core.events import CancelToken, Emitter
from ffn_core.project import Project


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", required=True, type=Path, help="project folder")


def run(args: argparse.Namespace, emit: Emitter, cancel: CancelToken) -> dict[str, Any]:
    project = Project.open(args.project)
    info = dict(project.data)
    info["root"] = str(project.root)
    info["volume_specs"] = {name: project.volume_spec(name) for name in project.data["volumes"]}
    emit.emit("info", project=info)
    return {"project": str(project.root)}
