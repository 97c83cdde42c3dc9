"""Simple proofreading: merge, delete, relabel segments and undo.

Edits go to the run's edit list (``edits.json`` beside ``segmentation.h5``, which stays
untouched) and are shown on the run's labels layer at once; exports apply the same list.
"""

from __future__ import annotations

import re
from pathlib import Path

from napari.components import ViewerModel
from PyQt5.QtCore import QCoreApplication
from PyQt5.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.inspect.run_layer import RunLayer
from ffn_core.analysis.proofread import Edit


def parse_ids(text: str) -> list[int]:
    """Segment ids from ``"12, 15 17"`` (order kept, duplicates and 0 dropped)."""
    ids: list[int] = []
    for token in re.findall(r"\d+", text):
        value = int(token)
        if value and value not in ids:
            ids.append(value)
    return ids


def describe(edit: Edit) -> str:
    """One line for the edit history."""
    ids = ", ".join(map(str, edit.ids))
    if edit.kind == "merge":
        target = edit.ids[0] if edit.target is None else edit.target
        return QCoreApplication.translate("ProofreadPanel", "merge {0} → {1}").format(ids, target)
    if edit.kind == "delete":
        return QCoreApplication.translate("ProofreadPanel", "delete {0}").format(ids)
    return QCoreApplication.translate("ProofreadPanel", "relabel {0} → {1}").format(
        ids, edit.target
    )


class ProofreadPanel(QWidget):
    """Proofreading actions on the inference run in ``run_dir`` shown on ``viewer``."""

    def __init__(self, viewer: ViewerModel, run_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run = RunLayer.attach(viewer, run_dir)
        self._build()
        self.run.selection_changed.connect(self._show_selection)
        self.run.layer.events.selected_label.connect(self._picked_on_layer)
        self.run.data_changed.connect(self._show_history)
        self._show_selection(self.run.selected_ids)
        self._show_history()

    def _build(self) -> None:
        self.ids = QLineEdit()
        self.ids.setPlaceholderText(
            self.tr("select in the table or pick on the layer, e.g. 12, 15")
        )
        self.target = QSpinBox()
        self.target.setRange(1, 2**31 - 1)
        self.merge_button = QPushButton(self.tr("Merge"))
        self.merge_button.setToolTip(self.tr("All listed segments become the first one"))
        self.delete_button = QPushButton(self.tr("Delete"))
        self.relabel_button = QPushButton(self.tr("Relabel to"))
        self.undo_button = QPushButton(self.tr("Undo"))
        self.merge_button.clicked.connect(self.merge)
        self.delete_button.clicked.connect(self.delete)
        self.relabel_button.clicked.connect(self.relabel)
        self.undo_button.clicked.connect(self.undo)
        self.history = QListWidget()
        self.status = QLabel()
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Segments"), self.ids)
        buttons = QGridLayout()
        buttons.addWidget(self.merge_button, 0, 0)
        buttons.addWidget(self.delete_button, 0, 1)
        buttons.addWidget(self.relabel_button, 1, 0)
        buttons.addWidget(self.target, 1, 1)
        buttons.addWidget(self.undo_button, 2, 0, 1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        caption = QLabel(
            self.tr("Edits of run <b>{0}</b> (the inference output is kept unchanged):").format(
                self.run.run_dir.name
            )
        )
        caption.setWordWrap(True)
        layout.addWidget(caption)
        layout.addWidget(self.history, 1)
        layout.addWidget(self.status)

    # -- actions ----------------------------------------------------------------------
    def merge(self) -> bool:
        """Merge the listed segments into the first one."""
        ids = parse_ids(self.ids.text())
        if len(ids) < 2:
            return self._refuse(self.tr("Merging needs two or more segments."))
        return self._apply(Edit("merge", tuple(ids)))

    def delete(self) -> bool:
        """Delete the listed segments (they become background)."""
        ids = parse_ids(self.ids.text())
        if not ids:
            return self._refuse(self.tr("List the segments to delete."))
        return self._apply(Edit("delete", tuple(ids)))

    def relabel(self) -> bool:
        """Give the one listed segment the id in the spin box."""
        ids = parse_ids(self.ids.text())
        if len(ids) != 1:
            return self._refuse(self.tr("Relabelling takes exactly one segment."))
        if self.target.value() == ids[0]:
            return self._refuse(self.tr("Segment {0} already has that id.").format(ids[0]))
        return self._apply(Edit("relabel", (ids[0],), self.target.value()))

    def undo(self) -> bool:
        """Remove the last edit."""
        edit = self.run.undo()
        self.status.setText(
            self.tr("Undone: {0}.").format(describe(edit)) if edit else self.tr("Nothing to undo.")
        )
        return edit is not None

    def _apply(self, edit: Edit) -> bool:
        missing = [i for i in edit.ids if i not in {row.id for row in self.run.rows()}]
        if missing:
            return self._refuse(
                self.tr("No segment {0} in this run.").format(", ".join(map(str, missing)))
            )
        self.run.add_edit(edit)
        self.status.setText(self.tr("Done: {0}.").format(describe(edit)))
        return True

    def _refuse(self, message: str) -> bool:
        self.status.setText(message)
        return False

    # -- display ------------------------------------------------------------------------
    def _show_selection(self, ids: list[int]) -> None:
        self.ids.setText(", ".join(map(str, ids)))
        rows = self.run.rows()
        self.target.setValue(max((row.id for row in rows), default=0) + 1)

    def _picked_on_layer(self, _event: object = None) -> None:
        label = int(self.run.layer.selected_label)
        if label and label not in self.run.selected_ids:
            self.ids.setText(str(label))

    def _show_history(self) -> None:
        self.history.clear()
        self.history.addItems([describe(edit) for edit in self.run.edit_list.edits])
        self.undo_button.setEnabled(bool(self.run.edit_list.edits))
