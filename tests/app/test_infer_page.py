"""Infer page: box drawn/typed, a reference TF1 checkpoint run through the REAL worker,
stopped, resumed, with the segmentation layer refreshed from artifact events."""

from __future__ import annotations

import numpy as np
import pytest

from app.controllers.infer import infer_config
from ffn_core.protocol import Artifact

pytestmark = pytest.mark.gui
JOB_TIMEOUT_MS = 180_000
MODEL = "models/snemi3d_ffn_windows"


def test_box_text_and_rectangle_follow_each_other(main_window, qtbot, snemi_project, artifacts):
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
    page.bbox.setText("0:10,0:300,0:5")
    page.bbox.editingFinished.emit()
    assert "y range 0:300 is outside the image" in page.counts.text()


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

    with qtbot.waitSignal(main_window.client.finished, timeout=JOB_TIMEOUT_MS) as finished:
        page.resume_button.click()
    assert finished.args == ["completed"], main_window.job_panel.log_view.toPlainText()
    assert any(a.name == "segmentation" for a in artifacts_seen)
    layer = main_window.viewer.layers["segmentation default"]
    assert layer.data.shape == (20, 80, 80) and layer.data.max() > 0
    assert page.counts.text().startswith("objects: ")
    assert main_window.job_panel.bar.value() == main_window.job_panel.bar.maximum()
    qtbot.wait(200)
    assert main_window.grab().save(str(artifacts / "main_window_infer.png"))
