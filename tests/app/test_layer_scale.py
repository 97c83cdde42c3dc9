"""Every layer the app adds takes the image's voxel size as its scale (issue 12, point 3)."""

from __future__ import annotations

import numpy as np
import pytest

from ffn_core.project import Project
from tests.app import voxel_project
from tests.app.voxel_project import VOXEL_SIZE

pytestmark = pytest.mark.gui
JOB_TIMEOUT_MS = 120_000


@pytest.fixture
def anisotropic_project(tmp_path) -> Project:
    """A project whose image has voxel size 30,6,6, with labels and the run ``run1``."""
    return voxel_project.anisotropic_project(tmp_path / "project")


def test_every_layer_takes_the_image_voxel_size(main_window, qtbot, anisotropic_project):
    from app.inspect.error_view import ErrorViewPanel
    from app.inspect.run_layer import RunLayer
    from app.viewer_panel import run_layer_name

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
    main_window.presenter.show_segmentation(run_layer_name("run1"), f"{run_dir}/segmentation.h5")
    run = RunLayer.attach(viewer, run_dir)  # takes the layer over: one layer per run
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
