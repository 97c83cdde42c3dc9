"""JSON-line events of the worker protocol, and the stop request a job can watch.

Every line a stage writes to stdout is one JSON object with a ``type``: ``progress``,
``log``, ``artifact``, ``preview``, ``result`` or ``error``. The GUI (``app.worker``)
and scripts read them; a job ends with exactly one ``result`` or ``error``.
"""
from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any, TextIO

import numpy as np


def _to_json(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


class Emitter:
    """Writes protocol events as JSON lines, one flush per line.

    Progress lines are throttled to ``min_interval`` seconds, except the first and
    the one reaching ``total``; each carries ``rate`` (units/s) and ``eta_s``.
    """

    def __init__(self, stage: str = "", stream: TextIO | None = None,
                 min_interval: float = 0.2) -> None:
        self.stage = stage
        self.stream = stream if stream is not None else sys.stdout
        self.min_interval = min_interval
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._last_progress = -float("inf")
        self._first_done: float | None = None

    def emit(self, type_: str, **fields: Any) -> None:
        """Write one event line."""
        record = {"type": type_, **fields}
        line = json.dumps(record, default=_to_json, ensure_ascii=False)
        with self._lock:
            self.stream.write(line + "\n")
            self.stream.flush()

    def progress(self, done: float, total: float, unit: str = "", **metrics: Any) -> None:
        """Report ``done`` of ``total`` units, with rate and ETA since the first report."""
        now = time.monotonic()
        if self._first_done is None:
            self._first_done = done
            self._rate_start = now
        finished = total > 0 and done >= total
        if not finished and now - self._last_progress < self.min_interval:
            return
        self._last_progress = now
        elapsed = now - self._rate_start
        rate = (done - self._first_done) / elapsed if elapsed > 0 else 0.0
        eta = (total - done) / rate if rate > 0 and total > 0 else None
        self.emit("progress", stage=self.stage, done=done, total=total, unit=unit,
                  fraction=(done / total if total else None), rate=rate, eta_s=eta,
                  elapsed_s=now - self._started, metrics=metrics)

    def log(self, message: str, level: str = "info") -> None:
        """A line for the log pane."""
        self.emit("log", level=level, message=message)

    def artifact(self, kind: str, path: str) -> None:
        """A file the job wrote that the GUI may show (volume spec, checkpoint, ...)."""
        self.emit("artifact", kind=kind, path=path)

    def preview(self, path: str, kind: str = "image") -> None:
        """A small PNG for the GUI to display."""
        self.emit("preview", kind=kind, path=path)

    def result(self, outputs: dict[str, Any], status: str = "completed", **extra: Any) -> None:
        """The job's final success line."""
        self.emit("result", stage=self.stage, status=status, outputs=outputs, **extra)

    def error(self, message: str, hint: str = "") -> None:
        """The job's final failure line."""
        self.emit("error", stage=self.stage, message=message, hint=hint)


class TextEmitter(Emitter):
    """An :class:`Emitter` for people at a terminal: one readable line per event."""

    def emit(self, type_: str, **fields: Any) -> None:
        if type_ == "progress":
            eta = fields.get("eta_s")
            eta_text = f", ETA {eta:.0f} s" if eta is not None else ""
            line = (f"[{fields['stage']}] {fields['done']:.0f}/{fields['total']:.0f} "
                    f"{fields['unit']} ({fields['rate']:.1f}/s{eta_text})")
        elif type_ == "log":
            line = f"[{fields.get('stage') or self.stage}] {fields['message']}"
        elif type_ == "error":
            line = f"[{self.stage}] ERROR: {fields['message']}\n  hint: {fields['hint']}"
        elif type_ == "result":
            line = f"[{self.stage}] {fields['status']}: " + json.dumps(
                fields["outputs"], default=_to_json, ensure_ascii=False, indent=2)
        else:
            line = f"[{self.stage}] {type_}: " + json.dumps(fields, default=_to_json,
                                                             ensure_ascii=False)
        with self._lock:
            self.stream.write(line + "\n")
            self.stream.flush()


class CancelToken:
    """A stop request: set by ``stop`` on stdin (see :func:`listen_for_stop`) or in code."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


def listen_for_stop(token: CancelToken, stream: TextIO | None = None) -> threading.Thread:
    """Watch ``stream`` (stdin) in a daemon thread; a line ``stop`` cancels ``token``.

    Reading stdin works the same on Windows and POSIX, unlike signals.
    """
    source = stream if stream is not None else sys.stdin

    def _watch() -> None:
        try:
            for line in source:
                if line.strip().lower() == "stop":
                    token.cancel()
                    return
        except (OSError, ValueError):
            return

    thread = threading.Thread(target=_watch, name="stop-listener", daemon=True)
    thread.start()
    return thread
