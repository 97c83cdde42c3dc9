"""``python -m ffn_core evaluate``: the options of :mod:`ffn_core.stages.evaluate`.

Example::

    python -m ffn_core evaluate --seg seg.h5:segmentation --gt labels/ --crop 0:100,0:256,0:256
"""

from __future__ import annotations

import argparse

from ffn_core.project import Project
from ffn_core.stages.evaluate import EvaluateConfig
from ffn_core.zyx import parse_box


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``evaluate`` command's options."""
    parser.add_argument("--seg", help="segmentation: file.h5:dataset, a slice folder or a TIFF")
    parser.add_argument("--run", help="or: the inference run NAME of --project")
    parser.add_argument("--gt", help="ground-truth labels (default: the project's labels volume)")
    parser.add_argument("--crop", help="z0:z1,y0:y1,x0:x1 in full-volume voxels")
    parser.add_argument("--project", help="project folder (for --run and the default --gt)")


def to_config(args: argparse.Namespace) -> EvaluateConfig:
    """The :class:`EvaluateConfig` of the parsed options."""
    return EvaluateConfig(
        seg=args.seg,
        run=args.run,
        gt=args.gt,
        crop=parse_box(args.crop, "--crop") if args.crop else None,
    )


def open_project(args: argparse.Namespace) -> Project | None:
    """The project when ``--project`` is given, else None (``--seg`` and ``--gt`` only)."""
    return Project.open(args.project) if args.project else None
