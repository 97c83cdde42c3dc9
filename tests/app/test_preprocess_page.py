"""Preprocess page: settings from the stage preset, a run through the REAL worker."""

from __future__ import annotations

import numpy as np
import pytest

from ffn_core.presets import stage_presets
from ffn_core.zyx import format_triple

pytestmark = pytest.mark.gui
JOB_TIMEOUT_MS = 120_000


def test_preset_sets_lom_radius_and_preprocess_runs(main_window, qtbot, project_with_run):
    assert main_window.open_project(project_with_run.root)
    page = main_window.show_stage("preprocess")
    for name, preset in stage_presets().items():
        page.apply_preset(name)
        assert page.lom_radius.text() == format_triple(preset.preprocess["lom_radius_xyz"])
        assert page.preset.name() == name
    page.apply_preset("reference")  # as the reference's SNEMI3D tutorial
    assert page.lom_radius.text() == "24,24,24" and page.min_size.value() == 10000

    page.lom_radius.setText("3,3,1")
    page.min_size.setValue(10)
    with qtbot.waitSignal(main_window.client.finished, timeout=JOB_TIMEOUT_MS) as finished:
        assert page.start_preprocess()
    assert finished.args == ["completed"], main_window.job_panel.log_view.toPlainText()
    assert "training coordinates" in page.wizard.done_label.text()
    coordinates = np.load(project_with_run.path("preprocess", "coordinates.npy"))
    assert len(coordinates) > 0
    assert "partitions" in main_window.viewer.layers
