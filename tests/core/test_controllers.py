"""The GUI's controllers without a display: page field values become stage configs, wrong
values become a UserError for the page, and the defaults the pages show are the engine's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.controllers.compute import automatic_backend, backend_choices
from app.controllers.evaluate import evaluate_config
from app.controllers.export import export_config, export_fields
from app.controllers.fields import config_values, list_text, number, number_text, text
from app.controllers.import_volumes import import_config, import_fields
from app.controllers.infer import (
    dashboard_url,
    infer_config,
    infer_fields,
    infer_preset_fields,
    option_defaults,
)
from app.controllers.preprocess import (
    preprocess_config,
    preprocess_fields,
    preprocess_preset_fields,
)
from app.controllers.subvolume_grid import SubvolumeGrid
from app.controllers.train import train_config, train_fields, train_preset_fields
from ffn_core.backend import BACKENDS, installed_backends
from ffn_core.errors import UserError
from ffn_core.fov import MOVE_THRESHOLD
from ffn_core.infer.plan import plan_subvolumes
from ffn_core.infer.refine import DEFAULT_REFINE
from ffn_core.infer.request import parse_request
from ffn_core.infer.storage import save_reference_npz
from ffn_core.model.args import load_preset
from ffn_core.presets import stage_presets
from ffn_core.stages.evaluate import EvaluateConfig
from ffn_core.stages.export import ExportConfig
from ffn_core.stages.import_volumes import ImportConfig
from ffn_core.stages.infer import InferConfig
from ffn_core.stages.preprocess import PreprocessConfig
from ffn_core.stages.train import TrainConfig, resolve_settings
from ffn_core.train.run_config import RunSettings
from ffn_core.zyx import box_shape

TINY_MODEL = '{"depth": 2, "fov_size": [9, 9, 5], "deltas": [2, 2, 1]}'


def test_controllers_import_no_qt():
    code = (
        "import sys, app.controllers.evaluate, app.controllers.export, "
        "app.controllers.import_volumes, app.controllers.infer, app.controllers.preprocess, "
        "app.controllers.train, app.controllers.subvolume_grid; "
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
    assert number_text(None) == "" and number_text(0.5) == "0.5" and number_text(1800.0) == "1800"
    assert number_text(12) == "12" and list_text((0, 1, 1)) == "0,1,1" and list_text(None) == ""
    assert config_values(None, ExportConfig)["run"] is None  # no default: nothing shown
    assert config_values(None, ExportConfig)["remap"] is False
    assert config_values(ExportConfig(run="r", format="tif"), ExportConfig)["run"] == "r"


def round_trip(fields: dict, to_config, to_fields) -> None:
    """Page values -> config -> page values gives the values back, and config -> page values
    -> config the config (the page shows what a stored run used)."""
    config = to_config(fields)
    shown = to_fields(config)
    assert {key: shown[key] for key in fields} == fields
    assert to_config(shown) == config


def test_import_fields_become_a_config_and_back():
    fields = {"images": " em/ ", "labels": "", "voxel_size_zyx": (30.0, 6.0, 6.0), "to_gray": True}
    config = import_config(fields)
    assert config == ImportConfig(
        images="em/", labels=None, voxel_size_zyx=(30.0, 6.0, 6.0), to_gray=True
    )
    assert import_config(import_fields(config)) == config
    round_trip(import_fields(config), import_config, import_fields)
    assert import_fields() == {
        "images": "",
        "labels": "",
        "voxel_size_zyx": ImportConfig.voxel_size_zyx,
        "to_gray": False,
    }
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


def test_preprocess_config_fills_the_fields_back():
    fields = {
        "thresholds": "0.1,0.5",
        "lom_radius_xyz": "4,4,2",
        "min_size": 50,
        "margin_zyx": "1,2,3",
        "seed": 3,
    }
    round_trip(fields, preprocess_config, preprocess_fields)
    round_trip({**fields, "margin_zyx": ""}, preprocess_config, preprocess_fields)
    defaults = preprocess_fields()
    assert preprocess_config(defaults) == PreprocessConfig()
    assert defaults["min_size"] == PreprocessConfig.min_size and defaults["margin_zyx"] == ""


def test_preset_advises_the_lom_radius():
    assert load_preset("anisotropic").lom_radius_xyz == (24, 24, 12)
    assert load_preset("isotropic").lom_radius_xyz == (24, 24, 24)


TRAIN_FIELDS = {
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
    "backend": "jax",
    "device": "cpu",
    "precision": "bfloat16",
}


@pytest.mark.parametrize("name", ["quick", "reference", "isotropic"])
def test_preset_fields_make_the_presets_configs(name, tmp_path):
    """A page filled with a preset's fields (over whatever it showed) runs the preset."""
    preset = stage_presets()[name]
    prep = preprocess_config({**preprocess_fields(), **preprocess_preset_fields(name)})
    assert prep == preset.preprocess_config()
    page = {**train_fields(), **train_preset_fields("quick"), **train_preset_fields(name)}
    config = train_config({**page, "run": "r"})
    settings, _ = resolve_settings(config, tmp_path / "no-run", (0.0, 1.0))
    wanted, _ = resolve_settings(preset.train_config(run="r"), tmp_path / "no-run", (0.0, 1.0))
    assert settings == wanted  # the reference's decay fields are emptied after quick's
    assert set(train_preset_fields(name)) & {"run", "backend", "device", "precision"} == set()
    options = infer_config({**infer_fields(), **infer_preset_fields(name), "checkpoint": "c"})
    assert options == preset.infer_config("c")


