"""Refinement view: what refining a run changed, against its untouched first pass.

For a refined run (``segmentation.h5`` keeps a ``first_pass``,
:mod:`ffn_core.infer.refine`) it names the steps and says in one line each what that step
changed, as the step counted it when it ran
(:func:`~ffn_core.analysis.refine_changes.refine_step_stats`; no lines for a run refined before
those counts were kept). Compare counts the voxels filled and emptied, the objects split,
merged and new of the whole refinement (:mod:`ffn_core.analysis.refine_changes`), with the
unsegmented fraction of both volumes and, when the project has ground truth, their scores
side by side. A Show box beside a count shows the filled voxels, the split objects' pieces or
the merged objects' first-pass parts as a labels layer over the run. The refined volume is the
run as written, without its proofreading edits. An unrefined run gets one line saying so.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PyQt5.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PyQt5.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.inspect.error_view import (
    SCORES,
    ScoredRunPanel,
    read_box,
    show_labels,
    source_label,
    voxels_box,
)
from app.tall_scroll_area import TallScrollArea
from ffn_core.analysis import refine_changes
from ffn_core.analysis.refine_changes import RefineChanges
from ffn_core.errors import UserError

FILLED_LAYER, SPLIT_LAYER, MERGED_LAYER = "filled by refine", "split by refine", "merged by refine"
REFINE_LAYERS = (FILLED_LAYER, SPLIT_LAYER, MERGED_LAYER)
STEP_NAMES = {
    "consensus": QT_TRANSLATE_NOOP("RefineViewPanel", "consensus of two passes"),
    "fill": QT_TRANSLATE_NOOP("RefineViewPanel", "fill empty space"),
    "agglomerate": QT_TRANSLATE_NOOP("RefineViewPanel", "agglomerate"),
}
# step -> (its line of what it changed, the statistics the line shows); fill: _step_line
STEP_COUNTS = {
    "consensus": (
        QT_TRANSLATE_NOOP(
            "RefineViewPanel",
            "Consensus of two passes: objects split {0} ({1} new), voxels emptied {2}.",
        ),
        ("objects_split", "objects_added", "voxels_emptied"),
    ),
    "agglomerate": (
        QT_TRANSLATE_NOOP("RefineViewPanel", "Agglomerate: pairs merged {0}, objects {1} → {2}."),
        ("pairs_merged", "objects_before", "objects_after"),
    ),
}
# (RefineChanges attribute, title, what it counts)
COUNTS = (
    (
        "voxels_filled",
        QT_TRANSLATE_NOOP("RefineViewPanel", "Voxels filled"),
        QT_TRANSLATE_NOOP("RefineViewPanel", "Empty in the first pass, labelled now (fill)"),
    ),
    (
        "voxels_emptied",
        QT_TRANSLATE_NOOP("RefineViewPanel", "Voxels emptied"),
        QT_TRANSLATE_NOOP(
            "RefineViewPanel",
            "Labelled in the first pass, empty now (consensus drops small pieces)",
        ),
    ),
    (
        "objects_split",
        QT_TRANSLATE_NOOP("RefineViewPanel", "Objects split"),
        QT_TRANSLATE_NOOP(
            "RefineViewPanel", "First-pass objects whose voxels now belong to two or more objects"
        ),
    ),
    (
        "objects_merged",
        QT_TRANSLATE_NOOP("RefineViewPanel", "Objects merged"),
        QT_TRANSLATE_NOOP(
            "RefineViewPanel", "Objects now covering voxels of two or more first-pass objects"
        ),
    ),
    (
        "new_objects",
        QT_TRANSLATE_NOOP("RefineViewPanel", "New objects"),
        QT_TRANSLATE_NOOP("RefineViewPanel", "Objects without a single first-pass voxel (fill)"),
    ),
)
# count shown -> (its layer, what the layer shows, its label map from a comparison)
LAYERS = {
    "voxels_filled": (
        FILLED_LAYER,
        QT_TRANSLATE_NOOP("RefineViewPanel", "The voxels the refinement filled"),
        lambda first, refined, _changes: refine_changes.filled_map(first, refined),
    ),
    "objects_split": (
        SPLIT_LAYER,
        QT_TRANSLATE_NOOP("RefineViewPanel", "The pieces of each first-pass object that was split"),
        refine_changes.split_map,
    ),
    "objects_merged": (
        MERGED_LAYER,
        QT_TRANSLATE_NOOP("RefineViewPanel", "The first-pass objects inside each merged object"),
        refine_changes.merged_map,
    ),
}


def _translate(text: str) -> str:
    return QCoreApplication.translate("RefineViewPanel", text)


class RefineViewPanel(ScoredRunPanel):
    """What refining changed in the run in ``run_dir`` shown on ``viewer``."""

    changes: RefineChanges | None = None  # of the last Compare
    first_pass: np.ndarray | None = None  # read by Compare

    def _build(self) -> None:
        self.steps = refine_changes.refine_steps(self.run.run_dir)
        layout = QVBoxLayout(self)
        if self.steps is None:
            self.summary = QLabel(self.tr("This run was not refined: it is the first pass."))
            self.summary.setWordWrap(True)
            layout.addWidget(self.summary)
            layout.addStretch(1)
            return
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(TallScrollArea(self._details()))  # a short dock scrolls it

    def _details(self) -> QWidget:
        names = self.tr(", ").join(_translate(STEP_NAMES.get(step, step)) for step in self.steps)
        self.summary = QLabel(self.tr("Refined by: {0}.").format(names))
        self.summary.setWordWrap(True)
        self.step_lines = QLabel("\n".join(self._step_lines()))
        self.step_lines.setWordWrap(True)
        self.step_lines.setVisible(bool(self.step_lines.text()))
        source = source_label(
            self.gt_spec,
            self.tr("Scores against: {0}"),
            self.tr("No ground truth in this project: counts only, no scores."),
        )
        self.min_voxels = voxels_box(
            self.tr(" voxels"),
            self.tr(
                "A piece of a split or merged object counts when it has at least this many "
                "voxels (ignores slivers that changed hands at a boundary)"
            ),
        )
        pieces = QHBoxLayout()
        pieces.addWidget(QLabel(self.tr("Pieces of at least")))
        pieces.addWidget(self.min_voxels)
        pieces.addStretch(1)
        self.compare_button = QPushButton(self.tr("Compare with the first pass"))
        self.compare_button.clicked.connect(self.compare)
        self.status = QLabel()
        self.status.setWordWrap(True)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.addWidget(self.summary)
        layout.addWidget(self.step_lines)
        layout.addWidget(source)
        layout.addLayout(pieces)
        layout.addWidget(self.compare_button)
        layout.addLayout(self._table())
        layout.addWidget(self.status)
        layout.addStretch(1)
        return inner

    def _step_lines(self) -> list[str]:
        """One line per refinement step, in the order they ran, of what it changed; a note
        when the counts are sums over subvolumes."""
        stats = refine_changes.refine_step_stats(self.run.run_dir)
        voxels, subvolumes = refine_changes.step_stats_scope(self.run.run_dir)
        lines = [self._step_line(step, counts, voxels) for step, counts in stats.items()]
        if stats and subvolumes > 1:
            lines.append(
                self.tr(
                    "Counted in each of the {0} subvolumes and summed (voxels where they "
                    "overlap count once in each)."
                ).format(subvolumes)
            )
        return [line for line in lines if line]

    def _step_line(self, step: str, stats: dict[str, Any], voxels: int) -> str:
        """What ``step`` changed by its ``stats``, fractions of ``voxels``; "" for a step
        this view does not know."""
        if step in STEP_COUNTS:
            text, keys = STEP_COUNTS[step]
            return _translate(text).format(*(f"{stats[key]:,}" for key in keys))
        if step != "fill":
            return ""
        filled = stats["voxels_filled"] + stats["voxels_added"]
        shares = (
            f"{value / max(voxels, 1):.1%}"
            for value in (filled, stats["empty_before"], stats["empty_after"])
        )
        if stats["objects_added"]:
            text = self.tr(
                "Fill: voxels filled {0} ({1} of the box; new objects {4}), unsegmented {2} → {3}."
            )
        else:
            text = self.tr("Fill: voxels filled {0} ({1} of the box), unsegmented {2} → {3}.")
        return text.format(f"{filled:,}", *shares, f"{stats['objects_added']:,}")

    def _table(self) -> QGridLayout:
        """The counts (with their layers' Show boxes), then the scores of both volumes."""
        table = QGridLayout()
        self.counts, self.layer_boxes = {}, {}
        for row, (key, title, tip) in enumerate(COUNTS):
            self.counts[key] = self._value()
            table.addWidget(self._title(_translate(title), _translate(tip)), row, 0)
            table.addWidget(self.counts[key], row, 1, 1, 2)
            if key in LAYERS:
                name, layer_tip, _ = LAYERS[key]
                box = QCheckBox(self.tr("Show"))
                box.setToolTip(self.tr("{0}: layer '{1}'").format(_translate(layer_tip), name))
                box.setEnabled(False)
                box.toggled.connect(lambda checked, name=name: self._toggle_layer(name, checked))
                table.addWidget(box, row, 3)
                self.layer_boxes[name] = box
        top = len(COUNTS)
        table.addWidget(self._value(self.tr("First pass")), top, 1)
        table.addWidget(self._value(self.tr("Refined")), top, 2)
        rows = [("unsegmented", self.tr("Unsegmented"))]
        if self.gt_spec:
            rows += [(key, QCoreApplication.translate("ErrorViewPanel", t)) for key, t in SCORES]
        self.scores = {}
        for row, (key, title) in enumerate(rows, start=top + 1):
            table.addWidget(QLabel(title), row, 0)
            self.scores[key] = (self._value(), self._value())
            for column, label in enumerate(self.scores[key], start=1):
                table.addWidget(label, row, column)
        table.setColumnStretch(0, 1)
        return table

    @staticmethod
    def _title(text: str, tip: str) -> QLabel:
        label = QLabel(text)
        label.setToolTip(tip)
        return label

    @staticmethod
    def _value(text: str = "—") -> QLabel:
        label = QLabel(text)
        label.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        return label

    def compare(self) -> bool:
        """Compare the run with its first pass (and score both); False on a problem."""
        refined = self.run.original
        try:
            first = refine_changes.read_first_pass(self.run.run_dir)
            gt = read_box(self.gt_spec, self.run.start_zyx, refined.shape) if self.gt_spec else None
            changes = refine_changes.compare_passes(first, refined, gt, self.min_voxels.value())
        except (UserError, ValueError, OSError, KeyError) as exc:
            self.status.setText(str(exc.message if isinstance(exc, UserError) else exc))
            return False
        self.changes, self.first_pass = changes, first
        self._show_counts(changes)
        for name, box in self.layer_boxes.items():
            box.setEnabled(True)
            if box.isChecked():
                self._toggle_layer(name, True)
        self.status.setText("")
        return True

    def _show_counts(self, changes: RefineChanges) -> None:
        for key, _, _ in COUNTS:
            value = getattr(changes, key)
            count = len(value) if isinstance(value, list) else value
            text = f"{count:,}"
            if key.startswith("voxels"):
                text += f" ({count / changes.voxels:.1%})"
            self.counts[key].setText(text)
        for key, (before, after) in self.scores.items():
            pattern = "{:.1%}" if key == "unsegmented" else "{:.4f}"
            before.setText(pattern.format(changes.first_pass[key]))
            after.setText(pattern.format(changes.refined[key]))

    def _toggle_layer(self, name: str, checked: bool) -> None:
        if not checked:
            if name in self.viewer.layers:
                self.viewer.layers.remove(name)
            return
        if self.changes is None:
            return
        make = next(make for layer, _, make in LAYERS.values() if layer == name)
        data = make(self.first_pass, self.run.original, self.changes)
        show_labels(self.viewer, self.run, name, data)
