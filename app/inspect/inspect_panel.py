"""One dock for inspecting a project's inference runs: pick a run, then its tabs
Segments, 3D, Errors, Proofread and Refine.

The main window docks it with::

    panel = InspectPanel(viewer, project.root)
    dock = QDockWidget("Inspect"); dock.setWidget(panel)
    # after an inference job: panel.refresh_runs(); on close: panel.release()
"""

from __future__ import annotations

from pathlib import Path

from napari.components import ViewerModel
from PyQt5.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.inspect.error_view import MERGE_LAYER, SPLIT_LAYER, ErrorViewPanel
from app.inspect.proofread_panel import ProofreadPanel
from app.inspect.refine_view import REFINE_LAYERS, RefineViewPanel
from app.inspect.run_layer import RUN_FILE, RunLayer
from app.inspect.segment_table import SegmentTablePanel
from app.inspect.view3d import View3DPanel
from ffn_core.errors import UserError


def inference_runs(project_root: Path) -> list[Path]:
    """Run folders ``<project>/inference/<run>`` that hold a segmentation, by name."""
    return sorted(p.parent for p in Path(project_root).glob(f"inference/*/{RUN_FILE}"))


class InspectPanel(QWidget):
    """Run chooser plus the inspection tabs of the chosen run."""

    def __init__(
        self, viewer: ViewerModel, project_root: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.viewer, self.project_root = viewer, Path(project_root)
        self.run: RunLayer | None = None
        self.view3d: View3DPanel | None = None
        self.runs = QComboBox()
        self.runs.currentIndexChanged.connect(lambda _: self.show_run(self.runs.currentData()))
        refresh = QPushButton(self.tr("Refresh"))
        refresh.setToolTip(self.tr("Look for new inference runs and reload the chosen one"))
        refresh.clicked.connect(self.refresh_runs)
        self.tabs = QTabWidget()
        self.tabs.currentChanged.connect(self._tab_shown)
        self.message = QLabel()
        self.message.setWordWrap(True)
        chooser = QHBoxLayout()
        chooser.addWidget(QLabel(self.tr("Inference run")))
        chooser.addWidget(self.runs, 1)
        chooser.addWidget(refresh)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(chooser)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        self.refresh_runs()

    def refresh_runs(self) -> None:
        """Re-list the project's runs and (re)load the chosen one from disk."""
        chosen = self.runs.currentData()
        runs = inference_runs(self.project_root)
        self.runs.blockSignals(True)
        self.runs.clear()
        for run_dir in runs:
            self.runs.addItem(run_dir.name, run_dir)
        index = runs.index(chosen) if chosen in runs else len(runs) - 1
        self.runs.setCurrentIndex(index)
        self.runs.blockSignals(False)
        self.show_run(self.runs.currentData())

    def show_run(self, run_dir: Path | None) -> None:
        """Replace the tabs (and the previous run's layers) with those of ``run_dir``."""
        self.release()
        if run_dir is None:
            self.message.setText(self.tr("No inference run in this project yet: run Infer first."))
            return
        try:
            self.run = RunLayer.attach(self.viewer, run_dir)
        except UserError as exc:
            self.message.setText(f"{exc.message} {exc.gui_hint}")
            return
        self.message.setText("")
        for title, panel in (
            (self.tr("Segments"), SegmentTablePanel(self.viewer, run_dir)),
            ("3D", QWidget()),  # built when first shown (an OpenGL canvas)
            (self.tr("Errors"), ErrorViewPanel(self.viewer, run_dir)),
            (self.tr("Proofread"), ProofreadPanel(self.viewer, run_dir)),
            (self.tr("Refine"), RefineViewPanel(self.viewer, run_dir)),
        ):
            self.tabs.addTab(panel, title)

    def _tab_shown(self, index: int) -> None:
        if self.tabs.tabText(index) != "3D" or self.view3d is not None or self.run is None:
            return
        self.view3d = View3DPanel(self.viewer, self.run.run_dir)
        self.view3d.show_segments(self.run.selected_ids)
        placeholder = self.tabs.widget(index)
        self.tabs.blockSignals(True)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, self.view3d, "3D")
        self.tabs.setCurrentIndex(index)
        self.tabs.blockSignals(False)
        placeholder.deleteLater()

    def release(self) -> None:
        """Remove the tabs, the 3D viewer and the run's layers (call before closing)."""
        if self.view3d is not None:
            self.view3d.close_viewer()
            self.view3d = None
        self.tabs.blockSignals(True)
        while self.tabs.count():
            widget = self.tabs.widget(0)
            self.tabs.removeTab(0)
            widget.deleteLater()
        self.tabs.blockSignals(False)
        if self.run is not None:
            for name in (self.run.layer.name, SPLIT_LAYER, MERGE_LAYER, *REFINE_LAYERS):
                if name in self.viewer.layers:
                    self.viewer.layers.remove(name)
            self.run = None
