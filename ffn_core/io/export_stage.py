"""``python -m ffn_core export``: write an inference run's segmentation for other tools.

Example::

    python -m ffn_core export --project P --run run1 --format tif --bit-depth 32 --out DIR

The volume written is the run's bounding-box-sized segmentation; its box (in the
project image) is logged and kept in the HDF5 attributes.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from ffn_core.cli import StageResult
from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter
from ffn_core.io.export import (BIT_DEPTHS, FORMATS, check_options, export_segmentation,
                                load_run_segmentation, run_segmentation_attrs)
from ffn_core.project import Project


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", required=True, help="project folder")
    parser.add_argument("--run", required=True, help="inference run name (inference/<run>/)")
    parser.add_argument("--format", required=True, choices=FORMATS,
                        help="png or tif slices, one multi-page tiff-stack, or hdf5")
    parser.add_argument("--out", help="destination folder (default <project>/exports/<run>-<format>)")
    parser.add_argument("--bit-depth", type=int, choices=BIT_DEPTHS,
                        help="grey bit depth; IDs are kept exactly (default 16; 32 for hdf5)")
    parser.add_argument("--colour", "--color", action="store_true",
                        help="8-bit RGB with a stable colour per segment ID, for viewing")
    parser.add_argument("--remap", action="store_true",
                        help="renumber IDs 1..N when they do not fit the bit depth")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace a destination folder that is not empty")


def run(args: argparse.Namespace, emit: Emitter, cancel: CancelToken) -> StageResult:
    project = Project.open(args.project)
    bits = check_options(args.format, args.bit_depth, args.colour)
    out = Path(args.out) if args.out else project.path("exports", _default_name(args, bits))
    seg = load_run_segmentation(project, args.run)
    attrs = run_segmentation_attrs(project, args.run)
    if seg.ndim != 3:
        raise UserError(f"The segmentation of run '{args.run}' has shape {seg.shape}, not (z, y, x).",
                        "Run inference again.")
    emit.log(f"Exporting run '{args.run}' {seg.shape} (z, y, x) as {args.format}, "
             f"{'8-bit colour' if args.colour else f'{bits}-bit grey'}; box start (z, y, x) "
             f"{list(attrs.get('bbox_start_zyx', (0, 0, 0)))}.")
    written = export_segmentation(
        seg, out, args.format, bits=bits, colour=args.colour, remap=args.remap,
        overwrite=args.overwrite, attrs=attrs,
        progress=lambda done, total: emit.progress(done, total, "slices"),
        stopped=lambda: cancel.cancelled, warn=lambda text: emit.log(text, level="warning"))
    if written is None:
        emit.log("Export stopped; nothing was written.")
        return StageResult(outputs={}, status="stopped")
    outputs = {"export": str(written.resolve())}
    if args.format == "tiff-stack":
        outputs["tiff"] = str((written / "segmentation.tif").resolve())
    elif args.format == "hdf5":
        outputs["segmentation"] = f"{(written / 'segmentation.h5').resolve()}:segmentation"
    return StageResult(outputs=outputs, extra={"slices": int(seg.shape[0])})


def _default_name(args: argparse.Namespace, bits: int) -> str:
    depth = "colour" if args.colour else f"{bits}bit"
    return f"{args.run}-{args.format}-{depth}"
