"""Speed against the network's own rate, all measured in one run on this machine.

For one Keras backend (``--backend``, default TensorFlow) and float32 and bfloat16:

- ``net``: FOV/s of the plain Keras conv stack of the 7M model's shape (``keras.layers.Conv3D``,
  ``predict_on_batch``; :mod:`model_speed`) at batch 1 and 8: the network's own rate here (the
  reference computes float32 at batch 1);
- ``predictor``: FOV/s of our :class:`~ffn_core.model.predictor.Predictor` with the 7M
  checkpoint at batch 1 and 8;
- ``infer``: FOV/s of our whole inference (``python -m ffn_core infer`` on a project holding
  the SNEMI3D image, box z 0:100, y 0:256, x 0:256 by default) in one box (batch 1, as the
  reference) and batched (the box in ``--split`` x ``--split`` subvolumes segmented together by
  one Dask task: ``--canvases-per-task`` FOVs per model call), with the adapted Rand error
  against the SNEMI3D labels and against the reference's segmentation of the crop;
- ``train``: steps/s of a plain training step (forward, backward, SGD; batch 4) of the plain
  stack in float32, in Keras ``mixed_bfloat16`` and all in ``bfloat16`` (cast variables), and
  of our train stage (its reported rate and model-busy fraction) on SNEMI3D z 0:50;

then the ratios: each rate over the best network rate of its precision (plain or ours, any
batch; the issue's goal is >= 0.9 for the whole inference and training). The reference's own
figures (10.7 FOV/s on the crop, ../shared/reference/REFERENCE.md) were measured in another
run and are only quoted. The full run takes about 1.5 hours on 2 idle cores (the four whole
inferences of the crop about 70 minutes); ``--quick`` 4 minutes. Rates measured while other
processes load the cores are noisy: compare ratios of one quiet run.

    python benchmarks/backend_speed.py [--backend torch] [--quick] [--json speed.json]
        [--skip-net] [--skip-predictor] [--skip-infer] [--skip-batched] [--skip-train]
        [--box 0:32,0:128,0:128]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import h5py
from infer_snemi import MODELS, SHARED, load_stack, make_project, run_infer

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from ffn_core import backend  # noqa: E402

CHECKPOINT = MODELS / "model.ckpt-7000000"
CROP = "0:100,0:256,0:256"
QUICK_BOX = "0:32,0:128,0:128"
PRECISIONS = ("float32", "bfloat16")
BATCHES = (1, 8)
TRAIN_BATCH = 4
#: the plain training step's dtype policies per precision ("bfloat16": cast variables too)
TRAIN_POLICIES = {"float32": ("float32",), "bfloat16": ("mixed_bfloat16", "bfloat16")}
OVERLAP_YX = 32  # voxels neighbouring subvolumes share in y and x in the batched run
REFERENCE_TEXT = (
    "reference (another run, quoted): 10.7 FOV/s on the crop in float32, adapted Rand 0.178"
)


def measure_net(seconds: float) -> dict[str, Any]:
    """FOV/s of the plain stack per precision and batch."""
    import model_speed

    rates: dict[str, Any] = {}
    for precision in PRECISIONS:
        model = model_speed.plain_convstack(
            model_speed.SNEMI_MODEL, model_speed.PLAIN_POLICY[precision]
        )
        forward = model_speed.plain_forward(model)
        rates[precision] = {
            str(batch): model_speed.fov_rate(
                forward, batch, model_speed.SNEMI_MODEL.fov_size_zyx, seconds
            )
            for batch in BATCHES
        }
    return rates


def measure_predictor(seconds: float) -> dict[str, Any]:
    """FOV/s of our Predictor with the 7M checkpoint per precision and batch."""
    import model_speed

    from ffn_core.model.predictor import Predictor

    rates: dict[str, Any] = {}
    for precision in PRECISIONS:
        predictor = Predictor.from_checkpoint(CHECKPOINT, model_speed.SNEMI_MODEL, precision)
        rates[precision] = {
            str(batch): model_speed.fov_rate(
                predictor.predict, batch, model_speed.SNEMI_MODEL.fov_size_zyx, seconds
            )
            for batch in BATCHES
        }
    return rates


def batched_options(box: str, split: int, per_task: int) -> tuple[str, ...]:
    """CLI options cutting ``box`` into ``split`` x ``split`` subvolumes (y, x) overlapping by
    :data:`OVERLAP_YX`, all segmented by one Dask worker, ``per_task`` canvases per task (the
    worker's model uses every core: its thread count is left to the cluster's choice)."""
    (z0, z1), (y0, y1), (x0, x1) = (map(int, part.split(":")) for part in box.split(","))
    size_y, size_x = (
        math.ceil((stop - start + (split - 1) * OVERLAP_YX) / split)
        for start, stop in ((y0, y1), (x0, x1))
    )
    return (
        "--subvolume-size", f"{z1 - z0},{size_y},{size_x}",
        "--overlap", f"0,{OVERLAP_YX},{OVERLAP_YX}",
        "--workers", "1",
        "--canvases-per-task", str(per_task),
    )  # fmt: skip


def measure_infer(options: argparse.Namespace, compute: backend.Compute) -> dict[str, Any]:
    """Whole inference per precision, single box and batched: FOV/s and adapted Rand."""
    from ffn_core.analysis.evaluate import adapted_rand

    project = Path(options.project or tempfile.mkdtemp(prefix="ffn-bench-"))
    if not (project / "volumes" / "image.h5").is_file():
        make_project(project)
    box = tuple(slice(*map(int, part.split(":"))) for part in options.box.split(","))
    labels = load_stack(SHARED / "data" / "snemi3d" / "segment")[box]
    reference = None
    if options.box == CROP:
        with h5py.File(SHARED / "reference" / "snemi_train_crop_7M_seg.h5", "r") as handle:
            reference = handle["segmentation"][...]
    compute_options = ("--backend", compute.backend, "--device", options.device)
    modes: dict[str, tuple[str, ...]] = {"single": ()}
    if not options.skip_batched:
        modes[f"batched-{options.canvases_per_task}"] = batched_options(
            options.box, options.split, options.canvases_per_task
        )
    runs: dict[str, Any] = {}
    for precision in PRECISIONS:
        for mode, extra in modes.items():
            name = f"{precision}-{mode}"
            print(f"infer {name} on {options.box}...", flush=True)
            result, process_s = run_infer(
                project, options.box, f"speed-{name}", precision, (*compute_options, *extra)
            )
            with h5py.File(result["outputs"]["segmentation"].rsplit(":", 1)[0], "r") as handle:
                seg = handle["segmentation"][...]
            runs[name] = {
                "fov_evals": result["fov_evals"],
                "wall_s": result["wall_s"],
                "process_s": round(process_s, 1),
                "fov_per_s": result["fov_evals"] / result["wall_s"],
                "arand_labels": adapted_rand(seg, labels)["arand"],
                "arand_reference": (
                    None if reference is None else adapted_rand(seg, reference)["arand"]
                ),
            }
    return {"box": options.box, "runs": runs}


def measure_train(options: argparse.Namespace, compute: backend.Compute) -> dict[str, Any]:
    """Steps/s of the plain step per dtype policy and of our train stage per precision."""
    import model_speed
    from train_speed import training_volume

    args = model_speed.SNEMI_MODEL
    plain = {
        policy: model_speed.plain_step_rate(args, policy, TRAIN_BATCH, options.seconds)
        for policies in TRAIN_POLICIES.values()
        for policy in policies
    }
    name, image, labels = training_volume()
    ours: dict[str, Any] = {"volume": name}
    with tempfile.TemporaryDirectory(prefix="ffn-train-speed-") as folder:
        project = model_speed.write_project(
            Path(folder), image, labels, model_speed.random_coordinates(image.shape, args)
        )
        for precision in PRECISIONS:
            try:
                ours[precision] = model_speed.train_stage_rate(
                    project, args, precision, TRAIN_BATCH, options.train_steps,
                    compute.backend, options.device,
                )  # fmt: skip
            except Exception as exc:  # noqa: BLE001  # recorded: the other parts go on
                ours[precision] = {"error": f"{type(exc).__name__}: {exc}"}
    return {"batch": TRAIN_BATCH, "plain": plain, "ours": ours}


def ratios(results: dict[str, Any]) -> dict[str, Any]:
    """Each rate over the best network rate of its precision (and ours over plain)."""
    out: dict[str, Any] = {}
    for precision in PRECISIONS:
        plain = results.get("net", {}).get(precision, {})
        ours = results.get("predictor", {}).get(precision, {})
        best_plain = max(plain.values(), default=None)
        best = max([*plain.values(), *ours.values()], default=None)
        entry: dict[str, Any] = {"best_plain_fov_per_s": best_plain, "best_network_fov_per_s": best}
        if best_plain:
            entry["predictor_over_plain"] = {b: ours[b] / plain[b] for b in ours if b in plain}
        runs = results.get("infer", {}).get("runs", {})
        for name, run in runs.items():
            if name.startswith(precision) and best:
                entry[f"infer_{name}_over_best_network"] = run["fov_per_s"] / best
            if name.startswith(precision) and best_plain:
                entry[f"infer_{name}_over_best_plain"] = run["fov_per_s"] / best_plain
        train = results.get("train")
        if train and isinstance(train["ours"].get(precision), dict):
            steps = train["ours"][precision].get("steps_per_s")
            best_step = max(train["plain"][policy] for policy in TRAIN_POLICIES[precision])
            if steps:
                entry["train_ours_over_plain"] = steps / best_step
        out[precision] = entry
    runs = results.get("infer", {}).get("runs", {})
    modes = {name.split("-", 1)[1] for name in runs}
    out["infer_arand_bf16_minus_fp32"] = {
        mode: runs[f"bfloat16-{mode}"]["arand_labels"] - runs[f"float32-{mode}"]["arand_labels"]
        for mode in sorted(modes)
    }
    train = results.get("train")
    if train:
        fp32 = train["ours"].get("float32", {}).get("steps_per_s")
        bf16 = train["ours"].get("bfloat16", {}).get("steps_per_s")
        if fp32 and bf16:
            out["train_ours_bf16_over_fp32"] = bf16 / fp32
        out["train_plain_bf16_over_fp32"] = {
            policy: train["plain"][policy] / train["plain"]["float32"]
            for policy in TRAIN_POLICIES["bfloat16"]
        }
    return out


def print_table(results: dict[str, Any]) -> None:
    """The results as readable lines."""
    print(f"\n{results['compute']['backend']} on {results['compute']['device_name']}, "
          f"{results['cores']} cores; load average {results['load']}")  # fmt: skip
    for part, label in (("net", "plain Keras stack"), ("predictor", "our Predictor")):
        for precision, rates in results.get(part, {}).items():
            line = ", ".join(f"batch {b}: {r:.2f}" for b, r in rates.items())
            print(f"{label:>18} {precision:>8} FOV/s  {line}")
    for name, run in results.get("infer", {}).get("runs", {}).items():
        ref = run["arand_reference"]
        print(
            f"{'whole inference':>18} {name:>18}: {run['fov_evals']} FOVs in {run['wall_s']} s "
            f"= {run['fov_per_s']:.2f} FOV/s, adapted Rand vs labels {run['arand_labels']:.4f}"
            + ("" if ref is None else f", vs reference seg {ref:.4f}")
        )
    train = results.get("train")
    if train:
        plain = ", ".join(f"{policy} {rate:.2f}" for policy, rate in train["plain"].items())
        print(f"{'plain step':>18} batch {train['batch']} steps/s: {plain}")
        for precision in PRECISIONS:
            ours = train["ours"].get(precision, {})
            print(f"{'our train stage':>18} {precision:>8}: " + (
                ours["error"] if "error" in ours else
                f"{ours['steps_per_s']:.2f} steps/s, model busy {ours['model_busy']:.0%}"
            ))  # fmt: skip
    print("ratios (same run):")
    for key, value in results["ratios"].items():
        print(f"  {key}: {json.dumps(_rounded(value))}")
    print(REFERENCE_TEXT)


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    return value


def parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=backend.BACKENDS, default="tensorflow")
    parser.add_argument("--device", choices=backend.DEVICES, default="auto")
    parser.add_argument("--quick", action="store_true", help=f"box {QUICK_BOX}, short timings")
    parser.add_argument("--box", help=f"z0:z1,y0:y1,x0:x1 of SNEMI3D (default {CROP})")
    parser.add_argument("--split", type=int, default=2, help="subvolumes per axis y, x (batched)")
    parser.add_argument("--canvases-per-task", type=int, help="default: all subvolumes")
    parser.add_argument("--seconds", type=float, help="timing of one rate (default 10; quick 2)")
    parser.add_argument("--train-steps", type=int, help="our stage's steps (default 60; quick 8)")
    parser.add_argument("--project", help="project holding the SNEMI3D image (default: new)")
    parser.add_argument("--json", help="write the results to this file")
    for part in ("net", "predictor", "infer", "batched", "train"):
        parser.add_argument(f"--skip-{part}", action="store_true")
    options = parser.parse_args()
    options.box = options.box or (QUICK_BOX if options.quick else CROP)
    options.seconds = options.seconds or (2.0 if options.quick else 10.0)
    options.train_steps = options.train_steps or (8 if options.quick else 60)
    options.canvases_per_task = options.canvases_per_task or options.split**2
    return options


def main() -> None:
    """Measure the parts not skipped, print them and their ratios."""
    options = parse_options()
    backend.select(options.backend, options.device)
    compute = backend.require_device(options.device)
    results: dict[str, Any] = {
        "compute": compute.to_dict(),
        "cores": len(os.sched_getaffinity(0)),
        "load": [round(v, 1) for v in os.getloadavg()],
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    parts = {
        "net": lambda: measure_net(options.seconds),
        "predictor": lambda: measure_predictor(options.seconds),
        "infer": lambda: measure_infer(options, compute),
        "train": lambda: measure_train(options, compute),
    }
    for part, measure in parts.items():
        if not getattr(options, f"skip_{part}"):
            started = time.perf_counter()
            results[part] = measure()
            print(f"{part}: {time.perf_counter() - started:.0f} s", flush=True)
    results["load"].append(round(os.getloadavg()[0], 1))
    results["ratios"] = ratios(results)
    print_table(results)
    if options.json:
        Path(options.json).write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
