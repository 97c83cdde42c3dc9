"""The main window through the REAL worker process: import, stop, kill, screenshot."""

from __future__ import annotations

import shutil
import subprocess
import sys

import h5py
import numpy as np
import pytest
from PyQt5.QtWidgets import QMessageBox

from ffn_core.project import Project

pytestmark = pytest.mark.gui
JOB_TIMEOUT_MS = 60_000


def _record_progress(window) -> list[int]:
    values: list[int] = []
    window.client.progress.connect(lambda _record: values.append(window.job_panel.bar.value()))
    return values


def test_import_through_worker_shows_layers(main_window, qtbot, tmp_path, small_stacks, artifacts):
    images, labels, image, label_values = small_stacks
    assert main_window.open_project(tmp_path / "project", create=True)
    page = main_window.show_stage("import")
    page.images.set_path(str(images))
    page.labels.set_path(str(labels))
    assert page.image_preview.ok, page.image_preview.info.text()
    assert "(12, 48, 64)" in page.image_preview.info.text()
    assert "uint8" in page.image_preview.info.text()
    assert not page.image_preview.image.pixmap().isNull()
    page.voxel[0].setValue(30.0)
    bar_values = _record_progress(main_window)

    with qtbot.waitSignal(main_window.client.finished, timeout=JOB_TIMEOUT_MS) as finished:
        page.import_button.click()
    assert finished.args == ["completed"], main_window.job_panel.log_view.toPlainText()
    assert main_window.job_panel.bar.value() == main_window.job_panel.bar.maximum()
    assert bar_values and bar_values[-1] == main_window.job_panel.bar.maximum()
    assert main_window.job_panel.bar.text() == "100 %"

    layers = main_window.viewer.layers
    assert [layer.name for layer in layers] == ["image", "labels"]
    assert layers["image"].data.shape == (12, 48, 64)
    assert tuple(layers["labels"].scale) == (30.0, 1.0, 1.0)
    assert np.array_equal(np.asarray(layers["image"].data[5]), image[5])
    assert np.array_equal(np.unique(np.asarray(layers["labels"].data)), [0, 3, 7, 200])
    assert type(layers["labels"]).__name__ == "Labels"
    project = Project.open(tmp_path / "project")
    assert project.data["runs"][-1]["status"] == "completed"
    with h5py.File(project.path("volumes", "image.h5"), "r") as handle:
        assert list(handle["raw"].attrs["voxel_size"]) == [30.0, 1.0, 1.0]
    qtbot.wait(300)  # let the canvas draw before the screenshot
    canvas = main_window.viewer_panel.qt_viewer.screenshot(flash=False)
    assert canvas[..., :3].mean() > 20, "the napari canvas rendered nothing (no OpenGL?)"
    assert main_window.grab().save(str(artifacts / "main_window_import.png"))


def test_stop_ends_the_job_cleanly_and_window_survives(
    main_window, qtbot, tmp_path, long_stack, small_stacks
):
    assert main_window.open_project(tmp_path / "project", create=True)
    page = main_window.show_stage("import")
    page.images.set_path(str(small_stacks[0]))
    with qtbot.waitSignal(main_window.client.finished, timeout=JOB_TIMEOUT_MS):
        assert page.start_import()
    page.labels.set_path("")
    page.images.set_path(long_stack)
    with qtbot.waitSignal(main_window.client.progress, timeout=JOB_TIMEOUT_MS):
        assert page.start_import()
    assert not page.import_button.isEnabled()
    with qtbot.waitSignal(main_window.client.finished, timeout=JOB_TIMEOUT_MS) as finished:
        main_window.job_panel.stop_button.click()
    assert finished.args == ["stopped"], main_window.job_panel.log_view.toPlainText()
    assert main_window.job_panel.status.text() == "Job stopped."
    assert main_window.isVisible() and page.import_button.isEnabled()
    assert Project.open(tmp_path / "project").data["runs"][-1]["status"] == "stopped"
    # the stopped re-import left the first import in place, and it is shown again
    assert main_window.viewer.layers["image"].data.shape == (12, 48, 64)


def test_killed_worker_shows_error_and_project_survives(main_window, qtbot, tmp_path, long_stack):
    assert main_window.open_project(tmp_path / "project", create=True)
    page = main_window.show_stage("import")
    page.images.set_path(long_stack)
    errors: list[tuple[str, str]] = []
    main_window.client.error.connect(lambda message, hint: errors.append((message, hint)))
    with qtbot.waitSignal(main_window.client.progress, timeout=JOB_TIMEOUT_MS):
        assert page.start_import()
    with qtbot.waitSignal(main_window.client.finished, timeout=JOB_TIMEOUT_MS) as finished:
        main_window.client.kill()
    assert finished.args == ["failed"]
    assert errors and "killed" in errors[0][0] and "project is intact" in errors[0][1]
    assert main_window.job_panel.status.text().startswith("Failed:")
    boxes = [box for box in main_window.findChildren(QMessageBox) if box.isVisible()]
    assert boxes and "killed" in boxes[-1].text() and "intact" in boxes[-1].informativeText()
    assert main_window.isVisible() and page.import_button.isEnabled()
    assert Project.open(tmp_path / "project").name == "project"


