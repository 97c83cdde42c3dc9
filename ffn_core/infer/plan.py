"""Cut a box into overlapping subvolumes, each segmented on its own and stitched afterwards.

A *plan* lays a regular grid of subvolumes of one size over the box: along each axis they start
``size - overlap`` apart, and the last one is shifted back so that it ends at the box's end (so
every subvolume has the full size, unless the box is smaller than the size on that axis: then
the subvolume spans the box on that axis). Each subvolume *owns* the part of its box that is
nearer to its centre than to any other subvolume's centre (ties to the lower index): the
overlap between neighbours is split at its middle, and the owned boxes tile the box exactly.
The stitched segmentation takes each voxel from the subvolume that owns it.

Defaults, for the anisotropic model (FOV 17×33×33, voxels 30×6×6 nm):

- :data:`DEFAULT_OVERLAP` = 32×64×64 = :func:`default_overlap` of that FOV, twice the FOV minus
  one per axis. The overlap is cut at its middle, so each subvolume's owned part keeps
  ``fov - 1`` voxels from the face it shares with a neighbour: every FOV that covers an owned
  voxel lies entirely inside the subvolume, so no owned voxel was predicted by a FOV that the
  cut clipped, and objects crossing a seam share a whole FOV's width of voxels on each side of
  it to be matched by.
- :data:`DEFAULT_SUBVOLUME_SIZE` = 100×320×320 (10 M voxels, 3.0×1.9×1.9 µm). Inference holds
  about 13 bytes per voxel of a canvas, so one subvolume needs about 130 MB and a worker running
  eight canvases batched about 1 GB, which any workstation or cloud worker has. Its owned core
  (68×256×256 in the interior) is larger than the overlap on every axis; about 44 % of each
  interior subvolume is owned, so a large volume costs about 2.3 times a single box of its size
  in FOV evaluations. Larger subvolumes waste less on overlaps and need more memory per canvas.

For another FOV use ``default_overlap(fov)`` and a size at least the FOV on every axis (the
plan refuses smaller ones).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Any

from ffn_core.errors import UserError
from ffn_core.zyx import Box, box_shape, format_triple, parse_triple

__all__ = [
    "PLAN_NAME",
    "STATES",
    "read_plan",
    "DEFAULT_OVERLAP",
    "DEFAULT_SUBVOLUME_SIZE",
    "Plan",
    "Subvolume",
    "default_overlap",
    "plan_subvolumes",
]

Triple = tuple[int, int, int]

DEFAULT_SUBVOLUME_SIZE: Triple = (100, 320, 320)
DEFAULT_OVERLAP: Triple = (32, 64, 64)


def default_overlap(fov_size_zyx: Sequence[int]) -> Triple:
    """The overlap that keeps every owned voxel one FOV away from a cut: ``2 * (fov - 1)``.

    Parameters
    ----------
    fov_size_zyx : sequence of int
        The model's FOV (z, y, x).

    Examples
    --------
    >>> default_overlap((17, 33, 33))
    (32, 64, 64)
    """
    return tuple(2 * (int(f) - 1) for f in fov_size_zyx)  # type: ignore[return-value]


@dataclass(frozen=True)
class Subvolume:
    """One subvolume of a plan.

    Attributes
    ----------
    index : int
        Position in plan order (z-major, then y, then x).
    grid : tuple of int
        Position in the grid (iz, iy, ix).
    box : Box
        The subvolume in image coordinates, stops exclusive: what its canvas segments.
    owned : Box
        The part of ``box`` this subvolume writes in the stitched result (image coordinates).
    """

    index: int
    grid: Triple
    box: Box
    owned: Box

    @property
    def corner(self) -> Triple:
        """The box's start (z, y, x): the reference names the subvolume's npz file by it."""
        return tuple(start for start, _ in self.box)  # type: ignore[return-value]


@dataclass(frozen=True)
class Plan:
    """A box cut into subvolumes.

    Attributes
    ----------
    box : Box
        The whole box being segmented (image coordinates).
    size_zyx : tuple of int
        The subvolume size asked for (the box's shape for a one-subvolume plan).
    overlap_zyx : tuple of int
        The overlap asked for between neighbours.
    subvolumes : tuple of Subvolume
        In plan order.
    """

    box: Box
    size_zyx: Triple
    overlap_zyx: Triple
    subvolumes: tuple[Subvolume, ...]

    def to_dict(self) -> dict[str, Any]:
        """The plan as JSON-ready lists (written as ``run_dir/plan.json``)."""
        return {
            "box": _lists(self.box),
            "size_zyx": list(self.size_zyx),
            "overlap_zyx": list(self.overlap_zyx),
            "subvolumes": [
                {
                    "index": sub.index,
                    "grid": list(sub.grid),
                    "box": _lists(sub.box),
                    "owned": _lists(sub.owned),
                }
                for sub in self.subvolumes
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        """The plan that :meth:`to_dict` wrote."""
        return cls(
            box=_box(data["box"]),
            size_zyx=_triple(data["size_zyx"]),
            overlap_zyx=_triple(data["overlap_zyx"]),
            subvolumes=tuple(
                Subvolume(
                    index=int(sub["index"]),
                    grid=_triple(sub["grid"]),
                    box=_box(sub["box"]),
                    owned=_box(sub["owned"]),
                )
                for sub in data["subvolumes"]
            ),
        )


def plan_subvolumes(
    box: Box,
    size_zyx: Sequence[int] | None = None,
    overlap_zyx: Sequence[int] = (0, 0, 0),
    fov_size_zyx: Sequence[int] | None = None,
) -> Plan:
    """Cut ``box`` into subvolumes of ``size_zyx`` overlapping by ``overlap_zyx``.

    Parameters
    ----------
    box : Box
        The box to segment, image coordinates, stops exclusive.
    size_zyx : sequence of int, optional
        The subvolume size (z, y, x). ``None``: one subvolume, the whole box, as a run without
        subvolumes segments it (the overlap is then ignored and recorded as zero).
    overlap_zyx : sequence of int
        Voxels shared by neighbouring subvolumes per axis, each smaller than the size.
    fov_size_zyx : sequence of int, optional
        The model's FOV (z, y, x); every side of the size must hold one.

    Returns
    -------
    Plan
        Subvolumes in z-major order; see the module docstring for the geometry.

    Raises
    ------
    UserError
        A size or overlap that is not three non-negative integers (a size of zero included), an
        overlap not smaller than the size on an axis, or a size smaller than the FOV.

    Examples
    --------
    >>> plan = plan_subvolumes(((0, 100), (0, 256), (0, 256)), (100, 160, 160), (0, 32, 32))
    >>> [sub.box[2] for sub in plan.subvolumes[:2]]
    [(0, 160), (96, 256)]
    >>> [sub.owned[2] for sub in plan.subvolumes[:2]]
    [(0, 128), (128, 256)]
    """
    if size_zyx is None:
        size, overlap = box_shape(box), (0, 0, 0)
    else:
        size, overlap = _checked(size_zyx, overlap_zyx, fov_size_zyx)
    axes = [_axis(start, stop, s, o) for (start, stop), s, o in zip(box, size, overlap)]
    subvolumes = []
    for grid in product(*(range(len(boxes)) for boxes, _ in axes)):
        subvolumes.append(
            Subvolume(
                index=len(subvolumes),
                grid=grid,  # type: ignore[arg-type]
                box=tuple(axes[a][0][i] for a, i in enumerate(grid)),  # type: ignore[arg-type]
                owned=tuple(axes[a][1][i] for a, i in enumerate(grid)),  # type: ignore[arg-type]
            )
        )
    return Plan(box=box, size_zyx=size, overlap_zyx=overlap, subvolumes=tuple(subvolumes))


def _checked(
    size_zyx: Sequence[int], overlap_zyx: Sequence[int], fov_size_zyx: Sequence[int] | None
) -> tuple[Triple, Triple]:
    size = parse_triple(size_zyx, "--subvolume-size", minimum=1)
    overlap = parse_triple(overlap_zyx, "--overlap")
    for axis, s, o in zip("zyx", size, overlap):
        if o >= s:
            raise UserError(
                f"--overlap {format_triple(overlap)} is not smaller than --subvolume-size "
                f"{format_triple(size)} on the {axis} axis.",
                "Give an overlap smaller than the subvolume size on every axis, e.g. 32,64,64 "
                "with 100,320,320.",
            )
    if fov_size_zyx is not None and any(s < f for s, f in zip(size, fov_size_zyx)):
        fov = tuple(int(f) for f in fov_size_zyx)
        raise UserError(
            f"--subvolume-size {format_triple(size)} is smaller than the model's FOV "
            f"{format_triple(fov)} (z, y, x).",
            "Give a subvolume size of at least the FOV on every axis, e.g. "
            f"{format_triple(DEFAULT_SUBVOLUME_SIZE)}.",
        )
    return size, overlap


def _axis(
    start: int, stop: int, size: int, overlap: int
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """One axis of the grid: the subvolumes' ranges and the ranges they own."""
    length = min(size, stop - start)
    count = 1 + math.ceil((stop - start - length) / (size - overlap))
    starts = [start + i * (size - overlap) for i in range(count - 1)] + [stop - length]
    # voxel v goes to the nearest centre s + length / 2; ties (v + 0.5 exactly between) go low
    cuts = [(a + b + length + 1) // 2 for a, b in zip(starts, starts[1:])]
    owned = list(zip([start, *cuts], [*cuts, stop]))
    return [(s, s + length) for s in starts], owned


def _lists(box: Box) -> list[list[int]]:
    return [[int(start), int(stop)] for start, stop in box]


def _box(data: Sequence[Sequence[int]]) -> Box:
    return tuple((int(start), int(stop)) for start, stop in data)  # type: ignore[return-value]


def _triple(data: Sequence[int]) -> Triple:
    return tuple(int(v) for v in data)  # type: ignore[return-value]


#: the file in a run folder that holds the plan a run was started with
PLAN_NAME = "plan.json"
#: the state of each subvolume in progress records (``metrics["states"]``, one letter each)
STATES = {"w": "waiting", "r": "running", "d": "done", "f": "failed"}


def read_plan(run_dir: str | os.PathLike) -> Plan | None:
    """The plan a run folder was started with (None when it has no ``plan.json``)."""
    path = Path(run_dir) / PLAN_NAME
    if not path.is_file():
        return None
    return Plan.from_dict(json.loads(path.read_text(encoding="utf-8")))
