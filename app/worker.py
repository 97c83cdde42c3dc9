"""Run one engine stage in a worker process and turn its JSON lines into Qt signals.

The worker is ``python -u -m ffn_core <stage> --project P ...`` started through
:class:`QProcess`; it prints one JSON object per line (see ``ffn_core.events``). The GUI
process never imports TensorFlow; all engine work happens in the worker.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Sequence

from PyQt5.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, pyqtSignal

STOP_GRACE_MS = 10_000

_CRASH_HINT = ("The worker process ended unexpectedly (killed, out of memory or crashed). "
               "The project is intact; the log has the last messages. Run the stage again "
               "to continue.")


def worker_python() -> str:
    """The interpreter for workers: ``python.exe`` beside ``pythonw.exe`` on Windows.

    The GUI may run under ``pythonw`` (no console); the worker needs real standard
    streams, and QProcess starts it without a console window either way.
    """
    executable = Path(sys.executable)
    if executable.name.lower() == "pythonw.exe":
        console = executable.with_name("python.exe")
        if console.is_file():
            return str(console)
    return str(executable)


def worker_command(stage: str, args: Sequence[str]) -> list[str]:
    """The command line of a worker running ``stage`` with ``args`` (for logs and tests)."""
    return [worker_python(), "-u", "-m", "ffn_core", stage, *args]


class WorkerClient(QObject):
    """One worker process at a time; its events re-emitted as signals.

    Events
    ------
    started(list) : the command line
    progress(dict), log(str, str) (level, message), artifact(dict), preview(dict),
    result(dict), error(str, str) (message, hint), message(dict) (every JSON line),
    finished(str) : ``completed``, ``stopped`` or ``failed`` once the process is gone.
    """

    started = pyqtSignal(list)
    progress = pyqtSignal(dict)
    log = pyqtSignal(str, str)
    artifact = pyqtSignal(dict)
    preview = pyqtSignal(dict)
    result = pyqtSignal(dict)
    error = pyqtSignal(str, str)
    message = pyqtSignal(dict)
    finished = pyqtSignal(str)

    def __init__(self, parent: QObject | None = None, grace_ms: int = STOP_GRACE_MS) -> None:
        super().__init__(parent)
        self._grace_ms = grace_ms
        self._process: QProcess | None = None
        self._buffer = b""
        self._ended: dict[str, Any] | None = None
        self._stop_requested = False
        self._kill_timer = QTimer(self)
        self._kill_timer.setSingleShot(True)
        self._kill_timer.timeout.connect(self.kill)

    # -- control -------------------------------------------------------------------
    def is_running(self) -> bool:
        return self._process is not None and self._process.state() != QProcess.NotRunning

    def start(self, stage: str, args: Sequence[str], cwd: str | None = None) -> None:
        """Start ``python -m ffn_core stage args``; raises RuntimeError when one runs."""
        if self.is_running():
            raise RuntimeError("A job is already running; stop it first.")
        command = worker_command(stage, args)
        process = QProcess(self)
        env = QProcessEnvironment.systemEnvironment()
        env.insert("PYTHONUNBUFFERED", "1")
        env.insert("PYTHONIOENCODING", "utf-8")
        process.setProcessEnvironment(env)
        if cwd:
            process.setWorkingDirectory(cwd)
        process.readyReadStandardOutput.connect(self._on_process_stdout)
        process.readyReadStandardError.connect(self._on_process_stderr)
        process.finished.connect(self._on_process_finished)
        process.errorOccurred.connect(self._on_process_error)
        self._process, self._buffer, self._ended = process, b"", None
        self._stop_requested = False
        process.start(command[0], command[1:])
        self.started.emit(command)

    def stop(self) -> None:
        """Ask the worker to stop cleanly (``stop`` on stdin); kill it after the grace period."""
        if not self.is_running():
            return
        self._stop_requested = True
        self._process.write(b"stop\n")
        self.log.emit("info", "Stop requested; waiting for the job to save its state ...")
        self._kill_timer.start(self._grace_ms)

    def kill(self) -> None:
        """End the worker at once (what a crash looks like to the GUI)."""
        if self.is_running():
            self._process.kill()

    def wait_for_finished(self, msecs: int = 30_000) -> bool:
        """Block until the process ends (for closing the window and scripts)."""
        return self._process is None or self._process.waitForFinished(msecs)

    # -- process events --------------------------------------------------------------
    def _on_process_stdout(self) -> None:
        self._buffer += bytes(self._process.readAllStandardOutput())
        *lines, self._buffer = self._buffer.split(b"\n")
        for raw in lines:
            self._dispatch_line(raw.decode("utf-8", errors="replace").strip())

    def _on_process_stderr(self) -> None:
        text = bytes(self._process.readAllStandardError()).decode("utf-8", errors="replace")
        for line in text.splitlines():
            if line.strip():
                self.log.emit("stderr", line)

    def _dispatch_line(self, line: str) -> None:
        if not line:
            return
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            self.log.emit("stdout", line)
            return
        if not isinstance(record, dict):
            self.log.emit("stdout", line)
            return
        self.message.emit(record)
        kind = record.get("type")
        if kind == "progress":
            self.progress.emit(record)
        elif kind == "log":
            self.log.emit(str(record.get("level", "info")), str(record.get("message", "")))
        elif kind == "artifact":
            self.artifact.emit(record)
        elif kind == "preview":
            self.preview.emit(record)
        elif kind == "result":
            self._ended = record
            self.result.emit(record)
        elif kind == "error":
            self._ended = record
            self.error.emit(str(record.get("message", "")), str(record.get("hint", "")))

    def _on_process_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.FailedToStart:
            self.error.emit(f"Could not start the worker: {sys.executable} -m ffn_core.",
                            "Check that FFN Workbench is installed in this Python environment.")
            self.finished.emit("failed")

    def _on_process_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        self._kill_timer.stop()
        if self._buffer.strip():
            self._dispatch_line(self._buffer.decode("utf-8", errors="replace").strip())
            self._buffer = b""
        if self._ended is None:
            how = "was killed" if status == QProcess.CrashExit else f"exited with status {code}"
            if self._stop_requested and status == QProcess.CrashExit:
                self.error.emit("The job did not stop in time and was killed.", _CRASH_HINT)
            else:
                self.error.emit(f"The worker process {how} without a result.", _CRASH_HINT)
            self.finished.emit("failed")
        elif self._ended.get("type") == "error":
            self.finished.emit("failed")
        else:
            self.finished.emit(str(self._ended.get("status", "completed")))

