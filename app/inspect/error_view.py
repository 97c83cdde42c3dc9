"""Error view: split and merge errors against ground truth as napari layers, plus the scores.

The ground truth is the project's ``labels`` volume (or a given ``file.h5:dataset``), cut
to the run's box. The run is scored with its proofreading edits applied.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from napari.components import ViewerModel
from PyQt5.QtCore import QT_TRANSLATE_NOOP, Qt
from PyQt5.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.inspect.run_layer import RunLayer, run_project
from ffn_core.analysis.error_maps import ErrorReport, find_errors, merge_map, split_map
from ffn_core.analysis.evaluate import score_segmentation
from ffn_core.errors import UserError
from ffn_core.io.volume_spec import open_dataset

SCORES = (
    ("arand", QT_TRANSLATE_NOOP("ErrorViewPanel", "Adapted Rand error")),
    ("precision", QT_TRANSLATE_NOOP("ErrorViewPanel", "Rand precision")),
    ("recall", QT_TRANSLATE_NOOP("ErrorViewPanel", "Rand recall")),
    ("voi_split", QT_TRANSLATE_NOOP("ErrorViewPanel", "VOI split (bits)")),
    ("voi_merge", QT_TRANSLATE_NOOP("ErrorViewPanel", "VOI merge (bits)")),
)
SPLIT_LAYER, MERGE_LAYER = "split errors", "merge errors"


def project_ground_truth(run_dir: Path) -> str | None:
    """``file.h5:dataset`` of the project's ``labels`` volume, or None when it has none."""
    project = run_project(run_dir)
    if project is None or "labels" not in project.data.get("volumes", {}):
        return None
    return project.volume_spec("labels")


def read_box(spec: str, start_zyx: tuple[int, ...], shape_zyx: tuple[int, ...]) -> np.ndarray:
    """The part of the volume at ``spec`` inside the box ``start_zyx`` + ``shape_zyx``."""
    handle, dataset = open_dataset(spec)
    with handle:
        stop = tuple(s + n for s, n in zip(start_zyx, shape_zyx))
        if dataset.ndim != 3 or any(e < s for e, s in zip(dataset.shape, stop)):
            raise UserError(
                f"Ground truth {spec} has shape {dataset.shape}; the run's box ends at {stop}.",
                "Use the ground truth of the inferred volume.",
            )
        return dataset[tuple(slice(a, b) for a, b in zip(start_zyx, stop))]


def show_labels(viewer: ViewerModel, run: RunLayer, name: str, data: np.ndarray) -> None:
    """Show ``data`` (the run's box) as the labels layer ``name`` over the run's layer, in its
    place and scale; an existing layer of that name gets the new data."""
    if name in viewer.layers:
        viewer.layers[name].data = data
    else:
        viewer.add_labels(
            data, name=name, scale=run.scale_zyx, translate=run.layer.translate, opacity=0.7
        )


def source_label(gt_spec: str | None, found: str, missing: str) -> QLabel:
    """A wrapped line naming the ground truth's file (``found`` with ``{0}``), or ``missing``;
    the whole spec as its tooltip."""
    label = QLabel(found.format(Path(gt_spec).name) if gt_spec else missing)
    label.setToolTip(gt_spec or "")
    label.setWordWrap(True)
    return label


def voxels_box(suffix: str, tip: str) -> QSpinBox:
    """A spin box of a least voxel count (1 and up, 100 at first), wide enough for 10000."""
    spin = QSpinBox()
    spin.setRange(1, 2_000_000_000)
    spin.setValue(100)
    spin.setSuffix(suffix)
    spin.setToolTip(tip)
    _fit_width(spin, "10000")
    return spin


def _fit_width(spin: QSpinBox, sample: str) -> None:
    """Keep ``spin`` wide enough for ``sample`` and its suffix in a narrow dock
    (napari's style sheet gives spin boxes a fixed ``min-width``, so it is overridden)."""
    text_width = spin.fontMetrics().horizontalAdvance(sample + spin.suffix())
    spin.setStyleSheet(f"min-width: {text_width + 48}px;")  # plus the two step buttons


