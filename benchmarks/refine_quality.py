"""Refinement (issue 13) on the SNEMI3D crop: what each step does to the scores, and its time.

By default it segments the crop with a checkpoint (the 7M one; ``--checkpoint`` for the 2M)
through the infer stage with ``--refine consensus`` (the first pass, then the reverse pass and
the split) and prints, against ``segment/``, adapted Rand error, precision, recall, VOI
split/merge, the unsegmented fraction, the object count and the time of:

- ``plain``: the first pass (its time: the inference);
- each step alone: ``agglomerate``, ``fill``, ``consensus`` (its time: the reverse pass and the
  split);
- ``agglomerate + fill`` (the default ``--refine``), ``consensus + fill`` and ``all``;

then agglomeration and consensus variants (other settings) computed from the same two passes.
The whole crop takes about twice the plain inference (about 10 minutes a pass on an idle 2-core
CPU in bfloat16); a sub-crop (``--bbox 0:30,0:128,0:128``) takes a few minutes.

With ``--first-pass FILE.h5:DATASET`` no model runs: the first pass (e.g. the reference's own
7M result, ``../shared/reference/snemi_train_crop_7M_seg.h5:segmentation``, for the full crop)
is filled with each fill variant (about 70 s on 2 cores).

    python benchmarks/refine_quality.py [--bbox 0:100,0:256,0:256] [--precision bfloat16]
        [--checkpoint ../shared/models/snemi3d_ffn_windows/model.ckpt-2013116] [--project DIR]
    python benchmarks/refine_quality.py --first-pass FILE.h5:DATASET [--bbox ...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SNEMI = SHARED / "data" / "snemi3d"
MODELS = SHARED / "models" / "snemi3d_ffn_windows"
#: the fill variants measured: name -> FillSettings fields that differ from the defaults
VARIANTS: dict[str, dict] = {
    "fill (defaults)": {},
    "fill + new objects >= 1000 voxels": {"new_object_min_size": 1000},
    "fill, in-plane only (z_rounds=0)": {"z_rounds": 0},
    "fill, z_rounds=2": {"z_rounds": 2},
    "fill, grow_distance=3": {"grow_distance": 3.0},
}
#: the agglomeration variants measured (each then filled): name -> AgglomerateSettings fields
AGGLOMERATE_VARIANTS: dict[str, dict] = {
    "agglomerate share 0.4, + fill": {"min_share": 0.4},
    "agglomerate share 0.5, + fill": {"min_share": 0.5},
    "agglomerate share 0.8, + fill": {"min_share": 0.8},
    "agglomerate overlap >= 200, + fill": {"min_overlap": 200},
    "agglomerate overlap >= 3000, + fill": {"min_overlap": 3000},
}
#: the consensus variants measured: name -> ConsensusSettings fields
CONSENSUS_VARIANTS: dict[str, dict] = {
    "consensus, split_min_size=100": {"split_min_size": 100},
    "consensus, split_min_size=4000": {"split_min_size": 4000},
    "consensus, no component split": {"split_components": False},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bbox", default="0:100,0:256,0:256", help="the box in images/ (z,y,x)")
    parser.add_argument(
        "--checkpoint", default=str(MODELS / "model.ckpt-7000000"), help="the model"
    )
    parser.add_argument("--precision", default="float32", help="float32 or bfloat16")
    parser.add_argument("--project", help="project folder (default: a temporary one)")
    parser.add_argument(
        "--first-pass", help="a finished first pass, FILE.h5:DATASET, box-sized: no model runs"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "benchmarks"))
    from infer_snemi import load_stack

    box = tuple(slice(*map(int, part.split(":"))) for part in args.bbox.split(","))
    image = load_stack(SNEMI / "images")[box]
    gt = load_stack(SNEMI / "segment")[box]
    if args.first_pass:
        _fill_variants(args.first_pass, args.bbox, image, gt)
    else:
        _steps(args, box, image, gt)


def _print_header(title: str) -> None:
    print(title)
    print(
        f"{'variant':36} {'arand':>7} {'P':>6} {'R':>6} {'VOI s':>6} {'VOI m':>6} {'empty':>6} "
        f"{'objs':>5} {'step s':>7} {'total s':>7}",
        flush=True,
    )


def _print_row(name: str, seg: np.ndarray, gt: np.ndarray, step_s: float, total_s: float) -> None:
    from ffn_core.analysis.evaluate import score_segmentation

    s = score_segmentation(seg, gt)
    print(
        f"{name:36} {s['arand']:7.4f} {s['precision']:6.3f} {s['recall']:6.3f} "
        f"{s['voi_split']:6.2f} {s['voi_merge']:6.3f} {np.mean(seg == 0):6.3f} "
        f"{len(np.unique(seg)) - int((seg == 0).any()):5d} {step_s:7.1f} {total_s:7.1f}",
        flush=True,
    )


def _steps(
    args: argparse.Namespace, box: tuple[slice, ...], image: np.ndarray, gt: np.ndarray
) -> None:
    """Plain, each step and their combinations, from one ``--refine consensus`` run."""
    import h5py
    from infer_snemi import make_project

    from ffn_core.events import TextEmitter
    from ffn_core.infer.consensus import ConsensusSettings, load_overlaps, split_consensus
    from ffn_core.infer.refine import AgglomerateSettings, agglomerate, fill, refine_arrays
    from ffn_core.project import Project
    from ffn_core.stages.infer import InferConfig, infer

    project_dir = Path(args.project or tempfile.mkdtemp(prefix="ffn-refine-"))
    if not (project_dir / "volumes" / "image.h5").is_file():
        make_project(project_dir)
    config = InferConfig(
        checkpoint=args.checkpoint,
        request=str(MODELS / "inference.pbtxt"),
        bbox=args.bbox,
        run=f"refine-{Path(args.checkpoint).name}-{args.precision}",
        on_exists="replace",
        refresh_interval=0.0,
        precision=args.precision,
        refine=("consensus",),
    )
    result = infer(config, Project.open(project_dir), emit=TextEmitter("infer", min_interval=60))

    def volume(name: str) -> np.ndarray:
        file, dataset = result.outputs[name].rsplit(":", 1)
        with h5py.File(file, "r") as handle:
            return handle[dataset][...]

    first_pass, agreed, reverse = (
        volume(n) for n in ("first_pass", "segmentation", "reverse_pass")
    )
    run_dir = Path(result.outputs["first_pass"].rsplit(":", 1)[0]).parent
    overlaps = load_overlaps(run_dir, [part.start for part in box])
    plain_s = result.extra["wall_s"]
    consensus_s = result.extra["refine"]["consensus"]["seconds"]
    _print_header(f"{args.checkpoint} ({args.precision}), box {args.bbox}")
    _print_row("plain", first_pass, gt, 0.0, plain_s)
    for name, steps, source, step_s in (
        ("agglomerate", ("agglomerate",), first_pass, 0.0),
        ("fill", ("fill",), first_pass, 0.0),
        ("consensus", (), agreed, consensus_s),
        ("agglomerate + fill (default)", ("agglomerate", "fill"), first_pass, 0.0),
        ("consensus + fill", ("fill",), agreed, consensus_s),
        ("all", ("agglomerate", "fill"), agreed, consensus_s),
    ):
        refined, stats = refine_arrays(source, image, steps, overlaps=overlaps)
        seconds = step_s + sum(part["seconds"] for part in stats.values())
        _print_row(name, refined, gt, seconds, plain_s + seconds)
    _print_row("(the reverse pass alone)", reverse, gt, 0.0, 0.0)
    for name, fields in AGGLOMERATE_VARIANTS.items():
        merged, merge_stats = agglomerate(first_pass, overlaps, AgglomerateSettings(**fields))
        refined, fill_stats = fill(merged, image)
        seconds = merge_stats.seconds + fill_stats.seconds
        _print_row(name, refined, gt, seconds, plain_s + seconds)
    started = time.perf_counter()
    split_consensus(first_pass, reverse)
    split_s = time.perf_counter() - started
    reverse_s = consensus_s - split_s  # the split's own time, measured again here
    for name, fields in CONSENSUS_VARIANTS.items():
        started = time.perf_counter()
        split = split_consensus(first_pass, reverse, ConsensusSettings(**fields))
        seconds = reverse_s + time.perf_counter() - started
        _print_row(name, split, gt, seconds, plain_s + seconds)
    print(f"consensus stats: {result.extra['refine']['consensus']}")


def _fill_variants(spec: str, bbox: str, image: np.ndarray, gt: np.ndarray) -> None:
    """The first pass in ``spec`` and each of :data:`VARIANTS` filled (no model)."""
    from ffn_core.infer.refine import FillSettings, fill
    from ffn_core.io.volume_spec import open_dataset

    handle, dataset = open_dataset(spec)
    with handle:
        first_pass = dataset[...]
    _print_header(f"first pass {spec}, box {bbox}, defaults {FillSettings()}")
    _print_row("first pass", first_pass, gt, 0.0, 0.0)
    for name, fields in VARIANTS.items():
        filled, stats = fill(first_pass, image, FillSettings(**fields))
        _print_row(name, filled, gt, stats.seconds, stats.seconds)


if __name__ == "__main__":
    main()
