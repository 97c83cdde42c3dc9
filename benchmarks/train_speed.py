"""Training speed: steps/s of the depth-9, FOV 33x33x17 model at batch 4 (SGD, fixed policy),
beside the reference's 2.1 steps/s on a 2-vCPU machine of this kind (../shared/reference/
REFERENCE.md; 3.8 steps/s on a GTX 1080 Ti-class GPU in the seed tutorial), and the fraction of
the wall time the model step is busy (the rest is waiting for example generation).

Run: .venv/bin/python benchmarks/train_speed.py [--steps 40] [--batch-size 4] [--precision bfloat16]
Uses the SNEMI3D data of ../shared when present, else a synthetic volume of the same kind.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from ffn_core.demo_data import DemoSpec, make_demo_volume  # noqa: E402
from ffn_core.events import Emitter  # noqa: E402
from ffn_core.model.args import load_preset  # noqa: E402
from ffn_core.train.examples import TrainVolume  # noqa: E402
from ffn_core.train.run_config import RunSettings  # noqa: E402

REFERENCE_STEPS_PER_S = 2.1
SNEMI = REPO.parent / "shared" / "data" / "snemi3d"


def training_volume() -> tuple[str, np.ndarray, np.ndarray]:
    """SNEMI3D z 0:50 (image, labels) when ../shared has it, else a synthetic volume."""
    if SNEMI.is_dir():

        def stack(folder: str) -> np.ndarray:
            return np.stack(
                [np.array(Image.open(SNEMI / folder / f"{z:04d}.png")) for z in range(50)]
            )

        return "SNEMI3D z 0:50", stack("images"), stack("segment")
    image, labels = make_demo_volume(DemoSpec(shape_zyx=(50, 256, 256), n_cells=80))
    return "synthetic 50x256x256", image, labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40, help="timed steps after warm-up")
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--precision", default="float32", choices=("float32", "bfloat16"))
    options = parser.parse_args()
    from ffn_core.train.trainer import Trainer

    name, image, labels = training_volume()
    margin = np.array([13, 25, 25])
    coords = np.random.default_rng(0).integers(margin, np.array(image.shape) - margin, (5000, 3))
    warm_up = 5
    config = RunSettings(
        model_args=load_preset("anisotropic"),
        image_mean=131.0,
        image_stddev=62.0,
        batch_size=options.batch_size,
        max_steps=warm_up,
        checkpoint_minutes=1e6,
        summary_seconds=1e6,
        precision=options.precision,
    )
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as run_dir:
        trainer = Trainer(
            config,
            Path(run_dir),
            [TrainVolume("main", image, labels, coords)],
            Emitter("train", stream=io.StringIO()),
        )
        trainer.train()  # traces the step
        trainer.config = dataclasses.replace(config, max_steps=warm_up + options.steps)
        wall, cpu = time.perf_counter(), time.process_time()
        outcome = trainer.train()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    cores = len(os.sched_getaffinity(0))
    print(
        f"{name}, depth 9, fov 33,33,17 (x,y,z), batch {options.batch_size}, SGD, fixed policy, "
        f"{options.precision}, {cores} CPUs (load average {load:.1f} -> "
        f"{os.getloadavg()[0]:.1f})"
    )
    rate = options.steps / wall
    print(
        f"  {rate:.2f} steps/s = {rate / REFERENCE_STEPS_PER_S:.2f} x the reference's "
        f"{REFERENCE_STEPS_PER_S} steps/s"
    )
    idle_rate = options.steps / cpu * cores
    print(
        f"  {cpu / options.steps:.2f} CPU-s per step: {idle_rate:.2f} steps/s on {cores} idle "
        f"cores = {idle_rate / REFERENCE_STEPS_PER_S:.2f} x the reference (if this machine is "
        f"shared)"
    )
    print(f"  model busy {outcome.model_busy:.0%} of the wall time (the rest waits for examples)")


if __name__ == "__main__":
    main()
