"""Infer page, a run in subvolumes on Dask through the REAL worker: the plan drawn as a grid
coloured by the subvolumes' states, the finished subvolumes shown before the stitch, the
dashboard link, Stop and Resume (only the missing subvolumes computed), the stitched layer."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from ffn_core.protocol import Progress, Result

pytestmark = [pytest.mark.gui, pytest.mark.slow]
JOB_TIMEOUT_MS = 300_000
MODEL = "models/snemi3d_ffn_windows"


def test_run_in_subvolumes_shows_the_grid_stops_resumes_and_stitches(
    main_window, qtbot, shared, snemi_project, artifacts
):
    """SNEMI3D slices 0-19, y and x 0-95 in four subvolumes of 20 x 64 x 64 (the reference
    model's FOV is 17 x 33 x 33)."""
    window = main_window
    assert window.open_project(snemi_project.root)
    page = window.show_stage("infer")
    assert page.dask["subvolume_size_zyx"].placeholderText() == "whole box as one; e.g. 100,320,320"
    page.checkpoint.setCurrentText(str(shared / MODEL / "model.ckpt-7000000"))
    page.options["checkpoint_interval"].setText("0")
    fields = {
        "subvolume_size_zyx": "20,64,64",
        "overlap_zyx": "0,32,32",
        "workers": "1",  # one pair of subvolumes (a task) after the other
        "threads_per_worker": "1",
    }
    for name, text in fields.items():
        page.dask[name].setText(text)
    states: list[str] = []
    shown_before_stitch: list[int] = []
    results: list[Result] = []

    def on_progress(record: Progress) -> None:
        """Look at the window while some subvolumes are done and others not."""
        if "states" not in record.metrics:
            return
        states.append(record.metrics["states"])
        if "d" in states[-1] and "dddd" != states[-1] and not shown_before_stitch:
            shown_before_stitch.append(
                int(np.count_nonzero(window.viewer.layers["segmentation default"].data))
            )
            assert window.viewer.layers[-1].name == "subvolumes"  # the grid over the segments
            assert window.grab().save(str(artifacts / "main_window_infer_subvolumes_running.png"))

    window.client.progress.connect(on_progress)
    window.client.result.connect(results.append)

    with qtbot.waitSignal(window.client.finished, timeout=JOB_TIMEOUT_MS) as finished:
        assert page.start_inference()
        qtbot.waitUntil(lambda: bool(states), timeout=JOB_TIMEOUT_MS)
        assert "href='http://127.0.0.1:" in page.dashboard.text()  # the cluster on this PC
        window.job_panel.stop_button.click()
    assert finished.args == ["stopped"], window.job_panel.log_view.toPlainText()[-3000:]
    grid = page.plan_grid.grid
    assert len(grid.plan.subvolumes) == 4 and "r" not in grid.states  # running ones wait again
    done_before = grid.states.count("d")
    assert page.dashboard.text() == ""  # the cluster of the stopped run is gone

    window.viewer.dims.set_current_step(0, 10)  # a slice with objects
    with qtbot.waitSignal(window.client.finished, timeout=JOB_TIMEOUT_MS) as finished:
        page.resume.button.click()
    assert finished.args == ["completed"], window.job_panel.log_view.toPlainText()[-3000:]
    assert results[-1].extra["computed"] == 4 - done_before
    assert results[-1].outputs["subvolumes"] == 4
    if shown_before_stitch:  # a progress record came between two tasks (timing allowing)
        assert shown_before_stitch[0] > 0  # the finished subvolumes show before the stitch

    layer = window.viewer.layers["subvolumes"]
    assert len(layer.data) == 4 and list(layer.features["state"]) == ["done"] * 4
    assert page.plan_grid.grid.states == "dddd"
    assert page.counts.text().startswith("subvolumes done: 4 / 4")
    stitched = window.viewer.layers["segmentation default"].data
    with h5py.File(snemi_project.path("inference", "default", "segmentation.h5"), "r") as handle:
        assert np.array_equal(stitched, handle["segmentation"][...])
    assert stitched.shape == (20, 96, 96) and stitched.max() > 0
    page.parentWidget().parentWidget().ensureWidgetVisible(page.counts)  # the page's scroll area
    qtbot.wait(200)
    assert window.grab().save(str(artifacts / "main_window_infer_subvolumes.png"))
