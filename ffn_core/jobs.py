"""A stage run as a job: the config written to a job file, and the worker command that runs it.

The GUI's worker client and the demo pipeline start workers with the same command line::

    python -u -m ffn_core run --project P --job P/jobs/<stage>-<time>.json

:func:`engine_command` is the one place that knows the ``python -u -m ffn_core`` prefix
(also for ``env``, ``info`` and the headless demo).

The job file holds ``{"stage": ..., "config": config.to_dict()}``. No TensorFlow here.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import sys
from pathlib import Path
from typing import Any

from ffn_core.errors import UserError
from ffn_core.io.atomic import atomic_write_text
from ffn_core.stages import STAGES, StageConfig, config_class

__all__ = [
    "JOB_FOLDER",
    "engine_command",
    "read_job",
    "worker_command",
    "worker_python",
    "write_job",
]

JOB_FOLDER = "jobs"


def write_job(config: StageConfig, project_root: str | os.PathLike) -> Path:
    """Write ``config`` as a job file inside the project; returns its path."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    path = Path(project_root) / JOB_FOLDER / f"{config.stage}-{stamp}.json"
    atomic_write_text(
        path,
        json.dumps(
            {"stage": config.stage, "config": config.to_dict()}, indent=2, ensure_ascii=False
        )
        + "\n",
    )
    return path


def read_job(path: str | os.PathLike) -> StageConfig:
    """The config stored in a job file by :func:`write_job`."""
    try:
        data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
        stage = data["stage"]
        if stage not in STAGES:
            raise KeyError(stage)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserError(
            f"Cannot read the job file {path}: {exc}.",
            "Start the stage again from the GUI or the CLI.",
        ) from exc
    return config_class(stage).from_dict(data["config"])


def worker_python() -> str:
    """The interpreter for workers: ``python.exe`` beside ``pythonw.exe`` on Windows.

    The GUI may run under ``pythonw`` (no console); the worker needs real standard
    streams.
    """
    executable = Path(sys.executable)
    if executable.name.lower() == "pythonw.exe":
        console = executable.with_name("python.exe")
        if console.is_file():
            return str(console)
    return str(executable)


def engine_command(*arguments: str | os.PathLike) -> list[str]:
    """``python -u -m ffn_core ARGUMENTS`` with the worker interpreter (unbuffered output).

    Examples
    --------
    >>> engine_command("env")[-3:]
    ['-m', 'ffn_core', 'env']
    """
    return [worker_python(), "-u", "-m", "ffn_core", *map(str, arguments)]


def worker_command(config: StageConfig, project_root: str | os.PathLike) -> list[str]:
    """Write the job file of ``config`` and return the command line that runs it."""
    job = write_job(config, project_root)
    return engine_command("run", "--project", project_root, "--job", job)
