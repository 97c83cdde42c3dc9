"""``run --project P --job FILE``: run a stage from a job file (see :mod:`ffn_core.jobs`)."""

from __future__ import annotations

import argparse

from ffn_core.events import CancelToken, Emitter
from ffn_core.jobs import read_job
from ffn_core.stages import StageResult, execute
from ffn_core.stages.base import open_stage_project


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``run`` command's options."""
    parser.add_argument("--project", required=True, help="project folder")
    parser.add_argument("--job", required=True, help="job file (JSON: stage and config)")


def command(args: argparse.Namespace, emit: Emitter, cancel: CancelToken) -> StageResult:
    """Run the job's stage on the project, reporting as that stage."""
    config = read_job(args.job)
    emit.stage = config.stage
    project = open_stage_project(config, args.project)
    emit.project_root = project.root
    return execute(config, project, emit=emit, cancel=cancel)
