"""Example generation speed: FOVs/s of one ExampleStream reading HDF5 (no model; oracle logits).

Run: .venv/bin/python benchmarks/example_generation.py
         [--fov Z,Y,X] [--deltas Z,Y,X] [--policy fixed]
Prints FOVs/s and examples/s, and the FOVs/s a batch of 4 at the reference's 2.1 steps/s
needs (8.4).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ffn_core.train.examples import ExampleConfig, ExampleStream  # noqa: E402


def _volumes(folder: Path) -> tuple[Path, np.ndarray]:
    rng = np.random.default_rng(0)
    labels = np.repeat(np.repeat(rng.integers(0, 40, (100, 32, 32)), 16, axis=1), 16, axis=2)
    path = folder / "volumes.h5"
    with h5py.File(path, "w") as handle:
        handle.create_dataset(
            "image",
            data=rng.integers(0, 256, labels.shape, dtype=np.uint8),
            chunks=(16, 64, 64),
            compression="gzip",
        )
        handle.create_dataset(
            "labels", data=labels.astype(np.uint64), chunks=(16, 64, 64), compression="gzip"
        )
    return path, labels


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fov", default="17,33,33")
    parser.add_argument("--deltas", default="4,8,8")
    parser.add_argument("--policy", default="fixed")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    config = ExampleConfig(
        [int(v) for v in args.fov.split(",")],
        [int(v) for v in args.deltas.split(",")],
        policy=args.policy,
    )
    margin = np.asarray(config.load_size_zyx) // 2 + 1
    with tempfile.TemporaryDirectory() as tmp:
        path, labels = _volumes(Path(tmp))
        rng = np.random.default_rng(1)
        coords = rng.integers(margin, np.asarray(labels.shape) - margin, (10000, 3))
        with h5py.File(path, "r") as handle:
            stream = ExampleStream(handle["image"], handle["labels"], coords, config, rng)
            fovs = examples = 0
            start = time.perf_counter()
            while time.perf_counter() - start < args.seconds:
                fov = stream.next_fov()
                stream.update(np.where(fov.labels > 0.5, 3.0, -3.0))
                examples += len(stream.pop_finished())
                fovs += 1
            elapsed = time.perf_counter() - start
    print(
        f"policy {config.policy}, fov {config.fov_size_zyx}, load {config.load_size_zyx}: "
        f"{fovs / elapsed:.0f} FOVs/s, {examples / elapsed:.1f} examples/s on one thread "
        f"(batch 4 at 2.1 steps/s needs 8.4 FOVs/s)"
    )


if __name__ == "__main__":
    main()
