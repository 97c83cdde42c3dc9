"""Fill (issue 13, step 1) on the SNEMI3D crop: what each variant does to the scores.

The first pass is a finished segmentation of the crop, by default the reference's own with the
7M checkpoint (``../shared/reference/snemi_train_crop_7M_seg.h5``; ours is voxel-identical), so
no model runs here. Prints, against ``segment/``, adapted Rand error, precision, recall, VOI
split/merge, the unsegmented fraction, objects added and the fill's time for the first pass and
each fill variant. Takes about 70 s on 2 cores.

    python benchmarks/refine_quality.py [--first-pass FILE.h5:DATASET] [--bbox 0:100,0:256,0:256]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SNEMI = SHARED / "data" / "snemi3d"
#: the variants measured: name -> FillSettings fields that differ from the defaults
VARIANTS: dict[str, dict] = {
    "fill (defaults)": {},
    "fill + new objects >= 1000 voxels": {"new_object_min_size": 1000},
    "fill, in-plane only (z_rounds=0)": {"z_rounds": 0},
    "fill, z_rounds=2": {"z_rounds": 2},
    "fill, grow_distance=3": {"grow_distance": 3.0},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--first-pass",
        default=f"{SHARED / 'reference' / 'snemi_train_crop_7M_seg.h5'}:segmentation",
        help="the first pass, FILE.h5:DATASET, box-sized (default: the reference's 7M result)",
    )
    parser.add_argument("--bbox", default="0:100,0:256,0:256", help="its box in images/ (z,y,x)")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "benchmarks"))
    from infer_snemi import load_stack

    from ffn_core.analysis.evaluate import score_segmentation
    from ffn_core.infer.refine import FillSettings, fill
    from ffn_core.io.volume_spec import open_dataset

    box = tuple(slice(*map(int, part.split(":"))) for part in args.bbox.split(","))
    image = load_stack(SNEMI / "images")[box]
    gt = load_stack(SNEMI / "segment")[box]
    handle, dataset = open_dataset(args.first_pass)
    with handle:
        first_pass = dataset[...]

    print(f"first pass {args.first_pass}, box {args.bbox}, defaults {FillSettings()}")
    header = f"{'variant':36} {'arand':>7} {'P':>6} {'R':>6} {'VOI s':>6} {'VOI m':>6}"
    print(f"{header} {'empty':>6} {'added':>6} {'s':>6}")
    rows = [("first pass", first_pass, None)]
    for name, fields in VARIANTS.items():
        rows.append((name, *fill(first_pass, image, FillSettings(**fields))))
    for name, seg, stats in rows:
        s = score_segmentation(seg, gt)
        added = stats.objects_added if stats else 0
        seconds = f"{stats.seconds:6.1f}" if stats else f"{'-':>6}"
        print(
            f"{name:36} {s['arand']:7.4f} {s['precision']:6.3f} {s['recall']:6.3f} "
            f"{s['voi_split']:6.2f} {s['voi_merge']:6.3f} {np.mean(seg == 0):6.3f} "
            f"{added:6d} {seconds}",
            flush=True,
        )


if __name__ == "__main__":
    main()
