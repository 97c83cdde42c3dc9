"""Train page: preprocess and train a tiny model through the REAL worker, watch the plot
and preview update, stop, resume with the step count and the curve continuing."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import pytest

from app.controllers.train import train_config, train_fields
from app.i18n import install_language
from ffn_core.demo_data import DemoSpec, make_demo_volume
from ffn_core.estimates import train_estimate
from ffn_core.presets import stage_presets
from ffn_core.project import Project
from ffn_core.protocol import Progress

pytestmark = pytest.mark.gui
JOB_TIMEOUT_MS = 180_000
TINY_MODEL = '{"depth": 2, "fov_size": [9, 9, 5], "deltas": [2, 2, 1]}'


@pytest.fixture
def demo_project(tmp_path) -> Project:
    """A project holding a small synthetic EM volume and its neuron labels."""
    image, labels = make_demo_volume(DemoSpec(shape_zyx=(16, 48, 48), n_cells=8))
    project = Project.create(tmp_path / "demo")
    project.path("volumes").mkdir()
    for name, data in (("image", image), ("labels", labels)):
        path = project.path("volumes", f"{name}.h5")
        with h5py.File(path, "w") as handle:
            handle.create_dataset("raw", data=data)
        project.register_volume(
            name,
            path,
            "raw",
            shape=list(data.shape),
            dtype=str(data.dtype),
            mean=float(data.mean()),
            std=float(data.std()),
        )
    return project


def _run(main_window, qtbot, start) -> str:
    with qtbot.waitSignal(main_window.client.finished, timeout=JOB_TIMEOUT_MS) as finished:
        assert start()
    return finished.args[0]


def test_preprocess_train_stop_resume(main_window, qtbot, demo_project, artifacts):
    assert main_window.open_project(demo_project.root)
    prep = main_window.show_stage("preprocess")
    prep.lom_radius.setText("4,4,2")
    prep.min_size.setValue(50)
    assert _run(main_window, qtbot, prep.start_preprocess) == "completed"

    page = main_window.show_stage("train")
    page.model_args.setText(TINY_MODEL)
    page.batch.setValue(2)
    page.max_steps.setValue(100_000)
    page.summary_seconds.setValue(1)
    page.decay_factor.setText("0.5")
    page.decay_steps.setText("1000")
    config = train_config(page.field_values())
    assert config.model_args is not None and config.preset is None
    with qtbot.waitSignal(main_window.client.finished, timeout=JOB_TIMEOUT_MS) as finished:
        assert page.start_training()
        qtbot.waitUntil(
            lambda: (
                len(page.plot.history.loss) >= 20
                and page.preview.pixmap() is not None
                and not page.preview.pixmap().isNull()
            ),
            timeout=JOB_TIMEOUT_MS,
        )
        main_window.job_panel.stop_button.click()
    assert finished.args == ["stopped"], main_window.job_panel.log_view.toPlainText()
    stopped_at = page.plot.history.loss[-1][0]
    assert page.plot.loss_curve.getData()[0] is not None
    assert "steps/s" in page.rates.text()

    assert page.wizard.go_to_review()  # the page offers what the engine's hint says
    assert page.resume.button.isEnabled() and "press Resume" in page.resume.note.text()
    page.max_steps.setValue(stopped_at + 30)
    resumed = train_config(page.field_values(), resume=True)
    assert (resumed.run, resumed.max_steps, resumed.batch_size) == (
        "default",
        stopped_at + 30,
        None,
    )
    assert _run(main_window, qtbot, lambda: page.start_training(resume=True)) == "completed"
    assert page.wizard.current_title() == "Progress" and page.wizard.next_stage_button.isVisible()
    steps = [step for step, _ in page.plot.history.loss]
    assert steps == sorted(steps) and steps[-1] == stopped_at + 30
    assert steps[0] < stopped_at  # the curve before the stop is still there
    config = json.loads(demo_project.path("runs", "default", "config.json").read_text())
    assert (config["learning_rate_decay_factor"], config["decay_steps"]) == (0.5, 1000)
    infer = main_window.pages["infer"].checkpoint  # the run, then its checkpoints
    assert infer.itemText(0) == str(demo_project.path("runs", "default"))
    checkpoints = [infer.itemText(index) for index in range(1, infer.count())]
    assert checkpoints and all(Path(c).parent.parent.name == "default" for c in checkpoints)
    qtbot.wait(200)
    assert main_window.grab().save(str(artifacts / "main_window_train.png"))


def test_start_waits_for_the_coordinates_and_valid_settings(
    main_window, qtbot, demo_project, complete_job, artifacts
):
    assert main_window.open_project(demo_project.root)
    page = main_window.show_stage("train")
    wizard = page.wizard
    assert wizard.banner.isVisible() and "run Preprocess first" in wizard.missing_label.text()
    assert "run Preprocess first" in wizard.start_problem() and not wizard.start()
    assert not main_window.client.is_running()
    qtbot.wait(100)
    assert page.grab().save(str(artifacts / "train_wizard_missing.png"))
    prep = main_window.show_stage("preprocess")
    prep.lom_radius.setText("4,4,2")
    prep.min_size.setValue(50)
    complete_job(prep.start_preprocess)

    page = main_window.show_stage("train")
    assert not wizard.banner.isVisible()
    wizard.next_button.click()
    assert wizard.current_title() == "Model"
    page.model_args.setText('{"depth": 2, "fov_size": [9, 9]')  # cut short
    assert "not valid JSON" in wizard.reason.text() and not wizard.next_button.isEnabled()
    page.model_args.setText(TINY_MODEL)
    wizard.next_button.click()
    page.decay_factor.setText("half")
    assert "Learning-rate decay factor" in wizard.reason.text()
    assert not wizard.go_to_review() and wizard.start_problem() and not wizard.start()
    page.decay_factor.setText("0.5")
    assert wizard.go_to_review() and wizard.start_button.isEnabled()
    assert "Expected run time: about" in wizard.review_label.text()
    qtbot.wait(100)
    assert page.grab().save(str(artifacts / "train_wizard_review.png"))


def test_the_demo_trains_the_quick_preset_in_minutes(
    main_window, qtbot, complete_job, tmp_path, artifacts
):
    assert main_window.start_demo(tmp_path / "demo")  # the welcome screen's Try the demo
    complete_job(main_window.pages["import"].start_import)
    page = main_window.show_stage("train")
    quick = stage_presets()["quick"]
    config = train_config(page.field_values())
    assert config.model_args == quick.model_args and config.max_steps == quick.train["max_steps"]
    assert page.stage_preset.currentData() == "quick"
    estimate = train_estimate(main_window.project, config)
    assert estimate.seconds is not None and estimate.seconds < 15 * 60
    page.wizard.go_to(1)
    qtbot.wait(100)
    assert page.grab().save(str(artifacts / "train_wizard_model_demo.png"))

    complete_job(main_window.show_stage("preprocess").start_preprocess)  # its own defaults
    page = main_window.show_stage("train")
    page.max_steps.setValue(20)  # a short run of the quick model
    assert page.wizard.go_to_review()
    complete_job(page.wizard.start)
    infer = main_window.pages["infer"].field_values()  # the demo's inference, ready
    assert infer["checkpoint"] == str(main_window.project.path("runs", "default"))
    assert float(infer["move_threshold"]) == quick.infer["move_threshold"]
    assert "PolicyGrid3d" in Path(infer["request"]).read_text()


def test_opening_another_project_shows_its_own_training(main_window, qtbot, demo_project, tmp_path):
    assert main_window.open_project(demo_project.root)
    page = main_window.show_stage("train")
    page.max_steps.setValue(123)
    # what the worker reports while project A trains
    main_window.client.progress.emit(Progress("train", 5, 10, metrics={"step": 5, "loss": 0.3}))
    assert page.rates.text().startswith("step 5 / 10") and page.plot.history.loss

    assert main_window.open_project(tmp_path / "b", create=True)
    assert page.field_values() == train_fields(None)
    assert page.rates.text() == "" and not page.plot.history.loss
    assert page.wizard.current() == 0 and page.resume.isHidden()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_each_step_as_the_user_sees_it(request, qtbot, demo_project, artifacts, language):
    install_language(language)
    try:
        window = request.getfixturevalue("main_window")
        assert window.open_project(demo_project.root)
        demo_project.path("preprocess").mkdir()  # as if preprocessed: the steps open
        window.pages["train"].project_changed()
        page = window.show_stage("train")
        for index, _step in enumerate(page.wizard.steps):
            assert page.wizard.go_to(index)
            qtbot.wait(50)
            scroll = page.parentWidget().parentWidget()  # the stage list's scroll area
            assert not scroll.horizontalScrollBar().isVisible()
            assert page.grab().save(str(artifacts / f"train_wizard_{index + 1}_{language}.png"))
    finally:
        install_language("en")