def test_reference_preset_is_what_the_pages_run_by_default(tmp_path):
    default = preprocess_config(preprocess_fields())
    assert preprocess_config({**preprocess_fields(), **preprocess_preset_fields("reference")}) == (
        default
    )
    page = train_fields()
    settings = [
        resolve_settings(train_config(fields), tmp_path / "no-run", (0.0, 1.0))[0]
        for fields in (page, {**page, **train_preset_fields("reference")})
    ]
    assert settings[0] == settings[1] and settings[0].max_steps == 10000
    assert train_preset_fields("reference")["preset"] == "anisotropic"
    assert train_preset_fields("isotropic")["preset"] == "isotropic"
    assert json.loads(train_preset_fields("quick")["model_args"])["features"] == 16


def test_quick_infer_fields_bring_the_demos_seed_grid(tmp_path):
    fields = infer_preset_fields("quick", tmp_path)
    assert (fields["move_threshold"], fields["min_segment_size"]) == ("0.7", "100")
    request = parse_request(Path(fields["request"]).read_text(encoding="utf-8"))
    assert request.seed_policy == "PolicyGrid3d" and request.seed_policy_args["step"] == 8
    assert "request" not in infer_preset_fields("quick")  # no folder: nothing written
    users = {**infer_fields(), "request": "/data/inference.pbtxt", "checkpoint": "c"}
    kept = infer_config({**users, **fields, **infer_preset_fields("reference", tmp_path)})
    assert kept.request == fields["request"] and kept.move_threshold is None


def test_train_fields_become_a_config():
    fields = TRAIN_FIELDS
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
        backend="jax",
        device="cpu",
        precision="bfloat16",
    )
    tiny = train_config({**fields, "model_args": TINY_MODEL})
    assert tiny.preset is None and tiny.model_args.fov_size_zyx == (5, 9, 9)  # overrides preset
    resumed = train_config({**fields, "run": "a"}, resume=True)  # the run keeps its settings
    assert resumed == TrainConfig(run="a", max_steps=500, backend="jax", device="cpu")
    automatic = train_config({**fields, "backend": "", "device": "", "precision": ""})
    assert (automatic.backend, automatic.device, automatic.precision) == (None, "auto", None)
    with pytest.raises(UserError, match="Unknown device 'tpu'"):
        train_config({**fields, "device": "tpu"})
    assert train_config({"learning_rate": "", "batch_size": ""}).learning_rate is None
    with pytest.raises(UserError, match="Learning rate '1e' is not a number"):
        train_config({**fields, "learning_rate": "1e"})
    with pytest.raises(UserError, match="optimizer"):
        train_config({**fields, "optimizer": "rmsprop"})


