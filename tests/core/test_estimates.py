"""Run-time estimates: what the README measured comes out, and a project's own runs take over.

The figures compared against are the README's, measured on an idle 2-core CPU: the demo's
stages (train 248 s, infer 21 s for 5,539 FOVs), the reference model's 2.22 steps/s at batch 4
and its SNEMI3D FOV counts (14,348 on the crop; 14,246 and 70,197 in 2×2 subvolumes).
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest

from ffn_core.demo_data import DemoSpec, write_demo_stacks
from ffn_core.estimates import (
    Estimate,
    expected_fovs,
    infer_estimate,
    model_cost,
    preprocess_estimate,
    train_estimate,
)
from ffn_core.model.args import ModelArgs, load_preset
from ffn_core.presets import stage_presets, write_seed_request
from ffn_core.project import Project
from ffn_core.stages import execute
from ffn_core.stages.base import open_stage_project
from ffn_core.stages.import_volumes import ImportConfig
from ffn_core.stages.infer import InferConfig
from ffn_core.stages.preprocess import PreprocessConfig
from ffn_core.stages.train import TrainConfig

PRESETS = stage_presets()
QUICK, REFERENCE = PRESETS["quick"], PRESETS["reference"]
MINUTE, HOUR = 60.0, 3600.0
#: a model that trains in seconds (square in y, x: training permutes those axes)
TINY = ModelArgs(depth=2, fov_size_zyx=(5, 9, 9), deltas_zyx=(1, 2, 2), features=8)


def _imported(root: Path, spec: DemoSpec) -> Project:
    """A project made by the import stage from the demo stacks of ``spec``."""
    images, labels = write_demo_stacks(root.parent / f"{root.name}-data", spec)
    config = ImportConfig(images=str(images), labels=str(labels), voxel_size_zyx=(2.0, 1.0, 1.0))
    execute(config, open_stage_project(config, root))
    return Project.open(root)


def _sized_project(root: Path, shape: tuple[int, int, int]) -> Project:
    """A project whose image and labels are HDF5 volumes of ``shape`` (zeros: only the size
    matters here), registered as the import stage registers them."""
    project = Project.create(root)
    for name in ("image", "labels"):
        path = project.path("volumes", f"{name}.h5")
        path.parent.mkdir(exist_ok=True)
        with h5py.File(path, "w") as handle:
            handle.create_dataset("raw", shape=shape, dtype=np.uint8, compression="gzip")
        project.register_volume(name, path, "raw", mean=131.0, std=62.0, shape=list(shape))
    return project


def _ratio(estimated: float, measured: float) -> float:
    return max(estimated, measured) / min(estimated, measured)


@pytest.fixture(scope="module")
def demo_project(tmp_path_factory) -> Project:
    return _imported(tmp_path_factory.mktemp("estimates") / "demo", DemoSpec())


def test_quick_preset_on_the_demo_volume_takes_minutes(demo_project):
    """As measured in the README (train 248 s, infer 21 s): minutes, within a factor 1.5."""
    prep = preprocess_estimate(demo_project, QUICK.preprocess_config())
    train = train_estimate(demo_project, QUICK.train_config())
    infer = infer_estimate(
        demo_project, QUICK.infer_config("none yet", model_args=QUICK.model_args.to_json())
    )
    assert [e.source for e in (prep, train, infer)] == ["typical"] * 3
    assert (prep.unit, train.unit, infer.unit) == ("voxels/s", "steps/s", "FOV/s")
    assert prep.amount == 32 * 96 * 96 and prep.seconds < 5
    assert train.amount == 6000 and _ratio(train.seconds, 248) < 1.5
    assert _ratio(infer.seconds, 21) < 1.5 and _ratio(infer.amount, 5539) < 1.5
    assert 2 * MINUTE < prep.seconds + train.seconds + infer.seconds < 10 * MINUTE


def test_reference_preset_on_snemi3d_sized_data_takes_hours(tmp_path):
    project = _sized_project(tmp_path / "snemi", (100, 512, 512))
    train = train_estimate(project, REFERENCE.train_config())
    assert train.source == "typical" and train.amount == 10000
    assert train.rate == pytest.approx(2.22)  # the README's, at batch 4 in float32
    assert train.seconds > HOUR
    bfloat16 = train_estimate(project, REFERENCE.train_config(precision="bfloat16"))
    assert bfloat16.rate == pytest.approx(3.50)
    crop = infer_estimate(
        project,
        REFERENCE.infer_config(
            "ckpt", model_args=REFERENCE.model_args.to_json(), bbox=((0, 100), (0, 256), (0, 256))
        ),
    )
    assert crop.amount == pytest.approx(14348) and crop.rate == pytest.approx(25.4)
    whole = infer_estimate(
        project, REFERENCE.infer_config("ckpt", model_args=REFERENCE.model_args.to_json())
    )
    assert train.seconds + whole.seconds > 1.5 * HOUR
    isotropic = PRESETS["isotropic"]
    slower = train_estimate(project, isotropic.train_config())
    assert slower.rate < train.rate  # a costlier model


def test_fov_counts_of_subvolume_runs_match_the_measured_ones(tmp_path):
    """Summed over the subvolumes, overlaps included (README: Dask runs on SNEMI3D)."""
    project = _sized_project(tmp_path / "snemi", (100, 512, 512))
    model = REFERENCE.model_args.to_json()
    for bbox, size, overlap, measured in (
        (((0, 100), (0, 256), (0, 256)), (100, 144, 144), (0, 32, 32), 14246),
        (None, (100, 288, 288), (0, 64, 64), 70197),
    ):
        config = REFERENCE.infer_config(
            "ckpt", model_args=model, bbox=bbox, subvolume_size_zyx=size, overlap_zyx=overlap
        )
        assert _ratio(infer_estimate(project, config).amount, measured) < 1.1
    assert expected_fovs((100, 256, 256), load_preset("anisotropic")) == pytest.approx(14348)
    assert expected_fovs((32, 96, 96), QUICK.model_args) < expected_fovs((32, 192, 96), TINY)
    assert model_cost(REFERENCE.model_args) == 9 * 32**2 * 33 * 33 * 17


def test_unknown_without_a_figure_or_the_inputs(tmp_path, demo_project):
    gpu = train_estimate(demo_project, QUICK.train_config(device="gpu"))
    assert gpu == Estimate(None, None, "steps/s", "unknown", 6000)
    assert infer_estimate(demo_project, QUICK.infer_config("missing/checkpoint")).source == (
        "unknown"  # no model_args, no request, no training run behind the checkpoint
    )
    empty = Project.create(tmp_path / "empty")
    assert preprocess_estimate(empty, QUICK.preprocess_config()).seconds is None


def test_after_real_runs_the_project_rates_take_over(tmp_path):
    """Preprocess, a short training and an inference on a small demo volume: the next
    estimates use their measured rates (source ``project``)."""
    project = _imported(tmp_path / "small", DemoSpec(shape_zyx=(16, 48, 48), n_cells=8))
    before = train_estimate(project, TrainConfig(run="next", model_args=TINY))
    assert before.source == "typical"

    execute(PreprocessConfig(lom_radius_xyz=TINY.lom_radius_xyz, min_size=50), project)
    trained = execute(
        TrainConfig(run="first", model_args=TINY, batch_size=4, max_steps=70, summary_seconds=0.1),
        project,
    )
    grid = write_seed_request(QUICK, project.root)  # seeds wherever the model stands
    corner = ((0, 12), (0, 24), (0, 24))
    inferred = execute(
        InferConfig(
            checkpoint=trained.outputs["checkpoint"], request=grid, run="first", bbox=corner
        ),
        project,
    )
    assert inferred.extra["fov_evals"] > 100
    project.reload()

    prep = preprocess_estimate(project, PreprocessConfig())
    assert prep.source == "project" and prep.amount == 16 * 48 * 48
    measured = trained.outputs["steps_per_s"]
    same = train_estimate(project, TrainConfig(run="next", model_args=TINY, max_steps=500))
    assert same.source == "project" and same.rate == pytest.approx(measured)
    assert same.amount == 500 and 500 / measured < same.seconds < 500 / measured + MINUTE
    larger_batch = train_estimate(project, TrainConfig(run="next", model_args=TINY, batch_size=8))
    assert larger_batch.rate == pytest.approx(measured / 2)  # the time per example stays
    other_model = train_estimate(project, QUICK.train_config(run="next"))
    assert other_model.source == "typical"
    resumed = train_estimate(project, TrainConfig(run="first", max_steps=100))
    assert resumed.source == "project" and resumed.amount == 30

    fov_rate = inferred.extra["fov_evals"] / inferred.extra["wall_s"]
    again = infer_estimate(project, InferConfig(checkpoint=trained.outputs["run_dir"], run="b"))
    # the counters time the FOV loop, wall_s the whole stage: a few % apart on a busy machine
    assert again.source == "project" and again.rate == pytest.approx(fov_rate, rel=0.05)
    assert again.amount == pytest.approx(expected_fovs((16, 48, 48), TINY))
    bfloat16 = infer_estimate(
        project,
        InferConfig(checkpoint=trained.outputs["checkpoint"], run="b", precision="bfloat16"),
    )
    assert bfloat16.source == "typical"
