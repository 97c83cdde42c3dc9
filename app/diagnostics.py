"""About / Diagnostics: versions on the GUI side, and the worker's environment check
(``python -m ffn_core env``: each backend and the GPUs it sees, the device and precision a
job uses by default, CPU threads) in its own process."""

from __future__ import annotations

import platform
import sys
from typing import Any

import napari
from PyQt5.QtCore import PYQT_VERSION_STR, QT_TRANSLATE_NOOP, QT_VERSION_STR
from PyQt5.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

import ffn_core
from app.controllers.compute import BACKEND_NAMES
from app.worker import WorkerClient
from ffn_core.jobs import engine_command
from ffn_core.protocol import Result

# the worker's rows after one per backend: (key, label)
WORKER_ROWS = (
    ("compute", QT_TRANSLATE_NOOP("DiagnosticsDialog", "Default device")),
    ("precision", QT_TRANSLATE_NOOP("DiagnosticsDialog", "Precision")),
    ("cpu_count", QT_TRANSLATE_NOOP("DiagnosticsDialog", "CPU threads")),
    ("python", QT_TRANSLATE_NOOP("DiagnosticsDialog", "Worker Python")),
)


class DiagnosticsDialog(QDialog):
    """Versions and the worker's environment; ``client.finished`` when the check ended.

    ``worker_values`` holds the labels of the worker's values: one per backend
    (``tensorflow``, ``jax``, ``torch``) and those of :data:`WORKER_ROWS`.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("About FFN Workbench"))
        self.setMinimumWidth(560)
        form = QFormLayout()
        for label, value in (
            (self.tr("FFN Workbench"), ffn_core.__version__),
            ("Python", f"{platform.python_version()} ({sys.executable})"),
            ("Qt / PyQt5", f"{QT_VERSION_STR} / {PYQT_VERSION_STR}"),
            ("napari", napari.__version__),
            (self.tr("Platform"), platform.platform()),
        ):
            form.addRow(label, self._value(value))
        rows = list(BACKEND_NAMES.items())
        rows += [(key, self.tr(label)) for key, label in WORKER_ROWS]
        self.worker_values = {key: self._value(self.tr("checking...")) for key, _ in rows}
        for key, label in rows:
            form.addRow(label, self.worker_values[key])
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
        info = record.outputs
        for name, entry in info["backends"].items():
            default = name == info["default_backend"]
            self.worker_values[name].setText(self._backend_text(entry, default))
        self.worker_values["compute"].setText(self._compute_text(info))
        self.worker_values["precision"].setText(self._precision_text(info))
        bfloat16 = self.tr("yes") if info["cpu_bfloat16"] else self.tr("no")
        self.worker_values["cpu_count"].setText(
            self.tr("{0} ({1}; bfloat16: {2})").format(info["cpu_count"], info["cpu"], bfloat16)
        )
        self.worker_values["python"].setText(info["python"])

    def _backend_text(self, entry: dict[str, Any], default: bool) -> str:
        if not entry["installed"]:
            return self.tr("not installed")
        text = entry["version"]
        if entry["problem"]:
            text += " · " + self.tr("cannot start: {0}").format(entry["problem"])
        else:
            gpus = ", ".join(entry["gpus"]) or self.tr("none")
            text += " · " + self.tr("GPUs: {0}").format(gpus)
        return text + (" · " + self.tr("default") if default else "")

    def _compute_text(self, info: dict[str, Any]) -> str:
        backend = BACKEND_NAMES.get(info["default_backend"], info["default_backend"])
        if info["default_device"] is None:
            return self.tr("{0} is not installed: choose another backend").format(backend)
        return f"{backend} · {info['default_device'].upper()} ({info['default_device_name']})"

    def _precision_text(self, info: dict[str, Any]) -> str:
        default, suggested = info["default_precision"], info["suggested_precision"]
        if suggested == default:
            return self.tr("{0} by default").format(default)
        return self.tr("{0} by default; {1} is faster here").format(default, suggested)

    def _on_client_error(self, message: str, hint: str) -> None:
        for label in self.worker_values.values():
            label.setText("?")
        self.problem.setText(f"<span style='color:#e05050'>{message}</span><br>{hint}")

    def done(self, result: int) -> None:  # noqa: D401 - Qt API
        self.client.kill()
        super().done(result)
