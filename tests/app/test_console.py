"""The console dock: a real in-process IPython kernel with the project in scope."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from ffn_core.project import Project
from ffn_core.stages.import_volumes import ImportConfig

pytest.importorskip("qtconsole")


@pytest.fixture
def project_with_image(tmp_path):
    project = Project.create(tmp_path / "p")
    path = project.path("volumes", "image.h5")
    path.parent.mkdir()
    with h5py.File(path, "w") as handle:
        handle["raw"] = np.zeros((3, 5, 7), np.uint8)
    project.register_volume("image", path, "raw")
    return project


def test_console_line_reads_the_project_image_shape_and_runs_a_stage(
    qtbot, project_with_image, small_stacks
):
    from app.console import ConsoleWidget

    console = ConsoleWidget()
    qtbot.addWidget(console)
    try:
        console.set_project(project_with_image.root)
        console.execute("shape = project.volume('image').shape")
        qtbot.waitUntil(lambda: "shape" in console.namespace(), timeout=5000)
        assert console.namespace()["shape"] == (3, 5, 7)
        run_stage, config_class = (
            console.namespace()["run_stage"],
            console.namespace()["ImportConfig"],
        )
        assert config_class is ImportConfig
        result = run_stage(ImportConfig(images=str(small_stacks[0])))  # in a worker process
        assert result.status == "completed"
        assert result.outputs["image"].startswith(str(project_with_image.root))
    finally:
        console.shutdown()
