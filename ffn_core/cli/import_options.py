"""``python -m ffn_core import``: the options of :mod:`ffn_core.stages.import_volumes`."""

from __future__ import annotations

import argparse

from ffn_core.stages.import_volumes import ImportConfig
from ffn_core.zyx import format_triple, parse_triple


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``import`` command's options."""
    voxel_size = format_triple(ImportConfig.voxel_size_zyx)
    parser.add_argument("--project", required=True, help="project folder (created when missing)")
    parser.add_argument(
        "--images",
        required=True,
        help="folder of PNG/TIFF slices, multi-page TIFF, or file.h5:dataset",
    )
    parser.add_argument("--labels", help="label stack, same forms as --images")
    parser.add_argument(
        "--voxel-size",
        default=voxel_size,
        metavar="Z,Y,X",
        help=f"voxel size z,y,x (default {voxel_size})",
    )
    parser.add_argument(
        "--to-gray",
        action="store_true",
        help="convert RGB(A) images to gray (0.299 R + 0.587 G + 0.114 B)",
    )
    parser.add_argument(
        "--volume",
        default=ImportConfig.volume,
        help="name of this image/labels pair: another name adds a further volume to the "
        f"project, e.g. a second stack to train on (default {ImportConfig.volume})",
    )


def to_config(args: argparse.Namespace) -> ImportConfig:
    """The :class:`ImportConfig` of the parsed options."""
    return ImportConfig(
        images=args.images,
        labels=args.labels,
        voxel_size_zyx=parse_triple(args.voxel_size, "--voxel-size", float),
        to_gray=bool(args.to_gray),
        volume=args.volume,
    )
