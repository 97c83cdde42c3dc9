"""Run a stage config in a worker subprocess from Python (the demo, scripts, the console).

The worker is the one the GUI starts (:func:`ffn_core.jobs.worker_command`); its lines are
read with :func:`ffn_core.protocol.decode`, so TensorFlow and its memory stay in the child.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import threading

from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter
from ffn_core.jobs import worker_command
from ffn_core.protocol import Error, Record, Result, decode
from ffn_core.stages.base import StageConfig, StageResult

__all__ = ["run_stage"]


def run_stage(
    config: StageConfig,
    project_root: str | os.PathLike,
    emit: Emitter | None = None,
    cancel: CancelToken | None = None,
) -> StageResult:
    """Run ``config`` on the project at ``project_root`` in a worker; return its result.

    Progress, log, artifact and preview records are passed on to ``emit``; progress and
    log records are tagged with the sub-stage (``demo:train``). A cancelled ``cancel``
    sends ``stop`` to the worker, which ends with status ``stopped``.

    Raises
    ------
    UserError
        The worker's ``error`` record (its message, prefixed with the stage, and hint), or
        a worker that ended without a result.
    """
    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8")
    with subprocess.Popen(
        worker_command(config, project_root),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=env,
    ) as child:
        stop_forwarder = _forward_stop(child, cancel) if cancel is not None else None
        try:
            final = _relay(child, config.stage, project_root, emit)
        except BaseException:
            child.kill()
            raise
        finally:
            if stop_forwarder is not None:
                stop_forwarder.set()
    if final is None:
        raise UserError(
            f"The {config.stage} worker ended without a result (exit {child.returncode}).",
            "See the log above; run the stage alone to investigate.",
        )
    if isinstance(final, Error):
        raise UserError(f"{config.stage}: {final.message}", final.hint, final.gui_hint)
    return StageResult(final.outputs, status=final.status, extra=final.extra)


def _relay(
    child: subprocess.Popen, stage: str, project_root: str | os.PathLike, emit: Emitter | None
) -> Result | Error | None:
    """Pass the worker's records on to ``emit`` until it ends; its final record."""
    final: Result | Error | None = None
    for line in child.stdout:
        record = decode(line, project_root)
        if isinstance(record, (Result, Error)):
            final = record
        elif record is not None and emit is not None:
            emit.send(_tagged(record, f"{emit.stage}:{stage}" if emit.stage else stage))
    return final


def _tagged(record: Record, stage: str) -> Record:
    """``record`` reported as ``stage`` (records without a stage are passed on as they are)."""
    if any(field.name == "stage" for field in dataclasses.fields(record)):
        return dataclasses.replace(record, stage=stage)
    return record


def _forward_stop(child: subprocess.Popen, cancel: CancelToken) -> threading.Event:
    """Send ``stop`` to ``child`` once ``cancel`` is cancelled; set the event to stop watching."""
    done = threading.Event()

    def _watch() -> None:
        while not done.wait(0.2):
            if cancel.cancelled:
                try:
                    child.stdin.write("stop\n")
                    child.stdin.flush()
                except (OSError, ValueError):  # the worker has ended, its stdin is closed
                    pass
                return

    threading.Thread(target=_watch, daemon=True).start()
    return done
