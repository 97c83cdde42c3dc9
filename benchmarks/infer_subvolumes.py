"""Quality across seams: SNEMI3D segmented in overlapping subvolumes on Dask, stitched.

Runs ``python -m ffn_core infer --subvolume-size … --overlap …`` (the real CLI, a LocalCluster of
worker processes) with the 7M model and ``inference.pbtxt`` and prints, measured in this run: the
adapted Rand error of the stitched segmentation against the SNEMI3D labels, the merges and
conflicts of the stitch, FOV evaluations and FOV/s, and — for the crop z 0:100, y 0:256, x 0:256,
where our single-box run is voxel-identical to the reference's (``benchmarks/infer_snemi.py``) —
the adapted Rand between the stitched and the single-box segmentations, both ways.

    python benchmarks/infer_subvolumes.py                       # the crop in 2x2 (overlap 32 y, x)
    python benchmarks/infer_subvolumes.py --bbox 0:100,0:512,0:512 --subvolume-size 100,288,288 \\
        --overlap 0,64,64 --precision bfloat16                  # the whole stack in 2x2
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import h5py
import numpy as np
from infer_snemi import SHARED, load_stack, make_project, run_infer

CROP = "0:100,0:256,0:256"


def main() -> None:
    """Run one subvolume plan and print its scores."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", help="project folder (default: a temporary one)")
    parser.add_argument("--bbox", default=CROP)
    parser.add_argument("--subvolume-size", default="100,144,144")
    parser.add_argument("--overlap", default="0,32,32")
    parser.add_argument("--workers", default="2")
    parser.add_argument("--precision", default="float32")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from ffn_core.analysis.evaluate import adapted_rand

    project = Path(args.project or tempfile.mkdtemp(prefix="ffn-bench-"))
    if not (project / "volumes" / "image.h5").is_file():
        make_project(project)
    options = (
        "--subvolume-size",
        args.subvolume_size,
        "--overlap",
        args.overlap,
        "--workers",
        args.workers,
    )
    run = f"snemi-7M-subvolumes-{args.precision}"
    result, process_s = run_infer(project, args.bbox, run, args.precision, options)
    with h5py.File(result["outputs"]["segmentation"].rsplit(":", 1)[0], "r") as handle:
        seg = handle["segmentation"][...]
    box = tuple(slice(*map(int, part.split(":"))) for part in args.bbox.split(","))
    gt = load_stack(SHARED / "data" / "snemi3d" / "segment")[box]
    print(
        f"box {args.bbox}, subvolumes {result['outputs']['subvolumes']} of "
        f"{args.subvolume_size} (overlap {args.overlap}), {args.workers} workers, "
        f"{args.precision}"
    )
    print(
        f"process wall time {process_s:.1f} s; FOV evaluations {result['fov_evals']}, "
        f"{result['fov_evals'] / process_s:.1f} FOV/s (incl. start-up and stitching)"
    )
    print(
        f"merges {result['outputs']['merges']}, conflicts {result['conflicts']}, "
        f"segments {result['segments']}, unsegmented {np.mean(seg == 0):.4f}"
    )
    print(f"adapted Rand vs labels: stitched {adapted_rand(seg, gt)['arand']:.4f}")
    if args.bbox == CROP:
        with h5py.File(SHARED / "reference" / "snemi_train_crop_7M_seg.h5", "r") as handle:
            single = handle["segmentation"][...]
        print(
            f"adapted Rand vs labels: single box {adapted_rand(single, gt)['arand']:.4f}; "
            f"stitched vs single box (single as GT) {adapted_rand(seg, single)['arand']:.4f}, "
            f"single vs stitched {adapted_rand(single, seg)['arand']:.4f}"
        )


if __name__ == "__main__":
    main()
