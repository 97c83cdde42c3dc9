"""``python -m ffn_core infer``: its options, turned into an :class:`InferConfig`."""

from __future__ import annotations

import argparse
import dataclasses

from ffn_core.cli.compute_options import add_compute_arguments
from ffn_core.errors import UserError
from ffn_core.infer.canvas import CanvasOptions
from ffn_core.infer.plan import DEFAULT_OVERLAP, DEFAULT_SUBVOLUME_SIZE
from ffn_core.infer.refine import DEFAULT_REFINE, REFINE_STEPS, STEP_DESCRIPTIONS, parse_refine
from ffn_core.infer.seeds import STANDALONE_POLICIES
from ffn_core.stages.infer import ON_EXISTS, OPTION_OVERRIDES, InferConfig
from ffn_core.zyx import format_triple, parse_box, parse_triple

_DEFAULTS = {field.name: field.default for field in dataclasses.fields(InferConfig)}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``infer`` command's options."""
    parser.add_argument("--project", required=True, help="project folder")
    parser.add_argument(
        "--checkpoint",
        required=True,
        help="model checkpoint: a reference TF1 one (.../model.ckpt-7000000), ours, or a "
        "portable *.weights.h5 file",
    )
    parser.add_argument(
        "--request",
        help="reference InferenceRequest text file (.pbtxt) for "
        "model_args, image mean/std, seed policy and options",
    )
    parser.add_argument(
        "--model-args",
        help='reference JSON, e.g. \'{"depth": 9, "fov_size": '
        '[33, 33, 17], "deltas": [8, 8, 4]}\' (x, y, z); overrides the request',
    )
    parser.add_argument("--bbox", help="z0:z1,y0:y1,x0:x1 box of the image (default: all)")
    parser.add_argument("--run", default=_DEFAULTS["run"], help="run name: inference/<run>/")
    parser.add_argument(
        "--on-exists",
        choices=ON_EXISTS,
        default=_DEFAULTS["on_exists"],
        help="when the run has results: ask (error listing the choices), resume "
        "a stopped run, new (a fresh run name) or replace",
    )
    parser.add_argument("--image-mean", type=float, help="default: request, else project image")
    parser.add_argument("--image-std", type=float, help="default: request, else project image")
    parser.add_argument(
        "--seed-policy", choices=sorted(STANDALONE_POLICIES), help="default: PolicyPeaks"
    )
    for name, kind in OPTION_OVERRIDES.items():
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=kind,
            help="inference option (probability); default: request's or "
            f"{getattr(CanvasOptions(), name)}",
        )
    parser.add_argument("--min-boundary-dist", help="z,y,x voxels (default 1,1,1)")
    parser.add_argument(
        "--checkpoint-interval",
        type=float,
        help="seconds between inference checkpoints (default: request's, 1800)",
    )
    parser.add_argument(
        "--refresh-interval",
        type=float,
        default=_DEFAULTS["refresh_interval"],
        help="seconds between live updates of segmentation.h5 (0: none)",
    )
    add_compute_arguments(parser, _DEFAULTS["precision"])
    parser.add_argument(
        "--refine",
        type=_refine_steps,
        default=_DEFAULTS["refine"],
        metavar="STEPS",
        help=f"after the first pass: a comma list of {', '.join(REFINE_STEPS)}, or all, or "
        f"none (default {','.join(DEFAULT_REFINE)}, measured best; run in this order). "
        + " ".join(f"{step}: {STEP_DESCRIPTIONS[step]}" for step in REFINE_STEPS)
        + " The untouched first pass is kept beside the result.",
    )
    _add_dask_arguments(parser)


def _add_dask_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "subvolumes on Dask",
        "Cut the box into overlapping subvolumes, segment them on a Dask cluster (this PC by "
        "default) and stitch them into one segmentation. Without any of these options the "
        "box is one subvolume, segmented in this process.",
    )
    group.add_argument(
        "--subvolume-size",
        metavar="Z,Y,X",
        help=f"subvolume size in voxels, e.g. {format_triple(DEFAULT_SUBVOLUME_SIZE)} for the "
        "anisotropic model (at least the model's FOV)",
    )
    group.add_argument(
        "--overlap",
        metavar="Z,Y,X",
        help="voxels neighbouring subvolumes share (default: 2 x (FOV - 1), "
        f"{format_triple(DEFAULT_OVERLAP)} for the anisotropic model)",
    )
    group.add_argument(
        "--workers",
        type=int,
        help="worker processes of the cluster on this PC (default: from cores and memory)",
    )
    group.add_argument(
        "--threads-per-worker",
        type=int,
        help="threads (concurrent tasks) of each worker on this PC (default: its share of cores)",
    )
    group.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a running Dask scheduler, e.g. tcp://127.0.0.1:8786 (an SSH tunnel to a remote "
        "one; default: a cluster on this PC, on 127.0.0.1 only)",
    )
    group.add_argument(
        "--canvases-per-task",
        type=int,
        default=_DEFAULTS["canvases_per_task"],
        help="subvolumes one task segments together, their FOVs batched into one model call",
    )


def _refine_steps(text: str) -> tuple[str, ...]:
    try:
        return parse_refine(text)
    except UserError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def to_config(args: argparse.Namespace) -> InferConfig:
    """The :class:`InferConfig` of the parsed options (boxes and triples parsed here)."""
    return InferConfig(
        checkpoint=args.checkpoint,
        request=args.request,
        model_args=args.model_args,
        bbox=parse_box(args.bbox) if args.bbox else None,
        run=args.run,
        on_exists=args.on_exists,
        image_mean=args.image_mean,
        image_std=args.image_std,
        seed_policy=args.seed_policy,
        min_boundary_dist_zyx=(
            parse_triple(args.min_boundary_dist, "--min-boundary-dist", int)
            if args.min_boundary_dist
            else None
        ),
        checkpoint_interval=args.checkpoint_interval,
        refresh_interval=args.refresh_interval,
        precision=args.precision,
        backend=args.backend,
        device=args.device,
        subvolume_size_zyx=(
            parse_triple(args.subvolume_size, "--subvolume-size", int, minimum=1)
            if args.subvolume_size
            else None
        ),
        overlap_zyx=parse_triple(args.overlap, "--overlap", int) if args.overlap else None,
        workers=args.workers,
        threads_per_worker=args.threads_per_worker,
        scheduler=args.scheduler,
        canvases_per_task=args.canvases_per_task,
        refine=args.refine,
        **{name: getattr(args, name) for name in OPTION_OVERRIDES},
    )
