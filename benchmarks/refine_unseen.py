"""Refinement (issue 13) on data its settings were not tuned on: the demo volume and SNEMI3D's
``images_for_inference``.

- ``demo``: the headless demo (``python -m ffn_core demo``, its own model trained on the demo
  volume, the default ``--refine``), scored against the demo's labels;
- ``images_for_inference``: the SNEMI3D checkpoint (7M by default) through the infer stage with
  the default ``--refine`` (no labels exist there).

The first pass is kept beside the refined result, so one run gives both. Printed for each: the
unsegmented fraction, the object count and, with labels, adapted Rand error, precision, recall
and VOI split/merge. A picture of one slice per volume (image, first pass, refined) is written
to ``--out`` to judge by eye (``refine-<volume>.png``). The demo takes about 5 minutes on an
idle 2-core CPU (``--quick``: 2), ``images_for_inference`` (100 x 256 x 256) about 10 in
bfloat16.

    python benchmarks/refine_unseen.py [--quick] [--checkpoint ...] [--precision bfloat16]
        [--bbox 0:100,0:256,0:256] [--out docs/images]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import h5py
import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
MODELS = SHARED / "models" / "snemi3d_ffn_windows"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", default=str(MODELS / "model.ckpt-7000000"))
    parser.add_argument("--precision", default="bfloat16", help="float32 or bfloat16")
    parser.add_argument(
        "--bbox", default="0:100,0:256,0:256", help="the box of images_for_inference (z,y,x)"
    )
    parser.add_argument("--out", default=str(REPO / "docs" / "images"), help="picture folder")
    parser.add_argument("--quick", action="store_true", help="the demo's quick variant")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "benchmarks"))
    from infer_snemi import load_stack

    box = tuple(slice(*map(int, part.split(":"))) for part in args.bbox.split(","))
    unseen = load_stack(SHARED / "data" / "snemi3d" / "images_for_inference")[box]
    print(f"{args.checkpoint} ({args.precision})")
    print(
        f"{'volume':24} {'result':10} {'empty':>6} {'objs':>5} {'arand':>7} {'P':>6} {'R':>6} "
        f"{'VOI s':>6} {'VOI m':>6} {'s':>6}",
        flush=True,
    )
    rows = [_demo(args.quick), ("images_for_inference", unseen, None, *_segment(args, unseen))]
    for name, image, labels, first_pass, refined, seconds in rows:
        _print_row(name, "first pass", first_pass, labels, seconds["plain"])
        _print_row(name, "refined", refined, labels, seconds["refine"])
        picture = Path(args.out) / f"refine-{name}.png"
        _picture(image, first_pass, refined).save(picture)
        print(f"{'':24} picture: {picture}", flush=True)


def _demo(quick: bool) -> tuple:
    """The headless demo's volume, labels, first pass, refined volume and seconds."""
    from ffn_core.events import TextEmitter
    from ffn_core.project import Project
    from ffn_core.stages.demo import DemoConfig, demo

    out = Path(tempfile.mkdtemp(prefix="ffn-unseen-demo-"))
    result = demo(DemoConfig(out=str(out), quick=quick), emit=TextEmitter("demo", min_interval=120))
    project = Project.open(result.outputs["project"])
    image, labels = (_volume(project.volume_spec(name)) for name in ("image", "labels"))
    file = result.outputs["segmentation"].rsplit(":", 1)[0]
    first_pass, refined = (_volume(f"{file}:{name}") for name in ("first_pass", "segmentation"))
    with h5py.File(file, "r") as handle:
        stats = json.loads(handle["segmentation"].attrs["refine_stats"])
    seconds = {"plain": result.outputs["stage_wall_s"]["infer"], "refine": _seconds(stats)}
    return "demo", image, labels, first_pass, refined, seconds


def _volume(spec: str) -> np.ndarray:
    file, dataset = spec.rsplit(":", 1)
    with h5py.File(file, "r") as handle:
        return handle[dataset][...]


def _seconds(stats: dict) -> float:
    """The seconds of all refinement steps."""
    return sum(step["seconds"] for step in stats.values())


def _segment(
    args: argparse.Namespace, image: np.ndarray
) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """The first pass and the refined volume of ``image`` (the default ``--refine``), and the
    seconds of the inference and of the refinement."""
    from model_speed import write_project

    from ffn_core.events import TextEmitter
    from ffn_core.stages.infer import InferConfig, infer

    project = write_project(Path(tempfile.mkdtemp(prefix="ffn-unseen-")), image)
    config = InferConfig(
        checkpoint=args.checkpoint,
        request=str(MODELS / "inference.pbtxt"),
        run="unseen",
        refresh_interval=0.0,
        precision=args.precision,
    )
    result = infer(config, project, emit=TextEmitter("infer", min_interval=120))
    first_pass, refined = (_volume(result.outputs[name]) for name in ("first_pass", "segmentation"))
    seconds = {"plain": result.extra["wall_s"], "refine": _seconds(result.extra["refine"])}
    return first_pass, refined, seconds


def _print_row(
    name: str, result: str, seg: np.ndarray, labels: np.ndarray | None, seconds: float
) -> None:
    from ffn_core.analysis.evaluate import score_segmentation

    if labels is None:
        scores = f" {'-':>7}" + f" {'-':>6}" * 4
    else:
        s = score_segmentation(seg, labels)
        scores = (
            f" {s['arand']:7.4f} {s['precision']:6.3f} {s['recall']:6.3f} "
            f"{s['voi_split']:6.2f} {s['voi_merge']:6.3f}"
        )
    objects = len(np.unique(seg)) - int((seg == 0).any())
    print(
        f"{name:24} {result:10} {np.mean(seg == 0):6.3f} {objects:5d}{scores} {seconds:6.1f}",
        flush=True,
    )


def _picture(image: np.ndarray, first_pass: np.ndarray, refined: np.ndarray) -> Image.Image:
    """The middle slice three times side by side: the image, the first pass over it and the
    refined volume over it (one colour per object; empty voxels show the image)."""
    z = image.shape[0] // 2
    grey = image[z].astype(np.float32)
    grey = (grey - grey.min()) / max(float(np.ptp(grey)), 1e-6) * 255
    rgb = np.repeat(grey[..., None], 3, axis=2)
    colours = np.random.default_rng(0).integers(40, 256, (int(refined.max()) + 1, 3))
    panels = [rgb]
    for seg in (first_pass, refined):
        labels = seg[z].astype(np.int64)
        tinted = 0.45 * rgb + 0.55 * colours[np.minimum(labels, len(colours) - 1)]
        panels.append(np.where(labels[..., None] > 0, tinted, rgb))
    gap = np.full((rgb.shape[0], 4, 3), 255.0)
    strip = np.concatenate([panels[0], gap, panels[1], gap, panels[2]], axis=1)
    return Image.fromarray(strip.astype(np.uint8))


if __name__ == "__main__":
    main()
