"""The headless demo: the whole pipeline on the synthetic volume, and its baseline."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from ffn_core.demo import baseline_arand, baseline_segmentation
from ffn_core.demo_data import DemoSpec, make_demo_volume, write_demo_stacks
from ffn_core.evaluate import adapted_rand
from ffn_core.pipeline import run_stage

STAGES = {"import", "preprocess", "train", "infer", "export", "evaluate"}


def _result_line(stdout: str) -> dict:
    records = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    assert records, stdout[-2000:]
    return records[-1]


def test_quick_demo_runs_the_pipeline_and_beats_the_baseline(tmp_path):
    out = tmp_path / "demo"
    done = subprocess.run([sys.executable, "-m", "ffn_core", "demo", "--out", str(out), "--quick"],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = _result_line(done.stdout)
    assert result["type"] == "result" and result["status"] == "completed"
    summary = result["outputs"]
    assert summary["arand_ffn"] < summary["arand_baseline_threshold_cc"] - 0.05, summary
    assert 0 < summary["arand_ffn"] < 1
    assert summary["train_steps_per_s"] > 0 and summary["infer_voxels_per_s"] > 0
    assert set(summary["stage_wall_s"]) == STAGES
    assert summary["wall_s"] >= sum(summary["stage_wall_s"].values()) - 1
    h5_path, dataset = summary["segmentation"].rsplit(":", 1)
    assert dataset == "segmentation" and (out / "project" / "inference" / "demo").is_dir()
    assert h5_path.endswith("segmentation.h5") and (out / "project").joinpath(
        "inference", "demo", "segmentation.h5").is_file()
    exported = list((out / "exports").rglob("*.tif*"))
    assert exported and all(f.stat().st_size > 0 for f in exported)
    assert summary["project"] == str(out.resolve() / "project")
    volumes = out / "project" / "volumes"
    assert (volumes / "image.h5").is_file() and (volumes / "labels.h5").is_file()


def test_threshold_cc_is_scored_on_the_imported_demo_volume(tmp_path):
    spec = DemoSpec(shape_zyx=(12, 48, 48), n_cells=10)
    images, labels = write_demo_stacks(tmp_path / "data", spec)
    project = tmp_path / "project"
    run_stage("import", ["--project", str(project), "--images", str(images),
                         "--labels", str(labels)])
    image, truth = make_demo_volume(spec)
    expected = adapted_rand(baseline_segmentation(image), truth)["arand"]
    assert baseline_arand(project) == pytest.approx(expected, abs=1e-12)
    assert 0 < expected < 1
    assert len(np.unique(baseline_segmentation(image))) > 3

