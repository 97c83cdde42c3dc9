"""Preprocess page: lom radius from the preset, a run through the REAL worker."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.gui
JOB_TIMEOUT_MS = 120_000


def test_preset_sets_lom_radius_and_preprocess_runs(main_window, qtbot, project_with_run):
    assert main_window.open_project(project_with_run.root)
    page = main_window.show_stage("preprocess")
    page.preset.combo.setCurrentText("anisotropic")  # fov 33,33,17 deltas 8,8,4 (x, y, z)
    assert page.lom_radius.text() == "24,24,12"
    assert '"fov_size": [33, 33, 17]' in page.preset.resolved.text()
    page.preset.combo.setCurrentText("isotropic")
    assert page.lom_radius.text() == "24,24,24"

    page.lom_radius.setText("3,3,1")
    page.min_size.setValue(10)
    with qtbot.waitSignal(main_window.client.finished, timeout=JOB_TIMEOUT_MS) as finished:
        assert page.start_preprocess()
    assert finished.args == ["completed"], main_window.job_panel.log_view.toPlainText()
    assert "training coordinates" in page.summary.text()
    coordinates = np.load(project_with_run.path("preprocess", "coordinates.npy"))
    assert len(coordinates) > 0
    assert "partitions" in main_window.viewer.layers
