"""Memory: a job whose volume would not fit is refused before it starts, with what it needs and
what to do, instead of being killed by the system half-way."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from ffn_core.memory import available_bytes, format_bytes
from ffn_core.project import Project
from tests.core.stack_files import run_cli

#: 2,000 x 20,000 x 20,000 voxels: 800 GB of image, a few kB on disk (chunked, all fill value)
HUGE_ZYX = (2000, 20000, 20000)


def _huge_volume(project: Project, name: str, dtype, **attrs) -> None:
    path = project.path("volumes", f"{name}.h5")
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as handle:
        dataset = handle.create_dataset(
            "raw", shape=HUGE_ZYX, dtype=dtype, chunks=(16, 256, 256), fillvalue=1,
            compression="gzip",
        )  # fmt: skip
        dataset.attrs.update(attrs)
    project.register_volume(name, path, "raw")


@pytest.fixture
def huge_project(tmp_path) -> Project:
    assert available_bytes() < 64 * np.prod(HUGE_ZYX), "this machine would hold the volume"
    project = Project.create(tmp_path / "huge project")
    _huge_volume(project, "image", np.uint8, mean=128.0, std=30.0)
    _huge_volume(project, "labels", np.uint32)
    return project


def test_inference_of_a_box_too_big_for_memory_is_refused_before_it_starts(
    huge_project, flood_checkpoint
):
    code, events = run_cli(
        "infer", "--project", huge_project.root, "--checkpoint", flood_checkpoint, timeout=120
    )
    error = events[-1]
    assert code == 2 and error["type"] == "error", events
    assert "(2000, 20000, 20000)" in error["message"] and "TB of memory" in error["message"]
    assert format_bytes(available_bytes()).split()[-1] in error["message"]
    assert "--subvolume-size" in error["hint"]
    assert not huge_project.path("inference").exists()


def test_the_same_box_in_subvolumes_is_not_refused_for_memory(huge_project, flood_checkpoint):
    code, events = run_cli(
        "infer", "--project", huge_project.root, "--checkpoint", flood_checkpoint,
        "--bbox", "0:40,0:40,0:40", "--subvolume-size", "20,40,40", "--workers", "1",
        timeout=300,
    )  # fmt: skip
    assert code == 0, events[-3:]


def test_preprocess_of_labels_too_big_for_memory_is_refused_before_it_starts(huge_project):
    code, events = run_cli("preprocess", "--project", huge_project.root, timeout=120)
    error = events[-1]
    assert code == 2 and error["type"] == "error", events
    assert "labels.h5" in error["message"] and "of memory" in error["message"]
    assert not huge_project.path("preprocess").exists()
