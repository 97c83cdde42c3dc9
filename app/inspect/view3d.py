"""A 3D view of the selected segments, with their meshes exportable as OBJ or STL.

A second napari ``ViewerModel`` in 3D display shows only the selected segments of the run
(with its proofreading edits), cut to their bounding box: as a labels layer (volume
rendering) or as surface meshes from marching cubes (:mod:`ffn_core.analysis.meshes`).
Coordinates are physical (voxel size of the project's image volume).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from napari.components import ViewerModel
from napari.qt import QtViewer
from PyQt5 import sip
from PyQt5.QtCore import QT_TRANSLATE_NOOP
from PyQt5.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.inspect.run_layer import RunLayer
from app.viewer_panel import viewer_camera
from ffn_core.analysis.meshes import segment_mesh, write_obj, write_stl

SELECTED_LAYER = "selected segments"
MESH_WRITERS = {"obj": write_obj, "stl": write_stl}
MODES = (QT_TRANSLATE_NOOP("View3DPanel", "Labels"), QT_TRANSLATE_NOOP("View3DPanel", "Surfaces"))
OBLIQUE = (0.0, 35.0, 60.0)  # camera angles of a first look: z axis tilted towards the user


class View3DPanel(QWidget):
    """3D view of the segments selected in the run ``run_dir`` shown on ``viewer``."""

    def __init__(
        self,
        viewer: ViewerModel,
        run_dir: Path,
        voxel_size_zyx: tuple[float, float, float] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.run = RunLayer.attach(viewer, run_dir)
        self.voxel_size = np.asarray(voxel_size_zyx or self.run.scale_zyx, float)
        self.model = ViewerModel(title="3D segments", ndisplay=3)
        viewer_camera(self.model).angles = OBLIQUE
        self.qt_viewer = QtViewer(self.model, show_welcome_screen=False)
        self.shown_ids: list[int] = []
        self._build()
        self.run.selection_changed.connect(self._selection_changed)
        self.run.data_changed.connect(lambda: self.show_segments(self.shown_ids))

    def _build(self) -> None:
        self.follow = QCheckBox(self.tr("Follow selection"))
        self.follow.setChecked(True)
        self.follow.toggled.connect(lambda on: on and self.show_segments(self.run.selected_ids))
        self.mode = QComboBox()
        self.mode.addItems([self.tr(mode) for mode in MODES])
        self.mode.currentTextChanged.connect(lambda _: self.show_segments(self.shown_ids))
        self.format = QComboBox()
        self.format.addItems(["OBJ", "STL"])
        self.export_button = QPushButton(self.tr("Export mesh…"))
        self.export_button.clicked.connect(self._export_dialog)
        self.status = QLabel(self.tr("Select segments in the table to see them in 3D."))
        self.status.setWordWrap(True)
        show_row, export_row = QHBoxLayout(), QHBoxLayout()
        for row, widgets in (
            (show_row, (self.follow, self.mode)),
            (export_row, (self.format, self.export_button)),
        ):
            for widget in widgets:
                row.addWidget(widget)
            row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(show_row)
        layout.addLayout(export_row)
        layout.addWidget(self.qt_viewer, 1)
        layout.addWidget(self.status)

    def _selection_changed(self, ids: list[int]) -> None:
        if self.follow.isChecked():
            self.show_segments(ids)

    def crop(self, ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Segments ``ids`` only, cut to their joint bounding box, and the box's start (z, y, x)
        in the run's box."""
        rows = [row for row in self.run.rows() if row.id in ids]
        start = np.min([row.bbox_start_zyx for row in rows], axis=0)
        stop = np.max([row.bbox_stop_zyx for row in rows], axis=0)
        part = self.run.edited[tuple(slice(a, b) for a, b in zip(start, stop))]
        return np.where(np.isin(part, ids), part, 0).astype(part.dtype), start

    def show_segments(self, ids: list[int]) -> None:
        """Show segments ``ids`` (those that exist) in 3D, replacing what was shown."""
        present = {row.id for row in self.run.rows()}
        self.shown_ids = [i for i in ids if i in present]
        # keep the user's rotation (adding layers resets it)
        angles = viewer_camera(self.model).angles
        self.model.layers.clear()
        if not self.shown_ids:
            self.status.setText(self.tr("No segment selected."))
            return
        part, start = self.crop(self.shown_ids)
        origin = (start + np.asarray(self.run.start_zyx)) * self.voxel_size
        if MODES[self.mode.currentIndex()] == "Surfaces":
            self._add_surfaces(part, origin)
        else:
            self.model.add_labels(
                part, name=SELECTED_LAYER, scale=self.voxel_size, translate=origin
            )
        self.model.reset_view(reset_camera_angle=False)
        viewer_camera(self.model).angles = angles
        self.status.setText(
            self.tr("Segments {0} ({1}).").format(
                ", ".join(map(str, self.shown_ids)), self.mode.currentText().lower()
            )
        )

    def _add_surfaces(self, part: np.ndarray, origin: np.ndarray) -> None:
        for seg_id in self.shown_ids:
            vertices, faces = segment_mesh(part, seg_id, tuple(self.voxel_size))
            colour = np.asarray(self.run.layer.get_color(seg_id), float)
            colour[3] = 1.0
            self.model.add_surface(
                (vertices + origin, faces),
                name=f"segment {seg_id}",
                vertex_colors=np.tile(colour, (len(vertices), 1)),
                shading="smooth",
            )

    def export_meshes(self, folder: Path, fmt: str = "obj") -> list[Path]:
        """Write one mesh file per shown segment into ``folder``; returns the paths."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for seg_id in self.shown_ids:
            part, start = self.crop([seg_id])
            vertices, faces = segment_mesh(part, seg_id, tuple(self.voxel_size))
            vertices = vertices + (start + np.asarray(self.run.start_zyx)) * self.voxel_size
            path = folder / f"{self.run.run_dir.name}_segment_{seg_id}.{fmt.lower()}"
            MESH_WRITERS[fmt.lower()](path, vertices, faces)
            paths.append(path)
        self.status.setText(self.tr("Wrote {0} mesh file(s) to {1}.").format(len(paths), folder))
        return paths

    def _export_dialog(self) -> None:
        if not self.shown_ids:
            self.status.setText(self.tr("Select segments first."))
            return
        run_dir = self.run.run_dir
        start = str(run_dir.parents[1] / "exports") if len(run_dir.parents) > 1 else ""
        folder = QFileDialog.getExistingDirectory(self, self.tr("Folder for the mesh files"), start)
        if folder:
            self.export_meshes(Path(folder), self.format.currentText())

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self.model.reset_view(reset_camera_angle=False)  # fit to the canvas's real size

    def close_viewer(self) -> None:
        """Close the 3D QtViewer and schedule its deletion (call before discarding the panel)."""
        if sip.isdeleted(self.qt_viewer):
            return
        self.qt_viewer.close()
        self.qt_viewer.deleteLater()
