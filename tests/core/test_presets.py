"""Stage presets: the demo's settings offered to every stage, the reference's, and the one a
volume's size and voxel size call for."""

from __future__ import annotations

from pathlib import Path

import pytest

from ffn_core.infer.request import parse_request
from ffn_core.model.args import load_preset
from ffn_core.presets import (
    StagePreset,
    model_preset_name,
    stage_presets,
    suggest_preset,
    write_seed_request,
)
from ffn_core.stages import demo
from ffn_core.stages.infer import InferConfig
from ffn_core.stages.preprocess import PreprocessConfig
from ffn_core.stages.train import TrainConfig, resolve_settings

NOWHERE = Path("/nonexistent/run")  # no stored run: the settings of a new one


def test_quick_is_the_headless_demo():
    """The settings the headless demo runs (read back from its stage configs) are the quick
    preset's, so the GUI's demo with this preset trains what the headless one trains."""
    quick = stage_presets()["quick"]
    assert quick.model_args.to_reference() == {
        "depth": 4,
        "fov_size": [17, 17, 9],
        "deltas": [4, 4, 2],
        "features": 16,
    }
    assert quick.preprocess_config() == PreprocessConfig(lom_radius_xyz=(12, 12, 6), min_size=200)
    trained = demo.train_config(demo.TRAIN_STEPS)
    assert trained == quick.train_config(run=demo.RUN)
    assert (trained.batch_size, trained.optimizer, trained.learning_rate) == (8, "adam", 0.002)
    assert (trained.max_steps, trained.decay_steps, trained.learning_rate_decay_factor) == (
        6000,
        2000,
        0.5,
    )
    assert demo.train_config(3000).decay_steps == 1000  # demo --quick: a third of its steps
    inferred = demo.infer_config("ckpt", "request.pbtxt")
    assert inferred == quick.infer_config("ckpt", request="request.pbtxt", run=demo.RUN).replace(
        on_exists="replace"
    )
    assert (inferred.move_threshold, inferred.min_segment_size) == (0.7, 100)


def test_reference_is_the_engine_default_and_isotropic_its_fib_sem_twin():
    presets = stage_presets()
    assert list(presets) == ["quick", "reference", "isotropic"]
    reference = presets["reference"]
    assert reference.preprocess_config() == PreprocessConfig()  # lom 24,24,24, min size 10000
    assert reference.preprocess["min_size"] == 10000
    settings, _ = resolve_settings(reference.train_config(), NOWHERE, (0.0, 1.0))
    default, _ = resolve_settings(TrainConfig(), NOWHERE, (0.0, 1.0))
    assert settings == default and settings.max_steps == 10000 and settings.batch_size == 4
    assert model_preset_name(reference.model_args) == "anisotropic"
    isotropic = presets["isotropic"]
    assert isotropic.model_args == load_preset("isotropic")
    assert isotropic.preprocess == reference.preprocess and isotropic.train == reference.train
    assert model_preset_name(presets["quick"].model_args) is None


@pytest.mark.parametrize("name", ["quick", "reference", "isotropic"])
def test_every_preset_makes_valid_configs_that_fit_its_model(name):
    preset = stage_presets()[name]
    assert isinstance(preset, StagePreset) and preset.name == name
    prep = preset.preprocess_config()
    # the partition window holds the model's FOV plus one move (the reference's advice)
    assert all(r >= m for r, m in zip(prep.lom_radius_xyz, preset.model_args.lom_radius_xyz))
    assert preset.train_config().model_args == preset.model_args
    assert isinstance(preset.infer_config("ckpt"), InferConfig)
    with pytest.raises(TypeError):
        preset.train["max_steps"] = 1  # read-only: one preset is shared by every page


@pytest.mark.parametrize(
    ("shape", "voxel_size", "expected"),
    [
        ((32, 96, 96), (2.0, 1.0, 1.0), "quick"),  # the demo volume
        ((24, 80, 80), (2.0, 1.0, 1.0), "quick"),  # demo --quick
        ((100, 256, 256), (30.0, 6.0, 6.0), "reference"),  # the SNEMI3D crop, 6.6 M voxels
        ((100, 512, 512), (30.0, 6.0, 6.0), "reference"),  # the SNEMI3D stack here
        ((100, 1024, 1024), (30.0, 6.0, 6.0), "reference"),  # the full SNEMI3D stack
        ((100, 512, 512), None, "reference"),  # no voxel size: anisotropic, as most EM
        ((250, 250, 250), (8.0, 8.0, 8.0), "isotropic"),  # FIB-25
        ((250, 250, 250), (10.0, 8.0, 8.0), "isotropic"),
        ((250, 250, 250), (16.0, 8.0, 8.0), "reference"),
        ((40, 2048, 2048), (30.0, 4.0, 4.0), "quick"),  # the reference window (49) needs z
        ((64, 256, 240), (30.0, 6.0, 6.0), "quick"),  # under 4 M voxels
    ],
)
def test_suggest_preset_by_size_and_voxel_size(shape, voxel_size, expected):
    assert suggest_preset(shape, voxel_size) == expected


def test_the_quick_seed_request_is_a_seed_grid(tmp_path):
    presets = stage_presets()
    path = write_seed_request(presets["quick"], tmp_path / "project")
    request = parse_request(Path(path).read_text(encoding="utf-8"))
    assert request.seed_policy == "PolicyGrid3d"
    assert request.seed_policy_args == {"step": 8, "offsets": [0, 4, 2, 6]}
    assert path.endswith("quick_seed_request.pbtxt")
    assert write_seed_request(presets["reference"], tmp_path) is None
    assert list(tmp_path.iterdir()) == [tmp_path / "project"]
