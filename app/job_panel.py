"""The job panel: a determinate progress bar with rate and ETA, what the job computes on
(backend, device, precision), a log pane and Stop.

The bar never goes back while a job counts the same units (a new phase with its own units, or
a count that starts again, starts a new bar); the ETA is the engine's, made from the rate of
the work done, and is cleared when the job ends, however it ends. The log pane leaves out the
worker's known backend start-up noise (:data:`BACKEND_NOISE`); every other stderr line,
tracebacks above all, is shown. Errors show the engine's hint as phrased for the GUI (buttons
and fields, not command-line flags).
"""

from __future__ import annotations

import re

from PyQt5.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PyQt5.QtGui import QTextCursor
from PyQt5.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.controllers.compute import describe_compute
from app.i18n import engine_text
from app.worker import WorkerClient
from ffn_core.protocol import Compute, Progress, Result

_PERCENT_SCALE = 1000  # the bar counts tenths of a percent
# job statuses shown translated in "Job {0}."
_STATUSES = (QT_TRANSLATE_NOOP("JobPanel", "completed"), QT_TRANSLATE_NOOP("JobPanel", "stopped"))
# Lines TensorFlow, XLA and absl (and JAX and PyTorch, the other Keras backends) write to
# stderr on every start, whatever the job; on a machine without a GPU they even read as errors
# ("failed call to cuInit"). The GPU (or its absence) is reported by Help > About and
# diagnostics instead. Matched anywhere in a line.
BACKEND_NOISE = re.compile(
    "|".join(
        (
            r"All log messages before absl::InitializeLog\(\) is called",
            r"oneDNN custom operations are on",
            r"Could not find cuda drivers on your machine",
            r"failed call to cuInit",
            r"Unable to register cu(DNN|FFT|BLAS) factory",
            r"computation placer already registered",
            r"TensorFlow binary is optimized to use available CPU instructions",
            r"rebuild TensorFlow with the appropriate compiler flags",
            r"TF-TRT Warning: Could not find TensorRT",
            r"No GPU/TPU found, falling back to CPU",  # JAX
            r"An NVIDIA GPU may be present on this machine, but a CUDA-enabled jaxlib",
            r"CUDA initialization: Found no NVIDIA driver on your system",  # PyTorch
            r"return torch\._C\._cuda_getDeviceCount\(\) > 0",  # the line that warning quotes
        )
    )
)


def is_backend_noise(line: str) -> bool:
    """Whether the worker's stderr ``line`` is backend start-up noise (:data:`BACKEND_NOISE`)."""
    return BACKEND_NOISE.search(line) is not None


def format_duration(seconds: float | None) -> str:
    """``seconds`` as ``1 h 02 min``, ``3 min 05 s`` or ``12 s``; ``?`` when unknown."""
    if seconds is None or seconds != seconds or seconds < 0:
        return "?"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


def describe_progress(record: Progress) -> str:
    """One line for a progress record: done/total unit, rate and metrics (the ETA has its own
    label)."""
    unit = engine_text(record.unit)  # the engine's words, translated (app.i18n)
    whole = float(record.done).is_integer()  # a count of whole units: an estimated total too
    total = round(record.total) if whole else record.total
    text = f"{_number(record.done)} / {_number(total)} {unit}".rstrip()
    if record.rate:
        text += f"  ·  {_number(record.rate)} {unit}/s".rstrip()
    for name, value in record.metrics.items():
        if isinstance(value, (int, float)):
            text += f"  ·  {engine_text(name)} {_number(value)}"
    return text


