"""Reopening a project shows it as it was left: the run's result layers, the slice, the
zoom and the layers' display, kept in the project folder's ``view.json``."""

from __future__ import annotations

import json

import pytest

from app.pages.base import run_segmentation_spec
from app.viewer_panel import run_layer_name, viewer_camera

pytestmark = pytest.mark.gui


def _open_window(settings, qtbot):
    from app.main_window import MainWindow

    window = MainWindow(settings=settings)
    window.show()
    qtbot.waitExposed(window)
    return window


def _close_window(window, qtbot) -> None:
    window.close()
    qtbot.wait(50)
    window.deleteLater()
    qtbot.wait(50)


def test_reopening_a_project_restores_its_layers_and_position(
    display, qtbot, tmp_path, project_with_run, artifacts
):
    from PyQt5.QtCore import QSettings

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    first = _open_window(settings, qtbot)
    assert first.open_project(project_with_run.root)
    spec = run_segmentation_spec(project_with_run, "run1")
    first.presenter.show_segmentation(run_layer_name("run1"), spec)  # as Infer shows a result
    first.show_inspect()
    first.viewer.dims.set_current_step(0, 4)
    viewer_camera(first.viewer).zoom = 5.0
    first.viewer.layers["labels"].visible = False
    first.viewer.layers.selection.active = first.viewer.layers["image"]
    names = [layer.name for layer in first.viewer.layers]
    assert run_layer_name("run1") in names
    _close_window(first, qtbot)
    stored = json.loads(project_with_run.path("view.json").read_text(encoding="utf-8"))
    assert stored["segmentations"] == ["run1"] and stored["inspect_run"] == "run1"

    window = _open_window(settings, qtbot)  # the next start: the project from Recent
    assert window.welcome.recent_list.item(0).text() == str(project_with_run.root)
    window.welcome.recent_list.itemActivated.emit(window.welcome.recent_list.item(0))
    assert window.project is not None and window.project.root == project_with_run.root
    qtbot.wait(100)
    assert [layer.name for layer in window.viewer.layers] == names
    assert window.viewer.dims.current_step[0] == 4
    assert viewer_camera(window.viewer).zoom == pytest.approx(5.0)
    assert not window.viewer.layers["labels"].visible
    assert window.viewer.layers.selection.active.name == "image"
    assert window.inspect is not None and window.inspect.runs.currentText() == "run1"
    assert window.grab().save(str(artifacts / "reopened_view.png"))
    _close_window(window, qtbot)


def test_switching_projects_keeps_each_ones_view(main_window, project_with_run, tmp_path):
    window = main_window
    assert window.open_project(project_with_run.root)
    window.viewer.dims.set_current_step(0, 2)
    assert window.open_project(tmp_path / "other", create=True)
    assert [layer.name for layer in window.viewer.layers] == []
    assert window.open_project(project_with_run.root)
    assert window.viewer.dims.current_step[0] == 2
    assert [layer.name for layer in window.viewer.layers] == ["image", "labels"]


def test_a_damaged_view_file_opens_the_default_view(main_window, project_with_run):
    project_with_run.path("view.json").write_text(
        json.dumps({"version": 1, "point": "z=3", "segmentations": ["gone", 7], "layers": {}}),
        encoding="utf-8",
    )
    assert main_window.open_project(project_with_run.root)
    assert [layer.name for layer in main_window.viewer.layers] == ["image", "labels"]
    assert main_window.viewer.dims.current_step[0] == 2  # napari's default: the middle slice
