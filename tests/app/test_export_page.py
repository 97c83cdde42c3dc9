"""Export page: export and evaluate an inference run through the REAL worker process."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.gui
JOB_TIMEOUT_MS = 60_000


def test_export_and_evaluate_a_run(main_window, qtbot, project_with_run, tmp_path, artifacts):
    assert main_window.open_project(project_with_run.root)
    page = main_window.show_stage("export")
    assert page.run.currentText() == "run1"
    page.show_run()
    layer = main_window.viewer.layers["segmentation run1"]
    assert layer.data.shape == (4, 16, 40) and tuple(layer.translate) == (1.0, 8.0, 0.0)

    page.format.setCurrentIndex(page.format.findData("png"))
    page.bits.setCurrentIndex(page.bits.findData(16))
    page.destination.setText(str(tmp_path / "out"))
    with qtbot.waitSignal(main_window.client.finished, timeout=JOB_TIMEOUT_MS) as finished:
        assert page.start_export()
    assert finished.args == ["completed"], main_window.job_panel.log_view.toPlainText()
    slices = sorted((tmp_path / "out").glob("*.png"))
    assert len(slices) == 4
    first = np.asarray(Image.open(slices[0]))
    assert first.shape == (16, 40) and set(np.unique(first)) == {2, 3}
    assert str(tmp_path / "out") in page.written.text()

    with qtbot.waitSignal(main_window.client.finished, timeout=JOB_TIMEOUT_MS) as finished:
        assert page.start_evaluate()
    assert finished.args == ["completed"], main_window.job_panel.log_view.toPlainText()
    assert float(page.scores["arand"].text()) == pytest.approx(0.0, abs=1e-6)
    assert float(page.scores["precision"].text()) == pytest.approx(1.0)
    qtbot.wait(200)
    assert main_window.grab().save(str(artifacts / "main_window_export.png"))
