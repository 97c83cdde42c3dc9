"""Train page: preprocess and train a tiny model through the REAL worker, watch the plot
and preview update, stop, resume with the step count and the curve continuing."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import pytest

from app.controllers.train import train_config
from ffn_core.demo_data import DemoSpec, make_demo_volume
from ffn_core.project import Project

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

    page.max_steps.setValue(stopped_at + 30)
    resumed = train_config(page.field_values(), resume=True)
    assert (resumed.run, resumed.max_steps, resumed.batch_size) == (
        "default",
        stopped_at + 30,
        None,
    )
    assert _run(main_window, qtbot, lambda: page.start_training(resume=True)) == "completed"
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
