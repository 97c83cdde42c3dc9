"""Run stages as worker subprocesses from Python (the demo, scripts, the console)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from typing import Any, Sequence

from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter


def run_stage(stage: str, args: Sequence[str], emit: Emitter | None = None,
              cancel: CancelToken | None = None) -> dict[str, Any]:
    """Run ``python -m ffn_core STAGE ARGS`` and return its ``result`` line.

    Progress and log lines are passed on to ``emit`` (tagged with the sub-stage);
    a cancelled ``cancel`` sends ``stop`` to the child. An ``error`` line becomes a
    :class:`UserError` with the child's message and hint.
    """
    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8")
    command = [sys.executable, "-u", "-m", "ffn_core", stage, *map(str, args)]
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True, encoding="utf-8", env=env)
    stop_forwarder = _forward_stop(child, cancel) if cancel is not None else None
    final: dict[str, Any] | None = None
    for line in child.stdout:
        record = _parse(line)
        if record is None:
            continue
        if record["type"] in ("result", "error"):
            final = record
        elif emit is not None:
            kind = record.pop("type")
            record["stage"] = f"{emit.stage}:{stage}" if emit.stage else stage
            emit.emit(kind, **record)
    child.wait()
    if stop_forwarder is not None:
        stop_forwarder.set()
    if final is None:
        raise UserError(f"The {stage} worker ended without a result (exit {child.returncode}).",
                        "See the log above; run the stage alone to investigate.")
    if final["type"] == "error":
        raise UserError(f"{stage}: {final['message']}", final.get("hint", ""))
    return final


def _parse(line: str) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return None
    return record if isinstance(record, dict) and "type" in record else None


def _forward_stop(child: subprocess.Popen, cancel: CancelToken) -> threading.Event:
    done = threading.Event()

    def _watch() -> None:
        while not done.wait(0.2):
            if cancel.cancelled:
                try:
                    child.stdin.write("stop\n")
                    child.stdin.flush()
                except OSError:
                    pass
                return

    threading.Thread(target=_watch, daemon=True).start()
    return done
