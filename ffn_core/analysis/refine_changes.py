"""What refining an inference run changed (issue 13): its first pass against the refined volume.

A refined run's ``segmentation.h5`` holds the refined ``segmentation`` (attribute ``refine``:
the steps, in the order they ran) beside the untouched ``first_pass``
(:func:`ffn_core.infer.refine.refine_run`). :func:`compare_passes` counts, over the run's box:

* **voxels filled**: empty in the first pass, labelled in the refined volume;
* **voxels emptied**: labelled in the first pass, empty in the refined volume;
* **objects split**: first-pass objects whose voxels carry two or more refined ids;
* **objects merged**: refined ids that cover voxels of two or more first-pass objects;
* **new objects**: refined ids without a single first-pass voxel.

For splits and merges a piece counts when it holds at least ``min_voxels`` voxels (1: every
voxel), so that slivers that changed hands at a boundary can be left out. The steps touch
different voxels, which says what each step did although only the whole refinement is kept
(not the volume between consensus and fill): consensus relabels or empties first-pass voxels
only (splits, voxels emptied) and fill labels empty voxels only (voxels filled, new objects).
Where fill regrows segments into voxels the consensus emptied (it empties pieces, even whole
objects, under its ``split_min_size``), a segment covers two first-pass objects: an object
merged (and the one that lost the voxels, split), as the precision against a ground truth
shows.

Without any comparison, :func:`refine_step_stats` reads what each step itself counted as it
ran (the refined ``segmentation``'s attribute ``refine_stats``; a run refined on Dask sums them
over its subvolumes, :func:`step_stats_scope`).

With a ground truth, :func:`compare_passes` also scores both volumes
(:func:`ffn_core.analysis.evaluate.score_segmentation`); the unsegmented fraction of the box
is given with or without one. :func:`filled_map`, :func:`split_map` and :func:`merged_map` are
label maps for display. Memory: the first pass, the refined volume (and the ground truth) of
the box in memory, as the Inspect dock holds a run, plus the temporaries of
:func:`ffn_core.analysis.error_maps.find_errors` (about 20 bytes per labelled voxel).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from ffn_core.analysis import error_maps
from ffn_core.analysis.evaluate import score_segmentation
from ffn_core.infer.plan import read_plan
from ffn_core.infer.refine import FIRST_PASS
from ffn_core.infer.storage import H5_NAME
from ffn_core.zyx import box_shape

__all__ = [
    "RefineChanges",
    "compare_passes",
    "filled_map",
    "merged_map",
    "read_first_pass",
    "refine_step_stats",
    "refine_steps",
    "split_map",
    "step_stats_scope",
]


@dataclass(frozen=True)
class RefineChanges:
    """What the refinement changed between the first pass and the refined volume.

    Attributes
    ----------
    voxels : int
        Voxels of the box.
    voxels_filled : int
        Voxels empty in the first pass and labelled after.
    voxels_emptied : int
        Voxels labelled in the first pass and empty after.
    report : ErrorReport
        ``splits``: first-pass id -> the refined ids its voxels carry (two or more, most
        voxels first); ``merges``: refined id -> the first-pass ids it covers (two or more);
        pieces under ``min_voxels`` left out.
    new_objects : list of int
        Refined ids without a first-pass voxel, ascending.
    first_pass, refined : dict
        Each volume's ``unsegmented`` fraction of the box and, with a ground truth, its
        scores (``arand``, ``precision``, ``recall``, ``voi_split``, ``voi_merge``).
    """

    voxels: int
    voxels_filled: int
    voxels_emptied: int
    report: error_maps.ErrorReport
    new_objects: list[int]
    first_pass: dict[str, float]
    refined: dict[str, float]

    @property
    def objects_split(self) -> int:
        """First-pass objects whose voxels carry two or more refined ids."""
        return len(self.report.splits)

    @property
    def objects_merged(self) -> int:
        """Refined ids covering two or more first-pass objects."""
        return len(self.report.merges)


def refine_steps(run_dir: Path) -> tuple[str, ...] | None:
    """The refinement steps of the run in ``run_dir``, in the order they ran; None when its
    ``segmentation.h5`` keeps no first pass (the run was not refined)."""
    with h5py.File(Path(run_dir) / H5_NAME, "r") as handle:
        if FIRST_PASS not in handle:
            return None
        steps = str(handle["segmentation"].attrs.get("refine", ""))
    return tuple(step for step in steps.split(",") if step)


def refine_step_stats(run_dir: Path) -> dict[str, dict[str, Any]]:
    """What each refinement step of the run in ``run_dir`` counted as it ran.

    Parameters
    ----------
    run_dir : Path
        The run folder holding ``segmentation.h5``.

    Returns
    -------
    dict
        Step name -> its statistics (the ``to_dict()`` of
        :class:`~ffn_core.infer.refine.AgglomerateStats`,
        :class:`~ffn_core.infer.refine.FillStats` or
        :class:`~ffn_core.infer.consensus.ConsensusStats`; summed over the subvolumes of a run
        refined on Dask), in the order the steps ran; empty for a run not refined or refined
        before the ``segmentation`` dataset carried ``refine_stats``.
    """
    with h5py.File(Path(run_dir) / H5_NAME, "r") as handle:
        attrs = handle["segmentation"].attrs
        steps, stats = str(attrs.get("refine", "")), json.loads(attrs.get("refine_stats", "{}"))
    return {step: stats[step] for step in steps.split(",") if step in stats}


def step_stats_scope(run_dir: Path) -> tuple[int, int]:
    """The voxels the step statistics of the run in ``run_dir`` count (what their voxel counts
    are fractions of), and how many subvolumes they are summed over: the run's box and 1, or for
    a run in subvolumes (``plan.json``) their voxels summed (voxels in their overlaps count once
    per subvolume, as in the statistics) and their number."""
    plan = read_plan(run_dir)
    if plan is not None:
        sizes = [int(np.prod(box_shape(sub.box))) for sub in plan.subvolumes]
        return sum(sizes), len(sizes)
    with h5py.File(Path(run_dir) / H5_NAME, "r") as handle:
        return int(np.prod(handle["segmentation"].shape)), 1


def read_first_pass(run_dir: Path) -> np.ndarray:
    """The untouched first pass of the refined run in ``run_dir`` (the run's box)."""
    with h5py.File(Path(run_dir) / H5_NAME, "r") as handle:
        return handle[FIRST_PASS][...]


def compare_passes(
    first_pass: np.ndarray,
    refined: np.ndarray,
    gt: np.ndarray | None = None,
    min_voxels: int = 1,
) -> RefineChanges:
    """Count what the refinement changed, and score both volumes when ``gt`` is given.

    Parameters
    ----------
    first_pass, refined : ndarray of unsigned int, (z, y, x)
        The untouched first pass and the refined volume of the same box (0: empty; ids
        below 2**32).
    gt : ndarray, optional
        The ground truth of the same box (0: not scored).
    min_voxels : int
        Voxels a piece (the overlap of a first-pass and a refined object) needs to count in
        a split or a merge.

    Returns
    -------
    RefineChanges
    """
    if first_pass.shape != refined.shape:
        raise ValueError(f"first pass {first_pass.shape} and refined {refined.shape} differ")
    was_empty, is_empty = first_pass == 0, refined == 0
    touching = np.unique(refined[~was_empty])  # refined ids on first-pass voxels
    on_empty = np.unique(refined[was_empty & ~is_empty])
    return RefineChanges(
        voxels=int(first_pass.size),
        voxels_filled=int(np.count_nonzero(was_empty & ~is_empty)),
        voxels_emptied=int(np.count_nonzero(~was_empty & is_empty)),
        report=error_maps.find_errors(refined, first_pass, min_overlap=min_voxels),
        new_objects=np.setdiff1d(on_empty, touching).tolist(),
        first_pass=_scores(first_pass, was_empty, gt),
        refined=_scores(refined, is_empty, gt),
    )


def _scores(seg: np.ndarray, empty: np.ndarray, gt: np.ndarray | None) -> dict[str, float]:
    """The unsegmented fraction of ``seg`` and, with ``gt``, its scores."""
    unsegmented = {"unsegmented": float(np.mean(empty)) if empty.size else 0.0}
    return unsegmented if gt is None else {**score_segmentation(seg, gt), **unsegmented}


def filled_map(first_pass: np.ndarray, refined: np.ndarray) -> np.ndarray:
    """1 on the voxels the refinement filled (empty in the first pass, labelled after), else 0."""
    return ((first_pass == 0) & (refined != 0)).astype(np.uint8)


def split_map(first_pass: np.ndarray, refined: np.ndarray, changes: RefineChanges) -> np.ndarray:
    """The refined ids inside every first-pass object that was split (0 elsewhere): the
    pieces each split object became."""
    return error_maps.split_map(refined, first_pass, changes.report)


def merged_map(first_pass: np.ndarray, refined: np.ndarray, changes: RefineChanges) -> np.ndarray:
    """The first-pass ids inside every refined object that merges them (0 elsewhere): the
    objects each merge joined."""
    return error_maps.merge_map(refined, first_pass, changes.report)
