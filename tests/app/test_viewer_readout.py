"""Under the canvas a readout says where the cursor is (voxels and nm), the image's grey
value and the label IDs there; the layer list shows about six layers (issue 12, 3 and 5)."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PyQt5.QtCore import QPoint

from app.viewer_panel import viewer_camera
from tests.app import voxel_project
from tests.app.voxel_project import RUN_START, VOXEL_SIZE

pytestmark = pytest.mark.gui
LAYER_ROWS = 6


@pytest.fixture
def inspected(main_window, qtbot, tmp_path):
    """The main window with the 30,6,6 nm project open and its run shown by Inspect."""
    project = voxel_project.anisotropic_project(tmp_path / "project")
    assert main_window.open_project(project.root)
    main_window.show_inspect()
    qtbot.wait(100)
    return main_window


def _hover(window, qtbot, voxel_zyx: tuple[int, int, int]) -> None:
    """Show the slice of ``voxel_zyx``, centre the view on it and move the mouse there."""
    viewer = window.viewer
    world = np.asarray(voxel_zyx) * np.asarray(VOXEL_SIZE)
    viewer.dims.set_current_step(0, voxel_zyx[0])
    viewer_camera(viewer).center = tuple(world)
    canvas = window.viewer_panel.qt_viewer.canvas.native
    qtbot.wait(50)
    centre = QPoint(canvas.width() // 2, canvas.height() // 2)
    qtbot.mouseMove(canvas, centre - QPoint(5, 5))
    qtbot.mouseMove(canvas, centre)


def _shown(readout) -> str:
    return readout.text().replace("\u00a0", " ")


def _hover_until(window, qtbot, voxel_zyx, parts, timeout_s: float = 10.0) -> None:
    """Hover ``voxel_zyx`` (again, while an earlier test's window state settles) until the
    readout shows every one of ``parts``."""
    readout = window.viewer_panel.readout
    deadline = time.monotonic() + timeout_s
    while not all(part in _shown(readout) for part in parts):
        assert time.monotonic() < deadline, (_shown(readout), parts)
        _hover(window, qtbot, voxel_zyx)
        qtbot.wait(100)


def test_readout_follows_the_mouse_with_position_grey_value_and_label(inspected, qtbot, artifacts):
    window = inspected
    image = np.asarray(window.viewer.layers["image"].data[...])
    readout = window.viewer_panel.readout
    for voxel in ((2, 12, 20), (4, 20, 7)):
        z, y, x = voxel
        nm = ", ".join(f"{v:g}" for v in np.asarray(voxel) * VOXEL_SIZE)
        run_id = 2 + (y >= 16)  # run1 holds the labels' bands 2 (y 8-15) and 3 (y 16-23)
        expected = (
            f"z {z}, y {y}, x {x}",
            f"{nm} nm",
            f"image: {image[voxel]}",
            f"labels: {run_id}",
            f"segmentation run1: {run_id}",
        )
        _hover_until(window, qtbot, voxel, expected)
        if voxel == (2, 12, 20):
            assert window.viewer_panel.grab().save(str(artifacts / "viewer_readout.png"))
    assert readout.isVisible()
    assert readout.mapTo(window, QPoint(0, 0)).y() > (
        window.viewer_panel.qt_viewer.canvas.native.mapTo(window, QPoint(0, 0)).y()
    )  # under the canvas
    _hover_until(window, qtbot, (0, 2, 3), ["z 0, y 2, x 3"])  # outside the run's box
    assert "segmentation run1" not in _shown(readout) and RUN_START[0] > 0
    window.viewer.dims.ndisplay = 3
    qtbot.wait(100)
    with qtbot.captureExceptions() as exceptions:
        _hover(window, qtbot, (2, 12, 20))
        qtbot.waitUntil(lambda: "nm)" in _shown(readout) and "z 0," not in _shown(readout))
    assert not exceptions, exceptions
    window.viewer.dims.ndisplay = 2


def test_layer_list_shows_six_layers(inspected, qtbot, artifacts):
    window = inspected
    viewer = window.viewer
    for index in range(LAYER_ROWS - len(viewer.layers)):
        viewer.add_points(np.zeros((1, 3)), name=f"points {index}", scale=VOXEL_SIZE)
    qtbot.wait(100)
    layer_list = window.viewer_panel.qt_viewer.layers
    rows = [layer_list.visualRect(layer_list.model().index(i, 0)) for i in range(LAYER_ROWS)]
    assert all(layer_list.viewport().rect().contains(rect) for rect in rows), (
        layer_list.viewport().height()
    )
    assert window.grab().save(str(artifacts / "viewer_layer_list.png"))
