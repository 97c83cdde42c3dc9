"""Train page: preset and settings, a live loss/F1 plot, preview slices, Stop/Resume,
TensorBoard. A run lives in ``<project>/runs/<name>/``; naming an existing run continues it.
"""

from __future__ import annotations

import threading
import webbrowser
from functools import partial
from pathlib import Path
from typing import Any

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtGui import QPixmap
from PyQt5.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.controllers.train import train_config, train_fields
from app.job_panel import format_duration
from app.pages.base import StagePage
from app.pages.forms import ComputeRow, PresetBox, path_combo, path_row, pick_checkpoint
from app.pages.host import PageHost
from app.plots import TrainingPlot
from app.tensorboard import TensorBoardServer
from ffn_core.protocol import Preview, Progress
from ffn_core.stages.train import TrainConfig, run_default
from ffn_core.train.run_config import OPTIMIZERS, PREVIEW_FILE

PREVIEW_SIZE = 180


class TrainPage(StagePage):
    """Settings of a training run, its progress, and Start/Resume."""

    title = "Train"
    stage = "train"
    tensorboard_ready = pyqtSignal(str)

    def __init__(self, host: PageHost, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.run_name = path_combo(
            self.tr("runs/<name>/; an existing run continues from its latest checkpoint")
        )
        self.run_name.currentTextChanged.connect(self._on_run_changed)
        self.preset = PresetBox()
        self.model_args = QLineEdit()
        self.model_args.setPlaceholderText(
            self.tr("optional: reference JSON, overrides the preset")
        )
        self.model_args.setToolTip(
            self.tr(
                'e.g. {"depth": 9, "fov_size": [33, 33, 17], "deltas": '
                "[8, 8, 4]} with fov_size and deltas in x, y, z"
            )
        )
        defaults = train_fields()
        self.max_steps = self._spin(1, 10**9, defaults["max_steps"], "Train until this step")
        self.batch = self._spin(1, 256, defaults["batch_size"], "FOVs per training step")
        self.optimizer = QComboBox()
        self.optimizer.addItems(OPTIMIZERS)
        self.optimizer.setCurrentText(defaults["optimizer"])
        self.optimizer.setToolTip(
            self.tr(
                "sgd as the reference (gradients clipped at 0.7); adam "
                "converges faster on small data"
            )
        )
        self.learning_rate = QLineEdit()
        self.learning_rate.setPlaceholderText(f"{run_default('learning_rate'):g}")
        self.decay_factor = QLineEdit()
        self.decay_factor.setPlaceholderText(self.tr("optional, e.g. 0.5"))
        self.decay_factor.setToolTip(
            self.tr(
                "Multiply the learning rate by this factor every "
                "'decay every' steps; empty: constant"
            )
        )
        self.decay_steps = QLineEdit()
        self.decay_steps.setPlaceholderText(self.tr("optional, e.g. 2000"))
        self.summary_seconds = self._spin(
            1,
            86400,
            int(defaults["summary_seconds"]),
            "Seconds between eval summaries, F1 points and preview images",
        )
        self.init_checkpoint = QLineEdit()
        self.init_checkpoint.setPlaceholderText(self.tr("optional: fine-tune from a checkpoint"))
        self.compute = ComputeRow()
        self.compute.set_values(defaults)
        self.start_button = QPushButton(self.tr("Start"))
        self.start_button.clicked.connect(lambda: self.start_training())
        self.resume_button = QPushButton(self.tr("Resume"))
        self.resume_button.setToolTip(
            self.tr("Continue the run from its latest checkpoint, up to max steps")
        )
        self.resume_button.clicked.connect(lambda: self.start_training(resume=True))
        self.tensorboard_button = QPushButton(self.tr("Open in TensorBoard"))
        self.tensorboard_button.clicked.connect(self.open_tensorboard)
        self.rates = QLabel("")
        self.rates.setWordWrap(True)
        self.plot = TrainingPlot()
        self.plot.setMinimumHeight(280)
        self.preview = QLabel()
        self.preview.setAlignment(Qt.AlignCenter)
        self.preview.setMinimumHeight(PREVIEW_SIZE)
        self.preview.setToolTip(
            self.tr("Latest finished example: label | prediction, xy/xz/yz planes")
        )
        self._tensorboard: TensorBoardServer | None = None
        self._build_layout()
        self.tensorboard_ready.connect(self._on_tensorboard_ready)
        host.client.progress.connect(self._on_client_progress)
        host.client.preview.connect(self._on_client_preview)

    @staticmethod
    def _spin(low: int, high: int, value: int, tip: str) -> QSpinBox:
        box = QSpinBox()
        box.setRange(low, high)
        box.setValue(value)
        box.setToolTip(tip)
        return box

    def _build_layout(self) -> None:
        settings = QWidget()
        form = QFormLayout(settings)
        form.addRow(self.tr("Run"), self.run_name)
        form.addRow(self.tr("Model preset"), self.preset)
        form.addRow(self.tr("Model args"), self.model_args)
        form.addRow(self.tr("Max steps"), self.max_steps)
        form.addRow(self.tr("Batch size"), self.batch)
        form.addRow(self.tr("Optimizer"), self.optimizer)
        form.addRow(self.tr("Learning rate"), self.learning_rate)
        form.addRow(self.tr("Learning-rate decay factor"), self.decay_factor)
        form.addRow(self.tr("Decay every (steps)"), self.decay_steps)
        form.addRow(self.tr("Summary every (s)"), self.summary_seconds)
        pick = partial(pick_checkpoint, self, self.init_checkpoint)
        form.addRow(self.tr("Init checkpoint"), path_row(self.init_checkpoint, pick))
        form.addRow(self.tr("Compute"), self.compute)
        progress = QWidget()
        column = QVBoxLayout(progress)
        column.addWidget(self.rates)
        column.addWidget(self.plot, 1)
        column.addWidget(self.preview)
        self.tabs = QTabWidget()
        self.tabs.addTab(settings, self.tr("Settings"))
        self.tabs.addTab(progress, self.tr("Progress"))
        buttons = QHBoxLayout()
        for button in (self.start_button, self.resume_button, self.tensorboard_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h3>Train a model</h3>")))
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)

    def run_dir(self) -> Path | None:
        name = self.run_name.currentText().strip() or TrainConfig.run
        return self.project.path("runs", name) if self.project else None

    def field_values(self) -> dict[str, Any]:
        """The form as plain values (see :func:`app.controllers.train.train_config`)."""
        return {
            "run": self.run_name.currentText(),
            "preset": self.preset.combo.currentText(),
            "model_args": self.model_args.text(),
            "max_steps": self.max_steps.value(),
            "batch_size": self.batch.value(),
            "optimizer": self.optimizer.currentText(),
            "learning_rate": self.learning_rate.text(),
            "learning_rate_decay_factor": self.decay_factor.text(),
            "decay_steps": self.decay_steps.text(),
            "summary_seconds": self.summary_seconds.value(),
            "init_checkpoint": self.init_checkpoint.text(),
            **self.compute.values(),
        }

    def stored_fields(self, config: TrainConfig | None) -> dict[str, Any]:
        return train_fields(config)

    def set_field_values(self, values: dict[str, Any]) -> None:
        self.run_name.setCurrentText(values["run"])
        self.preset.combo.setCurrentText(values["preset"])
        self.model_args.setText(values["model_args"])
        self.max_steps.setValue(values["max_steps"])
        self.batch.setValue(values["batch_size"])
        self.optimizer.setCurrentText(values["optimizer"])
        self.learning_rate.setText(values["learning_rate"])
        self.decay_factor.setText(values["learning_rate_decay_factor"])
        self.decay_steps.setText(values["decay_steps"])
        self.summary_seconds.setValue(int(values["summary_seconds"]))
        self.init_checkpoint.setText(values["init_checkpoint"])
        self.compute.set_values(values)

    def start_training(self, resume: bool = False) -> bool:
        """Start a run (or continue it with ``resume``) in the worker process."""
        if self.project is None or not self.project.path("preprocess").is_dir():
            self.host.show_error(
                self.tr("The project has no training coordinates."),
                self.tr("Run the Preprocess page first."),
            )
            return False
        config = self.config_or_error(lambda: train_config(self.field_values(), resume))
        if config is None:
            return False
        self._on_run_changed(self.run_name.currentText())
        self.tabs.setCurrentIndex(1)
        return self.host.run_job(config)

    def _on_run_changed(self, _name: str) -> None:
        run_dir = self.run_dir()
        if run_dir is not None:
            self.plot.load(run_dir)
            preview = run_dir / PREVIEW_FILE
            self._show_preview(str(preview) if preview.is_file() else "")

    def _on_client_progress(self, record: Progress) -> None:
        if record.stage != "train":
            return
        self.plot.add_progress(record)
        metrics = record.metrics
        text = self.tr("step {0} / {1}").format(metrics.get("step", record.done), record.total)
        if metrics.get("steps_per_s"):
            text += self.tr("  ·  {0} steps/s").format(f"{metrics['steps_per_s']:.2f}")
        text += self.tr("  ·  ETA {0}").format(format_duration(record.eta_s))
        if "model_busy" in metrics:
            text += self.tr("  ·  model busy {0}").format(f"{metrics['model_busy']:.0%}")
        self.rates.setText(text)

    def _on_client_preview(self, record: Preview) -> None:
        if record.name == "training":
            self._show_preview(record.path)

    def _show_preview(self, path: str) -> None:
        pixmap = QPixmap(path) if path else QPixmap()
        if pixmap.isNull():
            self.preview.clear()
            return
        self.preview.setPixmap(
            pixmap.scaled(
                PREVIEW_SIZE * 2, PREVIEW_SIZE, Qt.KeepAspectRatio, Qt.SmoothTransformation
            )
        )

    def open_tensorboard(self) -> None:
        """Start TensorBoard on the project's runs (loopback only) and open the browser."""
        if self.project is None:
            return
        if self._tensorboard is None or not self._tensorboard.running:
            self._tensorboard = TensorBoardServer(self.project.path("runs"))
            self._tensorboard.start()
        server = self._tensorboard
        self.host.log(f"TensorBoard starting at {server.url} ...")
        threading.Thread(
            target=lambda: server.wait_until_ready() and self.tensorboard_ready.emit(server.url),
            daemon=True,
        ).start()

    def _on_tensorboard_ready(self, url: str) -> None:
        self.host.log(f"TensorBoard ready: {url}")
        webbrowser.open(url)

    def shutdown(self) -> None:
        if self._tensorboard is not None:
            self._tensorboard.stop()

    def project_changed(self) -> None:
        current = self.run_name.currentText()
        self.run_name.clear()
        runs = sorted(p.name for p in self.project.path("runs").glob("*/")) if self.project else []
        self.run_name.addItems(runs or ["default"])
        self.run_name.setCurrentText(current if current in runs else (runs or ["default"])[-1])
        self._on_run_changed(self.run_name.currentText())

    def job_running_changed(self, running: bool) -> None:
        for button in (self.start_button, self.resume_button):
            button.setEnabled(not running)
