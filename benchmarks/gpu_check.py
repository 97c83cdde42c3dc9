"""The prepared GPU check: FOV/s and steps/s of each installed Keras backend and precision.

For every installed backend (TensorFlow, JAX, PyTorch; each in its own process, since Keras
fixes its backend once per process) and precision (float32, bfloat16, and mixed = float16 on a
GPU), with the 7M SNEMI3D model's geometry (depth 9, FOV z, y, x 17, 33, 33):

- inference FOV/s of our :class:`~ffn_core.model.predictor.Predictor` at batch 1 ... 64;
- training steps/s of our train stage (and its model-busy fraction) at batch 4 and 16 on a
  synthetic volume, and of a plain Keras training step (:mod:`model_speed`) at the same batches;
- a short whole inference (the infer stage) on a synthetic volume;
- FOV/s of the plain Keras conv stack at batch 1, 8 and 64 (the network's own rate).

Measurements run in that order while the time budget lasts; each failure is recorded and the
check goes on (a backend that fails or runs out of time keeps what it measured). Weights are
random unless ``--weights`` names a portable ``*.weights.h5`` file (``ffn-core convert``):
nothing here needs TensorFlow unless TensorFlow is the backend measured.

    python benchmarks/gpu_check.py [OUT.json] [--device gpu] [--backends jax,torch]
        [--weights model.weights.h5] [--budget-s 280] [--quick] [--without-tensorflow]

Writes one JSON file (default ``$OUT/gpu_check.json`` when ``$OUT`` is set, else
``gpu_check.json``) and prints a table. ``benchmarks/gpu_check.sh`` runs it on a GPU.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from ffn_core import backend  # noqa: E402
from ffn_core.io.atomic import atomic_write_text  # noqa: E402

BATCHES = (1, 2, 4, 8, 16, 32, 64)
TRAIN_BATCHES = (4, 16)
PLAIN_BATCHES = (1, 8, 64)
QUICK = {"batches": (1, 2, 4), "train_batches": (4,), "plain_batches": (1,), "seconds": 0.5}


HIDDEN = ("tensorflow", "tensorboard")  # what --without-tensorflow hides


class _Hiding:
    """A path entry's finder that finds nothing of :data:`HIDDEN`."""

    def __init__(self, finder: Any) -> None:
        self.finder = finder

    def find_spec(self, name: str, target: Any = None) -> Any:
        return None if name.split(".")[0] in HIDDEN else self.finder.find_spec(name, target)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.finder, name)


def hide_tensorflow() -> None:
    """Make this process find no TensorFlow (nor TensorBoard), as on a machine without it:
    ``import tensorflow`` fails and ``importlib.util.find_spec`` answers None."""
    hooks = list(sys.path_hooks)

    def hook(entry: str) -> _Hiding:
        for original in hooks:
            try:
                return _Hiding(original(entry))
            except ImportError:
                continue
        raise ImportError(entry)

    sys.path_hooks.insert(0, hook)
    sys.path_importer_cache.clear()


# -- one backend (child process) ------------------------------------------------------------


class Measurements:
    """Results of one backend, written to ``path`` after every measurement (a child killed
    for time leaves what it measured)."""

    def __init__(self, path: Path, deadline: float) -> None:
        self.path, self.deadline = path, deadline
        self.data: dict[str, Any] = {"errors": {}, "skipped": []}

    def save(self) -> None:
        atomic_write_text(self.path, json.dumps(self.data, indent=1))

    def run(self, key: str, measure: Callable[..., Any], *args: Any) -> None:
        """Store ``measure(*args)`` under the ``/``-separated ``key`` (its error when it
        fails; skipped when the time is up)."""
        if time.monotonic() > self.deadline:
            self.data["skipped"].append(key)
        else:
            try:
                value = measure(*args)
            except Exception as exc:  # noqa: BLE001  # recorded; the next measurement goes on
                self.data["errors"][key] = f"{type(exc).__name__}: {exc}"
                traceback.print_exc()
            else:
                *parents, last = key.split("/")
                node = self.data
                for part in parents:
                    node = node.setdefault(part, {})
                node[last] = value
        self.save()


def _prepare(name: str, device: str) -> dict[str, str]:
    return backend.prepare(name, device, "float32").to_dict()


def _settings(name: str) -> dict[str, Any]:
    """Backend flags that change the speed (as they were, not set here)."""
    if name == "torch":
        import torch

        return {
            "cudnn_benchmark": torch.backends.cudnn.benchmark,
            "cudnn_allow_tf32": torch.backends.cudnn.allow_tf32,
            "matmul_allow_tf32": torch.backends.cuda.matmul.allow_tf32,
            "threads": torch.get_num_threads(),
        }
    if name == "jax":
        import jax

        return {"default_matmul_precision": str(jax.config.jax_default_matmul_precision)}
    return {}


