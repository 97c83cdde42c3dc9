"""The Import, Preprocess and Export wizards in the main window: each step validated before
Next, the review with its estimate, Start disabled with the reason shown, "Next stage →",
the missing-input banners, presets that fit the data, file dialogs that open in the project,
and voxel-size boxes that show their value whole. Jobs run through the REAL worker."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PyQt5.QtWidgets import QFileDialog, QLineEdit

from app.pages.forms import pick_checkpoint, start_folder
from ffn_core.presets import stage_presets
from ffn_core.zyx import format_triple

pytestmark = pytest.mark.gui


def test_demo_import_and_preprocess_wizards_then_next_stage(
    main_window, complete_job, qtbot, tmp_path, artifacts
):
    window = main_window
    assert window.start_demo(tmp_path / "demo")
    page = window.pages["import"]
    wizard = page.wizard
    assert wizard.current_title() == "Source" and wizard.next_button.isEnabled()
    page.labels.set_path(str(tmp_path / "nothing here"))  # a red error on the page ...
    assert not wizard.next_button.isEnabled() and "labels cannot be read" in wizard.reason.text()
    assert not wizard.go_to_review() and not wizard.start_button.isEnabled()  # ... no Start
    page.labels.set_path(str(tmp_path / "demo" / "demo-data" / "labels"))
    wizard.next_button.click()
    assert wizard.current_title() == "Voxel size"
    page.voxel[0].setValue(2.0)
    assert "64 × 96 × 96" in page.volume.text()  # 32 slices of 2 (e.g. nm)
    wizard.next_button.click()
    assert wizard.current_title() == "Review" and wizard.start_button.isEnabled()
    assert "32 × 96 × 96 voxels" in wizard.review_label.text()
    assert "Voxel size (z, y, x): 2, 1, 1" in wizard.review_label.text()
    prep = window.pages["preprocess"]
    assert "no labels" in prep.wizard.missing_label.text()  # nothing imported yet
    complete_job(wizard.start)
    assert wizard.next_stage_button.isVisible() and "Preprocess" in wizard.next_stage_button.text()
    assert "Imported the images and labels" in wizard.done_label.text()

    wizard.next_stage_button.click()  # Next stage → shows the Preprocess page
    assert window.navigation.currentRow() == 1 and window.stack.currentWidget().widget() is prep
    assert not prep.wizard.banner.isVisible()
    quick = stage_presets()["quick"]
    assert prep.preset.name() == "quick"  # the demo's small volume gets the demo's preset
    assert "quick" in prep.preset.suggestion.text()
    assert prep.lom_radius.text() == format_triple(quick.model_args.lom_radius_xyz)
    assert prep.min_size.value() == quick.preprocess["min_size"]
    prep.wizard.next_button.click()
    prep.lom_radius.setText("4,4")  # not three numbers: Next says why
    assert not prep.wizard.next_button.isEnabled() and prep.wizard.reason.isVisible()
    prep.lom_radius.setText(format_triple(quick.model_args.lom_radius_xyz))
    prep.wizard.next_button.click()
    review = prep.wizard.review_label.text()
    assert "Expected run time: about" in review and "32 × 96 × 96" in review
    qtbot.wait(100)
    assert window.grab().save(str(artifacts / "wizard_preprocess_review.png"))
    complete_job(prep.wizard.start)
    assert "training coordinates written to" in prep.wizard.done_label.text()
    prep.wizard.next_stage_button.click()
    assert window.navigation.currentRow() == 2


def test_preset_choice_fills_the_partition_settings(main_window, tmp_path):
    assert main_window.open_project(tmp_path / "p", create=True)
    prep = main_window.show_stage("preprocess")
    prep.seed.setValue(5)
    reference = stage_presets()["reference"]
    prep.preset.combo.setCurrentIndex(prep.preset.combo.findData("reference"))
    prep.preset.combo.activated.emit(prep.preset.combo.currentIndex())  # as a user's pick
    assert prep.lom_radius.text() == format_triple(reference.preprocess["lom_radius_xyz"])
    assert prep.min_size.value() == reference.preprocess["min_size"] and prep.seed.value() == 5
    assert "hours on a CPU" in prep.preset.about.text()


def test_export_wizard_checks_the_destination_and_forgets_results(
    main_window, complete_job, project_with_run, tmp_path
):
    window = main_window
    assert window.open_project(project_with_run.root)
    page = window.show_stage("export")
    wizard = page.wizard
    assert not wizard.banner.isVisible() and wizard.current_title() == "Run"
    assert "4 × 16 × 40" in page.run_info.text()
    wizard.next_button.click()
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    page.destination.setText(str(full))
    assert not wizard.next_button.isEnabled() and "not empty" in wizard.reason.text()
    page.overwrite.setChecked(True)
    assert wizard.next_button.isEnabled()
    page.overwrite.setChecked(False)
    page.destination.setText(str(tmp_path / "out"))
    wizard.next_button.click()
    assert "Export run <b>run1</b> (4 × 16 × 40 voxels" in wizard.review_label.text()
    complete_job(wizard.start)
    assert str(tmp_path / "out") in page.written.text() and page.written.isVisible()
    assert not wizard.next_stage_button.isVisible()  # the last stage
    project_with_run.path("inference", "run2").mkdir()
    shutil.copy(
        project_with_run.path("inference", "run1", "segmentation.h5"),
        project_with_run.path("inference", "run2"),
    )
    page.project_changed()
    page.run.setCurrentText("run2")  # another run: what was written for run1 goes
    assert not page.written.isVisible() and page.written.text() == ""


def test_missing_inputs_point_to_the_stage_to_do_first(main_window, tmp_path):
    assert main_window.open_project(tmp_path / "empty", create=True)
    expected = {"preprocess": "import", "export": "infer"}
    for stage, first in expected.items():
        wizard = main_window.show_stage(stage).wizard
        assert wizard.banner.isVisible() and not wizard.start_button.isEnabled()
        wizard.missing_button.click()
        assert main_window.stack.currentWidget().widget() is main_window.pages[first]


def test_file_dialogs_open_in_the_project(main_window, tmp_path, monkeypatch):
    opened: list[str] = []

    def record(_parent, _caption, folder="", *_args):
        opened.append(folder)
        return ("", "") if _args else ""

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(record))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(record))
    assert main_window.open_project(tmp_path / "proj", create=True)
    root = str(tmp_path / "proj")
    imports = main_window.pages["import"]
    imports.images.set_path("")
    imports.images._pick_folder()
    imports.labels._pick_file()
    export = main_window.pages["export"]
    export._pick_destination()
    assert opened == [root, root, root]
    export.destination.setText(str(tmp_path))  # a folder given: the dialog starts there
    export._pick_destination()
    assert opened[-1] == str(tmp_path)
    main_window.project.path("runs").mkdir()
    pick_checkpoint(main_window.pages["train"], QLineEdit())  # the train and infer pages'
    assert opened[-1] == str(tmp_path / "proj" / "runs")


def test_voxel_size_boxes_show_their_value_whole(main_window, tmp_path):
    main_window.resize(1280, 800)
    assert main_window.open_project(tmp_path / "p", create=True)
    page = main_window.show_stage("import")
    page.wizard.go_to(1)
    page.voxel[0].setValue(30.0)
    page.voxel[1].setValue(12345.67)
    main_window.repaint()
    for box in page.voxel:
        edit = box.lineEdit()
        assert edit.width() >= edit.fontMetrics().horizontalAdvance(box.text()), box.text()


def test_start_folder_without_a_project_is_home_and_follows_a_given_source(tmp_path):
    assert start_folder(None) == str(Path.home())
    (tmp_path / "stacks").mkdir()
    assert start_folder(None, f"{tmp_path / 'stacks' / 'em.h5'}:raw") == str(tmp_path / "stacks")
    assert start_folder(None, "relative/path") == str(Path.home())
