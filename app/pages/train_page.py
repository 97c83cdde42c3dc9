"""Train page: preset and settings, a live loss/F1 plot, preview slices, Stop/Resume,
TensorBoard. A run lives in ``<project>/runs/<name>/``; naming an existing run continues it.
"""
from __future__ import annotations

import threading
import webbrowser
from pathlib import Path

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtGui import QPixmap
from PyQt5.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                             QLineEdit, QPushButton, QSpinBox, QTabWidget, QVBoxLayout,
                             QWidget)

from app.job_panel import format_duration
from app.pages.base import StagePage
from app.pages.forms import PresetBox, path_combo, path_row
from app.plots import TrainingPlot
from app.tensorboard import TensorBoardServer

OPTIMIZERS = ("sgd", "momentum", "adam")
HISTORY_FILE, PREVIEW_SIZE = "history.jsonl", 180


class TrainPage(StagePage):
    """Settings of a training run, its progress, and Start/Resume."""

    title = "Train"
    stage = "train"
    tensorboard_ready = pyqtSignal(str)

    def __init__(self, host, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.run_name = path_combo(self.tr("runs/<name>/; an existing run continues from its "
                                           "latest checkpoint"))
        self.run_name.currentTextChanged.connect(self._on_run_changed)
        self.preset = PresetBox()
        self.model_args = QLineEdit()
        self.model_args.setPlaceholderText(self.tr(
            "optional: reference JSON, overrides the preset"))
        self.model_args.setToolTip(self.tr('e.g. {"depth": 9, "fov_size": [33, 33, 17], "deltas": '
                                           '[8, 8, 4]} with fov_size and deltas in x, y, z'))
        self.max_steps = self._spin(1, 10**9, 10000, "Train until this step")
        self.batch = self._spin(1, 256, 4, "FOVs per training step")
        self.optimizer = QComboBox()
        self.optimizer.addItems(OPTIMIZERS)
        self.optimizer.setToolTip(self.tr("sgd as the reference (gradients clipped at 0.7); adam "
                                          "converges faster on small data"))
        self.learning_rate = QLineEdit()
        self.learning_rate.setPlaceholderText("0.001")
        self.decay_factor = QLineEdit()
        self.decay_factor.setPlaceholderText(self.tr("optional, e.g. 0.5"))
        self.decay_factor.setToolTip(self.tr("Multiply the learning rate by this factor every "
                                             "'decay every' steps; empty: constant"))
        self.decay_steps = QLineEdit()
        self.decay_steps.setPlaceholderText(self.tr("optional, e.g. 2000"))
        self.summary_seconds = self._spin(1, 86400, 120, "Seconds between eval summaries, "
                                          "F1 points and preview images")
        self.init_checkpoint = QLineEdit()
        self.init_checkpoint.setPlaceholderText(self.tr("optional: fine-tune from a checkpoint"))
        self.start_button = QPushButton(self.tr("Start"))
        self.start_button.clicked.connect(lambda: self.start_training())
        self.resume_button = QPushButton(self.tr("Resume"))
        self.resume_button.setToolTip(self.tr("Continue the run from its latest checkpoint, up to "
                                              "max steps"))
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
        self.preview.setToolTip(self.tr(
            "Latest finished example: label | prediction, xy/xz/yz planes"))
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
        form.addRow(self.tr("Init checkpoint"),
                    path_row(self.init_checkpoint, self._pick_checkpoint))
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

    def _pick_checkpoint(self) -> None:
        file, _ = QFileDialog.getOpenFileName(self, "Checkpoint (.index file)", "",
                                              "TF checkpoints (*.index);;All files (*)")
        if file:
            self.init_checkpoint.setText(file[:-len(".index")] if file.endswith(".index")
                                         else file)

    def run_dir(self) -> Path | None:
        name = self.run_name.currentText().strip() or "default"
        return self.project.path("runs", name) if self.project else None

    def train_args(self, resume: bool = False) -> list[str]:
        """Command-line arguments of the train stage (resume: only the run and max steps)."""
        args = ["--run", self.run_name.currentText().strip() or "default",
                "--max-steps", str(self.max_steps.value())]
        if resume:
            return args
        args += ["--batch-size", str(self.batch.value()), "--optimizer",
                 self.optimizer.currentText(), "--summary-seconds",
                 str(self.summary_seconds.value())]
        if self.model_args.text().strip():
            args += ["--model-args", self.model_args.text().strip()]
        else:
            args += ["--preset", self.preset.combo.currentText()]
        for flag, field in (("--learning-rate", self.learning_rate),
                            ("--learning-rate-decay-factor", self.decay_factor),
                            ("--decay-steps", self.decay_steps),
                            ("--init-checkpoint", self.init_checkpoint)):
            if field.text().strip():
                args += [flag, field.text().strip()]
        return args

    def start_training(self, resume: bool = False) -> bool:
        """Start a run (or continue it with ``resume``) in the worker process."""
        if self.project is None or not self.project.path("preprocess").is_dir():
            self.host.show_error(self.tr("The project has no training coordinates."),
                                 self.tr("Run the Preprocess page first."))
            return False
        self._on_run_changed(self.run_name.currentText())
        self.tabs.setCurrentIndex(1)
        return self.host.run_job("train", self.train_args(resume))

    def _on_run_changed(self, _name: str) -> None:
        run_dir = self.run_dir()
        if run_dir is not None:
            self.plot.load(run_dir / HISTORY_FILE)
            preview = run_dir / "preview.png"
            self._show_preview(str(preview) if preview.is_file() else "")

    def _on_client_progress(self, record: dict) -> None:
        if record.get("stage") != "train":
            return
        self.plot.add_progress(record)
        metrics = record.get("metrics") or {}
        text = self.tr("step {0} / {1}").format(metrics.get("step", record.get("done")),
                                                 record.get("total"))
        if metrics.get("steps_per_s"):
            text += self.tr("  ·  {0} steps/s").format(f"{metrics['steps_per_s']:.2f}")
        text += self.tr("  ·  ETA {0}").format(format_duration(record.get("eta_s")))
        if "model_busy" in metrics:
            text += self.tr("  ·  model busy {0}").format(f"{metrics['model_busy']:.0%}")
        self.rates.setText(text)

    def _on_client_preview(self, record: dict) -> None:
        if record.get("kind") == "training":
            self._show_preview(str(record.get("path", "")))

    def _show_preview(self, path: str) -> None:
        pixmap = QPixmap(path) if path else QPixmap()
        if pixmap.isNull():
            self.preview.clear()
            return
        self.preview.setPixmap(pixmap.scaled(PREVIEW_SIZE * 2, PREVIEW_SIZE, Qt.KeepAspectRatio,
                                             Qt.SmoothTransformation))

    def open_tensorboard(self) -> None:
        """Start TensorBoard on the project's runs (loopback only) and open the browser."""
        if self.project is None:
            return
        if self._tensorboard is None or not self._tensorboard.running:
            self._tensorboard = TensorBoardServer(self.project.path("runs"))
            self._tensorboard.start()
        server = self._tensorboard
        self.host.job_panel.append_log(f"TensorBoard starting at {server.url} ...")
        threading.Thread(target=lambda: server.wait_until_ready() and
                         self.tensorboard_ready.emit(server.url), daemon=True).start()

    def _on_tensorboard_ready(self, url: str) -> None:
        self.host.job_panel.append_log(f"TensorBoard ready: {url}")
        webbrowser.open(url)

    def shutdown(self) -> None:
        if self._tensorboard is not None:
            self._tensorboard.stop()

    def project_changed(self) -> None:
        current = self.run_name.currentText()
        self.run_name.clear()
        runs = sorted(p.name for p in self.project.path("runs").glob("*/")) if self.project \
            else []
        self.run_name.addItems(runs or ["default"])
        self.run_name.setCurrentText(current if current in runs else (runs or ["default"])[-1])
        self._on_run_changed(self.run_name.currentText())

    def job_running_changed(self, running: bool) -> None:
        for button in (self.start_button, self.resume_button):
            button.setEnabled(not running)
