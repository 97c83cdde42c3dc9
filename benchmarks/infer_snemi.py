"""The must-show inference run: SNEMI3D ``images/`` z 0:100, y 0:256, x 0:256 with the 7M model.

Runs ``python -m ffn_core infer`` (the real CLI, options of ``inference.pbtxt``) on a project
holding the SNEMI3D image stack and prints wall time, FOV evaluations, voxels/s and FOV/s with
their ratios to the reference implementation's figures (``../shared/reference/REFERENCE.md``),
the adapted Rand error against ``segment/``, the unsegmented fraction, the segment count, and the
agreement with the reference's own segmentation of the crop. Takes about 10 minutes on 2 cores.

    python benchmarks/infer_snemi.py [--project DIR] [--bbox 0:100,0:256,0:256]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
MODELS = SHARED / "models" / "snemi3d_ffn_windows"
REFERENCE = {
    "wall_s": 588.0,
    "fov_evals": 14348,
    "voxels_per_s": 11.1e3,
    "fov_per_s": 24.4,
    "arand": 0.178,
    "unsegmented": 0.348,
    "segments": 216,
}


def load_stack(folder: Path) -> np.ndarray:
    """All PNG slices of ``folder`` as one (z, y, x) array."""
    return np.stack([np.array(Image.open(p)) for p in sorted(folder.glob("*.png"))])


def make_project(root: Path) -> None:
    """A project whose ``image`` volume is the SNEMI3D ``images/`` stack (written directly)."""
    sys.path.insert(0, str(REPO))
    from model_speed import write_project

    write_project(root, load_stack(SHARED / "data" / "snemi3d" / "images"))


def run_infer(
    project: Path, bbox: str, run: str, precision: str, extra: tuple[str, ...] = ()
) -> tuple[dict, float]:
    """Run the CLI (with ``extra`` options); returns its result and the wall time of the process."""
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
        "--refine",
        "none",  # the reference's result as it is (the first pass)
        "--refresh-interval",
        "60",
        "--precision",
        precision,
        *extra,
    ]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, text=True)
    from ffn_core.protocol import Progress, Result, decode

    result, last = None, 0.0
    for line in proc.stdout:
        record = decode(line, project)
        if isinstance(record, Progress) and time.perf_counter() - last > 30:
            last = time.perf_counter()
            print(f"  {record.done}/{record.total} {record.unit}, {record.metrics}", flush=True)
        elif record is not None and record.kind in ("result", "error"):
            result = record
    proc.wait()
    if not isinstance(result, Result):
        raise SystemExit(f"inference failed: {result}")
    return {**result.extra, "outputs": result.outputs}, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", help="project folder (default: a temporary one)")
    parser.add_argument("--bbox", default="0:100,0:256,0:256")
    sys.path.insert(0, str(REPO))
    from ffn_core.analysis.evaluate import adapted_rand
    from ffn_core.model.args import PRECISIONS

    parser.add_argument("--precision", default="float32", choices=PRECISIONS)
    args = parser.parse_args()

    project = Path(args.project or tempfile.mkdtemp(prefix="ffn-bench-"))
    if not (project / "volumes" / "image.h5").is_file():
        make_project(project)
    result, process_s = run_infer(project, args.bbox, f"snemi-7M-{args.precision}", args.precision)
    spec = result["outputs"]["segmentation"]
    with h5py.File(spec.rsplit(":", 1)[0], "r") as handle:
        seg = handle["segmentation"][...]
    box = tuple(slice(*map(int, part.split(":"))) for part in args.bbox.split(","))
    gt = load_stack(SHARED / "data" / "snemi3d" / "segment")[box]
    voxels = seg.size
    wall = result["wall_s"]
    fov = result["fov_evals"]
    ours = {
        "wall_s": wall,
        "fov_evals": fov,
        "voxels_per_s": voxels / wall,
        "fov_per_s": fov / wall,
        "arand": adapted_rand(seg, gt)["arand"],
        "unsegmented": float(np.mean(seg == 0)),
        "segments": len(np.unique(seg[seg > 0])),
    }
    print(f"process wall time (incl. TF start-up) {process_s:.1f} s; inference {wall:.1f} s")
    for key, ref in REFERENCE.items():
        print(f"{key:>13}: ours {ours[key]:.4g}  reference {ref:.4g}  ratio {ours[key] / ref:.3f}")
    if args.bbox == "0:100,0:256,0:256":
        with h5py.File(SHARED / "reference" / "snemi_train_crop_7M_seg.h5", "r") as handle:
            ref_seg = handle["segmentation"][...]
        print(
            f"adapted Rand ours vs reference seg (reference as GT): "
            f"{adapted_rand(seg, ref_seg)['arand']:.4f}; reference vs ours: "
            f"{adapted_rand(ref_seg, seg)['arand']:.4f}; "
            f"same segmented/unsegmented state: {np.mean((seg > 0) == (ref_seg > 0)):.4f}"
        )


if __name__ == "__main__":
    main()
