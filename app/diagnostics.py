"""About / Diagnostics: versions on the GUI side, and the worker's environment check
(``python -m ffn_core env``: TensorFlow, GPUs, CPU threads) in its own process."""

from __future__ import annotations

import platform
import sys

import napari
from PyQt5.QtCore import PYQT_VERSION_STR, QT_TRANSLATE_NOOP, QT_VERSION_STR
from PyQt5.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

import ffn_core
from app.worker import WorkerClient
from ffn_core.jobs import engine_command
from ffn_core.protocol import Result

WORKER_ROWS = (
    ("tensorflow", "TensorFlow"),
    ("gpus", QT_TRANSLATE_NOOP("DiagnosticsDialog", "GPUs")),
    ("cpu_count", QT_TRANSLATE_NOOP("DiagnosticsDialog", "CPU threads")),
    ("python", QT_TRANSLATE_NOOP("DiagnosticsDialog", "Worker Python")),
)


class DiagnosticsDialog(QDialog):
    """Versions and the worker's environment; ``client.finished`` when the check ended."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("About FFN Workbench"))
        form = QFormLayout()
        for label, value in (
            (self.tr("FFN Workbench"), ffn_core.__version__),
            ("Python", f"{platform.python_version()} ({sys.executable})"),
            ("Qt / PyQt5", f"{QT_VERSION_STR} / {PYQT_VERSION_STR}"),
            ("napari", napari.__version__),
            (self.tr("Platform"), platform.platform()),
        ):
            form.addRow(label, self._value(value))
        self.worker_values = {key: self._value(self.tr("checking...")) for key, _ in WORKER_ROWS}
        for key, label in WORKER_ROWS:
            form.addRow(self.tr(label), self.worker_values[key])
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.client = WorkerClient(self)
        self.client.result.connect(self._on_client_result)
        self.client.error.connect(self._on_client_error)
        self.client.start_command(engine_command("env"), "env")

    @staticmethod
    def _value(text: str) -> QLabel:
        label = QLabel(str(text))
        label.setWordWrap(True)
        return label

    def _on_client_result(self, record: Result) -> None:
        for key, label in self.worker_values.items():
            value = record.outputs.get(key)
            if key == "gpus":
                value = ", ".join(map(str, value)) if value else self.tr("none (CPU only)")
            label.setText(str(value))

    def _on_client_error(self, message: str, hint: str) -> None:
        for label in self.worker_values.values():
            label.setText("?")
        self.problem.setText(f"<span style='color:#e05050'>{message}</span><br>{hint}")

    def done(self, result: int) -> None:  # noqa: D401 - Qt API
        self.client.kill()
        super().done(result)
