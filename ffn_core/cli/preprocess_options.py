"""``python -m ffn_core preprocess``: the options of :mod:`ffn_core.stages.preprocess`."""

from __future__ import annotations

import argparse

from ffn_core.stages.preprocess import PreprocessConfig, parse_thresholds
from ffn_core.zyx import format_triple, parse_triple


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``preprocess`` command's options."""
    radius = format_triple(PreprocessConfig.lom_radius_xyz)
    parser.add_argument("--project", required=True, help="project folder with a labels volume")
    parser.add_argument(
        "--thresholds",
        default=",".join(map(str, PreprocessConfig.thresholds)),
        help="increasing same-ID fractions that split the partition classes",
    )
    parser.add_argument(
        "--lom-radius",
        default=radius,
        metavar="X,Y,Z",
        help=f"window radius x,y,z; use fov_size//2 + deltas (default {radius})",
    )
    parser.add_argument(
        "--min-size",
        type=int,
        default=PreprocessConfig.min_size,
        help="IDs with fewer voxels are treated as background "
        f"(default {PreprocessConfig.min_size})",
    )
    parser.add_argument(
        "--margin",
        metavar="Z,Y,X",
        help="no coordinate closer than this to the border (default: lom radius)",
    )
    parser.add_argument(
        "--seed", type=int, default=PreprocessConfig.seed, help="random seed of the sampling"
    )
    parser.add_argument(
        "--coordinates-tfrecord",
        metavar="OUT.gz",
        help="also write the coordinates as the reference's GZIP TFRecord",
    )
    parser.add_argument(
        "--tfrecord-volume-name",
        default=PreprocessConfig.tfrecord_volume_name,
        help=f"label_volume_name in the TFRecord (default {PreprocessConfig.tfrecord_volume_name})",
    )
    parser.add_argument(
        "--coordinates-from-tfrecord",
        metavar="PATTERN",
        help="take the coordinates from the reference's TFRecord file(s) "
        "(path, glob or path@N) instead of sampling them",
    )
    parser.add_argument(
        "--volumes",
        default=",".join(PreprocessConfig.volumes),
        metavar="A,B",
        help="the volumes (named at import) whose coordinates are balanced together "
        f"(default {','.join(PreprocessConfig.volumes)})",
    )


def to_config(args: argparse.Namespace) -> PreprocessConfig:
    """The :class:`PreprocessConfig` of the parsed options."""
    return PreprocessConfig(
        thresholds=parse_thresholds(args.thresholds),
        lom_radius_xyz=parse_triple(args.lom_radius, "--lom-radius", order="X,Y,Z"),
        min_size=args.min_size,
        margin_zyx=parse_triple(args.margin, "--margin") if args.margin else None,
        seed=args.seed,
        coordinates_tfrecord=args.coordinates_tfrecord,
        tfrecord_volume_name=args.tfrecord_volume_name,
        coordinates_from_tfrecord=args.coordinates_from_tfrecord,
        volumes=args.volumes,
    )
