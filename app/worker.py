"""Run one engine job in a worker process and turn its protocol records into Qt signals.

A stage runs as ``python -u -m ffn_core run --project P --job FILE`` (the command line of
:func:`ffn_core.jobs.worker_command`); commands without a config, such as ``env``, start
from :func:`ffn_core.jobs.engine_command`. Lines are read with
:func:`ffn_core.protocol.decode` into typed records. The GUI process never imports
TensorFlow; all engine work happens in the worker, started through :class:`QProcess`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from PyQt5.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, pyqtSignal

from ffn_core.jobs import worker_command
from ffn_core.protocol import (
    Artifact,
    Compute,
    Error,
    Log,
    Preview,
    Progress,
    ProtocolError,
    Record,
    Result,
    decode,
)
from ffn_core.stages import StageConfig

STOP_GRACE_MS = 10_000

_CRASH_HINT = (
    "The worker process ended unexpectedly (killed, out of memory or crashed). "
    "The project is intact; the log has the last messages. Run the stage again "
    "to continue."
)


class WorkerClient(QObject):
    """One worker process at a time; its records re-emitted as signals.

    Signals
    -------
    started(str, list) : the job's name (its stage or command) and its command line
    progress(Progress), artifact(Artifact), preview(Preview), compute(Compute),
    result(Result) : the records
    log(str, str) : level and message (``stdout``/``stderr`` for lines that are not records;
        a record's line in the GUI's words where it has them)
    error(str, str) : message and hint (an Error record, a crash, or an unreadable record;
        the hint in the GUI's words where it has them)
    message(object) : every record, as read
    finished(str) : ``completed``, ``stopped`` or ``failed`` once the process is gone
    """

    started = pyqtSignal(str, list)
    progress = pyqtSignal(object)
    log = pyqtSignal(str, str)
    artifact = pyqtSignal(object)
    preview = pyqtSignal(object)
    compute = pyqtSignal(object)
    result = pyqtSignal(object)
    error = pyqtSignal(str, str)
    message = pyqtSignal(object)
    finished = pyqtSignal(str)

    def __init__(self, parent: QObject | None = None, grace_ms: int = STOP_GRACE_MS) -> None:
        super().__init__(parent)
        self._grace_ms = grace_ms
        self._process: QProcess | None = None
        self._project_root: str | None = None
        self._buffer = b""
        self._ended: Result | Error | None = None
        self._refused = False  # a record this version cannot read arrived: trust nothing more
        self._stop_requested = False
        self._kill_timer = QTimer(self)
        self._kill_timer.setSingleShot(True)
        self._kill_timer.timeout.connect(self.kill)

    # -- control -------------------------------------------------------------------
    def is_running(self) -> bool:
        return self._process is not None and self._process.state() != QProcess.NotRunning

    def start(self, config: StageConfig, project_root: str | os.PathLike) -> None:
        """Run ``config``'s stage on the project at ``project_root`` (through a job file).

        Raises
        ------
        RuntimeError
            When a job is already running.
        """
        self._refuse_second_job()
        self.start_command(worker_command(config, project_root), config.stage, project_root)

    def start_command(
        self, command: Sequence[str], name: str, project_root: str | os.PathLike | None = None
    ) -> None:
        """Run ``command`` (from :func:`ffn_core.jobs.engine_command`) as the job ``name``.

        Record paths are resolved against ``project_root`` (also the working folder) when
        given. Raises RuntimeError when a job is already running.
        """
        self._refuse_second_job()
        command = [str(part) for part in command]
        process = QProcess(self)
        env = QProcessEnvironment.systemEnvironment()
        env.insert("PYTHONUNBUFFERED", "1")
        env.insert("PYTHONIOENCODING", "utf-8")
        process.setProcessEnvironment(env)
        if project_root is not None:
            process.setWorkingDirectory(str(project_root))
        process.readyReadStandardOutput.connect(self._on_process_stdout)
        process.readyReadStandardError.connect(self._on_process_stderr)
        process.finished.connect(self._on_process_finished)
        process.errorOccurred.connect(self._on_process_error)
        self._process, self._buffer, self._ended = process, b"", None
        self._refused = False
        self._project_root = str(project_root) if project_root is not None else None
        self._stop_requested = False
        process.start(command[0], command[1:])
        self.started.emit(name, command)

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

    def _refuse_second_job(self) -> None:
        if self.is_running():
            raise RuntimeError("A job is already running; stop it first.")

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
            record = decode(line, self._project_root)
        except ProtocolError as exc:
            self._refuse(exc)
            return
        if record is None:
            self.log.emit("stdout", line)
        elif not self._refused:
            self._dispatch(record)

    def _dispatch(self, record: Record) -> None:
        self.message.emit(record)
        if isinstance(record, Progress):
            self.progress.emit(record)
        elif isinstance(record, Log):
            self.log.emit(record.level, record.gui_message or record.message)
        elif isinstance(record, Artifact):
            self.artifact.emit(record)
        elif isinstance(record, Preview):
            self.preview.emit(record)
        elif isinstance(record, Compute):
            self.compute.emit(record)
        elif isinstance(record, Result):
            self._ended = record
            self.result.emit(record)
        elif isinstance(record, Error):
            self._ended = record
            self.error.emit(record.message, record.gui_hint or record.hint)

    def _refuse(self, exc: ProtocolError) -> None:
        """A record this version cannot read: report it once and stop the job we cannot follow."""
        if self._refused:
            return
        self._refused = True
        self._ended = Error(stage="", message=exc.message, hint=exc.hint)
        self.error.emit(exc.message, exc.gui_hint)
        self.stop()

    def _on_process_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.FailedToStart:
            self.error.emit(
                f"Could not start the worker: {self._process.program()} -m ffn_core.",
                "Check that FFN Workbench is installed in this Python environment.",
            )
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
        elif isinstance(self._ended, Error):
            self.finished.emit("failed")
        else:
            self.finished.emit(self._ended.status)
