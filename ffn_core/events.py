"""Writing protocol records (:class:`Emitter`) and the stop request a job can watch.

The records and their wire format live in :mod:`ffn_core.protocol`; an :class:`Emitter`
is how a stage reports: ``progress``, ``log``, ``artifact``, ``preview``, and at the end
one ``result`` or ``error``. :class:`TextEmitter` writes the same records for people.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any, TextIO

from ffn_core.protocol import (
    Artifact,
    Compute,
    Error,
    Log,
    Preview,
    Progress,
    Record,
    Result,
    encode,
)

__all__ = ["CancelToken", "Emitter", "TextEmitter", "listen_for_stop"]


class Emitter:
    """Writes protocol records as JSON lines, one flush per line.

    Progress lines are throttled to ``min_interval`` seconds, except the first and
    the one reaching ``total``; each carries ``rate`` (units/s) and ``eta_s``.

    Parameters
    ----------
    stage : str
        The stage named in progress, result and error records.
    stream : text stream, optional
        Where lines go (default: standard output).
    min_interval : float
        Seconds between two progress lines.
    project_root : path-like, optional
        Paths under this folder are written relative to it (see :mod:`ffn_core.protocol`).
    """

    def __init__(
        self,
        stage: str = "",
        stream: TextIO | None = None,
        min_interval: float = 0.2,
        project_root: str | os.PathLike | None = None,
    ) -> None:
        self.stage = stage
        self.stream = stream if stream is not None else sys.stdout
        self.min_interval = min_interval
        self.project_root = Path(project_root) if project_root is not None else None
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._last_progress = -float("inf")
        self._first_done: float | None = None
        self._rate_start = self._started

    def child(self) -> Emitter:
        """An emitter on the same stream with its own rate and ETA (one per phase of a stage)."""
        twin = type(self)(self.stage, self.stream, self.min_interval, self.project_root)
        twin._lock = self._lock
        return twin

    def send(self, record: Record) -> None:
        """Write one record."""
        self._write(encode(record, self.project_root))

    def _write(self, line: str) -> None:
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
        self.send(
            Progress(
                stage=self.stage,
                done=done,
                total=total,
                unit=unit,
                fraction=(done / total if total else None),
                rate=rate,
                eta_s=eta,
                elapsed_s=now - self._started,
                metrics=metrics,
            )
        )

    def log(self, message: str, level: str = "info", gui_message: str = "") -> None:
        """A line for the log pane; ``gui_message``: the line in the GUI's words where
        ``message`` names command-line flags."""
        self.send(Log(message=message, level=level, gui_message=_differing(gui_message, message)))

    def compute(self, backend: str, device: str, device_name: str, precision: str) -> None:
        """What the job computes on (sent once, before the model runs), also as a log line."""
        self.send(Compute(self.stage, backend, device, device_name, precision))
        self.log(f"Computing with {backend} on {device} ({device_name}), precision {precision}.")

    def artifact(self, kind: str, path: str) -> None:
        """A file the job wrote that the GUI may show (volume spec, checkpoint, ...)."""
        self.send(Artifact(name=kind, path=str(path)))

    def preview(self, path: str, kind: str = "image") -> None:
        """A small PNG for the GUI to display."""
        self.send(Preview(path=str(path), name=kind))

    def result(self, outputs: dict[str, Any], status: str = "completed", **extra: Any) -> None:
        """The job's final success line."""
        self.send(Result(stage=self.stage, outputs=outputs, status=status, extra=extra))

    def error(self, message: str, hint: str = "", gui_hint: str = "") -> None:
        """The job's final failure line; ``gui_hint``: the hint in the GUI's words (see
        :class:`~ffn_core.errors.UserError`)."""
        self.send(
            Error(stage=self.stage, message=message, hint=hint, gui_hint=_differing(gui_hint, hint))
        )


def _differing(gui_text: str, text: str) -> str:
    """``gui_text`` when it says something else than ``text``; else empty (not sent twice)."""
    return gui_text if gui_text != text else ""


class TextEmitter(Emitter):
    """An :class:`Emitter` for people at a terminal: one readable line per record."""

    def send(self, record: Record) -> None:
        if isinstance(record, Compute):
            return  # its log line says it
        if isinstance(record, Progress):
            eta = f", ETA {record.eta_s:.0f} s" if record.eta_s is not None else ""
            line = (
                f"[{record.stage}] {record.done:.0f}/{record.total:.0f} {record.unit} "
                f"({record.rate:.1f}/s{eta})"
            )
        elif isinstance(record, Log):
            line = f"[{record.stage or self.stage}] {record.message}"
        elif isinstance(record, Error):
            line = f"[{record.stage}] ERROR: {record.message}\n  hint: {record.hint}"
        elif isinstance(record, Result):
            line = f"[{record.stage}] {record.status}: " + json.dumps(
                {**record.outputs, **record.extra}, default=str, ensure_ascii=False, indent=2
            )
        else:
            line = f"[{self.stage}] {record.kind}: {record.name} {record.path}"
        self._write(line)


class CancelToken:
    """A stop request: set by ``stop`` on stdin (see :func:`listen_for_stop`) or in code."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the job to stop at its next safe point."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether a stop was asked for."""
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
