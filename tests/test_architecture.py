"""The rules of docs/architecture.md: import contracts (import-linter, indirect imports too),
argparse only in the command-line layers, and every stage one shape without TensorFlow."""

from __future__ import annotations

import configparser
import dataclasses
import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ffn_core.stages import STAGES, StageConfig, config_class, stage_function

REPO = Path(__file__).resolve().parents[1]
LINT = (
    "import sys; from importlinter.cli import lint_imports; "
    "sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True, no_logo=True))"
)

# A valid config of every stage from a few plain values (the rest are the config's
# defaults): a new stage adds its line here.
EXAMPLES: dict[str, dict] = {
    "import": {
        "images": "/data/em/",
        "labels": "/data/gt.h5:labels",
        "voxel_size_zyx": (30.0, 6.0, 6.0),
        "to_gray": True,
    },
    "preprocess": {"thresholds": (0.1, 0.5), "margin_zyx": (4, 12, 12)},
    "train": {
        "run": "r1",
        "max_steps": 10,
        "model_args": {"depth": 9, "fov_size": [33, 33, 17], "deltas": [8, 8, 4]},
    },
    "infer": {
        "checkpoint": "/runs/r1/model.ckpt-10",
        "bbox": ((0, 8), (0, 64), (0, 64)),
        "min_boundary_dist_zyx": (1, 1, 1),
        "move_threshold": 0.8,
    },
    "export": {"run": "r1", "format": "tif", "bit_depth": 16},
    "evaluate": {"run": "r1", "gt": "/data/gt.h5:labels", "crop": ((0, 8), (0, 16), (0, 16))},
    "demo": {"out": "/tmp/demo", "quick": True},
}

# Imported in a fresh interpreter: the modules the GUI may import must not load TensorFlow.
NO_TENSORFLOW = """
import importlib, json, pkgutil, sys
import app.controllers, ffn_core.cli, ffn_core.stages
names = [info.name for package in (ffn_core.stages, ffn_core.cli, app.controllers)
         for info in pkgutil.iter_modules(package.__path__, package.__name__ + ".")]
for name in names:
    importlib.import_module(name)
heavy = sorted(
    m for m in ("tensorflow", "keras", "jax", "torch", "PyQt5", "napari") if m in sys.modules
)
print(json.dumps({"modules": names, "heavy": heavy}))
"""


def _contracts() -> list[str]:
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg", encoding="utf-8")
    return [
        section for section in config.sections() if section.startswith("importlinter:contract:")
    ]


def test_import_contracts_hold():
    contracts = _contracts()
    assert {
        "importlinter:contract:engine-has-no-gui",
        "importlinter:contract:gui-has-no-tensorflow",
        "importlinter:contract:argparse-only-in-the-cli",
    } <= set(contracts)
    proc = subprocess.run(
        [sys.executable, "-c", LINT, str(REPO / "setup.cfg")],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(contracts)} kept, 0 broken" in proc.stdout


def test_configs_and_stage_modules_load_no_tensorflow():
    proc = subprocess.run(
        [sys.executable, "-c", NO_TENSORFLOW], cwd=REPO, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.splitlines()[-1])
    modules = set(report["modules"])
    assert {STAGES[stage][0] for stage in STAGES} <= modules
    assert {f"ffn_core.cli.{stage}_options" for stage in STAGES} <= modules
    assert report["heavy"] == []


def test_every_stage_has_an_example():
    assert sorted(EXAMPLES) == sorted(STAGES)


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_every_stage_is_a_frozen_config_and_one_function(stage):
    cls = config_class(stage)
    assert issubclass(cls, StageConfig) and cls.stage == stage
    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen
    parameters = inspect.signature(stage_function(stage)).parameters
    assert list(parameters) == ["config", "project", "emit", "cancel"]
    assert all(
        parameters[name].kind is inspect.Parameter.KEYWORD_ONLY and parameters[name].default is None
        for name in ("emit", "cancel")
    )


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_every_config_survives_a_job_file(stage):
    config = config_class(stage)(**EXAMPLES[stage])
    stored = json.loads(json.dumps(config.to_dict()))  # what a job file and the history hold
    assert config_class(stage).from_dict(stored) == config
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(config, dataclasses.fields(config)[0].name, None)
