"""A lab user's first day, through the REAL worker: the welcome screen's "Try the demo", then
the five stage wizards with their own buttons (Next up to the review, Start, "Next stage →")
and the settings the demo project gets by default, to an exported segmentation, in minutes
on a 2-core CPU.

The demo's full training (6,000 steps) took this test 306 s on an idle 2-core machine and
383-482 s on a loaded one; to keep the suite's time, the test types a shorter schedule into
the Train wizard's Max steps (as a user may) and checks the budget on the rest of the run."""

from __future__ import annotations

import time

import pytest
from PyQt5.QtWidgets import QFileDialog

from ffn_core.demo_data import DemoSpec
from ffn_core.presets import stage_presets

pytestmark = [pytest.mark.gui, pytest.mark.slow]
STAGES = ("import", "preprocess", "train", "infer", "export")
BUDGET_S = 600  # the welcome screen promises the whole pipeline in minutes
QUICK_STEPS = stage_presets()["quick"].train["max_steps"]
TEST_STEPS = 1500


def test_demo_runs_through_the_five_wizards_in_minutes(
    main_window, qtbot, tmp_path, monkeypatch, artifacts
):
    window = main_window
    monkeypatch.setattr(  # the folder the user picks for the demo project
        QFileDialog, "getExistingDirectory", staticmethod(lambda *_args: str(tmp_path / "demo"))
    )
    started = time.monotonic()
    window.welcome.demo_button.click()
    assert window.project is not None and window.project.root == tmp_path / "demo"
    for stage in STAGES:
        page, wizard = window.pages[stage], window.pages[stage].wizard
        assert window.stack.currentWidget().widget() is page  # "Next stage →" led here
        while wizard.current() < wizard.review_index:
            assert wizard.next_button.isEnabled(), f"{stage}: {wizard.reason.text()}"
            if stage == "train" and page.max_steps.isVisible():
                assert page.max_steps.value() == QUICK_STEPS  # the demo's own schedule
                page.max_steps.setValue(TEST_STEPS)
            wizard.next_button.click()
        assert wizard.start_button.isEnabled(), f"{stage}: {wizard.reason.text()}"
        if stage in ("preprocess", "train", "infer"):
            assert "Expected run time: about" in wizard.review_label.text(), stage
        qtbot.wait(100)
        assert window.grab().save(str(artifacts / f"pipeline_{stage}_review.png"))
        left_ms = int((BUDGET_S - (time.monotonic() - started)) * 1000)
        with qtbot.waitSignal(window.client.finished, timeout=max(left_ms, 1)) as finished:
            wizard.start_button.click()
        log = window.job_panel.log_view.toPlainText()
        assert finished.args == ["completed"], f"{stage}: {log[-3000:]}"
        if stage != "export":
            assert wizard.next_stage_button.isVisible(), stage
            wizard.next_stage_button.click()
    elapsed = time.monotonic() - started
    assert elapsed < BUDGET_S, f"the demo took {elapsed:.0f} s"
    exported = [folder for folder in window.project.path("exports").iterdir() if folder.is_dir()]
    assert len(exported) == 1 and len(list(exported[0].glob("*.png"))) == DemoSpec().shape_zyx[0]
    assert "Written to" in window.pages["export"].written.text()
    assert any(layer.name.startswith("segmentation") for layer in window.viewer.layers)
    qtbot.wait(200)
    assert window.grab().save(str(artifacts / "main_window_pipeline.png"))
    print(f"demo through the five wizards: {elapsed:.0f} s")
