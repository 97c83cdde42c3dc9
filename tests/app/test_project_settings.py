"""Each stage page shows the settings of its project: opening a project fills every page from
the project's latest run of its stage, or resets it to the defaults when there is none, so
nothing typed for one project stays for another. Jobs run through the REAL worker."""

from __future__ import annotations

import pytest

from ffn_core.project import Project
from ffn_core.stages.export import ExportConfig
from ffn_core.stages.infer import InferConfig
from ffn_core.stages.train import TrainConfig

pytestmark = pytest.mark.gui


def _values(window) -> dict[str, dict]:
    return {stage: page.field_values() for stage, page in window.pages.items()}


def test_pages_show_the_settings_of_the_opened_project(
    main_window, complete_job, tmp_path, small_stacks
):
    window = main_window
    defaults = _values(window)  # a new window's forms
    project_a = Project.create(tmp_path / "a")
    # runs of the stages too slow for this test, recorded as the engine records a run
    project_a.begin_run("train", TrainConfig(run="r1", batch_size=2, learning_rate=0.01).to_dict())
    infer = InferConfig(checkpoint="runs/r1", bbox=((0, 12), (0, 40), (0, 48)), move_threshold=0.7)
    project_a.begin_run("infer", infer.to_dict())
    project_a.begin_run("export", ExportConfig(run="seg", format="tif", colour=True).to_dict())

    assert window.open_project(project_a.root)
    imports = window.show_stage("import")
    imports.images.set_path(str(small_stacks[0]))
    imports.labels.set_path(str(small_stacks[1]))
    imports.voxel[0].setValue(30.0)
    complete_job(imports.start_import)
    prep = window.show_stage("preprocess")
    prep.lom_radius.setText("4,4,2")
    prep.min_size.setValue(50)
    complete_job(prep.start_preprocess)
    window.pages["infer"].options["pad_value"].setText("0.2")  # typed, never run
    opened_a = _values(window)

    assert window.open_project(tmp_path / "b", create=True)
    assert _values(window) == defaults  # nothing of A stays

    assert window.open_project(project_a.root)
    values = _values(window)
    assert values["import"]["images"] == str(small_stacks[0])
    assert values["import"]["voxel_size_zyx"] == (30.0, 1.0, 1.0)
    assert values["preprocess"]["lom_radius_xyz"] == "4,4,2"
    assert values["preprocess"]["min_size"] == 50
    assert values["train"]["run"] == "r1" and values["train"]["batch_size"] == 2
    assert values["train"]["learning_rate"] == "0.01"
    assert values["infer"]["bbox"] == "0:12,0:40,0:48"
    assert values["infer"]["move_threshold"] == "0.7" and values["infer"]["pad_value"] == ""
    assert values["export"]["format"] == "tif" and values["export"]["colour"]
    assert values == {**opened_a, "infer": {**opened_a["infer"], "pad_value": ""}}
    layer = window.viewer.layers["bounding box"]  # the stored box is drawn again
    assert layer.data[0].max(axis=0).tolist() == [40.0, 48.0]


def test_results_and_typing_of_one_project_never_reach_another(
    main_window, complete_job, project_with_run, tmp_path, small_stacks
):
    window = main_window
    assert window.open_project(project_with_run.root)
    prep = window.show_stage("preprocess")
    prep.lom_radius.setText("3,3,1")
    prep.min_size.setValue(10)
    complete_job(prep.start_preprocess)
    assert "training coordinates written to" in prep.wizard.done_label.text()
    export = window.show_stage("export")
    export.destination.setText(str(tmp_path / "out"))
    complete_job(export.start_export)
    assert "Written to" in export.written.text()
    imports = window.show_stage("import")
    imports.voxel[0].setValue(30.0)  # typed for A, never run
    imports.wizard.go_to(1)
    stored_a = project_with_run.path("project.json").read_text()

    assert window.open_project(tmp_path / "b", create=True)
    for page in window.pages.values():  # no result line of A, every wizard at its start
        if page.wizard is not None:
            assert page.wizard.done_label.text() == "" and not page.wizard.done_label.isVisible()
            assert page.wizard.current() == 0
    assert export.run.count() == 0 and export.written.text() == ""
    assert imports.field_values()["voxel_size_zyx"] == (1.0, 1.0, 1.0)
    imports.images.set_path(str(small_stacks[0]))
    complete_job(imports.start_import)
    project_b = Project.open(tmp_path / "b")
    assert project_b.stage_params("import")["voxel_size"] == [1.0, 1.0, 1.0]
    assert project_with_run.path("project.json").read_text() == stored_a
