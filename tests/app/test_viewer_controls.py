"""The napari view in the main window: axes named z, y, x; its own buttons and our console
shortcut work on the window's bare ViewerModel, with no napari error."""

from __future__ import annotations

import pytest
from napari.utils.notifications import notification_manager
from PyQt5.QtCore import QEvent, Qt
from PyQt5.QtGui import QKeyEvent
from PyQt5.QtWidgets import QApplication

from app.viewer_panel import viewer_camera

pytestmark = pytest.mark.gui


@pytest.fixture
def shown_project(main_window, project_with_run, qtbot):
    """The main window with ``project_with_run`` open: its image (6, 32, 40) and labels shown."""
    assert main_window.open_project(project_with_run.root)
    assert [layer.name for layer in main_window.viewer.layers] == ["image", "labels"]
    qtbot.wait(100)
    return main_window


def test_dims_sliders_are_labelled_z_y_x(shown_project):
    viewer = shown_project.viewer
    assert viewer.dims.axis_labels == ("z", "y", "x")
    assert all(layer.axis_labels == ("z", "y", "x") for layer in viewer.layers)


def test_home_button_resets_the_zoom_without_an_error(shown_project, qtbot):
    viewer = shown_project.viewer
    camera = viewer_camera(viewer)
    viewer.reset_view()
    reset_zoom = camera.zoom
    camera.zoom = reset_zoom * 4
    buttons = shown_project.viewer_panel.qt_viewer.viewerButtons
    before = len(notification_manager.records)
    with qtbot.captureExceptions() as exceptions:
        qtbot.mouseClick(buttons.resetViewButton, Qt.LeftButton)
        qtbot.wait(50)
    assert not exceptions, exceptions
    assert notification_manager.records[before:] == []
    assert camera.zoom == pytest.approx(reset_zoom)


def test_every_viewer_button_acts_on_the_view_without_an_error(shown_project, qtbot):
    viewer = shown_project.viewer
    buttons = shown_project.viewer_panel.qt_viewer.viewerButtons
    before = len(notification_manager.records)
    with qtbot.captureExceptions() as exceptions:
        qtbot.mouseClick(buttons.ndisplayButton, Qt.LeftButton)
        assert viewer.dims.ndisplay == 3
        qtbot.mouseClick(buttons.ndisplayButton, Qt.LeftButton)
        assert viewer.dims.ndisplay == 2
        qtbot.mouseClick(buttons.gridViewButton, Qt.LeftButton)
        assert viewer.grid.enabled
        qtbot.mouseClick(buttons.gridViewButton, Qt.LeftButton)
        qtbot.mouseClick(buttons.transposeDimsButton, Qt.LeftButton)
        assert viewer.dims.order == (0, 2, 1)
        qtbot.mouseClick(buttons.rollDimsButton, Qt.LeftButton)
        assert viewer.dims.order != (0, 2, 1)
        qtbot.wait(50)
    assert not exceptions, exceptions
    assert notification_manager.records[before:] == []


def _console_shown(window) -> bool:
    return window.console is not None and window.console_dock.isVisible()


def test_ctrl_shift_c_reaching_the_view_opens_our_console(shown_project, qtbot):
    """The key as napari's view gets it when the window's shortcut does not take it first
    (e.g. the window is not the active one): napari's binding would need a napari Window."""
    pytest.importorskip("qtconsole")
    canvas = shown_project.viewer_panel.qt_viewer.canvas.native
    modifiers = Qt.ControlModifier | Qt.ShiftModifier
    before = len(notification_manager.records)
    with qtbot.captureExceptions() as exceptions:
        for kind in (QEvent.KeyPress, QEvent.KeyRelease):
            QApplication.sendEvent(canvas, QKeyEvent(kind, Qt.Key_C, modifiers, "C"))
        qtbot.waitUntil(lambda: _console_shown(shown_project), timeout=10_000)
    assert not exceptions, exceptions
    assert notification_manager.records[before:] == []


def test_ctrl_shift_c_typed_in_the_focused_view_opens_our_console(shown_project, qtbot):
    pytest.importorskip("qtconsole")
    canvas = shown_project.viewer_panel.qt_viewer.canvas.native
    shown_project.activateWindow()
    canvas.setFocus()
    qtbot.waitUntil(canvas.hasFocus, timeout=5000)
    before = len(notification_manager.records)
    with qtbot.captureExceptions() as exceptions:
        qtbot.keyClick(canvas, Qt.Key_C, Qt.ControlModifier | Qt.ShiftModifier)
        qtbot.waitUntil(lambda: _console_shown(shown_project), timeout=10_000)
    assert not exceptions, exceptions
    assert notification_manager.records[before:] == []
