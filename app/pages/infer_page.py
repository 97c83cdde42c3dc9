"""Infer page: segment the project's image (or a box of it) with a checkpoint, as a wizard
(:mod:`app.pages.wizard`): checkpoint → box and subvolumes → options and refinement → review
(what will run, how long it should take; Start, and Resume when the run has results) →
progress. Each step says what keeps it from being complete, so Start is never pressed on a
setting the worker would refuse.

Options left empty are not set, so the request file's values (or the engine's defaults,
shown as placeholders) apply. The segmentation layer is refreshed whenever the worker
reports a new ``segmentation`` artifact and when the run ends. A run cut into subvolumes
(on Dask) shows its plan as a grid of rectangles coloured by each subvolume's state
(:mod:`app.plan_grid`) and a link to the Dask dashboard.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from PyQt5.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PyQt5.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.bbox import BoxPresenter
from app.controllers.infer import (
    dashboard_url,
    infer_config,
    infer_fields,
    option_defaults,
    option_label,
)
from app.controllers.subvolume_grid import SubvolumeGrid
from app.pages.base import StagePage
from app.pages.forms import ComputeRow, path_combo, path_row, pick_checkpoint, project_checkpoints
from app.pages.host import PageHost
from app.pages.preset_choice import image_shape, trained_preset
from app.pages.resume_offer import ResumeOffer
from app.pages.wizard import MissingInput, Step, Wizard, estimate_text, problem_of
from app.plan_grid import PlanGridPresenter
from app.viewer_panel import run_layer_name  # H4: one layer per run
from ffn_core.errors import UserError
from ffn_core.estimates import infer_estimate
from ffn_core.infer.plan import DEFAULT_OVERLAP, DEFAULT_SUBVOLUME_SIZE
from ffn_core.infer.refine import ARRAY_STEPS, DEFAULT_REFINE, REFINE_STEPS, STEP_DESCRIPTIONS
from ffn_core.infer.seeds import POLICIES
from ffn_core.infer.storage import run_state
from ffn_core.io.volume_spec import parse_volume_spec
from ffn_core.model.args import ModelArgs
from ffn_core.model.checkpoint_paths import resolve_checkpoint
from ffn_core.presets import write_seed_request
from ffn_core.protocol import Artifact, Progress, Result
from ffn_core.stages.infer import InferConfig
from ffn_core.zyx import Box, format_box, format_triple, parse_box

# what the page says about each option (label, tooltip); the options themselves, and their
# defaults, come from the engine (app.controllers.infer.option_defaults): one it adds shows
# with its field name as label
OPTIONS = {
    "init_activation": (
        QT_TRANSLATE_NOOP("InferPage", "init activation"),
        QT_TRANSLATE_NOOP(
            "InferPage",
            "Probability written at the seed before the first FOV evaluation (init_activation).",
        ),
    ),
    "pad_value": (
        QT_TRANSLATE_NOOP("InferPage", "pad value"),
        QT_TRANSLATE_NOOP(
            "InferPage",
            "Probability the object mask is padded "
            "with (pad_value); must match the training seed_pad.",
        ),
    ),
    "move_threshold": (
        QT_TRANSLATE_NOOP("InferPage", "move threshold"),
        QT_TRANSLATE_NOOP(
            "InferPage",
            "The FOV moves to a face whose max "
            "probability is at least this (move_threshold); must match training's threshold.",
        ),
    ),
    "segment_threshold": (
        QT_TRANSLATE_NOOP("InferPage", "segment threshold"),
        QT_TRANSLATE_NOOP(
            "InferPage", "Voxels at or above this probability join the object (segment_threshold)."
        ),
    ),
    "min_segment_size": (
        QT_TRANSLATE_NOOP("InferPage", "min segment size"),
        QT_TRANSLATE_NOOP(
            "InferPage", "Objects with fewer voxels are discarded (min_segment_size)."
        ),
    ),
    "disco_seed_threshold": (
        QT_TRANSLATE_NOOP("InferPage", "disco seed threshold"),
        QT_TRANSLATE_NOOP(
            "InferPage",
            "Disconnected-seed rule: when more than this fraction of a FOV reaches the move "
            "threshold, voxels the object has left are not taken again (disco_seed_threshold; "
            "negative: off).",
        ),
    ),
    "min_boundary_dist_zyx": (
        QT_TRANSLATE_NOOP("InferPage", "min boundary dist"),
        QT_TRANSLATE_NOOP(
            "InferPage",
            "z,y,x: seeds closer than this to an existing object are skipped (min_boundary_dist).",
        ),
    ),
    "checkpoint_interval": (
        QT_TRANSLATE_NOOP("InferPage", "checkpoint interval"),
        QT_TRANSLATE_NOOP(
            "InferPage",
            "Seconds between inference "
            "checkpoints, so a stopped or crashed run can resume (checkpoint_interval).",
        ),
    ),
    "image_mean": (
        QT_TRANSLATE_NOOP("InferPage", "image mean"),
        QT_TRANSLATE_NOOP(
            "InferPage",
            "Mean used to normalise the image; default: the request's image_mean, "
            "else the project image's mean.",
        ),
    ),
    "image_std": (
        QT_TRANSLATE_NOOP("InferPage", "image std"),
        QT_TRANSLATE_NOOP(
            "InferPage",
            "Standard deviation used to normalise the image; default: the request's "
            "image_stddev, else the project image's.",
        ),
    ),
}
PROJECT_IMAGE = QT_TRANSLATE_NOOP("InferPage", "project image")  # default of mean and std
# (InferConfig field, label, placeholder, tooltip) of a run in subvolumes on Dask; {0} in a
# placeholder is DASK_EXAMPLES' value
DASK_FIELDS = (
    (
        "subvolume_size_zyx",
        QT_TRANSLATE_NOOP("InferPage", "Subvolume size (z,y,x)"),
        QT_TRANSLATE_NOOP("InferPage", "whole box as one; e.g. {0}"),
        QT_TRANSLATE_NOOP(
            "InferPage",
            "Cut the box into overlapping subvolumes of this size (at least the model's FOV), "
            "segment them on Dask workers and stitch them into one segmentation. Empty: the "
            "whole box is one subvolume.",
        ),
    ),
    (
        "overlap_zyx",
        QT_TRANSLATE_NOOP("InferPage", "Overlap (z,y,x)"),
        QT_TRANSLATE_NOOP("InferPage", "2 × (FOV − 1): {0} for the anisotropic model"),
        QT_TRANSLATE_NOOP(
            "InferPage",
            "Voxels neighbouring subvolumes share; objects are matched across seams there.",
        ),
    ),
    (
        "workers",
        QT_TRANSLATE_NOOP("InferPage", "Workers"),
        QT_TRANSLATE_NOOP("InferPage", "from the cores and memory"),
        QT_TRANSLATE_NOOP(
            "InferPage",
            "Worker processes of the Dask cluster started on this PC (not used with a "
            "scheduler address).",
        ),
    ),
    (
        "threads_per_worker",
        QT_TRANSLATE_NOOP("InferPage", "Threads per worker"),
        QT_TRANSLATE_NOOP("InferPage", "the worker's share of the cores"),
        QT_TRANSLATE_NOOP("InferPage", "Threads (subvolumes at a time) of each worker process."),
    ),
    (
        "scheduler",
        QT_TRANSLATE_NOOP("InferPage", "Scheduler address"),
        QT_TRANSLATE_NOOP("InferPage", "this PC (127.0.0.1 only)"),
        QT_TRANSLATE_NOOP(
            "InferPage",
            "A running Dask cluster's scheduler, e.g. tcp://127.0.0.1:8786; reach a remote one "
            "through an SSH tunnel, never an open port. Empty: a cluster on this PC that "
            "listens on 127.0.0.1 only.",
        ),
    ),
)
# the label of each refinement step; what a step does is the engine's sentence
# (STEP_DESCRIPTIONS, translated in this context); a step not named here shows its name
REFINE_LABELS = {
    "consensus": QT_TRANSLATE_NOOP("InferPage", "Consensus of two passes"),
    "fill": QT_TRANSLATE_NOOP("InferPage", "Fill empty space"),
    "agglomerate": QT_TRANSLATE_NOOP("InferPage", "Agglomerate"),
}
DASK_EXAMPLES = {
    "subvolume_size_zyx": format_triple(DEFAULT_SUBVOLUME_SIZE),
    "overlap_zyx": format_triple(DEFAULT_OVERLAP),
}


class InferPage(StagePage):
    """A wizard: checkpoint → box and subvolumes → options and refinement → review (Start,
    Resume) → progress, with the live segmentation layer."""

    title = "Infer"
    stage = "infer"

    def __init__(self, host: PageHost, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.checkpoint = path_combo(
            self.tr(
                "A checkpoint prefix (…/model.ckpt-7000000, ours or "
                "the reference TF1 one) or a training run folder "
                "(its latest)"
            )
        )
        self.checkpoint.currentTextChanged.connect(self._suggest_request)
        self.request = QLineEdit()
        self.request.setPlaceholderText(self.tr("optional inference request (.pbtxt)"))
        self.request.setToolTip(
            self.tr(
                "The reference's InferenceRequest text file: model_args, "
                "image mean/std, seed policy and options"
            )
        )
        self.model_args = QLineEdit()
        self.model_args.setPlaceholderText(
            self.tr(
                'from the request, e.g. {"depth": 9, "fov_size": [33, 33, 17], "deltas": [8, 8, 4]}'
            )
        )
        self.model_args.setToolTip(
            self.tr("Reference JSON model_args; fov_size and deltas are x, y, z")
        )
        self.bbox = QLineEdit()
        self.bbox.setPlaceholderText(self.tr("whole image; or z0:z1,y0:y1,x0:x1"))
        self.bbox.setToolTip(
            self.tr(
                "Box of the image to segment (voxels, stops exclusive); "
                "or press Draw and drag a rectangle in the viewer"
            )
        )
        self.bbox.editingFinished.connect(self._on_bbox_edited)
        self.draw_button = QPushButton(self.tr("Draw"))
        self.draw_button.clicked.connect(self._start_drawing)
        self.run_name = QLineEdit(InferConfig.run)
        self.run_name.setToolTip(self.tr("Results go to <project>/inference/<run>/"))
        self.compute = ComputeRow()
        self.refine = {step: QCheckBox(self._refine_text(step)[0]) for step in REFINE_STEPS}
        for step, box in self.refine.items():
            box.setChecked(step in DEFAULT_REFINE)  # the engine's default, as the CLI's
        self.seed_policy = QComboBox()
        self.seed_policy.addItems([self.tr("(request's, else PolicyPeaks)"), *POLICIES])
        self.seed_policy.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.seed_policy.setMinimumContentsLength(12)  # long Japanese text: no sideways scroll
        self.option_defaults = option_defaults()
        names = dict.fromkeys([*self.option_defaults, *OPTIONS])  # the engine's, then ours
        self.options = {name: self._option_field(name) for name in names}
        self.dask = {
            name: self._dask_field(placeholder, DASK_EXAMPLES.get(name, ""), tip)
            for name, _label, placeholder, tip in DASK_FIELDS
        }
        for field in self.dask.values():
            field.textChanged.connect(self._offer_refine_steps)
        self.dashboard = QLabel("")
        self.dashboard.setOpenExternalLinks(True)
        self.dashboard.setTextInteractionFlags(Qt.TextBrowserInteraction)
        self.dashboard.setToolTip(self.tr("The Dask dashboard of the running cluster"))
        self.resume = ResumeOffer(
            self.tr("Continue a stopped run from its last checkpoint"),
            lambda: self.start_inference("resume"),
        )
        self.counts = QLabel("")
        self.counts.setWordWrap(True)
        self.boxes = BoxPresenter(host.viewer, self._on_box_drawn)
        self.plan_grid = PlanGridPresenter(host.viewer)
        self._own_cluster = False  # the running job started a Dask cluster on this PC
        self._running = False
        self.wizard = self.install_wizard(
            Wizard(
                [
                    Step(self.tr("Checkpoint"), self._checkpoint_step(), self._checkpoint_problem),
                    Step(self.tr("Box"), self._box_step(), self._box_problem),
                    Step(self.tr("Options"), self._options_step(), self._options_problem),
                ],
                review=self._review_text,
                start=self.start_inference,
                missing=self._missing_input,
                monitor=Step(self.tr("Progress"), self._progress_step()),
                stage=self.stage,
            )
        )
        self.wizard.review_layout.addWidget(self.resume)
        self.run_name.textChanged.connect(self._show_resume)
        self.bbox.textChanged.connect(self._show_resume)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h3>Segment with a trained model</h3>")))
        layout.addWidget(self.wizard, 1)
        host.client.artifact.connect(self._on_client_artifact)
        host.client.progress.connect(self._on_client_progress)
        host.client.log.connect(self._on_client_log)

    def _option_default(self, name: str) -> str:
        """What option ``name`` is when left empty, as the page says it."""
        default = self.option_defaults.get(name) or PROJECT_IMAGE
        return QCoreApplication.translate("InferPage", default)

    @staticmethod
    def _option_text(name: str) -> tuple[str, str]:
        """Option ``name``'s label and tooltip, translated (an option the page does not
        know: its field name, no tooltip)."""
        label, tip = OPTIONS.get(name, (option_label(name), ""))
        return (
            QCoreApplication.translate("InferPage", label),
            QCoreApplication.translate("InferPage", tip) if tip else "",
        )

    def _option_field(self, name: str) -> QLineEdit:
        default = self._option_default(name)
        field = QLineEdit()
        if name in self.option_defaults:  # a value (the image's mean: the default column)
            field.setPlaceholderText(default)
        field.setToolTip(self._option_text(name)[1] + self.tr(" Default: {0}.").format(default))
        return field

    @staticmethod
    def _dask_field(placeholder: str, example: str, tip: str) -> QLineEdit:
        field = QLineEdit()
        field.setPlaceholderText(
            QCoreApplication.translate("InferPage", placeholder).format(example)
        )
        field.setToolTip(QCoreApplication.translate("InferPage", tip))
        return field

    @staticmethod
    def _refine_text(step: str) -> tuple[str, str]:
        """A refinement step's label and the sentence of what it does, translated."""
        sentence = STEP_DESCRIPTIONS.get(step, "")
        return (
            QCoreApplication.translate("InferPage", REFINE_LABELS.get(step, step)),
            QCoreApplication.translate("InferPage", sentence) if sentence else "",
        )

    def _offer_refine_steps(self) -> None:
        """In subvolumes (a Dask field filled) only the steps that refine each subvolume on its
        own can be chosen; the others are unticked and say why."""
        in_subvolumes = any(field.text().strip() for field in self.dask.values())
        for step, box in self.refine.items():
            whole_box = in_subvolumes and step not in ARRAY_STEPS
            if whole_box:
                box.setChecked(False)
            box.setEnabled(not whole_box)
            box.setToolTip(
                self.tr(
                    "Runs on one box for now, not in subvolumes: empty the fields of 'Large "
                    "volumes: subvolumes on Dask' to use it."
                )
                if whole_box
                else ""
            )

    # -- the steps --------------------------------------------------------------------
    def _checkpoint_step(self) -> QWidget:
        widget = QWidget()
        form = QFormLayout(widget)
        pick = partial(pick_checkpoint, self, self.checkpoint)
        form.addRow(self.tr("Checkpoint"), path_row(self.checkpoint, pick))
        form.addRow(self.tr("Request"), path_row(self.request, self._pick_request))
        form.addRow(self.tr("Model args"), self.model_args)
        form.addRow(self.tr("Compute"), self.compute)
        return widget

    def _box_step(self) -> QWidget:
        bbox_row = QHBoxLayout()
        bbox_row.addWidget(self.bbox, 1)
        bbox_row.addWidget(self.draw_button)
        widget = QWidget()
        column = QVBoxLayout(widget)
        form = QFormLayout()
        form.addRow(self.tr("Box"), bbox_row)
        form.addRow(self.tr("Run name"), self.run_name)
        column.addLayout(form)
        dask = QGroupBox(self.tr("Large volumes: subvolumes on Dask"))
        dask_form = QFormLayout(dask)
        for name, label, _placeholder, _tip in DASK_FIELDS:
            dask_form.addRow(self.tr(label), self.dask[name])
        column.addWidget(dask)
        column.addStretch(1)
        return widget

    def _options_step(self) -> QWidget:
        widget = QWidget()
        column = QVBoxLayout(widget)
        options = QGroupBox(self.tr("Options (empty: request's value or the default shown)"))
        grid = QGridLayout(options)
        grid.addWidget(QLabel(self.tr("seed policy")), 0, 0)
        grid.addWidget(self.seed_policy, 0, 1, 1, 2)
        for row, (name, field) in enumerate(self.options.items(), start=1):
            default = QLabel(self.tr("default {0}").format(self._option_default(name)))
            default.setStyleSheet("color:#909090")
            grid.addWidget(QLabel(self._option_text(name)[0]), row, 0)
            grid.addWidget(field, row, 1)
            grid.addWidget(default, row, 2)
        grid.setColumnStretch(1, 1)
        refine = QGroupBox(self.tr("Refine the first pass"))
        refine_column = QVBoxLayout(refine)
        for step, box in self.refine.items():
            sentence = QLabel(self._refine_text(step)[1])
            sentence.setWordWrap(True)
            sentence.setStyleSheet("color:#909090; margin-left: 22px")
            refine_column.addWidget(box)
            refine_column.addWidget(sentence)
        if self.refine:
            first = QLabel(self.tr("The untouched first pass is kept as 'first_pass'."))
            first.setWordWrap(True)
            refine_column.addWidget(first)
        column.addWidget(options)
        column.addWidget(refine)
        column.addStretch(1)
        return widget

    def _progress_step(self) -> QWidget:
        widget = QWidget()
        column = QVBoxLayout(widget)
        column.addWidget(self.counts)
        column.addWidget(self.dashboard)
        column.addStretch(1)
        return widget

    # -- what keeps a step from being complete ----------------------------------------
    def _missing_input(self) -> MissingInput | None:
        if image_shape(self.project) is None:
            return MissingInput(
                self.tr("The project has no image yet: import one first."), "import"
            )
        return None

    def _checkpoint_problem(self) -> str | None:
        checkpoint = self.checkpoint.currentText().strip()
        if not checkpoint:
            return self.tr("Choose a checkpoint: a training run or a checkpoint file.")
        problem = problem_of(lambda: resolve_checkpoint(checkpoint))
        if problem is None and self.request.text().strip():
            if not Path(self.request.text().strip()).is_file():
                problem = self.tr("The request file {0} does not exist.").format(
                    self.request.text().strip()
                )
        if problem is None and self.model_args.text().strip():
            problem = problem_of(lambda: ModelArgs.from_reference(self.model_args.text()))
        return problem

    def _box_problem(self) -> str | None:
        text = self.bbox.text().strip()
        shape = image_shape(self.project)
        if text:
            problem = problem_of(lambda: parse_box(text, self.tr("Box"), shape))
            if problem:
                return problem
        return problem_of(lambda: InferConfig(checkpoint="-", run=self.run_name.text().strip()))

    def _options_problem(self) -> str | None:
        return problem_of(self._config)

    def _config(self) -> InferConfig:
        return infer_config(self.field_values())

    def _review_text(self) -> str:
        config = self._config()
        shape = image_shape(self.project) or ()
        box = config.bbox or tuple((0, size) for size in shape)
        size = " × ".join(str(stop - start) for start, stop in box)
        lines = [
            self.tr("Segment {0} ({1} voxels, z × y × x) into inference/{2}/.").format(
                format_box(box) if config.bbox else self.tr("the whole image"), size, config.run
            ),
            self.tr("Checkpoint: {0}").format(config.checkpoint),
        ]
        if config.on_dask:
            lines.append(
                self.tr("In subvolumes of {0} (z,y,x) on Dask.").format(
                    format_triple(config.subvolume_size_zyx or DEFAULT_SUBVOLUME_SIZE)
                )
            )
        if config.refine:
            lines.append(
                self.tr("Then refine: {0}.").format(
                    ", ".join(self._refine_text(step)[0] for step in config.refine)
                )
            )
        lines.append(estimate_text(infer_estimate(self.project, config)))
        return "<br>".join(lines)

    def _run_state(self) -> str:
        """The state of the run named (:func:`ffn_core.infer.storage.run_state`: absent,
        checkpoint, complete, partial); a run in subvolumes that has files counts as
        resumable (the engine resumes it by subvolume)."""
        name = self.run_name.text().strip()
        run_dir = self.project.path("inference", name) if self.project and name else None
        if run_dir is None or not run_dir.is_dir() or not any(run_dir.iterdir()):
            return "absent"
        try:
            config = self._config()
        except UserError:
            return "partial"
        if config.on_dask:
            return "checkpoint"
        corner = tuple(start for start, _ in config.bbox) if config.bbox else (0, 0, 0)
        return run_state(run_dir, corner)

    def _show_resume(self) -> None:
        """Say what Start does with the run's results, and offer Resume for a stopped run."""
        state = self._run_state()
        name = self.run_name.text().strip()
        notes = {
            "checkpoint": self.tr(
                "Run '{0}' was stopped before it finished: press Resume to continue it where "
                "it stopped."
            ),
            "complete": self.tr(
                "Run '{0}' is complete: Start asks whether to replace it or to keep it and "
                "write a new run."
            ),
            "partial": self.tr(
                "Run '{0}' holds unfinished results without a checkpoint: Start asks whether "
                "to replace them or to write a new run."
            ),
        }
        text = notes[state].format(name) if state in notes else ""
        self.resume.offer(text, state == "checkpoint", self._running)

    # -- pickers ----------------------------------------------------------------------
    def _pick_request(self) -> None:
        file, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Inference request"),
            str(self.project.root) if self.project else "",
            self.tr("Requests (*.pbtxt *.txt);;All files (*)"),
        )
        if file:
            self.request.setText(file)

    def _suggest_request(self, checkpoint: str) -> None:
        """A reference checkpoint's folder usually holds its inference.pbtxt: offer it."""
        candidate = Path(checkpoint).parent / "inference.pbtxt"
        if checkpoint and not self.request.text() and candidate.is_file():
            self.request.setText(str(candidate))

    # -- the box --------------------------------------------------------------------
    def _sync_volume(self) -> bool:
        shape = image_shape(self.project)
        if shape is None:
            return False
        scale = self.host.presenter.scale_zyx
        self.boxes.set_volume(shape, scale)
        return True

    def _on_bbox_edited(self) -> None:
        if not self._sync_volume():
            return
        text = self.bbox.text().strip()
        try:
            box = parse_box(text, "Box", self.boxes.shape_zyx) if text else None
        except UserError:  # the wizard says why beside Next
            return
        self.boxes.show(box)

    def _start_drawing(self) -> None:
        if self._sync_volume():
            self._on_bbox_edited()
            self.boxes.start_drawing()

    def _on_box_drawn(self, box: Box) -> None:
        self.bbox.setText(format_box(box))

    # -- jobs -------------------------------------------------------------------------
    def field_values(self) -> dict[str, Any]:
        """The form as plain values (see :func:`app.controllers.infer.infer_config`)."""
        values = {name: field.text() for name, field in {**self.options, **self.dask}.items()}
        values.update(
            checkpoint=self.checkpoint.currentText(),
            request=self.request.text(),
            model_args=self.model_args.text(),
            bbox=self.bbox.text(),
            run=self.run_name.text(),
            seed_policy=self.seed_policy.currentText()
            if self.seed_policy.currentIndex() > 0
            else "",
            **self.compute.values(),
            refine=tuple(step for step, box in self.refine.items() if box.isChecked()),
        )
        return values

    def stored_fields(self, config: InferConfig | None) -> dict[str, Any]:
        """The stored run's fields; without one, the project's latest training run as the
        checkpoint, with the options (and seed request) of the stage preset it trained."""
        if config is not None:
            return infer_fields(config)
        checkpoints = project_checkpoints(self.project)
        if not checkpoints:
            return infer_fields(None)
        run = checkpoints[0]  # the latest training run (its latest checkpoint)
        preset = trained_preset(Path(run))
        if preset is None:
            return {**infer_fields(None), "checkpoint": run}
        fields = infer_fields(preset.infer_config(run))
        try:
            request = write_seed_request(preset, self.project.path("inference"))
        except OSError:  # a read-only project: the engine's seed policy
            request = None
        return {**fields, "request": request or ""}

    def set_field_values(self, values: dict[str, Any]) -> None:
        for name, field in {**self.options, **self.dask}.items():
            field.setText(values.get(name, ""))
        self.checkpoint.setCurrentText(values["checkpoint"])
        self.request.setText(values["request"])
        self.model_args.setText(values["model_args"])
        self.bbox.setText(values["bbox"])
        self.run_name.setText(values["run"])
        self.seed_policy.setCurrentIndex(max(self.seed_policy.findText(values["seed_policy"]), 0))
        self.compute.set_values(values)
        for step, box in self.refine.items():
            box.setChecked(step in values["refine"])
        if values["bbox"]:
            self._on_bbox_edited()

    def project_opened(self) -> None:
        self.plan_grid.clear()
        self.dashboard.setText("")
        self.counts.setText("")
        super().project_opened()
        self._show_resume()

    def start_inference(self, on_exists: str | None = None) -> bool:
        """Start (or with ``resume`` continue) the run; asks first when results exist."""
        config = self.config_or_error(self._config)
        if config is None:
            return False
        on_exists = on_exists or self._ask_on_exists(config.run)
        if on_exists is None:
            return False
        self.counts.setText("")
        self.dashboard.setText("")
        self.plan_grid.clear()
        self._own_cluster = config.on_dask and not config.scheduler
        if not self.host.run_job(config.replace(on_exists=on_exists), self._on_result):
            return False
        if on_exists == "resume":  # Start shows the progress step itself
            self.wizard.go_to(self.wizard.monitor_index)
        return True

    def _ask_on_exists(self, run: str) -> str | None:
        run_dir = self.project.path("inference", run)
        if not run_dir.is_dir() or not any(run_dir.iterdir()):
            return "ask"
        box = QMessageBox(
            QMessageBox.Question,
            "FFN Workbench",
            self.tr("Inference run '{0}' already has results.").format(run_dir.name),
            parent=self,
        )
        buttons = {
            box.addButton(text, role): choice
            for text, role, choice in (
                (self.tr("Resume"), QMessageBox.AcceptRole, "resume"),
                (self.tr("Replace"), QMessageBox.DestructiveRole, "replace"),
                (self.tr("New run"), QMessageBox.AcceptRole, "new"),
            )
        }
        box.addButton(QMessageBox.Cancel)
        box.exec_()
        return buttons.get(box.clickedButton())

    def _on_client_artifact(self, record: Artifact) -> None:
        if record.name == "segmentation" and record.path:
            self._show_segmentation(record.path)
        elif record.name == "plan" and record.path:
            self._show_plan(record.path)

    def _on_result(self, record: Result) -> None:
        if record.status == "completed":
            run = record.extra.get("run", "")
            self.wizard.finish(self.tr("Segmented into inference/{0}/.").format(run))

    def _show_segmentation(self, spec: str) -> None:
        try:
            run = parse_volume_spec(spec)[0].parent.name
            self.host.presenter.show_segmentation(run_layer_name(run), spec)  # H4: one layer
        except (OSError, KeyError, UserError) as exc:  # the worker may be replacing it
            self.host.log(f"Could not refresh the segmentation: {exc}")

    def _show_plan(self, path: str) -> None:
        try:
            grid = SubvolumeGrid.read(path)
        except (OSError, ValueError, KeyError) as exc:
            self.host.log(f"Could not read the plan of the subvolumes: {exc}")
            return
        scale = self.host.presenter.scale_zyx
        self.plan_grid.show(grid, scale)

    def _show_dashboard(self, url: str) -> None:
        self.dashboard.setText(
            self.tr("Dask dashboard: {0}").format(
                f"<a style='color:#7fb8ff' href='{url}'>{url}</a>"
            )
        )

    def _on_client_log(self, _level: str, message: str) -> None:
        url = dashboard_url(message)
        if url:
            self._show_dashboard(url)

    def _on_client_progress(self, record: Progress) -> None:
        metrics = record.metrics
        if record.stage != "infer":
            return
        if "states" in metrics:
            self.plan_grid.update(str(metrics["states"]))
            self._show_subvolume_counts(record)
        elif "objects" in metrics:
            self.counts.setText(
                self.tr("objects: {0}  ·  voxels segmented: {1}  ·  FOV/s: {2}").format(
                    f"{metrics['objects']:,}",
                    f"{metrics.get('voxels', 0):,}",
                    f"{metrics.get('fov_per_s', 0):.1f}",
                )
            )

    def _show_subvolume_counts(self, record: Progress) -> None:
        states = str(record.metrics["states"])
        self.counts.setText(
            self.tr(
                "subvolumes done: {0} / {1}  ·  running: {2}  ·  failed: {3}  ·  FOV/s: {4}"
            ).format(
                states.count("d"),
                len(states),
                states.count("r"),
                states.count("f"),
                f"{record.metrics.get('fov_per_s', 0):.1f}",
            )
        )

    def project_changed(self) -> None:
        current = self.checkpoint.currentText()
        self.checkpoint.clear()
        self.checkpoint.addItems(project_checkpoints(self.project))
        self.checkpoint.setCurrentText(current)
        self._show_resume()
        self.wizard.refresh()

    def job_running_changed(self, running: bool) -> None:
        self._running = running
        self.wizard.set_running(running)
        if not running:
            self.plan_grid.settle()  # a stopped run's running subvolumes wait again
            if self._own_cluster:  # the cluster this run started is gone, and its dashboard
                self.dashboard.setText("")
            self.project_changed()  # a training run may have written checkpoints
            self.refill_untouched()
        self._show_resume()
