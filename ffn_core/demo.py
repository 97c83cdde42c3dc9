"""``demo`` stage: the whole pipeline on synthetic data, headless.

import → preprocess → a short training → inference → export → evaluation, each as
its own worker subprocess (exactly what the GUI runs), then a summary with speed
figures, the adapted Rand error of the FFN, and that of a trivial baseline
(connected components of the thresholded, smoothed image).
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy import ndimage

from ffn_core.demo_data import DemoSpec, make_demo_volume, write_demo_stacks
from ffn_core.events import CancelToken, Emitter
from ffn_core.pipeline import run_stage

TINY_MODEL = {"depth": 4, "fov_size": [17, 17, 9], "deltas": [4, 4, 2]}
QUICK = {"spec": DemoSpec(shape_zyx=(24, 80, 80), n_cells=24), "steps": 300}
FULL = {"spec": DemoSpec(), "steps": 1500}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="folder for the demo project")
    parser.add_argument("--quick", action="store_true", help="smaller volume, shorter training")
    parser.add_argument("--text", action="store_true", help="readable lines instead of JSON")


def run(args: argparse.Namespace, emit: Emitter, cancel: CancelToken) -> dict[str, Any]:
    settings = QUICK if args.quick else FULL
    out = args.out.resolve()
    project = out / "project"
    emit.log(f"Writing the synthetic demo volume to {out / 'data'}")
    images, labels = write_demo_stacks(out / "data", settings["spec"])
    lom = ",".join(map(str, _lom_radius_xyz(TINY_MODEL)))
    steps: list[tuple[str, list[str]]] = [
        ("import", ["--project", project, "--images", images, "--labels", labels,
                    "--voxel-size", f"{settings['spec'].anisotropy},1,1"]),
        ("preprocess", ["--project", project, "--lom-radius", lom, "--min-size", "200"]),
        ("train", ["--project", project, "--model-args", json.dumps(TINY_MODEL),
                   "--max-steps", settings["steps"], "--batch-size", "4", "--run", "demo"]),
    ]
    results: dict[str, dict[str, Any]] = {}
    started = time.monotonic()
    for stage, stage_args in steps:
        results[stage] = _timed(stage, stage_args, emit, cancel)
    checkpoint = results["train"]["outputs"]["checkpoint"]
    results["infer"] = _timed("infer", ["--project", project, "--checkpoint", checkpoint,
                                        "--run", "demo", "--on-exists", "replace"], emit, cancel)
    segmentation = results["infer"]["outputs"]["segmentation"]
    results["export"] = _timed("export", ["--project", project, "--run", "demo", "--format",
                                          "tif", "--bit-depth", "16", "--out",
                                          out / "exports"], emit, cancel)
    results["evaluate"] = _timed("evaluate", ["--seg", segmentation, "--gt",
                                              f"{project / 'volumes' / 'labels.h5'}:raw"],
                                 emit, cancel)
    baseline = baseline_arand(settings["spec"])
    summary = _summary(results, baseline, time.monotonic() - started, out)
    for line in _summary_lines(summary):
        emit.log(line)
    return summary


def _lom_radius_xyz(model_args: dict[str, Any]) -> list[int]:
    return [f // 2 + d for f, d in zip(model_args["fov_size"], model_args["deltas"])]


def _timed(stage: str, stage_args: list[Any], emit: Emitter, cancel: CancelToken) -> dict[str, Any]:
    started = time.monotonic()
    result = run_stage(stage, [str(a) for a in stage_args], emit, cancel)
    result["wall_s"] = time.monotonic() - started
    return result


def baseline_arand(spec: DemoSpec) -> float:
    """Adapted Rand error of connected components of the thresholded, smoothed image."""
    from ffn_core.evaluate import adapted_rand

    image, labels = make_demo_volume(spec)
    smooth = ndimage.gaussian_filter(image.astype(np.float32), sigma=1.0)
    threshold = float(np.mean(smooth))
    components, _ = ndimage.label(smooth > threshold)
    return adapted_rand(components, labels)["arand"]


def _summary(results: dict[str, dict[str, Any]], baseline: float, wall: float,
             out: Path) -> dict[str, Any]:
    train, infer = results["train"], results["infer"]
    scores = results["evaluate"]["outputs"]
    return {
        "wall_s": round(wall, 1),
        "train_steps_per_s": train.get("outputs", {}).get("steps_per_s"),
        "infer_voxels_per_s": infer.get("outputs", {}).get("voxels_per_s"),
        "arand_ffn": scores["arand"],
        "arand_baseline_threshold_cc": baseline,
        "segmentation": infer["outputs"]["segmentation"],
        "exports": str(out / "exports"),
        "project": str(out / "project"),
        "stage_wall_s": {stage: round(r["wall_s"], 1) for stage, r in results.items()},
    }


def _summary_lines(summary: dict[str, Any]) -> list[str]:
    return [
        f"Demo finished in {summary['wall_s']} s (per stage: {summary['stage_wall_s']})",
        f"Training: {summary['train_steps_per_s']} steps/s; inference: "
        f"{summary['infer_voxels_per_s']} voxels/s",
        f"Adapted Rand error: FFN {summary['arand_ffn']:.3f} vs baseline "
        f"(thresholded connected components) {summary['arand_baseline_threshold_cc']:.3f}",
        f"Project: {summary['project']}; exports: {summary['exports']}",
    ]
