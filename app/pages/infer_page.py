"""Infer page: segment the project's image (or a box of it) with a checkpoint.

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
from app.plan_grid import PlanGridPresenter
from ffn_core.errors import UserError
from ffn_core.infer.plan import DEFAULT_OVERLAP, DEFAULT_SUBVOLUME_SIZE
from ffn_core.infer.seeds import POLICIES
from ffn_core.io.volume_spec import parse_volume_spec
from ffn_core.protocol import Artifact, Progress
from ffn_core.stages.infer import InferConfig
from ffn_core.zyx import Box, format_box, format_triple, parse_box

# (InferConfig field, tooltip) — the reference's inference_options
OPTIONS = (
    (
        "init_activation",
        QT_TRANSLATE_NOOP(
            "InferPage",
            "Probability written at the seed before the first FOV evaluation (init_activation).",
        ),
    ),
    (
        "pad_value",
        QT_TRANSLATE_NOOP(
            "InferPage",
            "Probability the object mask is padded "
            "with (pad_value); must match the training seed_pad.",
        ),
    ),
    (
        "move_threshold",
        QT_TRANSLATE_NOOP(
            "InferPage",
            "The FOV moves to a face whose max "
            "probability is at least this (move_threshold); must match training's threshold.",
        ),
    ),
    (
        "segment_threshold",
        QT_TRANSLATE_NOOP(
            "InferPage", "Voxels at or above this probability join the object (segment_threshold)."
        ),
    ),
    (
        "min_segment_size",
        QT_TRANSLATE_NOOP(
            "InferPage", "Objects with fewer voxels are discarded (min_segment_size)."
        ),
    ),
    (
        "min_boundary_dist_zyx",
        QT_TRANSLATE_NOOP(
            "InferPage",
            "z,y,x: seeds closer than this to an existing object are skipped (min_boundary_dist).",
        ),
    ),
    (
        "checkpoint_interval",
        QT_TRANSLATE_NOOP(
            "InferPage",
            "Seconds between inference "
            "checkpoints, so a stopped or crashed run can resume (checkpoint_interval).",
        ),
    ),
    (
        "image_mean",
        QT_TRANSLATE_NOOP(
            "InferPage",
            "Mean used to normalise the image; default: the request's image_mean, "
            "else the project image's mean.",
        ),
    ),
    (
        "image_std",
        QT_TRANSLATE_NOOP(
            "InferPage",
            "Standard deviation used to normalise the image; default: the request's "
            "image_stddev, else the project image's.",
        ),
    ),
)
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
DASK_EXAMPLES = {
    "subvolume_size_zyx": format_triple(DEFAULT_SUBVOLUME_SIZE),
    "overlap_zyx": format_triple(DEFAULT_OVERLAP),
}


class InferPage(StagePage):
    """Checkpoint, request, box, options; Start, Resume; live segmentation layer."""

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
        self.fill = QCheckBox(self.tr("Fill empty space after the first pass"))
        self.fill.setToolTip(
            self.tr(
                "Grow each object into the empty voxels next to it, up to the membranes (a "
                "watershed on the image; seconds). The untouched first pass is kept as "
                "'first_pass'. Single-box runs only; measured effect: README, Infer."
            )
        )
        self.seed_policy = QComboBox()
        self.seed_policy.addItems([self.tr("(request's, else PolicyPeaks)"), *POLICIES])
        self.seed_policy.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.seed_policy.setMinimumContentsLength(12)  # long Japanese text: no sideways scroll
        defaults = option_defaults()
        self.options = {
            name: self._option_field(defaults.get(name, PROJECT_IMAGE), tip)
            for name, tip in OPTIONS
        }
        self.dask = {
            name: self._dask_field(placeholder, DASK_EXAMPLES.get(name, ""), tip)
            for name, _label, placeholder, tip in DASK_FIELDS
        }
        self.dashboard = QLabel("")
        self.dashboard.setOpenExternalLinks(True)
        self.dashboard.setTextInteractionFlags(Qt.TextBrowserInteraction)
        self.dashboard.setToolTip(self.tr("The Dask dashboard of the running cluster"))
        self.start_button = QPushButton(self.tr("Start"))
        self.start_button.clicked.connect(lambda: self.start_inference())
        self.resume_button = QPushButton(self.tr("Resume"))
        self.resume_button.setToolTip(self.tr("Continue a stopped run from its last checkpoint"))
        self.resume_button.clicked.connect(lambda: self.start_inference("resume"))
        self.counts = QLabel("")
        self.boxes = BoxPresenter(host.viewer, self._on_box_drawn)
        self.plan_grid = PlanGridPresenter(host.viewer)
        self._own_cluster = False  # the running job started a Dask cluster on this PC
        self._build_layout()
        host.client.artifact.connect(self._on_client_artifact)
        host.client.progress.connect(self._on_client_progress)
        host.client.log.connect(self._on_client_log)

    @staticmethod
    def _option_field(default: str, tip: str) -> QLineEdit:
        field = QLineEdit()
        default = QCoreApplication.translate("InferPage", default)
        field.setPlaceholderText(default)
        suffix = QCoreApplication.translate("InferPage", " Default: {0}.").format(default)
        field.setToolTip(QCoreApplication.translate("InferPage", tip) + suffix)
        return field

    @staticmethod
    def _dask_field(placeholder: str, example: str, tip: str) -> QLineEdit:
        field = QLineEdit()
        field.setPlaceholderText(
            QCoreApplication.translate("InferPage", placeholder).format(example)
        )
        field.setToolTip(QCoreApplication.translate("InferPage", tip))
        return field

    def _build_layout(self) -> None:
        bbox_row = QHBoxLayout()
        bbox_row.addWidget(self.bbox, 1)
        bbox_row.addWidget(self.draw_button)
        form = QFormLayout()
        pick = partial(pick_checkpoint, self, self.checkpoint)
        form.addRow(self.tr("Checkpoint"), path_row(self.checkpoint, pick))
        form.addRow(self.tr("Request"), path_row(self.request, self._pick_request))
        form.addRow(self.tr("Model args"), self.model_args)
        form.addRow(self.tr("Box"), bbox_row)
        form.addRow(self.tr("Run name"), self.run_name)
        form.addRow(self.tr("Compute"), self.compute)
        form.addRow(self.tr("Refine"), self.fill)
        options = QGroupBox(self.tr("Options (empty: request's value or the default shown)"))
        option_form = QFormLayout(options)
        option_form.addRow(self.tr("seed policy"), self.seed_policy)
        for name, field in self.options.items():
            option_form.addRow(option_label(name), field)
        dask = QGroupBox(self.tr("Large volumes: subvolumes on Dask"))
        dask_form = QFormLayout(dask)
        for name, label, _placeholder, _tip in DASK_FIELDS:
            dask_form.addRow(self.tr(label), self.dask[name])
        dask_form.addRow(self.dashboard)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.resume_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h3>Segment with a trained model</h3>")))
        layout.addLayout(form)
        layout.addWidget(options)
        layout.addWidget(dask)
        layout.addLayout(buttons)
        layout.addWidget(self.counts)
        layout.addStretch(1)

    # -- pickers ----------------------------------------------------------------------
    def _pick_request(self) -> None:
        file, _ = QFileDialog.getOpenFileName(
            self, "Inference request", "", "Requests (*.pbtxt *.txt);;All files (*)"
        )
        if file:
            self.request.setText(file)

    def _suggest_request(self, checkpoint: str) -> None:
        """A reference checkpoint's folder usually holds its inference.pbtxt: offer it."""
        candidate = Path(checkpoint).parent / "inference.pbtxt"
        if checkpoint and not self.request.text() and candidate.is_file():
            self.request.setText(str(candidate))

    # -- the box --------------------------------------------------------------------
    def _image_shape(self) -> tuple[int, ...] | None:
        volume = (self.project.data.get("volumes", {}) if self.project else {}).get("image")
        return tuple(volume["shape"]) if volume and volume.get("shape") else None

    def _sync_volume(self) -> bool:
        shape = self._image_shape()
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
        except UserError as exc:
            self.counts.setText(f"<span style='color:#e05050'>{exc.message}</span>")
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
            fill=self.fill.isChecked(),
        )
        return values

    def stored_fields(self, config: InferConfig | None) -> dict[str, Any]:
        return infer_fields(config)

    def set_field_values(self, values: dict[str, Any]) -> None:
        for name, field in {**self.options, **self.dask}.items():
            field.setText(values[name])
        self.checkpoint.setCurrentText(values["checkpoint"])
        self.request.setText(values["request"])
        self.model_args.setText(values["model_args"])
        self.bbox.setText(values["bbox"])
        self.run_name.setText(values["run"])
        self.seed_policy.setCurrentIndex(max(self.seed_policy.findText(values["seed_policy"]), 0))
        self.compute.set_values(values)
        self.fill.setChecked(values["fill"])
        if values["bbox"]:
            self._on_bbox_edited()

    def project_opened(self) -> None:
        self.plan_grid.clear()
        self.dashboard.setText("")
        self.counts.setText("")
        super().project_opened()

    def start_inference(self, on_exists: str | None = None) -> bool:
        """Start (or with ``resume`` continue) the run; asks first when results exist."""
        config = self.config_or_error(lambda: infer_config(self.field_values()))
        if config is None:
            return False
        on_exists = on_exists or self._ask_on_exists(config.run)
        if on_exists is None:
            return False
        self.counts.setText("")
        self.dashboard.setText("")
        self.plan_grid.clear()
        self._own_cluster = config.on_dask and not config.scheduler
        return self.host.run_job(config.replace(on_exists=on_exists))

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

    def _show_segmentation(self, spec: str) -> None:
        try:
            run = parse_volume_spec(spec)[0].parent.name
            self.host.presenter.show_segmentation(f"segmentation {run}", spec)
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

    def job_running_changed(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.resume_button.setEnabled(not running)
        if not running:
            self.plan_grid.settle()  # a stopped run's running subvolumes wait again
            if self._own_cluster:  # the cluster this run started is gone, and its dashboard
                self.dashboard.setText("")
            self.project_changed()  # a training run may have written checkpoints