def test_train_config_fills_the_fields_back():
    fields = {**TRAIN_FIELDS, "run": "r1", "init_checkpoint": "runs/old/model.ckpt-10"}
    round_trip(fields, train_config, train_fields)
    tiny = train_fields(train_config({**fields, "model_args": TINY_MODEL}))
    assert tiny["preset"] == "anisotropic" and tiny["model_args"] == TINY_MODEL  # args rule
    assert train_config(tiny).model_args == train_config({"model_args": TINY_MODEL}).model_args
    defaults = train_fields()  # a new run's settings: what a new page shows
    assert defaults["max_steps"] == RunSettings.max_steps and defaults["learning_rate"] == ""
    assert defaults["run"] == "default" and defaults["preset"] == "anisotropic"
    assert (defaults["backend"], defaults["device"], defaults["precision"]) == (
        "",
        "auto",
        "float32",
    )
    assert train_fields(TrainConfig(run="a", max_steps=9)) == {
        **defaults,
        "run": "a",
        "max_steps": 9,
    }


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
        "backend": "torch",
        "device": "gpu",
        "precision": "mixed",
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
        backend="torch",
        device="gpu",
        precision="mixed",
    )
    automatic = infer_config({"checkpoint": "c"})
    assert (automatic.backend, automatic.device, automatic.precision) == (None, "auto", "float32")
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
    with pytest.raises(UserError, match="Unknown backend 'mxnet'"):
        infer_config({**fields, "backend": "mxnet"})


def test_infer_config_fills_the_fields_back():
    fields = {
        "checkpoint": "runs/default",
        "request": "req.pbtxt",
        "model_args": TINY_MODEL,
        "bbox": "0:20,0:80,5:80",
        "run": "r2",
        "seed_policy": "PolicyGrid3d",
        "init_activation": "",
        "pad_value": "0.05",
        "move_threshold": "0.7",
        "segment_threshold": "",
        "min_segment_size": "10",
        "disco_seed_threshold": "",
        "min_boundary_dist_zyx": "0,1,1",
        "checkpoint_interval": "0",
        "image_mean": "128",
        "image_std": "33.5",
        "backend": "jax",
        "device": "cpu",
        "precision": "bfloat16",
        "refine": ("fill",),
    }
    round_trip(fields, infer_config, infer_fields)
    assert infer_config(fields).refine == ("fill",)
    round_trip({**fields, "bbox": "", "seed_policy": "", "refine": ()}, infer_config, infer_fields)
    defaults = infer_fields()
    assert defaults["refine"] == DEFAULT_REFINE == infer_config({"checkpoint": "c"}).refine
    assert infer_config({**defaults, "checkpoint": "c"}).refine == DEFAULT_REFINE
    assert defaults["checkpoint"] == "" and defaults["run"] == InferConfig.run
    assert all(defaults[name] == "" for name in ("move_threshold", "bbox", "image_std"))
    assert (defaults["backend"], defaults["device"], defaults["precision"]) == (
        "",
        "auto",
        "float32",
    )


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
    round_trip(fields | {"out": "/tmp/x"}, export_config, export_fields)
    round_trip(
        fields | {"bit_depth": None, "colour": True, "out": ""}, export_config, export_fields
    )
    assert export_fields()["format"] == "png" and export_fields()["run"] == ""
    assert evaluate_config(fields) == EvaluateConfig(run="run1")
    with pytest.raises(UserError, match="--run NAME"):
        evaluate_config({"run": ""})


def test_infer_dask_fields_become_a_config_and_back():
    fields = {
        "checkpoint": "runs/default",
        "subvolume_size_zyx": "10,40,48",
        "overlap_zyx": "0,16,16",
        "workers": "2",
        "threads_per_worker": "1",
        "scheduler": " tcp://127.0.0.1:8786 ",
    }
    config = infer_config(fields)
    assert (config.subvolume_size_zyx, config.overlap_zyx) == ((10, 40, 48), (0, 16, 16))
    assert (config.workers, config.threads_per_worker) == (2, 1) and config.on_dask
    assert config.scheduler == "tcp://127.0.0.1:8786"
    round_trip({**fields, "scheduler": "tcp://127.0.0.1:8786"}, infer_config, infer_fields)
    plain = infer_config({"checkpoint": "c"})  # empty: the whole box, in the worker process
    assert not plain.on_dask and infer_fields(plain)["subvolume_size_zyx"] == ""
    with pytest.raises(UserError, match="subvolume size '0,40,48' is not three >= 1 integers"):
        infer_config({**fields, "subvolume_size_zyx": "0,40,48"})
    with pytest.raises(UserError, match="overlap is given without a subvolume size"):
        infer_config({**fields, "subvolume_size_zyx": ""})
    with pytest.raises(UserError, match="not smaller than --subvolume-size"):
        infer_config({**fields, "overlap_zyx": "0,40,16"})
    with pytest.raises(UserError, match="workers 'two' is not a whole number"):
        infer_config({**fields, "workers": "two"})


