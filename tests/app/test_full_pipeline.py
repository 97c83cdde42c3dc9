"""A lab user's first day, through the REAL worker: welcome → demo project → import →
preprocess → train (tiny) → infer → export, ending with the segmentation in napari and
the exported files on disk."""

from __future__ import annotations

import pytest

from ffn_core.demo_data import DemoSpec

pytestmark = [pytest.mark.gui, pytest.mark.slow]
TINY_MODEL = '{"depth": 2, "fov_size": [9, 9, 5], "deltas": [2, 2, 1]}'


def test_demo_through_every_stage(
    main_window, complete_job, qtbot, tmp_path, monkeypatch, artifacts
):
    import app.main_window as main_window_module
    from app.welcome import create_demo_project

    small = DemoSpec(shape_zyx=(16, 48, 48), n_cells=8)  # the default volume, smaller
    monkeypatch.setattr(
        main_window_module, "create_demo_project", lambda folder: create_demo_project(folder, small)
    )
    assert main_window.central.currentWidget() is main_window.welcome
    assert main_window.start_demo(tmp_path / "demo")
    window = main_window
    complete_job(window.pages["import"].start_import)
    assert {"image", "labels"} <= {layer.name for layer in window.viewer.layers}

    prep = window.show_stage("preprocess")
    prep.lom_radius.setText("4,4,2")
    prep.min_size.setValue(50)
    complete_job(prep.start_preprocess)

    train = window.show_stage("train")
    train.model_args.setText(TINY_MODEL)
    train.batch.setValue(2)
    train.max_steps.setValue(30)
    complete_job(train.start_training)

    infer = window.show_stage("infer")
    assert infer.checkpoint.count() > 0  # the training run is offered
    infer.checkpoint.setCurrentIndex(0)
    infer.options["min_segment_size"].setText("10")
    complete_job(infer.start_inference)
    assert "segmentation default" in window.viewer.layers

    export = window.show_stage("export")
    assert export.run.currentText() == "default"
    export.format.setCurrentIndex(export.format.findData("tif"))
    export.destination.setText(str(tmp_path / "exported"))
    complete_job(export.start_export)
    assert len(list((tmp_path / "exported").glob("*.tif"))) == small.shape_zyx[0]
    qtbot.wait(200)
    assert window.grab().save(str(artifacts / "main_window_pipeline.png"))
