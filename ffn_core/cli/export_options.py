"""``python -m ffn_core export``: the options of :mod:`ffn_core.stages.export`.

Example::

    python -m ffn_core export --project P --run run1 --format tif --bit-depth 32 --out DIR
"""

from __future__ import annotations

import argparse

from ffn_core.io.export import BIT_DEPTHS, FORMATS
from ffn_core.stages.export import ExportConfig


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``export`` command's options."""
    parser.add_argument("--project", required=True, help="project folder")
    parser.add_argument("--run", required=True, help="inference run name (inference/<run>/)")
    parser.add_argument(
        "--format",
        required=True,
        choices=FORMATS,
        help="png or tif slices, one multi-page tiff-stack, or hdf5",
    )
    parser.add_argument(
        "--out", help="destination folder (default <project>/exports/<run>-<format>)"
    )
    parser.add_argument(
        "--bit-depth",
        type=int,
        choices=BIT_DEPTHS,
        help="grey bit depth; IDs are kept exactly (default 16; 32 for hdf5)",
    )
    parser.add_argument(
        "--colour",
        "--color",
        action="store_true",
        help="8-bit RGB with a stable colour per segment ID, for viewing",
    )
    parser.add_argument(
        "--remap", action="store_true", help="renumber IDs 1..N when they do not fit the bit depth"
    )
    parser.add_argument(
        "--overwrite", action="store_true", help="replace a destination folder that is not empty"
    )


def to_config(args: argparse.Namespace) -> ExportConfig:
    """The :class:`ExportConfig` of the parsed options."""
    return ExportConfig(
        run=args.run,
        format=args.format,
        out=args.out,
        bit_depth=args.bit_depth,
        colour=bool(args.colour),
        remap=bool(args.remap),
        overwrite=bool(args.overwrite),
    )