def test_dashboard_link_is_read_from_the_cluster_log_line():
    line = (
        "Running on a Dask cluster on this PC (127.0.0.1 only): 2 worker(s), 2 thread(s); "
        "dashboard http://127.0.0.1:41235/status"
    )
    assert dashboard_url(line) == "http://127.0.0.1:41235/status"
    assert dashboard_url("Dask dashboard: https://host:8787/status.") == "https://host:8787/status"
    assert dashboard_url("Run 'default': box z,y,x 0:12,0:64,0:80") is None


@pytest.fixture
def plan_run(tmp_path) -> Path:
    """A run folder with the plan of 2 x 2 subvolumes (y, x) of a box at z 2..12."""
    plan = plan_subvolumes(((2, 12), (0, 64), (0, 80)), (10, 40, 48), (0, 16, 16))
    (tmp_path / "plan.json").write_text(json.dumps(plan.to_dict()))
    return tmp_path


def test_grid_of_subvolumes_tiles_the_box_and_follows_the_states(plan_run):
    grid = SubvolumeGrid.read(plan_run / "plan.json")
    assert grid.states == "wwww" and grid.run_dir == plan_run
    corners, states = grid.rectangles(z=5)
    assert states == list("wwww")
    assert [c.tolist() for c in corners] == [  # owned parts: the overlap cut in its middle
        [[0, 0], [32, 40]],
        [[0, 40], [32, 80]],
        [[32, 0], [64, 40]],
        [[32, 40], [64, 80]],
    ]
    assert [sub.index for sub in grid.update("drww")] == [0]
    assert [sub.index for sub in grid.update("ddrf")] == [1]
    assert grid.rectangles(5)[1] == list("ddrf")
    assert grid.update("dd") == [] and grid.update("ddxx") == [] and grid.states == "ddrf"


def test_grid_shows_the_subvolumes_owning_the_slice(tmp_path):
    plan = plan_subvolumes(((0, 12), (0, 30), (0, 30)), (6, 30, 30), (2, 0, 0))
    grid = SubvolumeGrid(plan, tmp_path)
    assert [sub.owned[0] for sub in plan.subvolumes] == [(0, 5), (5, 8), (8, 12)]
    assert [sub.index for sub in grid.at_slice(4.7)] == [0]
    assert [sub.index for sub in grid.at_slice(5)] == [1]
    assert [sub.index for sub in grid.at_slice(11)] == [2]
    assert [sub.index for sub in grid.at_slice(-3)] == [0]  # outside the box: its nearest slice
    assert [sub.index for sub in grid.at_slice(40)] == [2]


def test_grid_settles_on_the_saved_subvolumes(plan_run):
    grid = SubvolumeGrid.read(plan_run / "plan.json")
    first, second = grid.plan.subvolumes[:2]
    segmentation = np.arange(np.prod(box_shape(first.box)), dtype=np.uint32).reshape(
        box_shape(first.box)
    )
    save_reference_npz(plan_run, first.corner, segmentation, segmentation, {}, {}, "", {})
    grid.update("rrrf")
    assert [sub.index for sub in grid.settle()] == [0] and grid.states == "dwwf"
    owned = grid.owned_segmentation(first)
    assert owned.shape == box_shape(first.owned) == (10, 32, 40)
    assert np.array_equal(owned, segmentation[:, :32, :40])
    assert grid.owned_slices(second) == (slice(0, 10), slice(0, 32), slice(40, 80))


def test_compute_choices_are_the_installed_backends(monkeypatch):
    choices = backend_choices()
    assert choices[0] == ("", True)  # automatic
    assert choices[1:] == [(name, name in installed_backends()) for name in BACKENDS]
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    assert automatic_backend() == "tensorflow"
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert automatic_backend() == "jax"
    monkeypatch.setenv("KERAS_BACKEND", "theano")
    assert automatic_backend() is None
