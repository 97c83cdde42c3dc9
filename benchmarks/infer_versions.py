"""Inference speed of this version against an earlier one, measured in the same run.

Runs ``python -m ffn_core infer`` of the earlier revision (a temporary ``git worktree``) and of
this checkout on the same SNEMI3D box with the 7M model and ``inference.pbtxt``, alternating
``--rounds`` times, and prints each run's FOV/s (the stage's own ``wall_s``, TensorFlow start-up
excluded) and the ratio this / earlier. Both runs must give the same segmentation.

    python benchmarks/infer_versions.py [--previous REV] [--bbox 0:100,0:128,0:128]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import h5py
import numpy as np
from infer_snemi import MODELS, REPO, make_project


def run_version(source: Path, project: Path, bbox: str, run: str) -> dict:
    """The ``result`` line of the infer CLI of the code in ``source`` (extra keys at top level)."""
    cmd = [
        sys.executable,
        "-m",
        "ffn_core",
        "infer",
        "--project",
        str(project),
        "--checkpoint",
        str(MODELS / "model.ckpt-7000000"),
        "--request",
        str(MODELS / "inference.pbtxt"),
        "--bbox",
        bbox,
        "--run",
        run,
        "--on-exists",
        "replace",
        "--refresh-interval",
        "0",
    ]
    out = subprocess.run(cmd, cwd=source, capture_output=True, text=True, check=False).stdout
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    if not lines or lines[-1]["type"] != "result":
        raise SystemExit(f"{source}: inference failed: {lines[-1] if lines else out[-2000:]}")
    return lines[-1]


def segmentation(project: Path, run: str) -> np.ndarray:
    """The run's box-sized segmentation."""
    with h5py.File(project / "inference" / run / "segmentation.h5", "r") as handle:
        return handle["segmentation"][...]


def main() -> None:
    """Alternate the two versions and print their FOV/s and ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--previous", default="2ae92a6", help="the earlier git revision")
    parser.add_argument("--bbox", default="0:100,0:128,0:128")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--project", help="project folder (default: a temporary one)")
    args = parser.parse_args()
    project = Path(args.project or tempfile.mkdtemp(prefix="ffn-bench-"))
    if not (project / "volumes" / "image.h5").is_file():
        make_project(project)
    with tempfile.TemporaryDirectory(prefix="ffn-previous-") as folder:
        earlier = Path(folder) / "tree"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(earlier), args.previous],
            cwd=REPO,
            check=True,
            capture_output=True,
        )
        try:
            rates: dict[str, list[float]] = {"earlier": [], "this": []}
            for _ in range(args.rounds):
                for name, source in (("earlier", earlier), ("this", REPO)):
                    result = run_version(source, project, args.bbox, name)
                    rates[name].append(result["fov_evals"] / result["wall_s"])
                    print(
                        f"{name:>7}: {result['fov_evals']} FOVs in {result['wall_s']:.1f} s "
                        f"= {rates[name][-1]:.2f} FOV/s",
                        flush=True,
                    )
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(earlier)],
                cwd=REPO,
                check=False,
                capture_output=True,
            )
    same = np.array_equal(segmentation(project, "earlier"), segmentation(project, "this"))
    best = {name: max(values) for name, values in rates.items()}
    print(
        f"box {args.bbox}: this {best['this']:.2f} FOV/s, {args.previous} "
        f"{best['earlier']:.2f} FOV/s, ratio this/earlier {best['this'] / best['earlier']:.3f}; "
        f"same segmentation: {same}"
    )


if __name__ == "__main__":
    main()
