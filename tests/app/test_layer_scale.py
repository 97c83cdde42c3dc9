"""Every layer the app adds takes the image's voxel size as its scale (issue 12, point 3)."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from ffn_core.project import Project

pytestmark = pytest.mark.gui
JOB_TIMEOUT_MS = 120_000
VOXEL_SIZE = (30.0, 6.0, 6.0)


@pytest.fixture
def anisotropic_project(tmp_path) -> Project:
    """A project whose image has voxel size 30,6,6 (recorded as the importer does), with
    labels and the inference run ``run1``."""
    project = Project.create(tmp_path / "project")
    labels = np.repeat(np.arange(1, 5, dtype=np.uint16), 8)[None, :, None] * np.ones(
        (6, 32, 40), np.uint16
    )
    image = np.random.default_rng(3).integers(0, 256, labels.shape, np.uint8)
    project.path("volumes").mkdir()
    for name, data in {"image": image, "labels": labels}.items():
        path = project.path("volumes", f"{name}.h5")
        with h5py.File(path, "w") as handle:
            dataset = handle.create_dataset("raw", data=data, chunks=(1, 32, 40))
            dataset.attrs["voxel_size"] = np.asarray(VOXEL_SIZE)
        project.register_volume(
            name, path, "raw", shape=list(data.shape), dtype=str(data.dtype),
            voxel_size=list(VOXEL_SIZE),
        )  # fmt: skip
    run = project.path("inference", "run1")
    run.mkdir(parents=True)
    with h5py.File(run / "segmentation.h5", "w") as handle:
        seg = handle.create_dataset("segmentation", data=labels[1:5, 8:24].astype(np.uint32))
        seg.attrs["bbox_start_zyx"], seg.attrs["bbox_stop_zyx"] = (1, 8, 0), (5, 24, 40)
    return project


def test_every_layer_takes_the_image_voxel_size(main_window, qtbot, anisotropic_project):
    from app.inspect.error_view import ErrorViewPanel
    from app.inspect.run_layer import RunLayer

    project = anisotropic_project
    assert main_window.open_project(project.root)
    page = main_window.show_stage("preprocess")
    page.lom_radius.setText("3,3,1")
    page.min_size.setValue(10)
    with qtbot.waitSignal(main_window.client.finished, timeout=JOB_TIMEOUT_MS) as finished:
        assert page.start_preprocess()
    assert finished.args == ["completed"], main_window.job_panel.log_view.toPlainText()
    viewer = main_window.viewer
    assert {"image", "labels", "partitions"} <= {layer.name for layer in viewer.layers}

    run_dir = project.path("inference", "run1")
    main_window.presenter.show_segmentation("segmentation run1", f"{run_dir}/segmentation.h5")
    run = RunLayer.attach(viewer, run_dir)
    errors = ErrorViewPanel(viewer, run_dir, project.volume_spec("labels"))
    qtbot.addWidget(errors)
    assert errors.compute()
    infer = main_window.show_stage("infer")
    infer.bbox.setText("1:5,8:24,0:40")
    infer.bbox.editingFinished.emit()

    for layer in viewer.layers:
        assert tuple(layer.scale) == VOXEL_SIZE[-layer.ndim :], layer.name
    box = viewer.layers["bounding box"]
    assert np.allclose(box.data_to_world(np.asarray(box.data[0]).max(axis=0)), [24 * 6, 40 * 6])
    assert tuple(run.layer.translate) == (30.0, 48.0, 0.0)

    viewer.dims.set_current_step(0, 0)
    start = viewer.dims.point[0]
    viewer.dims.set_current_step(0, 1)  # one z slider step ...
    assert viewer.dims.point[0] - start == VOXEL_SIZE[0]  # ... moves one slice
    assert viewer.dims.nsteps[0] == 6
