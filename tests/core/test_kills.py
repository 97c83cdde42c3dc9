"""Kills: the worker process (``python -m ffn_core <stage>``, as the GUI runs it) is killed with
SIGKILL in the middle of each stage. Afterwards the project opens, what was there before is
unchanged, nothing half-written shows as a result, and running the stage again (or resuming)
finishes the job. Training's kill at a checkpoint interval is in test_train.py; here it is
killed right after checkpoints, several times in a row."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import psutil
import pytest
import tifffile

from ffn_core.model.checkpoints import checkpoint_info
from ffn_core.project import Project
from tests.core.stack_files import REPO, image_project, run_cli, volume, write_h5

Record = dict
Until = Callable[[Record], bool]


def _kill_when(until: Until, *args, timeout: float = 180) -> list[Record]:
    """Run ``python -m ffn_core ARGS``, SIGKILL it (and only it) at the first record for which
    ``until`` is true; returns the records it wrote. Fails when the stage ended first."""
    command = [sys.executable, "-u", "-m", "ffn_core", *map(str, args)]
    records: list[Record] = []
    deadline = time.monotonic() + timeout
    with subprocess.Popen(
        command, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True,
    ) as child:  # fmt: skip
        for line in child.stdout:
            if not line.startswith("{"):
                continue
            records.append(json.loads(line))
            assert records[-1]["type"] != "result", f"{args[0]} ended before the kill"
            if until(records[-1]) or time.monotonic() > deadline:
                break
        os.kill(child.pid, signal.SIGKILL)
    return records


def _progress_at_least(done: int) -> Until:
    return lambda record: record["type"] == "progress" and record["done"] >= done


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _visible(folder: Path) -> list[str]:
    """Files a user (or the GUI) sees as results: everything but dot files."""
    return sorted(
        str(path.relative_to(folder))
        for path in folder.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.parts)
    )


def test_a_killed_import_leaves_the_previous_volumes_and_imports_again(tmp_path):
    small = write_h5(tmp_path / "small.h5", volume((6, 32, 32), np.uint8))
    big = tmp_path / "big.tif"
    tifffile.imwrite(big, volume((300, 256, 256), np.uint8, seed=1))
    root = tmp_path / "project"
    assert run_cli("import", "--project", root, "--images", f"{small}:raw")[0] == 0
    image = root / "volumes" / "image.h5"
    before, registry = _digest(image), Project.open(root).volume("image")

    _kill_when(_progress_at_least(30), "import", "--project", root, "--images", big)
    assert Project.open(root).volume("image") == registry
    assert _digest(image) == before
    assert _visible(root) == ["project.json", "volumes/image.h5"]

    code, events = run_cli("import", "--project", root, "--images", big, timeout=300)
    assert code == 0 and events[-1]["status"] == "completed"
    assert Project.open(root).volume("image")["shape"] == [300, 256, 256]


def test_a_killed_preprocess_keeps_the_earlier_outputs_and_runs_again(tmp_path):
    labels = (np.indices((40, 256, 256)).sum(axis=0) // 9 % 50 + 1).astype(np.uint16)
    root = image_project(tmp_path / "project", volume((40, 256, 256), np.uint8))
    project = Project.open(root)
    path = write_h5(root / "volumes" / "labels.h5", labels)
    project.register_volume("labels", path, "raw")
    options = ("--lom-radius", "6,6,3", "--min-size", "100")
    assert run_cli("preprocess", "--project", root, *options, timeout=300)[0] == 0
    outputs = sorted((root / "preprocess").iterdir())
    before = {path.name: _digest(path) for path in outputs}

    _kill_when(_progress_at_least(1), "preprocess", "--project", root, *options, "--seed", "5")
    assert {path.name: _digest(path) for path in sorted((root / "preprocess").iterdir())} == (
        before
    )
    Project.open(root)
    code, events = run_cli("preprocess", "--project", root, *options, "--seed", "5", timeout=300)
    assert code == 0 and events[-1]["status"] == "completed"


@pytest.fixture(scope="module")
def infer_project(tmp_path_factory) -> Path:
    image = np.random.default_rng(0).integers(0, 255, (16, 48, 48), dtype=np.uint8)
    return image_project(tmp_path_factory.mktemp("kills") / "project", image, mean=128.0, std=33.0)


def _infer_args(project: Path, checkpoint: Path, run: str, *extra) -> list:
    return [
        "infer", "--project", project, "--checkpoint", checkpoint, "--run", run,
        "--seed-policy", "PolicyGrid3d", "--checkpoint-interval", "0.2", *extra,
    ]  # fmt: skip


def _segmentation(project: Path, run: str) -> np.ndarray:
    import h5py

    with h5py.File(project / "inference" / run / "segmentation.h5", "r") as handle:
        return handle["segmentation"][...]


def test_a_killed_inference_resumes_to_the_same_segmentation(infer_project, blob_checkpoint):
    args = _infer_args(infer_project, blob_checkpoint, "killed")
    _kill_when(_progress_at_least(300), *args)  # FOVs
    Project.open(infer_project)
    assert any((infer_project / "inference" / "killed").rglob("*.cpoint"))
    code, events = run_cli(*args, "--on-exists", "resume", timeout=300)
    assert code == 0 and events[-1]["status"] == "completed", events[-2:]
    assert any("resuming" in e.get("message", "") for e in events if e["type"] == "log")

    code, events = run_cli(*_infer_args(infer_project, blob_checkpoint, "whole"), timeout=300)
    assert code == 0
    assert np.array_equal(
        _segmentation(infer_project, "killed"), _segmentation(infer_project, "whole")
    )


def test_a_killed_subvolume_run_leaves_no_worker_and_resumes(infer_project, blob_checkpoint):
    args = _infer_args(
        infer_project, blob_checkpoint, "tiled", "--subvolume-size", "16,32,32", "--workers", "1"
    )
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    records = _kill_when(lambda r: r["type"] == "log" and "dashboard" in r["message"], *args)
    assert records
    _kill_when(_progress_at_least(1), *args, "--on-exists", "resume")  # a subvolume saved
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        left = {p.pid for p in psutil.Process().children(recursive=True)} - before
        if not left:
            break
        time.sleep(1)
    assert not left, "Dask workers outlived the killed worker process"
    code, events = run_cli(*args, "--on-exists", "resume", timeout=400)
    assert code == 0 and events[-1]["status"] == "completed", events[-2:]
    assert _segmentation(infer_project, "tiled").shape == (16, 48, 48)


def test_a_killed_export_leaves_no_partial_export(tmp_path):
    root = image_project(tmp_path / "project", volume((120, 8, 8), np.uint8))
    plane = (np.add.outer(np.arange(384), np.arange(384)) // 40 + 1).astype(np.uint32)
    seg = np.broadcast_to(plane, (120, 384, 384))
    write_h5(
        root / "inference" / "big" / "segmentation.h5", np.ascontiguousarray(seg), "segmentation"
    )
    out = tmp_path / "exports"
    args = ("export", "--project", root, "--run", "big", "--format", "png", "--out", out)
    _kill_when(_progress_at_least(10), *args)
    assert not out.exists() or not _visible(out)
    code, events = run_cli(*args, timeout=300)
    assert code == 0 and len(_visible(out)) == 120


def test_a_killed_evaluation_leaves_the_project_as_it_was(tmp_path):
    plane = (np.add.outer(np.arange(384), np.arange(384)) // 40 + 1).astype(np.uint32)
    seg = np.ascontiguousarray(np.broadcast_to(plane, (160, 384, 384)))
    root = image_project(tmp_path / "project", volume((160, 8, 8), np.uint8))
    write_h5(root / "inference" / "big" / "segmentation.h5", seg, "segmentation")
    labels = write_h5(root / "volumes" / "labels.h5", seg[:, ::-1].copy())
    Project.open(root).register_volume("labels", labels, "raw")
    args = ("evaluate", "--project", root, "--run", "big")
    _kill_when(_progress_at_least(1), *args)
    Project.open(root)
    assert _visible(root / "inference") == ["big/segmentation.h5"]
    code, events = run_cli(*args, timeout=300)
    result = events[-1]
    assert code == 0 and result["status"] == "completed", result
    assert 0 <= result["outputs"]["arand"] <= 1 and result["voxels"] == seg.size


def test_training_killed_right_after_checkpoints_always_resumes(tmp_path):
    from tests.core.test_train import TINY, train_volume, write_project

    write_project(tmp_path, *train_volume())
    args = (
        "train", "--project", tmp_path, "--model-args", json.dumps(TINY.to_reference()),
        "--optimizer", "adam", "--checkpoint-minutes", "0.005", "--max-steps", "1000000",
    )  # fmt: skip
    steps = []
    for delay in (0.0, 0.05, 0.2):  # at, just after, and a while after a checkpoint's notice
        announced = []

        def after_checkpoint(record: Record, announced=announced, delay=delay) -> bool:
            if record["type"] == "artifact" and record["kind"] == "checkpoint":
                announced.append(time.monotonic())
            return len(announced) >= 2 and time.monotonic() - announced[-1] >= delay

        _kill_when(after_checkpoint, *args, "--run", "k")
        Project.open(tmp_path)
        steps.append(checkpoint_info(tmp_path / "runs" / "k").step)
    assert steps == sorted(steps) and steps[-1] > steps[0] > 0