def test_bad_source_is_explained_on_the_page(main_window, tmp_path):
    assert main_window.open_project(tmp_path / "project", create=True)
    page = main_window.show_stage("import")
    (tmp_path / "empty").mkdir()
    page.images.set_path(str(tmp_path / "empty"))
    assert not page.image_preview.ok
    assert "empty" in page.image_preview.info.text()


def test_recent_projects_and_stage_navigation(main_window, tmp_path):
    for name in ("a", "b"):
        assert main_window.open_project(tmp_path / name, create=True)
    assert main_window.recent_projects()[:2] == [str(tmp_path / "b"), str(tmp_path / "a")]
    assert not main_window.open_project(tmp_path / "missing")
    assert main_window.project.root == tmp_path / "b"
    titles = [main_window.navigation.item(i).text() for i in range(5)]
    assert [t.split()[-1] for t in titles] == ["Import", "Preprocess", "Train", "Infer", "Export"]


def test_welcome_then_demo_project_prefills_import(main_window, qtbot, tmp_path, artifacts):
    assert main_window.central.currentWidget() is main_window.welcome
    assert not main_window.job_dock.isVisible()
    assert main_window.grab().save(str(artifacts / "main_window_welcome.png"))
    assert main_window.start_demo(tmp_path / "demo")
    assert main_window.central.currentIndex() == 1 and main_window.job_dock.isVisible()
    page = main_window.pages["import"]
    assert page.images.path().endswith("images") and page.labels.path().endswith("labels")
    assert page.image_preview.ok and page.label_preview.ok
    assert main_window.recent_projects()[0] == str(tmp_path / "demo")


def test_console_dock_sees_project_and_viewer(main_window, qtbot, project_with_run):
    assert main_window.open_project(project_with_run.root)
    console = main_window.show_console()
    assert main_window.console_dock.isVisible()
    assert not main_window.viewer_panel.qt_viewer.viewerButtons.consoleButton.isVisible()
    console.execute("shape = project.volume('image').shape; n = len(viewer.layers)")
    qtbot.waitUntil(lambda: "n" in console.namespace(), timeout=10_000)
    assert console.namespace()["shape"] == (6, 32, 40)
    assert console.namespace()["n"] == 2  # image and labels shown on opening


def test_inspect_dock_shows_the_run_and_goes_with_the_project(
    main_window, qtbot, project_with_run, tmp_path
):
    assert main_window.show_inspect() is None  # no project yet
    assert main_window.open_project(project_with_run.root)
    panel = main_window.show_inspect()
    assert main_window.inspect_dock.isVisible()
    assert panel.runs.currentText() == "run1" and panel.tabs.count() == 5
    assert "segmentation run1" in main_window.viewer.layers
    assert main_window.open_project(tmp_path / "other", create=True)
    assert main_window.inspect is None and "segmentation run1" not in main_window.viewer.layers
    qtbot.wait(50)


def test_diagnostics_dialog_reports_the_worker_environment(main_window, qtbot, artifacts):
    dialog = main_window.show_diagnostics()
    with qtbot.waitSignal(dialog.client.finished, timeout=120_000) as finished:
        pass
    assert finished.args == ["completed"]
    assert dialog.worker_values["tensorflow"].text().startswith("2.")
    assert dialog.worker_values["cpu_count"].text().split()[0].isdigit()
    assert dialog.grab().save(str(artifacts / "diagnostics.png"))
    dialog.close()


def test_environment_check_failure_becomes_a_dialog(main_window, qtbot, monkeypatch):
    monkeypatch.setattr("ffn_core.jobs.worker_python", lambda: "/nonexistent/python")
    checker = main_window.check_environment()
    with qtbot.waitSignal(checker.finished, timeout=30_000):
        pass
    boxes = [box for box in main_window.findChildren(QMessageBox) if box.isVisible()]
    assert boxes and "engine cannot start" in boxes[-1].text()


def _visible_box(window, name: str) -> QMessageBox:
    boxes = [box for box in window.findChildren(QMessageBox, name) if box.isVisible()]
    assert boxes, f"no {name} shown"
    return boxes[-1]