def _weights_file(options: argparse.Namespace, folder: Path) -> Path:
    """The portable weights the predictors and the inference load: ``--weights``, else a
    freshly initialised model's."""
    if options.weights:
        return Path(options.weights)
    import model_speed

    from ffn_core.model.checkpoints import model_arrays
    from ffn_core.model.convstack import build_convstack
    from ffn_core.model.weights_file import WeightsFile, write_weights

    args = model_speed.SNEMI_MODEL
    arrays = model_arrays(build_convstack(args))
    return write_weights(folder / "random.weights.h5", WeightsFile(args, 0, arrays))


def _whole_inference(
    project: Any, weights: Path, precision: str, options: argparse.Namespace
) -> dict[str, Any]:
    """The infer stage on ``project``'s synthetic image: FOVs, seconds, FOV/s, segments."""
    import io

    from ffn_core.events import Emitter
    from ffn_core.stages.infer import InferConfig, infer

    config = InferConfig(
        checkpoint=str(weights),
        run=f"check-{precision}",
        on_exists="replace",
        refresh_interval=0,
        refine=(),  # the network's speed, not the refinement's
        precision=precision,
        backend=options.child,
        device=options.device,
    )
    extra = infer(config, project, emit=Emitter("infer", stream=io.StringIO())).extra
    return {
        "fov_evals": extra["fov_evals"],
        "wall_s": extra["wall_s"],
        "fov_per_s": extra["fov_evals"] / max(extra["wall_s"], 1e-9),
        "segments": extra["segments"],
        "shape_zyx": list(options.volume_shape),
    }


def measure_backend(options: argparse.Namespace) -> None:
    """Measure backend ``options.child`` into ``options.part`` (the child process)."""
    results = Measurements(Path(options.part), time.monotonic() + options.budget_s)
    if options.without_tensorflow:
        hide_tensorflow()
    results.run("compute", _prepare, options.child, options.device)
    if "compute" not in results.data:
        return
    results.run("settings", _settings, options.child)
    precisions = ["float32", "bfloat16"]
    if results.data["compute"]["device"] == "gpu":
        precisions.append("mixed")
    with tempfile.TemporaryDirectory(prefix="ffn-gpu-check-") as folder:
        _measure(results, options, precisions, Path(folder))


def _measure(
    results: Measurements, options: argparse.Namespace, precisions: list[str], folder: Path
) -> None:
    """The measurements of one backend in priority order (files in ``folder``)."""
    import model_speed

    from ffn_core.demo_data import DemoSpec, make_demo_volume
    from ffn_core.model.checkpoints import load_weights
    from ffn_core.model.convstack import build_convstack
    from ffn_core.model.predictor import Predictor

    args, fov = model_speed.SNEMI_MODEL, model_speed.SNEMI_MODEL.fov_size_zyx
    weights = _weights_file(options, folder)
    spec = DemoSpec(shape_zyx=options.volume_shape, n_cells=options.cells)
    image, labels = make_demo_volume(spec)
    project = model_speed.write_project(
        folder / "project", image, labels, model_speed.random_coordinates(image.shape, args)
    )
    for precision in precisions:
        model = build_convstack(args, precision)
        load_weights(model, weights)
        predictor = Predictor(model, args)
        for batch in options.batches:
            results.run(
                f"predictor/{precision}/{batch}",
                model_speed.fov_rate,
                predictor.predict,
                batch,
                fov,
                options.seconds,
            )
    for precision in precisions:
        for batch in options.train_batches:
            results.run(
                f"train/{precision}/{batch}",
                model_speed.train_stage_rate,
                project,
                args,
                precision,
                batch,
                options.train_steps,
                options.child,
                options.device,
            )
            results.run(
                f"plain_step/{precision}/{batch}",
                model_speed.plain_step_rate,
                args,
                model_speed.PLAIN_POLICY[precision],
                batch,
                options.seconds,
            )
    for precision in precisions:
        results.run(
            f"infer/{precision}",
            _whole_inference,
            project,
            weights,
            precision,
            options,
        )
    for precision in precisions:
        forward = model_speed.plain_forward(
            model_speed.plain_convstack(args, model_speed.PLAIN_POLICY[precision])
        )
        for batch in options.plain_batches:
            results.run(
                f"plain/{precision}/{batch}",
                model_speed.fov_rate,
                forward,
                batch,
                fov,
                options.seconds,
            )


# -- all backends (the driver) --------------------------------------------------------------


