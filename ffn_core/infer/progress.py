"""Inference progress by work done: FOVs evaluated against an expected total that converges.

A run's work is its FOV evaluations, whose number is known only at its end. Before the run a
prior gives the FOVs the box should take (:func:`expected_fovs`, as FOVs per
voxel in :attr:`~ffn_core.infer.runner.RunSettings.fovs_per_voxel`). As the run proceeds, the
share ``s`` of its seed candidates settled (:func:`settled_share`: tried, or lying in a voxel
an object has claimed, so they will be skipped) says how much of the box is done, and ``F / s``
what the whole run takes at the FOVs per settled share observed so far (``F``: FOVs evaluated).
The estimate of the whole run blends the two by ``s``, and the rest still to do is the unsettled
share of it::

    whole    = s · (F / s) + (1 − s) · prior  =  F + (1 − s) · prior
    expected = F + (1 − s) · whole

so it starts at the prior and is exactly ``F`` once the last seed is tried. Without a prior the
observation alone is used (``expected = F / s``). :class:`WorkProgress` keeps the fraction
``F / expected`` from ever decreasing (it lowers the expected total instead) and under
:data:`RUNNING_AT_MOST` until the run has finished, so a progress bar never goes back, and the
rate of ``done`` is FOVs per second: an ETA made from it follows the work actually done.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ffn_core.model.args import ModelArgs, load_preset

__all__ = [
    "RUNNING_AT_MOST",
    "WorkProgress",
    "expected_fovs",
    "expected_total",
    "settled_share",
]

#: the most a running (unfinished) run's fraction may reach
RUNNING_AT_MOST = 0.99
# FOV evaluations of the reference model on the SNEMI3D crop z 0-99, y 0-255, x 0-255
# (PolicyPeaks, move threshold 0.9): the calibration of :func:`expected_fovs`.
_FOVS_MEASURED = ((100, 256, 256), load_preset("anisotropic"), 14348)


def expected_fovs(box_shape_zyx: Sequence[int], model_args: ModelArgs) -> float:
    """The FOV evaluations an inference of a box of ``box_shape_zyx`` voxels should take.

    The FOV centres that fit in the box, one per ``deltas`` step of the model (the FOV moves
    by ``deltas``), times the share measured on the SNEMI3D crop with the reference model
    (14,348 FOVs for 100×256×256 voxels: 0.87). The same rule gave 0.87 and 0.82 for that
    model's 2×2-subvolume runs of the crop and of the whole stack (per subvolume, overlaps
    included), and 1.15 for the demo (tiny model, seed grid, move threshold 0.7): the count
    depends on the image and the options, so a run's own count is the one to trust once it
    runs.
    """
    shape, model, fovs = _FOVS_MEASURED
    return fovs / _fov_lattice(shape, model) * _fov_lattice(box_shape_zyx, model_args)


def _fov_lattice(box_shape_zyx: Sequence[int], model_args: ModelArgs) -> float:
    """FOV positions of ``model_args`` in a box: the centres that fit, one per delta step."""
    return math.prod(
        max(n - f + 1, 1) / max(d, 1)
        for n, f, d in zip(box_shape_zyx, model_args.fov_size_zyx, model_args.deltas_zyx)
    )


def settled_share(
    candidates: np.ndarray | None,
    tried: int,
    segmentation: np.ndarray,
    seed: np.ndarray,
    threshold: float,
) -> float:
    """The share of the seed candidates (N, 3) that are settled: the first ``tried`` ones, and
    those after them that an object holds (``segmentation`` > 0) or is filling (``seed`` logit
    at least ``threshold``): 0.0 before the candidates are computed (None), 1.0 when there
    are none. Only the candidates' voxels are read.

    Examples
    --------
    >>> seg, seed = np.zeros((1, 1, 4), np.int32), np.full((1, 1, 4), np.nan, np.float32)
    >>> seg[0, 0, 3], seed[0, 0, 2] = 5, 2.0
    >>> settled_share(np.array([[0, 0, 0], [0, 0, 1], [0, 0, 2], [0, 0, 3]]), 1, seg, seed, 0.4)
    0.75
    """
    if candidates is None:
        return 0.0
    if not len(candidates):
        return 1.0
    rest = tuple(candidates[tried:].T)
    claimed = (segmentation[rest] > 0) | (seed[rest] >= threshold)
    return (tried + int(np.count_nonzero(claimed))) / len(candidates)


def expected_total(fov_evals: float, settled: float, prior_fovs: float | None) -> float:
    """The FOVs a run is expected to take in all, having evaluated ``fov_evals`` with the share
    ``settled`` (0..1) of its seed candidates tried; 0 when nothing says yet.

    Examples
    --------
    >>> expected_total(0, 0.0, 1000.0)
    1000.0
    >>> expected_total(600, 0.5, 1000.0)
    1150.0
    >>> expected_total(900, 1.0, 1000.0)
    900.0
    """
    settled = min(max(settled, 0.0), 1.0)
    if prior_fovs is None:
        return fov_evals / settled if settled > 0 else 0.0
    whole = fov_evals + (1.0 - settled) * prior_fovs
    return fov_evals + (1.0 - settled) * whole


class WorkProgress:
    """``done`` and ``total`` FOVs of one run, whose fraction never decreases.

    Parameters
    ----------
    prior_fovs : float, optional
        The FOVs the whole run is expected to take before it starts (None: no prior).
    """

    def __init__(self, prior_fovs: float | None) -> None:
        self.prior_fovs = prior_fovs
        self.fraction = 0.0

    def update(self, fov_evals: int, settled: float, finished: bool = False) -> tuple[int, float]:
        """FOVs done and the expected total after ``fov_evals`` FOVs with the share ``settled``
        of the seeds settled; exactly ``fov_evals`` once ``finished``, 0 while nothing says how
        much is left."""
        total = expected_total(fov_evals, settled, self.prior_fovs)
        if finished:
            total = float(fov_evals)
        elif total > 0:
            total = max(total, fov_evals / RUNNING_AT_MOST)
        if total <= 0:
            return fov_evals, 0.0
        if fov_evals / total < self.fraction:  # the estimate grew faster than the work: hold
            total = fov_evals / self.fraction
            while fov_evals / total < self.fraction:  # not even by a rounding step
                total = math.nextafter(total, 0.0)
        self.fraction = min(fov_evals / total, 1.0)  # the fraction a reader computes
        return fov_evals, total
