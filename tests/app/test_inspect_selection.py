"""The run's layer in the main window's view: a click selects a segment whatever layer is
active, the selection is outlined on every slice, and a run has one layer whether the Infer
page or the Inspect dock showed it first (issue 12, point 5)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from PyQt5.QtCore import QPoint, Qt

from app.viewer_panel import run_layer_name, viewer_camera
from ffn_core.protocol import Artifact
from tests.app import voxel_project
from tests.app.voxel_project import RUN_START, VOXEL_SIZE

pytestmark = pytest.mark.gui
HIGHLIGHT = (255, 255, 0)  # the outline's colour on the canvas
RUN = "run1"


@pytest.fixture
def project(tmp_path):
    """The 30,6,6 nm project; its run1 holds segments 2 (y 8-15) and 3 (y 16-23), z 1-4."""
    return voxel_project.anisotropic_project(tmp_path / "project")


@pytest.fixture
def inspect(main_window, qtbot, project):
    """The Inspect dock of ``project`` open in the main window."""
    assert main_window.open_project(project.root)
    panel = main_window.show_inspect()
    qtbot.wait(100)
    return panel


def _look_at(window, qtbot, voxel_zyx) -> QPoint:
    """Show the slice of ``voxel_zyx``, centre the view on it; the canvas point showing it."""
    window.viewer.dims.set_current_step(0, voxel_zyx[0])
    viewer_camera(window.viewer).center = tuple(np.asarray(voxel_zyx) * VOXEL_SIZE)
    qtbot.wait(50)
    canvas = window.viewer_panel.qt_viewer.canvas.native
    return QPoint(canvas.width() // 2, canvas.height() // 2)


def _highlighted(window) -> np.ndarray:
    """Which pixels of the canvas show the outline's colour."""
    shot = window.viewer_panel.qt_viewer.screenshot(flash=False)
    return np.all(shot[..., :3] == HIGHLIGHT, axis=-1)


def _highlighted_pixels(window) -> int:
    return int(_highlighted(window).sum())


def test_click_selects_a_segment_while_merge_errors_is_active(main_window, inspect, qtbot):
    window, viewer = main_window, main_window.viewer
    inspect.tabs.setCurrentIndex(2)
    assert inspect.tabs.currentWidget().compute()  # adds 'split errors' and 'merge errors'
    viewer.layers.selection.active = viewer.layers["merge errors"]
    canvas = window.viewer_panel.qt_viewer.canvas.native
    for seg_id, voxel in ((3, (2, 20, 10)), (2, (3, 10, 30))):
        point = _look_at(window, qtbot, voxel)
        qtbot.mouseClick(canvas, Qt.LeftButton, pos=point)
        qtbot.waitUntil(lambda s=seg_id: inspect.run.selected_ids == [s], timeout=3000)
    assert viewer.layers.selection.active.name == "merge errors"  # the click changed nothing else
    inspect.tabs.setCurrentIndex(3)
    assert inspect.tabs.currentWidget().ids.text() == "2"  # Proofread acts on the selection
    point = _look_at(window, qtbot, (3, 20, 30))  # in segment 3
    qtbot.mouseClick(canvas, Qt.LeftButton, pos=point, modifier=Qt.ControlModifier)
    qtbot.waitUntil(lambda: sorted(inspect.run.selected_ids) == [2, 3], timeout=3000)
    assert inspect.tabs.currentWidget().merge()
    assert set(np.unique(viewer.layers[run_layer_name(RUN)].data)) == {2}


def test_selected_segment_is_outlined_on_every_slice(main_window, inspect, qtbot, artifacts):
    window = main_window
    table = inspect.tabs.widget(0)
    row = next(i for i in range(table.proxy.rowCount()) if table.proxy.index(i, 0).data() == "3")
    table.table.selectRow(row)  # as a click on the row does
    assert inspect.run.selected_ids == [3]
    run_z = range(RUN_START[0], RUN_START[0] + 4)
    for z in (*run_z, 0, 5):  # the run covers z 1-4; nothing is outlined outside it
        centre = _look_at(window, qtbot, (z, 20, 20))  # inside segment 3 (y 16-23)
        qtbot.wait(100)
        if z in run_z:
            qtbot.waitUntil(lambda: _highlighted_pixels(window) > 100, timeout=3000)
            assert not _highlighted(window)[centre.y(), centre.x()]  # an outline, not a fill
        else:
            assert _highlighted_pixels(window) == 0, z
        if z == 2:
            viewer_camera(window.viewer).zoom *= 0.7
            canvas = window.viewer_panel.qt_viewer.canvas.native
            qtbot.mouseMove(canvas, centre - QPoint(3, 3))
            qtbot.mouseMove(canvas, centre)  # the readout under the canvas says what is there
            qtbot.waitUntil(lambda: "run1:\u00a03" in window.viewer_panel.readout.text())
            assert window.grab().save(str(artifacts / "viewer_selection.png"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        window.viewer.dims.ndisplay = 3  # napari draws no contours in 3-D: the outline fills
        qtbot.wait(200)
        assert _highlighted_pixels(window) > 0
        assert window.viewer_panel.grab().save(str(artifacts / "viewer_selection_3d.png"))
        window.viewer.dims.ndisplay = 2
        qtbot.wait(100)
    assert not [str(w.message) for w in caught if "ontour" in str(w.message)]
    table.table.clearSelection()
    _look_at(window, qtbot, (2, 16, 20))
    qtbot.waitUntil(lambda: _highlighted_pixels(window) == 0, timeout=3000)


def test_a_run_has_one_layer_whoever_shows_it_first(main_window, qtbot, project):
    window, viewer = main_window, main_window.viewer
    assert window.open_project(project.root)
    window.show_stage("infer")
    spec = f"{project.path('inference', RUN)}/segmentation.h5:segmentation"
    window.client.artifact.emit(Artifact("segmentation", spec))  # the worker's live refresh
    assert run_layer_name(RUN) in viewer.layers
    inspect = window.show_inspect()
    inspect.tabs.widget(0).select_ids([3])
    inspect.tabs.widget(3).ids.setText("2")
    assert inspect.tabs.widget(3).delete()
    window.client.artifact.emit(Artifact("segmentation", spec))  # the file again: edits stay
    run_layers = [
        layer for layer in viewer.layers if RUN in layer.name and "selection" not in layer.name
    ]
    assert [layer.name for layer in run_layers] == [run_layer_name(RUN)]
    assert set(np.unique(run_layers[0].data)) == {0, 3}
    assert run_layers[0] is inspect.run.layer
