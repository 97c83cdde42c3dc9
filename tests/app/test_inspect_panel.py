"""The inspection dock: run chooser and tabs; on the real SNEMI3D crop, the error view
reproduces the reference's adapted Rand error (0.178, ../shared/reference/REFERENCE.md)."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from napari.components import ViewerModel
from PIL import Image
from PyQt5 import sip

from ffn_core.project import Project
from tests.app.run_files import boxes_segmentation, write_run

pytestmark = pytest.mark.gui


@pytest.fixture
def make_panel(qtbot):
    """Build InspectPanels; their 3D QtViewers are deleted after the test."""
    from app.inspect.inspect_panel import InspectPanel

    panels = []

    def build(viewer, root):
        panel = InspectPanel(viewer, root)
        panels.append(panel)
        return panel

    yield build
    for panel in panels:
        if sip.isdeleted(panel):  # deleted with its parent window
            continue
        panel.release()
        panel.deleteLater()
    qtbot.wait(50)


def test_run_chooser_switches_runs_and_layers(make_panel, tmp_path):
    project = Project.create(tmp_path / "p")
    seg, origins = boxes_segmentation()
    for name in ("a", "b"):
        write_run(project.path("inference", name), seg, (0, 0, 0), origins)
    (project.path("inference", "unfinished")).mkdir()
    viewer = ViewerModel()
    panel = make_panel(viewer, project.root)
    assert [panel.runs.itemText(i) for i in range(panel.runs.count())] == ["a", "b"]
    tabs = [panel.tabs.tabText(i) for i in range(panel.tabs.count())]
    assert tabs == ["Segments", "3D", "Errors", "Proofread", "Refine"]
    assert [layer.name for layer in viewer.layers] == ["segmentation b"]
    panel.runs.setCurrentIndex(0)
    assert [layer.name for layer in viewer.layers] == ["segmentation a"] and panel.tabs.count() == 5
    panel.tabs.widget(0).select_ids([8])
    panel.tabs.setCurrentIndex(1)  # the 3D view is built when first shown
    assert panel.view3d is panel.tabs.widget(1) and panel.tabs.tabText(1) == "3D"
    assert panel.view3d.shown_ids == [8]
    panel.refresh_runs()
    assert panel.runs.currentText() == "a" and [la.name for la in viewer.layers] == [
        "segmentation a"
    ]
    assert panel.view3d is None and panel.tabs.count() == 5


def test_project_without_runs_says_what_to_do(make_panel, tmp_path):
    panel = make_panel(ViewerModel(), Project.create(tmp_path / "p").root)
    assert panel.tabs.count() == 0 and "run Infer first" in panel.message.text()


def _snemi_project(shared, root):
    """Project with the reference's SNEMI3D crop (image, ground truth) and its segmentation."""
    project = Project.create(root)
    project.path("volumes").mkdir()
    for name, folder in (("image", "images"), ("labels", "segment")):
        files = sorted((shared / "data" / "snemi3d" / folder).glob("*.png"))[:100]
        volume = np.stack([np.asarray(Image.open(f))[:256, :256] for f in files])
        with h5py.File(project.path("volumes", f"{name}.h5"), "w") as handle:
            handle["raw"] = volume
        project.register_volume(name, project.path("volumes", f"{name}.h5"), "raw")
    with h5py.File(shared / "reference" / "snemi_train_crop_7M_seg.h5", "r") as handle:
        seg = handle["segmentation"][...]
    write_run(project.path("inference", "reference"), seg, (0, 0, 0), {})
    return project


def test_reference_crop_scores_and_screenshots(qtbot, make_panel, shared, tmp_path, artifacts):
    from napari.qt import QtViewer, get_stylesheet
    from PyQt5.QtWidgets import QHBoxLayout, QWidget

    project = _snemi_project(shared, tmp_path / "snemi")
    viewer = ViewerModel()
    viewer.add_image(h5py.File(project.path("volumes", "image.h5"), "r")["raw"][...], name="image")
    window = QWidget()
    qt_viewer = QtViewer(viewer, show_welcome_screen=False)
    panel = make_panel(viewer, project.root)
    row = QHBoxLayout(window)
    row.addWidget(qt_viewer, 1)
    row.addWidget(panel)
    window.setStyleSheet(get_stylesheet(viewer.theme))
    try:
        table = panel.tabs.widget(0)
        assert table.model.rowCount() == 216  # REFERENCE.md: 216 segments
        table.table.selectRow(0)
        window.resize(1100, 560)
        window.show()
        qtbot.waitExposed(window)
        qtbot.wait(300)
        assert window.grab().save(str(artifacts / "inspect_snemi_segments.png"))
        errors = panel.tabs.widget(2)
        panel.tabs.setCurrentIndex(2)
        assert errors.compute()
        assert errors.scores["arand"] == pytest.approx(0.178, abs=5e-4)
        assert errors.scores["precision"] == pytest.approx(0.994, abs=5e-4)
        viewer.layers["merge errors"].visible = False
        viewer.layers["segmentation reference"].visible = False
        errors.errors.setCurrentRow(1)  # jumps to a piece of a split ground-truth object
        qtbot.wait(300)
        assert window.grab().save(str(artifacts / "inspect_snemi_errors.png"))
    finally:
        qt_viewer.close()
        qt_viewer.deleteLater()
        qtbot.wait(50)
