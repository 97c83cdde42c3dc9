"""Infer page: box drawn/typed, a reference TF1 checkpoint run through the REAL worker,
stopped, resumed, with the segmentation layer refreshed from artifact events."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PyQt5.QtWidgets import QLabel

from app.controllers.infer import infer_config, option_defaults
from app.i18n import install_language
from ffn_core.infer.refine import DEFAULT_REFINE, REFINE_STEPS
from ffn_core.protocol import Artifact, Progress
from ffn_core.stages.infer import OPTION_OVERRIDES

pytestmark = pytest.mark.gui
JOB_TIMEOUT_MS = 180_000
MODEL = "models/snemi3d_ffn_windows"


def test_box_text_and_rectangle_follow_each_other(
    main_window, qtbot, shared, snemi_project, artifacts
):
    assert main_window.open_project(snemi_project.root)
    page = main_window.show_stage("infer")
    page.bbox.setText("2:10,8:40,16:64")
    page.bbox.editingFinished.emit()
    layer = main_window.viewer.layers["bounding box"]
    assert np.allclose(np.asarray(layer.data[0]).min(axis=0), [8, 16])
    assert np.allclose(np.asarray(layer.data[0]).max(axis=0), [40, 64])
    layer.add_rectangles(np.array([[4.6, 5.2], [30.0, 200.0]]))  # as if drawn with the mouse
    assert page.bbox.text() == "2:10,4:30,5:96"
    assert len(layer.data) == 1  # the drawn rectangle replaced the typed one
    qtbot.wait(200)
    assert main_window.grab().save(str(artifacts / "main_window_infer_box.png"))
    page.checkpoint.setCurrentText(str(shared / MODEL / "model.ckpt-7000000"))
    assert page.wizard.go_to(1) and page.wizard.current_title() == "Box"
    page.bbox.setText("0:10,0:300,0:5")
    page.bbox.editingFinished.emit()
    assert "y range 0:300 is outside the image" in page.wizard.reason.text()
    assert not page.wizard.next_button.isEnabled()


def test_infer_reference_checkpoint_stop_and_resume(
    main_window, qtbot, shared, snemi_project, artifacts
):
    assert main_window.open_project(snemi_project.root)
    page = main_window.show_stage("infer")
    page.checkpoint.setCurrentText(str(shared / MODEL / "model.ckpt-7000000"))
    assert page.request.text() == str(shared / MODEL / "inference.pbtxt")  # suggested
    page.bbox.setText("0:20,0:80,0:80")
    page.options["checkpoint_interval"].setText("0")
    config = infer_config(page.field_values())
    assert config.bbox == ((0, 20), (0, 80), (0, 80)) and config.min_segment_size is None
    assert page.options["move_threshold"].placeholderText() == "0.9"  # the engine's default
    artifacts_seen: list[Artifact] = []
    main_window.client.artifact.connect(artifacts_seen.append)

    with qtbot.waitSignal(main_window.client.progress, timeout=JOB_TIMEOUT_MS):
        assert page.start_inference()
    with qtbot.waitSignal(main_window.client.finished, timeout=JOB_TIMEOUT_MS) as finished:
        main_window.job_panel.stop_button.click()
    assert finished.args == ["stopped"], main_window.job_panel.log_view.toPlainText()

    assert page.wizard.go_to_review()  # the page offers what the engine's hint says
    assert page.resume.button.isVisible() and "press Resume" in page.resume.note.text()
    qtbot.wait(100)
    assert page.grab().save(str(artifacts / "infer_wizard_resume.png"))
    with qtbot.waitSignal(main_window.client.finished, timeout=JOB_TIMEOUT_MS) as finished:
        page.resume.button.click()
    assert finished.args == ["completed"], main_window.job_panel.log_view.toPlainText()
    assert any(a.name == "segmentation" for a in artifacts_seen)
    layer = main_window.viewer.layers["segmentation default"]
    assert layer.data.shape == (20, 80, 80) and layer.data.max() > 0
    assert page.counts.text().startswith("objects: ")
    assert page.wizard.current_title() == "Progress" and page.wizard.next_stage_button.isVisible()
    assert main_window.job_panel.bar.value() == main_window.job_panel.bar.maximum()
    qtbot.wait(200)
    assert main_window.grab().save(str(artifacts / "main_window_infer.png"))


def test_start_is_disabled_with_the_reason_while_a_setting_is_invalid(
    main_window, qtbot, shared, snemi_project, artifacts
):
    assert main_window.open_project(snemi_project.root)
    page = main_window.show_stage("infer")
    wizard = page.wizard
    assert wizard.current_title() == "Checkpoint" and not wizard.next_button.isEnabled()
    assert "Choose a checkpoint" in wizard.reason.text()
    page.checkpoint.setCurrentText(str(shared / MODEL / "model.ckpt-6000000"))  # no such file
    assert "not found" in wizard.reason.text() and not wizard.next_button.isEnabled()
    assert not wizard.go_to_review() and not wizard.start()  # nothing starts
    assert not main_window.client.is_running()
    page.checkpoint.setCurrentText(str(shared / MODEL / "model.ckpt-7000000"))
    assert wizard.next_button.isEnabled() and not wizard.reason.isVisible()
    wizard.next_button.click()
    page.bbox.setText("0:20,0:80")  # a box of two axes
    assert "z0:z1,y0:y1,x0:x1" in wizard.reason.text() and not wizard.next_button.isEnabled()
    page.bbox.setText("0:20,0:80,0:80")
    wizard.next_button.click()
    assert wizard.current_title() == "Options"
    page.options["move_threshold"].setText("1.5")
    assert "not a probability" in wizard.reason.text() and not wizard.next_button.isEnabled()
    assert wizard.start_problem() and not wizard.start()
    qtbot.wait(100)
    assert page.grab().save(str(artifacts / "infer_wizard_invalid_option.png"))
    page.options["move_threshold"].setText("0.8")
    assert wizard.go_to_review() and wizard.start_button.isEnabled()
    review = wizard.review_label.text()
    assert "0:20,0:80,0:80" in review and "Expected run time" in review
    qtbot.wait(100)
    assert page.grab().save(str(artifacts / "infer_wizard_review.png"))


def test_opening_another_project_shows_its_own_state(
    main_window, qtbot, shared, snemi_project, tmp_path
):
    assert main_window.open_project(snemi_project.root)
    page = main_window.show_stage("infer")
    page.checkpoint.setCurrentText(str(shared / MODEL / "model.ckpt-7000000"))
    page.bbox.setText("2:10,8:40,16:64")
    page.bbox.editingFinished.emit()
    page.run_name.setText("mine")
    page.refine["fill"].setChecked(True)
    # a result line, as the worker reports it
    main_window.client.progress.emit(Progress("infer", 5, 10, metrics={"objects": 17}))
    assert page.counts.text().startswith("objects: 17")
    page.wizard.go_to(3)
    page.wizard.finish("done")

    assert main_window.start_demo(tmp_path / "demo")  # the welcome screen's Try the demo
    demo = main_window.project
    assert page.field_values() == page.stored_fields(None)
    assert page.field_values()["checkpoint"] == "" and page.field_values()["run"] == "default"
    assert page.counts.text() == "" and "bounding box" not in main_window.viewer.layers
    assert page.wizard.current() == 0 and not page.wizard.done_label.isVisible()
    assert json.loads(snemi_project.path("project.json").read_text())["runs"] == []
    assert str(snemi_project.root) not in json.dumps(demo.data)


def test_option_defaults_show_beside_their_names(main_window, snemi_project, artifacts):
    assert main_window.open_project(snemi_project.root)
    page = main_window.show_stage("infer")
    defaults = option_defaults()
    shown = {label.text() for label in page.findChildren(QLabel)}
    for name, field in page.options.items():
        assert field.placeholderText() == defaults.get(name, "")
        assert f"default {defaults.get(name, 'project image')}" in shown, name
    assert set(page.options) >= set(OPTION_OVERRIDES)  # the engine's options, each one


def test_refine_choices_are_the_engines_steps(main_window, qtbot, snemi_project, artifacts):
    assert main_window.open_project(snemi_project.root)
    page = main_window.show_stage("infer")
    assert tuple(page.refine) == REFINE_STEPS
    sentences = [label.text() for label in page.findChildren(QLabel)]
    for step in REFINE_STEPS:
        assert page._refine_text(step)[1] in sentences  # a sentence each
    page.checkpoint.setCurrentText("runs/r1")
    ticked = tuple(step for step, box in page.refine.items() if box.isChecked())
    assert ticked == DEFAULT_REFINE  # the engine's default, as the CLI's
    assert infer_config(page.field_values()).refine == DEFAULT_REFINE
    page.refine["consensus"].setChecked(True)
    page.refine["fill"].setChecked(False)
    assert infer_config(page.field_values()).refine == ("consensus", "agglomerate")


def test_the_review_says_what_start_does_with_a_runs_results(
    main_window, qtbot, shared, project_with_run, artifacts
):
    assert main_window.open_project(project_with_run.root)
    page = main_window.show_stage("infer")
    page.checkpoint.setCurrentText(str(shared / MODEL / "model.ckpt-7000000"))
    page.run_name.setText("new-run")
    assert page.wizard.go_to_review()
    assert not page.resume.isVisible()
    page.run_name.setText("run1")  # results without an inference checkpoint
    assert page.resume.isVisible() and not page.resume.button.isVisible()
    assert "Start asks whether to replace them" in page.resume.note.text()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_each_step_as_the_user_sees_it(request, qtbot, shared, snemi_project, artifacts, language):
    install_language(language)
    try:
        window = request.getfixturevalue("main_window")
        assert window.open_project(snemi_project.root)
        page = window.show_stage("infer")
        page.checkpoint.setCurrentText(str(shared / MODEL / "model.ckpt-7000000"))
        page.bbox.setText("0:20,0:80,0:80")
        for index, _step in enumerate(page.wizard.steps[:-1]):  # the progress step: a run
            assert page.wizard.go_to(index)
            qtbot.wait(50)
            scroll = page.parentWidget().parentWidget()  # the stage list's scroll area
            assert not scroll.horizontalScrollBar().isVisible()
            assert page.grab().save(str(artifacts / f"infer_wizard_{index + 1}_{language}.png"))
    finally:
        install_language("en")
