"""The GUI's controllers without a display: page field values become stage configs, wrong
values become a UserError for the page, and the defaults the pages show are the engine's."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app.controllers.evaluate import evaluate_config
from app.controllers.export import export_config
from app.controllers.fields import number, text
from app.controllers.import_volumes import import_config, import_fields
from app.controllers.infer import infer_config, option_defaults
from app.controllers.preprocess import preprocess_config
from app.controllers.train import train_config
from ffn_core.errors import UserError
from ffn_core.fov import MOVE_THRESHOLD
from ffn_core.model.args import load_preset
from ffn_core.stages.evaluate import EvaluateConfig
from ffn_core.stages.export import ExportConfig
from ffn_core.stages.import_volumes import ImportConfig
from ffn_core.stages.infer import InferConfig
from ffn_core.stages.preprocess import PreprocessConfig
from ffn_core.stages.train import TrainConfig
from ffn_core.train.run_config import RunSettings

TINY_MODEL = '{"depth": 2, "fov_size": [9, 9, 5], "deltas": [2, 2, 1]}'


def test_controllers_import_no_qt():
    code = (
        "import sys, app.controllers.evaluate, app.controllers.export, "
        "app.controllers.import_volumes, app.controllers.infer, app.controllers.preprocess, "
        "app.controllers.train; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PyQt5', 'napari', 'qtpy', 'tensorflow')))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


def test_field_values():
    assert text({"a": "  x "}, "a") == "x" and text({"a": " "}, "a") is None
    assert text({}, "a") is None
    assert number({"n": " 12 "}, "n", int, "N") == 12 and number({"n": 3}, "n", int, "N") == 3
    assert number({"n": ""}, "n", float, "N") is None and number({}, "n", float, "N") is None
    for bad, kind in (("1.5", int), ("abc", float), ("nan", float)):
        with pytest.raises(UserError, match=f"Rate '{bad}' is not a"):
            number({"n": bad}, "n", kind, "Rate")


def test_import_fields_become_a_config_and_back():
    fields = {"images": " em/ ", "labels": "", "voxel_size_zyx": (30.0, 6.0, 6.0), "to_gray": True}
    config = import_config(fields)
    assert config == ImportConfig(
        images="em/", labels=None, voxel_size_zyx=(30.0, 6.0, 6.0), to_gray=True
    )
    assert import_config(import_fields(config)) == config
    assert import_config({"images": "em/", "voxel_size_zyx": "30,6,6"}) == config.replace(
        to_gray=False
    )
    assert import_config({"images": "em/"}).voxel_size_zyx == ImportConfig.voxel_size_zyx
    with pytest.raises(UserError, match="No image stack"):
        import_config({"images": " ", "voxel_size_zyx": (1, 1, 1)})
    with pytest.raises(UserError, match="Voxel size '30,6' is not three positive numbers"):
        import_config({"images": "em/", "voxel_size_zyx": "30,6"})


def test_preprocess_fields_become_a_config():
    assert preprocess_config({}) == PreprocessConfig()  # empty: the engine's defaults
    config = preprocess_config(
        {
            "thresholds": "0.1, 0.5",
            "lom_radius_xyz": "4,4,2",
            "min_size": 50,
            "margin_zyx": "",
            "seed": 3,
        }
    )
    assert config == PreprocessConfig(
        thresholds=(0.1, 0.5), lom_radius_xyz=(4, 4, 2), min_size=50, seed=3
    )
    assert config.margin == (2, 4, 4)  # z, y, x of the radius
    assert preprocess_config({"margin_zyx": "1,2,3"}).margin_zyx == (1, 2, 3)
    with pytest.raises(UserError, match="Thresholds '0.5,0.1' are not increasing"):
        preprocess_config({"thresholds": "0.5,0.1"})
    with pytest.raises(UserError, match="lom radius '4,4' is not three .* X,Y,Z"):
        preprocess_config({"lom_radius_xyz": "4,4"})
    with pytest.raises(UserError, match="min size 'many' is not a whole number"):
        preprocess_config({"min_size": "many"})


def test_preset_advises_the_lom_radius():
    assert load_preset("anisotropic").lom_radius_xyz == (24, 24, 12)
    assert load_preset("isotropic").lom_radius_xyz == (24, 24, 24)


def test_train_fields_become_a_config():
    fields = {
        "run": " ",
        "preset": "isotropic",
        "model_args": "",
        "max_steps": 500,
        "batch_size": 2,
        "optimizer": "adam",
        "learning_rate": "0.01",
        "learning_rate_decay_factor": "0.5",
        "decay_steps": "1000",
        "summary_seconds": 15,
        "init_checkpoint": "",
    }
    config = train_config(fields)
    assert config == TrainConfig(
        run="default",
        preset="isotropic",
        max_steps=500,
        batch_size=2,
        optimizer="adam",
        learning_rate=0.01,
        learning_rate_decay_factor=0.5,
        decay_steps=1000,
        summary_seconds=15.0,
    )
    tiny = train_config({**fields, "model_args": TINY_MODEL})
    assert tiny.preset is None and tiny.model_args.fov_size_zyx == (5, 9, 9)  # overrides preset
    resumed = train_config({**fields, "run": "a"}, resume=True)  # the run keeps its settings
    assert resumed == TrainConfig(run="a", max_steps=500)
    assert train_config({"learning_rate": "", "batch_size": ""}).learning_rate is None
    with pytest.raises(UserError, match="Learning rate '1e' is not a number"):
        train_config({**fields, "learning_rate": "1e"})
    with pytest.raises(UserError, match="optimizer"):
        train_config({**fields, "optimizer": "rmsprop"})


def test_infer_fields_become_a_config():
    fields = {
        "checkpoint": "runs/default",
        "request": "",
        "model_args": TINY_MODEL,
        "bbox": "0:20,0:80,5:80",
        "run": "",
        "seed_policy": "",
        "move_threshold": "0.7",
        "min_segment_size": "10",
        "min_boundary_dist_zyx": "0,1,1",
        "checkpoint_interval": "0",
        "image_mean": "",
        "image_std": "33.5",
    }
    config = infer_config(fields, on_exists="replace")
    assert config == InferConfig(
        checkpoint="runs/default",
        model_args=TINY_MODEL,
        bbox=((0, 20), (0, 80), (5, 80)),
        run="default",
        on_exists="replace",
        move_threshold=0.7,
        min_segment_size=10,
        min_boundary_dist_zyx=(0, 1, 1),
        checkpoint_interval=0.0,
        image_std=33.5,
    )
    assert infer_config({"checkpoint": "c"}).option_overrides() == {}  # empty: request's
    assert (
        infer_config({"checkpoint": "c", "seed_policy": "PolicyGrid3d"}).seed_policy
        == "PolicyGrid3d"
    )
    with pytest.raises(UserError, match="No model checkpoint"):
        infer_config({**fields, "checkpoint": " "})
    with pytest.raises(UserError, match="Box '0:20,80:0,0:5' is not z0:z1,y0:y1,x0:x1"):
        infer_config({**fields, "bbox": "0:20,80:0,0:5"})
    with pytest.raises(UserError, match="move_threshold = 1.5 is not a probability"):
        infer_config({**fields, "move_threshold": "1.5"})
    with pytest.raises(UserError, match="min segment size 'ten' is not a whole number"):
        infer_config({**fields, "min_segment_size": "ten"})


def test_infer_page_defaults_are_the_engines():
    defaults = option_defaults()
    assert defaults["move_threshold"] == f"{MOVE_THRESHOLD:g}" == f"{RunSettings.threshold:g}"
    assert defaults["min_boundary_dist_zyx"] == "1,1,1"
    assert defaults["checkpoint_interval"] == "1800"


def test_export_and_evaluate_fields_become_configs():
    fields = {
        "run": "run1",
        "format": "png",
        "bit_depth": 16,
        "colour": False,
        "remap": True,
        "overwrite": False,
        "out": " ",
    }
    assert export_config(fields) == ExportConfig(run="run1", format="png", bit_depth=16, remap=True)
    assert export_config({**fields, "bit_depth": None}).bits == 16
    with pytest.raises(UserError, match="PNG has no 32-bit"):
        export_config({**fields, "bit_depth": 32})
    with pytest.raises(UserError, match="No inference run"):
        export_config({**fields, "run": ""})
    assert evaluate_config(fields) == EvaluateConfig(run="run1")
    with pytest.raises(UserError, match="--run NAME"):
        evaluate_config({"run": ""})
