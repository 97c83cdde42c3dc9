"""Infer page: fill can be chosen for a run in subvolumes; consensus (one box only, for now)
is unticked and disabled while a subvolume field is filled, with the reason as its tooltip."""

from __future__ import annotations

import pytest

from app.controllers.infer import infer_config

pytestmark = pytest.mark.gui
MODEL = "models/snemi3d_ffn_windows"


def test_fill_is_offered_in_subvolumes_and_consensus_is_not(
    main_window, qtbot, shared, snemi_project, artifacts
):
    assert main_window.open_project(snemi_project.root)
    page = main_window.show_stage("infer")
    page.checkpoint.setCurrentText(str(shared / MODEL / "model.ckpt-7000000"))
    page.refine["consensus"].setChecked(True)
    page.dask["subvolume_size_zyx"].setText("20,64,64")
    consensus, fill = page.refine["consensus"], page.refine["fill"]
    assert not consensus.isEnabled() and not consensus.isChecked()
    assert "Runs on one box for now" in consensus.toolTip()
    assert fill.isEnabled() and not fill.toolTip() and fill.isChecked()  # on by default
    page.refine["agglomerate"].setChecked(False)
    config = infer_config(page.field_values())
    assert config.on_dask and config.refine == ("fill",)
    assert page.wizard.go_to(2) and page.wizard.current_title() == "Options"
    qtbot.wait(100)
    assert page.grab().save(str(artifacts / "infer_refine_in_subvolumes.png"))
    assert page.wizard.go_to_review() and page.wizard.start_button.isEnabled()
    review = page.wizard.review_label.text()
    assert "In subvolumes of 20,64,64" in review and "Then refine: Fill empty space." in review
    page.dask["subvolume_size_zyx"].setText("")  # the box as one: consensus again
    assert consensus.isEnabled() and not consensus.toolTip() and fill.isChecked()