def _number(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return f"{int(value):,}"


class JobPanel(QWidget):
    """Shows the job of a :class:`WorkerClient`: progress, what it computes on, status, log,
    Stop."""

    def __init__(self, client: WorkerClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.status = QLabel(self.tr("No job running."))
        self.status.setObjectName("jobStatus")
        self.details = QLabel("")
        self.details.setTextInteractionFlags(Qt.TextSelectableByMouse)
        for label in (self.status, self.details):
            label.setWordWrap(True)  # long metric lines must not widen the window
        self.bar = QProgressBar()
        self.bar.setRange(0, _PERCENT_SCALE)
        self.bar.setFormat("%p %")
        self.eta = QLabel("")
        self.eta.setObjectName("jobEta")
        self.eta.setToolTip(self.tr("Time left at the rate of the work done so far"))
        self._counting: tuple[str, str, float] | None = None  # stage, unit, done of the bar
        self.compute = QLabel("")
        self.compute.setObjectName("jobCompute")
        self.compute.setToolTip(self.tr("What the job computes on: backend, device, precision"))
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setToolTip(self.tr("Ask the job to save its state and stop"))
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(client.stop)
        self.log_view = QPlainTextEdit()
        self.log_view.setReadOnly(True)
        self.log_view.setMaximumBlockCount(5000)
        self._build_layout()
        client.started.connect(self._on_client_started)
        client.progress.connect(self._on_client_progress)
        client.compute.connect(self._on_client_compute)
        client.log.connect(self._on_client_log)
        client.result.connect(self._on_client_result)
        client.error.connect(self._on_client_error)
        client.finished.connect(self._on_client_finished)

    def _build_layout(self) -> None:
        row = QHBoxLayout()
        row.addWidget(self.bar, 1)
        row.addWidget(self.eta)
        row.addWidget(self.compute)
        row.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.status)
        layout.addLayout(row)
        layout.addWidget(self.details)
        layout.addWidget(self.log_view, 1)

    def append_log(self, text: str) -> None:
        """Add ``text`` to the log pane and scroll to it."""
        self.log_view.appendPlainText(text)
        self.log_view.moveCursor(QTextCursor.End)

    def _on_client_started(self, name: str, command: list) -> None:
        self.bar.setRange(0, _PERCENT_SCALE)
        self.bar.setValue(0)
        self._counting = None
        self.details.setText("")
        self.eta.setText("")
        self.compute.setText("")
        self.status.setText(self.tr("Running: {0} ...").format(engine_text(name)))
        self.stop_button.setEnabled(True)
        self.append_log("$ " + " ".join(command))

    def _on_client_progress(self, record: Progress) -> None:
        fraction = record.fraction
        if fraction is None:  # total unknown: a busy indicator instead of a stuck bar
            self.bar.setRange(0, 0)
        else:
            value = int(round(min(max(fraction, 0.0), 1.0) * _PERCENT_SCALE))
            if self._continues(record) and self.bar.maximum() == _PERCENT_SCALE:
                value = max(value, self.bar.value())  # the bar never goes back
            self.bar.setRange(0, _PERCENT_SCALE)
            self.bar.setValue(value)
        self._counting = (record.stage, record.unit, record.done)
        self.details.setText(describe_progress(record))
        self.eta.setText(
            self.tr("ETA {0}").format(format_duration(record.eta_s))
            if record.eta_s is not None
            else ""
        )

    def _continues(self, record: Progress) -> bool:
        """Whether ``record`` goes on counting what the bar shows (same stage and units, a
        count that did not start again)."""
        if self._counting is None:
            return False
        stage, unit, done = self._counting
        return (stage, unit) == (record.stage, record.unit) and record.done >= done

    def _on_client_compute(self, record: Compute) -> None:
        self.compute.setText(describe_compute(record))

    def _on_client_log(self, level: str, message: str) -> None:
        if level == "stderr" and is_backend_noise(message):
            return
        prefix = "" if level in ("info", "stdout") else f"[{level}] "
        self.append_log(prefix + message.rstrip())

    def _on_client_result(self, record: Result) -> None:
        self.append_log(f"Job {record.status}.")
        self.bar.setRange(0, _PERCENT_SCALE)
        if record.status == "completed":
            self.bar.setValue(_PERCENT_SCALE)

    def _on_client_error(self, message: str, hint: str) -> None:
        self.append_log(f"ERROR: {message}" + (f"\n  Hint: {hint}" if hint else ""))
        self.status.setText(self.tr("Failed: {0}").format(message))
        self.eta.setText("")

    def _on_client_finished(self, status: str) -> None:
        self.stop_button.setEnabled(False)
        self.eta.setText("")  # no time is left to a job that has ended
        if status != "failed":
            self.status.setText(
                self.tr("Job {0}.").format(QCoreApplication.translate("JobPanel", status))
            )
