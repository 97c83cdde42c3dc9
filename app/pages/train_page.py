"""Train page as a wizard (:mod:`app.pages.wizard`): data → model → schedule → review (what
will run, how long it should take; Start, and Resume when the run has checkpoints) → progress
(a live loss/F1 plot, preview slices, TensorBoard). A run lives in ``<project>/runs/<name>/``;
naming an existing run continues it. A project without a training run starts from the stage
preset that fits its image (:func:`app.pages.preset_choice.suggested_preset`): the demo's
small volume gets the quick preset's tiny model, which trains in minutes.
"""

from __future__ import annotations

import threading
import webbrowser
from functools import partial
from pathlib import Path
from typing import Any

from PyQt5.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, pyqtSignal
from PyQt5.QtGui import QPixmap
from PyQt5.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.controllers.train import train_config, train_fields
from app.job_panel import format_duration
from app.pages.base import StagePage
from app.pages.forms import ComputeRow, PresetBox, path_combo, path_row, pick_checkpoint
from app.pages.host import PageHost
from app.pages.preset_choice import image_shape, suggested_preset
from app.pages.resume_offer import ResumeOffer
from app.pages.wizard import MissingInput, Step, Wizard, estimate_text, problem_of
from app.plots import TrainingPlot
from app.tensorboard import TensorBoardServer
from ffn_core.estimates import train_estimate
from ffn_core.model.args import ModelArgs, load_preset
from ffn_core.model.checkpoint_paths import resolve_checkpoint
from ffn_core.presets import StagePreset, model_preset_name, preset_of_model, stage_presets
from ffn_core.protocol import Preview, Progress, Result
from ffn_core.stages.train import TrainConfig, run_default
from ffn_core.train.run_config import OPTIMIZERS, PREVIEW_FILE

PREVIEW_SIZE = 180
# how the stage preset choice names each preset and says what it is for; one the engine adds
# shows with its name
PRESET_TEXTS = {
    "quick": (
        QT_TRANSLATE_NOOP("TrainPage", "quick (demo)"),
        QT_TRANSLATE_NOOP(
            "TrainPage",
            "A tiny model (depth 4, FOV 17×17×9) that trains in minutes on a CPU: the demo, "
            "small volumes, a first try.",
        ),
    ),
    "reference": (
        QT_TRANSLATE_NOOP("TrainPage", "reference"),
        QT_TRANSLATE_NOOP(
            "TrainPage",
            "The reference's anisotropic model (depth 9, FOV 33×33×17) with its settings: "
            "serial-section EM such as SNEMI3D; hours on a CPU, meant for a GPU.",
        ),
    ),
    "isotropic": (
        QT_TRANSLATE_NOOP("TrainPage", "isotropic"),
        QT_TRANSLATE_NOOP(
            "TrainPage",
            "The reference's isotropic model (depth 12, FOV 33×33×33): FIB-SEM-like data; "
            "hours on a CPU, meant for a GPU.",
        ),
    ),
}
# the fields a stage preset sets (the run, its data and compute stay as they are)
PRESET_FIELDS = (
    "preset",
    "model_args",
    "max_steps",
    "batch_size",
    "optimizer",
    "learning_rate",
    "learning_rate_decay_factor",
    "decay_steps",
)


