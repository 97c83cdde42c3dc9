"""The segment table: ID, voxel count, bounding box, seed; sortable, with click-to-jump.

Coordinates are shown in volume voxels (z, y, x), i.e. with the run's box start added.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from napari.components import ViewerModel
from PyQt5.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QItemSelection,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PyQt5.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.inspect.run_layer import RunLayer
from ffn_core.analysis.segments import SegmentRow

SORT_ROLE = Qt.UserRole
COLUMNS = (
    QT_TRANSLATE_NOOP("SegmentTableModel", "ID"),
    QT_TRANSLATE_NOOP("SegmentTableModel", "Voxels"),
    QT_TRANSLATE_NOOP("SegmentTableModel", "Bounding box z, y, x"),
    QT_TRANSLATE_NOOP("SegmentTableModel", "Seed z, y, x"),
)


def _range_text(start: tuple[int, ...], stop: tuple[int, ...]) -> str:
    return ", ".join(f"{a}–{b - 1}" for a, b in zip(start, stop))


class SegmentTableModel(QAbstractTableModel):
    """Rows of :class:`SegmentRow`, shifted by the run's box start."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.segments: list[SegmentRow] = []
        self.offset = (0, 0, 0)

    def set_rows(self, rows: list[SegmentRow], offset: tuple[int, int, int]) -> None:
        self.beginResetModel()
        self.segments, self.offset = list(rows), tuple(offset)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.segments)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,  # noqa: N802 - Qt API
        role: int = Qt.DisplayRole,
    ) -> Any:
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return QCoreApplication.translate("SegmentTableModel", COLUMNS[section])
        return None

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole) -> Any:
        row = self.segments[index.row()]
        start = tuple(a + o for a, o in zip(row.bbox_start_zyx, self.offset))
        stop = tuple(a + o for a, o in zip(row.bbox_stop_zyx, self.offset))
        seed = (
            tuple(a + o for a, o in zip(row.seed_zyx, self.offset))
            if row.seed_zyx is not None
            else None
        )
        column = index.column()
        if role == SORT_ROLE:
            return (row.id, row.voxels, start, seed or (-1, -1, -1))[column]
        if role == Qt.DisplayRole:
            seed_text = ", ".join(map(str, seed)) if seed else "—"
            return (str(row.id), f"{row.voxels:,}", _range_text(start, stop), seed_text)[column]
        if role == Qt.TextAlignmentRole and column < 2:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None


class SizeFilterProxy(QSortFilterProxyModel):
    """Sorts by :data:`SORT_ROLE` and hides rows below ``min_voxels``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.min_voxels = 0
        self.setSortRole(SORT_ROLE)

    def set_min_voxels(self, value: int) -> None:
        self.min_voxels = value
        self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, parent: QModelIndex) -> bool:  # noqa: N802
        return self.sourceModel().segments[source_row].voxels >= self.min_voxels

    def lessThan(self, left: QModelIndex, right: QModelIndex) -> bool:  # noqa: N802 - Qt API
        return left.data(SORT_ROLE) < right.data(SORT_ROLE)


class SegmentTablePanel(QWidget):
    """Segment table of the inference run in ``run_dir`` shown on ``viewer``."""

    def __init__(self, viewer: ViewerModel, run_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.viewer = viewer
        self.run = RunLayer.attach(viewer, run_dir)
        self.model = SegmentTableModel(self)
        self.proxy = SizeFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self._build()
        self._syncing = False
        self.run.data_changed.connect(self.reload)
        self.run.selection_changed.connect(self._show_run_selection)
        self.reload()

    def _build(self) -> None:
        self.summary = QLabel()
        self.min_size = QSpinBox()
        self.min_size.setRange(0, 2_000_000_000)
        self.min_size.setSingleStep(100)
        self.min_size.setSuffix(self.tr(" voxels"))
        self.min_size.setKeyboardTracking(False)
        self.min_size.valueChanged.connect(self.set_min_voxels)
        self.only_selected = QCheckBox(self.tr("Show only selected segments"))
        self.only_selected.toggled.connect(self.run.set_only_selected)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        size_row = QHBoxLayout()
        size_row.addWidget(QLabel(self.tr("Hide segments below")))
        size_row.addWidget(self.min_size)
        size_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(size_row)
        layout.addWidget(self.only_selected)
        layout.addWidget(self.table, 1)

    def reload(self) -> None:
        """Re-read the segments of the run (after an edit)."""
        self.model.set_rows(self.run.rows(), self.run.start_zyx)
        self._update_summary()

    def _update_summary(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        hidden = (
            self.tr(" ({0} hidden below {1} voxels)").format(
                total - shown, f"{self.proxy.min_voxels:,}"
            )
            if shown < total
            else ""
        )
        self.summary.setText(
            self.tr("<b>{0}</b>: {1} segments{2}").format(self.run.run_dir.name, total, hidden)
        )

    def set_min_voxels(self, value: int) -> None:
        """Hide segments below ``value`` voxels in the table and on the layer."""
        if self.min_size.value() != value:
            self.min_size.setValue(value)  # emits valueChanged, which calls back here
            return
        self.proxy.set_min_voxels(value)
        self.run.set_min_voxels(value)
        self._update_summary()

    def selected_ids(self) -> list[int]:
        """Ids of the selected rows, in table order."""
        rows = sorted(self.table.selectionModel().selectedRows(), key=lambda i: i.row())
        return [int(self.proxy.data(index, SORT_ROLE)) for index in rows]

    def select_ids(self, ids: list[int]) -> None:
        """Select the rows of ``ids`` (jumps to the first)."""
        selection = QItemSelection()
        for row, segment in enumerate(self.model.segments):
            if segment.id in ids:
                index = self.proxy.mapFromSource(self.model.index(row, 0))
                if index.isValid():
                    selection.select(index, index.siblingAtColumn(len(COLUMNS) - 1))
        self.table.selectionModel().select(selection, self.table.selectionModel().ClearAndSelect)

    def _show_run_selection(self, ids: list[int]) -> None:
        """Mirror a selection made elsewhere (a click on the layer) without jumping."""
        if sorted(ids) != sorted(self.selected_ids()):
            self._syncing = True
            try:
                self.select_ids(ids)
            finally:
                self._syncing = False

    def _selection_changed(self, *_: object) -> None:
        if self._syncing:
            return
        ids = self.selected_ids()
        self.run.set_selected(ids)
        current = self.table.selectionModel().currentIndex()
        if current.isValid() and self.table.selectionModel().isRowSelected(
            current.row(), QModelIndex()
        ):
            self.jump_to(int(self.proxy.index(current.row(), 0).data(SORT_ROLE)))
        elif ids:
            self.jump_to(ids[0])

    def jump_to(self, seg_id: int) -> None:
        """Centre the viewer on segment ``seg_id`` (its seed, else its box centre)."""
        self.run.centre_on(seg_id)