class ScoredRunPanel(QWidget):
    """A panel of the run in ``run_dir`` shown on ``viewer``, scored against the ground truth
    at ``gt_spec`` (default: the project's ``labels`` volume, if any); a subclass builds its
    widgets in ``_build``."""

    def __init__(
        self,
        viewer: ViewerModel,
        run_dir: Path,
        gt_spec: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.viewer = viewer
        self.run = RunLayer.attach(viewer, run_dir)
        self.gt_spec = gt_spec or project_ground_truth(run_dir)
        self._build()

    def _build(self) -> None:
        raise NotImplementedError


class ErrorViewPanel(ScoredRunPanel):
    """Scores and split/merge error layers of the run in ``run_dir`` shown on ``viewer``."""

    def _build(self) -> None:
        self.report: ErrorReport | None = None  # of the last Compute errors
        self.scores: dict[str, float] = {}
        self.run.data_changed.connect(self._edits_changed)
        source = source_label(
            self.gt_spec,
            self.tr("Ground truth: {0}"),
            self.tr("This project has no ground truth (import labels to score runs)."),
        )
        self.min_overlap = voxels_box(
            self.tr(" voxels"), self.tr("An overlap counts when it has at least this many voxels")
        )
        self.min_share = QSpinBox()
        self.min_share.setRange(0, 100)
        self.min_share.setValue(10)
        self.min_share.setSuffix(" %")
        self.min_share.setToolTip(
            self.tr(
                "... and at least this share of the smaller of the two "
                "objects (ignores slightly shifted boundaries)"
            )
        )
        self.compute_button = QPushButton(self.tr("Compute errors"))
        self.compute_button.setEnabled(self.gt_spec is not None)
        self.compute_button.clicked.connect(self.compute)
        _fit_width(self.min_share, "100")
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Overlap at least")))
        row.addWidget(self.min_overlap)
        row.addWidget(QLabel(self.tr("and")))
        row.addWidget(self.min_share)
        row.addStretch(1)
        self.values = {key: QLabel("—") for key, _ in SCORES}
        form = QFormLayout()
        for key, title in SCORES:
            self.values[key].setAlignment(Qt.AlignRight | Qt.AlignVCenter)
            form.addRow(self.tr(title), self.values[key])
        self.errors = QListWidget()
        self.errors.currentItemChanged.connect(self._jump)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(source)
        layout.addLayout(row)
        layout.addWidget(self.compute_button)
        layout.addLayout(form)
        layout.addWidget(self.errors, 1)
        layout.addWidget(self.status)

    def compute(self) -> bool:
        """Score the run, list its errors and show them as layers; False on a problem."""
        seg = self.run.edited
        try:
            gt = read_box(self.gt_spec, self.run.start_zyx, seg.shape)
            self.scores = score_segmentation(seg, gt)
        except (UserError, ValueError) as exc:
            self.status.setText(str(exc.message if isinstance(exc, UserError) else exc))
            return False
        self.report = find_errors(seg, gt, self.min_overlap.value(), self.min_share.value() / 100)
        for key, _ in SCORES:
            self.values[key].setText(f"{self.scores[key]:.4f}")
        show_labels(self.viewer, self.run, SPLIT_LAYER, split_map(seg, gt, self.report))
        show_labels(self.viewer, self.run, MERGE_LAYER, merge_map(seg, gt, self.report))
        self._list_errors(self.report)
        self.status.setText(
            self.tr("Split ground-truth objects: {0}; merging segments: {1}.").format(
                len(self.report.splits), len(self.report.merges)
            )
        )
        return True

    def _list_errors(self, report: ErrorReport) -> None:
        self.errors.clear()
        for gt_id, pieces in report.splits.items():
            self._add_item(
                self.tr("GT {0} split into {1}").format(gt_id, ", ".join(map(str, pieces))),
                pieces[0],
            )
        for seg_id, objects in report.merges.items():
            self._add_item(
                self.tr("segment {0} merges GT {1}").format(seg_id, ", ".join(map(str, objects))),
                seg_id,
            )

    def _add_item(self, text: str, seg_id: int) -> None:
        item = QListWidgetItem(text)
        item.setData(Qt.UserRole, seg_id)
        self.errors.addItem(item)

    def _jump(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        if item is not None:
            self.run.centre_on(int(item.data(Qt.UserRole)))

    def _edits_changed(self) -> None:
        if self.report is not None:
            self.status.setText(self.tr("The segmentation was edited: press Compute errors again."))