def preset_fields(preset: StagePreset) -> dict[str, Any]:
    """The train page's fields of ``preset``: its model by model-preset name when it has one
    (else as model_args JSON) and its training settings."""
    fields = train_fields(preset.train_config())
    name = model_preset_name(preset.model_args)
    if name is not None:
        fields.update(preset=name, model_args="")
    return {key: fields[key] for key in PRESET_FIELDS}


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
        self.data_summary = QLabel("")
        self.data_summary.setWordWrap(True)
        self.stage_preset = QComboBox()
        for name in stage_presets():
            self.stage_preset.addItem(self._preset_text(name)[0], name)
        self.stage_preset.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.stage_preset.setMinimumContentsLength(12)
        self.stage_preset.setToolTip(
            self.tr("Sets the model and the schedule to settings that fit together")
        )
        self.stage_preset.activated.connect(self._on_stage_preset_chosen)
        self.stage_preset.currentIndexChanged.connect(self._describe_stage_preset)
        self.preset_note = QLabel("")
        self.preset_note.setWordWrap(True)
        self.model_note = QLabel("")
        self.model_note.setWordWrap(True)
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
        self.resume = ResumeOffer(
            self.tr("Continue the run from its latest checkpoint, up to max steps"),
            lambda: self.start_training(resume=True),
        )
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
        self._running = False
        self.wizard = self.install_wizard(
            Wizard(
                [
                    Step(self.tr("Data"), self._data_step(), self._data_problem),
                    Step(self.tr("Model"), self._model_step(), self._model_problem),
                    Step(self.tr("Schedule"), self._schedule_step(), self._schedule_problem),
                ],
                review=self._review_text,
                start=self.start_training,
                missing=self._missing_input,
                monitor=Step(self.tr("Progress"), self._progress_step()),
                stage=self.stage,
            )
        )
        self.wizard.review_layout.addWidget(self.resume)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h3>Train a model</h3>")))
        layout.addWidget(self.wizard, 1)
        self.tensorboard_ready.connect(self._on_tensorboard_ready)
        host.client.progress.connect(self._on_client_progress)
        host.client.preview.connect(self._on_client_preview)

    @staticmethod
    def _spin(low: int, high: int, value: int, tip: str) -> QSpinBox:
        box = QSpinBox()
        box.setRange(low, high)
        box.setValue(value)
        box.setToolTip(QCoreApplication.translate("TrainPage", tip))
        return box

    @staticmethod
    def _preset_text(name: str) -> tuple[str, str]:
        """A stage preset's label and what it is for, translated."""
        label, sentence = PRESET_TEXTS.get(name, (name, ""))
        return (
            QCoreApplication.translate("TrainPage", label),
            QCoreApplication.translate("TrainPage", sentence) if sentence else "",
        )

    # -- the steps --------------------------------------------------------------------
    def _data_step(self) -> QWidget:
        widget = QWidget()
        form = QFormLayout(widget)
        form.addRow(self.tr("Run"), self.run_name)
        form.addRow(self.tr("Data"), self.data_summary)
        pick = partial(pick_checkpoint, self, self.init_checkpoint)
        form.addRow(self.tr("Init checkpoint"), path_row(self.init_checkpoint, pick))
        return widget

    def _model_step(self) -> QWidget:
        widget = QWidget()
        form = QFormLayout(widget)
        form.addRow(self.tr("Stage preset"), self.stage_preset)
        form.addRow("", self.preset_note)
        form.addRow(self.tr("Model preset"), self.preset)
        form.addRow(self.tr("Model args"), self.model_args)
        form.addRow("", self.model_note)
        return widget

    def _schedule_step(self) -> QWidget:
        widget = QWidget()
        form = QFormLayout(widget)
        form.setRowWrapPolicy(QFormLayout.WrapLongRows)  # a narrow panel: fields below labels
        form.addRow(self.tr("Max steps"), self.max_steps)
        form.addRow(self.tr("Batch size"), self.batch)
        form.addRow(self.tr("Optimizer"), self.optimizer)
        form.addRow(self.tr("Learning rate"), self.learning_rate)
        form.addRow(self.tr("Learning-rate decay factor"), self.decay_factor)
        form.addRow(self.tr("Decay every (steps)"), self.decay_steps)
        form.addRow(self.tr("Summary every (s)"), self.summary_seconds)
        form.addRow(self.tr("Compute"), self.compute)
        return widget

    def _progress_step(self) -> QWidget:
        widget = QWidget()
        column = QVBoxLayout(widget)
        column.addWidget(self.rates)
        column.addWidget(self.plot, 1)
        column.addWidget(self.preview)
        column.addWidget(self.tensorboard_button, 0, Qt.AlignLeft)
        return widget

    # -- what keeps a step from being complete ----------------------------------------
    def _missing_input(self) -> MissingInput | None:
        volumes = self.project.data.get("volumes", {}) if self.project else {}
        if "image" not in volumes or "labels" not in volumes:
            return MissingInput(
                self.tr("Training needs an image and its labels: import them first."), "import"
            )
        if not self.project.path("preprocess").is_dir():
            return MissingInput(
                self.tr("The project has no training coordinates: run Preprocess first."),
                "preprocess",
            )
        return None

    def _data_problem(self) -> str | None:
        problem = problem_of(lambda: TrainConfig(run=self.run_name.currentText().strip()))
        checkpoint = self.init_checkpoint.text().strip()
        if problem is None and checkpoint:
            problem = problem_of(lambda: resolve_checkpoint(checkpoint))
        return problem

    def _model_problem(self) -> str | None:
        problem = problem_of(self._model)
        self.preset.setEnabled(not self.model_args.text().strip())  # model args override it
        self.model_note.setText(
            "" if problem else self.tr("Trains: {0}.").format(self._model_text(self._model()))
        )
        return problem

    def _model_text(self, model: ModelArgs) -> str:
        return self.tr("depth {0}, FOV {1} (z,y,x), {2} features").format(
            model.depth, "×".join(map(str, model.fov_size_zyx)), model.features
        )

    def _schedule_problem(self) -> str | None:
        return problem_of(lambda: train_config(self.field_values()))

    def _model(self) -> ModelArgs:
        text = self.model_args.text().strip()
        if text:
            return ModelArgs.from_reference(text)
        return load_preset(self.preset.combo.currentText())

    def _review_text(self) -> str:
        config = train_config(self.field_values())
        step = self._run_step()
        lines = [
            (
                self.tr("Continue run '{0}' from step {1} up to step {2}.").format(
                    config.run, f"{step:,}", f"{config.max_steps:,}"
                )
                if step is not None
                else self.tr("Train run '{0}' for {1} steps.").format(
                    config.run, f"{config.max_steps:,}"
                )
            ),
            self.tr("Model: {0}.").format(self._model_text(self._model())),
            self.tr("Batch {0}, {1}, learning rate {2}.").format(
                config.batch_size,
                config.optimizer,
                f"{config.learning_rate or run_default('learning_rate'):g}",
            ),
            estimate_text(train_estimate(self.project, config)),
        ]
        return "<br>".join(lines)

    def _run_step(self) -> int | None:
        """The last step the chosen run recorded; None for a new run."""
        run_dir = self.run_dir()
        if run_dir is None or problem_of(lambda: resolve_checkpoint(run_dir)) is not None:
            return None
        loss = self.plot.history.loss
        return loss[-1][0] if loss else 0

    def _show_resume(self) -> None:
        """Offer Resume when the run named has checkpoints (Start continues it too, with the
        settings shown)."""
        step = self._run_step()
        text = self.tr(
            "Run '{0}' has checkpoints (step {1}): press Resume to continue it with its own "
            "settings up to max steps, or Start to continue it with the settings above."
        )
        name = self.run_name.currentText().strip()
        text = text.format(name, f"{step:,}") if step is not None else ""
        self.resume.offer(text, step is not None, self._running)

    def _on_stage_preset_chosen(self, index: int) -> None:
        preset = stage_presets().get(self.stage_preset.itemData(index))
        if preset is not None:
            self.set_field_values({**self.field_values(), **preset_fields(preset)})

    def _describe_stage_preset(self, index: int) -> None:
        name = self.stage_preset.itemData(index)
        suggested = suggested_preset(self.project)
        note = self._preset_text(name)[1] if name else self.tr("Settings of your own.")
        if suggested is not None and name == suggested.name:
            note += " " + self.tr("Suggested for this volume.")
        self.preset_note.setText(note)

    def _show_stage_preset(self) -> None:
        """Select the stage preset whose model the form shows (none: a model of its own)."""
        preset = preset_of_model(self._model() if problem_of(self._model) is None else None)
        self.stage_preset.setCurrentIndex(self.stage_preset.findData(preset.name) if preset else -1)
        self._describe_stage_preset(self.stage_preset.currentIndex())

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
        """The stored run's fields; without one, the defaults with the model and schedule of
        the stage preset that fits the project's image."""
        fields = train_fields(config)
        preset = suggested_preset(self.project) if config is None else None
        return {**fields, **preset_fields(preset)} if preset is not None else fields

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
        self._show_stage_preset()

    def start_training(self, resume: bool = False) -> bool:
        """Start a run (or continue it with ``resume``) in the worker process."""
        missing = self._missing_input() if self.project else None
        if self.project is None or missing is not None:
            self.host.show_error(
                missing.message if missing else self.tr("No project is open."),
                self.tr("Go to the {0} page.").format(missing.stage) if missing else "",
            )
            return False
        config = self.config_or_error(lambda: train_config(self.field_values(), resume))
        if config is None:
            return False
        self._on_run_changed(self.run_name.currentText())
        if not self.host.run_job(config, self._on_result):
            return False
        if resume:  # Start shows the progress step itself
            self.wizard.go_to(self.wizard.monitor_index)
        return True

    def _on_result(self, record: Result) -> None:
        if record.status == "completed":
            self.wizard.finish(
                self.tr("Trained run '{0}': its checkpoints are in runs/{0}/.").format(
                    self.run_name.currentText().strip() or TrainConfig.run
                )
            )

    def _on_run_changed(self, _name: str) -> None:
        run_dir = self.run_dir()
        if run_dir is None:
            self.plot.history.clear()
            self.plot.redraw()
            self._show_preview("")
        else:
            self.plot.load(run_dir)
            preview = run_dir / PREVIEW_FILE
            self._show_preview(str(preview) if preview.is_file() else "")
        loss = self.plot.history.loss
        self.rates.setText(self.tr("step {0}").format(f"{loss[-1][0]:,}") if loss else "")
        self._show_data()
        self._show_resume()

    def _show_data(self) -> None:
        """What the run trains on: the image's shape and voxel size, the labels."""
        shape = image_shape(self.project)
        voxel = self.project.stage_params("import").get("voxel_size") if self.project else None
        self.data_summary.setText(
            self.tr("image {0} voxels (z × y × x), voxel size {1} (z, y, x), with labels").format(
                " × ".join(map(str, shape)), ", ".join(f"{v:g}" for v in voxel or (1, 1, 1))
            )
            if shape is not None
            else ""
        )

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
        self.wizard.refresh()

    def job_running_changed(self, running: bool) -> None:
        self._running = running
        self.wizard.set_running(running)
        if not running:
            self.refill_untouched()
        self._show_resume()