def test_a_new_project_needs_an_empty_folder_and_recent_keeps_only_projects(
    main_window, qtbot, tmp_path
):
    window = main_window
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "holiday.jpg").write_bytes(b"jpeg")
    assert not window.open_project(photos, create=True)
    box = _visible_box(window, "errorBox")
    assert "not empty" in box.text() and "empty folder" in box.informativeText()
    box.close()
    assert sorted(p.name for p in photos.iterdir()) == ["holiday.jpg"]
    assert not window.start_demo(photos)  # the welcome screen's "Try the demo" there
    _visible_box(window, "errorBox").close()
    assert sorted(p.name for p in photos.iterdir()) == ["holiday.jpg"]
    assert window.project is None and window.recent_projects() == []

    Project.create(tmp_path / "lab")
    assert not window.open_project(tmp_path / "lab", create=True)
    offer = _visible_box(window, "openExistingBox")
    assert "already holds a project" in offer.text()
    offer.button(QMessageBox.Open).click()
    assert window.project is not None and window.project.root == tmp_path / "lab"
    assert window.recent_projects() == [str(tmp_path / "lab")]

    assert window.open_project(tmp_path / "gone", create=True)
    assert not window.open_project(photos)  # not a project: an error, and not in Recent
    _visible_box(window, "errorBox").close()
    assert window.recent_projects() == [str(tmp_path / "gone"), str(tmp_path / "lab")]
    shutil.rmtree(tmp_path / "gone")
    assert window.recent_projects() == [str(tmp_path / "lab")]
    window.save_view()  # as on closing: never brings a deleted project's folder back
    assert not (tmp_path / "gone").exists()
    assert window.start_folder() == str(tmp_path)
    window.recent_menu.aboutToShow.emit()
    assert [action.text() for action in window.recent_menu.actions()] == [str(tmp_path / "lab")]


def test_the_demo_while_a_project_is_open_starts_from_its_own_state(
    main_window, complete_job, tmp_path, small_stacks
):
    window = main_window
    defaults = {stage: page.field_values() for stage, page in window.pages.items()}
    assert window.open_project(tmp_path / "snemi", create=True)
    imports = window.show_stage("import")
    imports.images.set_path(str(small_stacks[0]))
    for box, size in zip(imports.voxel, (30.0, 6.0, 6.0)):
        box.setValue(size)
    complete_job(imports.start_import)
    snemi_json = (tmp_path / "snemi" / "project.json").read_bytes()
    # typed on every page of the SNEMI3D project, never run
    imports.labels.set_path(str(small_stacks[1]))
    window.pages["preprocess"].min_size.setValue(77)
    window.pages["infer"].options["pad_value"].setText("0.2")
    window.pages["infer"].bbox.setText("0:4,0:40,0:48")

    assert window.start_demo(tmp_path / "demo")  # the welcome screen's "Try the demo"
    values = {stage: page.field_values() for stage, page in window.pages.items()}
    assert values["import"]["voxel_size_zyx"] == (1.0, 1.0, 1.0)
    assert values["import"]["images"].startswith(str(tmp_path / "demo"))
    assert values["import"]["labels"].startswith(str(tmp_path / "demo"))
    for stage in ("preprocess", "train", "infer", "export"):
        assert values[stage] == defaults[stage], stage
    assert "bounding box" not in window.viewer.layers
    assert [layer.name for layer in window.viewer.layers] == []
    complete_job(window.pages["import"].start_import)
    demo = Project.open(tmp_path / "demo")
    assert demo.data["volumes"]["image"]["voxel_size"] == [1.0, 1.0, 1.0]
    assert (tmp_path / "snemi" / "project.json").read_bytes() == snemi_json


_OTHER_WINDOW = """
import sys, time
from ffn_core.project_lock import ProjectLock
ProjectLock(sys.argv[1]).acquire()
print("held", flush=True)
time.sleep(120)
"""


def test_a_project_open_in_another_window_is_refused_with_who_has_it(main_window, tmp_path):
    root = Project.create(tmp_path / "shared").root
    with subprocess.Popen(
        [sys.executable, "-c", _OTHER_WINDOW, str(root)], stdout=subprocess.PIPE, text=True
    ) as other:
        assert other.stdout.readline().strip() == "held"
        assert not main_window.open_project(root)
        box = _visible_box(main_window, "errorBox")
        assert str(other.pid) in box.text() and str(root) in box.text()
        assert main_window.project is None
        box.close()
        other.kill()  # the other window is gone (crashed): its lock is taken over
    assert main_window.open_project(root)
    assert (root / ".lock").is_file()
    assert main_window.open_project(root)  # the same window opens it again
    assert main_window.open_project(tmp_path / "next", create=True)  # switching gives it back
    assert not (root / ".lock").exists() and (tmp_path / "next" / ".lock").is_file()