def _machine() -> dict[str, Any]:
    """Host, CPU, GPUs (``nvidia-smi``) and package versions."""
    from importlib.metadata import PackageNotFoundError, version

    gpus = None
    try:
        gpus = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"],
            capture_output=True, text=True, timeout=30, check=True,
        ).stdout.strip().splitlines()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        pass
    versions: dict[str, str | None] = dict(backend.backend_versions())
    for package in ("keras", "numpy", "h5py"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    return {
        "host": platform.node(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": backend.cpu_name(),
        "cores": os.cpu_count(),
        "gpus": gpus,
        "versions": versions,
    }


def run_backend(name: str, options: argparse.Namespace, seconds: float) -> dict[str, Any]:
    """Measure backend ``name`` in a child process given ``seconds``; its results or error."""
    with tempfile.TemporaryDirectory(prefix="ffn-gpu-check-") as folder:
        part = Path(folder) / "part.json"
        command = [
            sys.executable, __file__, "--child", name, "--part", str(part),
            "--device", options.device, "--budget-s", str(max(seconds - 20, 10)),
            *(["--quick"] if options.quick else []),
            *(["--weights", options.weights] if options.weights else []),
            *(["--without-tensorflow"] if options.without_tensorflow else []),
        ]  # fmt: skip
        started = time.monotonic()
        try:
            proc = subprocess.run(
                command, capture_output=True, text=True, timeout=seconds, check=False
            )
            status, log = f"exit {proc.returncode}", proc.stdout + proc.stderr
        except subprocess.TimeoutExpired as exc:
            status = f"killed after {seconds:.0f} s"
            log = (exc.stdout or b"").decode(errors="replace") + (exc.stderr or b"").decode(
                errors="replace"
            )
        data = json.loads(part.read_text(encoding="utf-8")) if part.is_file() else {}
    data.update(status=status, seconds=round(time.monotonic() - started, 1))
    if status != "exit 0" or "compute" not in data:
        data["log_tail"] = log[-3000:]
    return data


def print_table(report: dict[str, Any]) -> None:
    """The report as readable lines."""
    print(f"\n{report['machine']['gpus'] or report['machine']['cpu']}")
    for name, data in report["backends"].items():
        compute = data.get("compute", {})
        print(f"\n{name}: {data['status']} in {data['seconds']} s on {compute.get('device_name')}")
        for key, label in (("predictor", "predictor FOV/s"), ("plain", "plain net FOV/s")):
            for precision, rates in data.get(key, {}).items():
                line = "  ".join(f"b{b} {rate:.1f}" for b, rate in rates.items())
                print(f"  {label} {precision:>8}: {line}")
        for precision, by_batch in data.get("train", {}).items():
            plain = data.get("plain_step", {}).get(precision, {})
            for batch, rate in by_batch.items():
                print(
                    f"  train {precision:>8} b{batch}: {rate['steps_per_s']:.2f} steps/s, model "
                    f"busy {rate['model_busy']:.0%}; plain step "
                    + (f"{plain[batch]:.2f}" if batch in plain else "-")
                )
        for precision, run in data.get("infer", {}).items():
            print(
                f"  infer {precision:>8}: {run['fov_evals']} FOVs in {run['wall_s']} s = "
                f"{run['fov_per_s']:.1f} FOV/s"
            )
        for key, error in data.get("errors", {}).items():
            print(f"  ERROR {key}: {error[:300]}")
        if data.get("skipped"):
            print(f"  skipped (time): {', '.join(data['skipped'])}")


def check_all(options: argparse.Namespace) -> None:
    """Measure every backend in turn within the budget; write and print the report."""
    out = Path(options.out or Path(os.environ.get("OUT", ".")) / "gpu_check.json")
    names = options.backends.split(",") if options.backends else backend.installed_backends()
    deadline = time.monotonic() + options.budget_s
    report: dict[str, Any] = {
        "machine": _machine(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "options": {k: v for k, v in vars(options).items() if k not in ("child", "part")},
        "backends": {},
    }
    for index, name in enumerate(names):
        share = (deadline - time.monotonic()) / (len(names) - index)
        print(f"{name}: up to {share:.0f} s...", flush=True)
        report["backends"][name] = run_backend(name, options, max(share, 30.0))
        atomic_write_text(out, json.dumps(report, indent=1))
    print_table(report)
    print(f"\nwritten: {out}")


def parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", help="JSON file (default $OUT/gpu_check.json)")
    parser.add_argument("--device", choices=backend.DEVICES, default="gpu")
    parser.add_argument("--backends", help="comma-separated (default: every installed one)")
    parser.add_argument("--weights", help="portable *.weights.h5 of the 7M model's shape")
    parser.add_argument("--budget-s", type=float, default=280.0, help="all backends together")
    parser.add_argument("--quick", action="store_true", help="fewer batch sizes, shorter timings")
    parser.add_argument(
        "--without-tensorflow", action="store_true", help="act as if TensorFlow were absent"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--part", help=argparse.SUPPRESS)
    options = parser.parse_args()
    quick = options.quick
    options.batches = QUICK["batches"] if quick else BATCHES
    options.train_batches = QUICK["train_batches"] if quick else TRAIN_BATCHES
    options.plain_batches = QUICK["plain_batches"] if quick else PLAIN_BATCHES
    options.seconds = QUICK["seconds"] if quick else 1.0
    options.train_steps = 4 if quick else 40
    options.volume_shape, options.cells = ((32, 80, 80), 30) if quick else ((48, 192, 192), 150)
    return options


if __name__ == "__main__":
    parsed = parse_options()
    if parsed.child:
        measure_backend(parsed)
    else:
        check_all(parsed)
