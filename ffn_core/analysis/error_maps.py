"""Split and merge errors of a segmentation against ground truth, as id lists and label maps.

A ground-truth object is *split* when two or more predicted segments each overlap it
significantly; a predicted segment *merges* when it overlaps two or more ground-truth
objects significantly. An overlap is significant when it has at least ``min_overlap``
voxels and at least ``min_fraction`` of the smaller of the two objects (sizes counted
where both are labelled), so that slightly misplaced boundaries between two large objects
do not count. Label 0 (background in the ground truth, unassigned in the prediction)
takes no part. Arrays are (z, y, x).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ErrorReport:
    """Split and merge errors, each list ordered by overlap, largest first.

    Attributes
    ----------
    splits : dict
        Ground-truth id -> the predicted ids that split it.
    merges : dict
        Predicted id -> the ground-truth ids it merges.
    """

    splits: dict[int, list[int]]
    merges: dict[int, list[int]]


def overlaps(seg: np.ndarray, gt: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(gt_ids, seg_ids, voxels)`` of every overlapping pair, both ids non-zero."""
    seg, gt = np.asarray(seg), np.asarray(gt)
    if seg.shape != gt.shape:
        raise ValueError(f"segmentation shape {seg.shape} differs from ground truth {gt.shape}")
    both = (seg != 0) & (gt != 0)
    keys = (gt[both].astype(np.uint64) << np.uint64(32)) | seg[both].astype(np.uint64)
    pairs, voxels = np.unique(keys, return_counts=True)
    return (
        (pairs >> np.uint64(32)).astype(np.int64),
        (pairs & np.uint64(0xFFFFFFFF)).astype(np.int64),
        voxels.astype(np.int64),
    )


def find_errors(
    seg: np.ndarray, gt: np.ndarray, min_overlap: int = 100, min_fraction: float = 0.0
) -> ErrorReport:
    """Split and merge errors of ``seg`` against ``gt`` (same shape, ids below 2**32)."""
    gt_ids, seg_ids, voxels = overlaps(seg, gt)
    smaller = np.minimum(_sizes(gt_ids, voxels), _sizes(seg_ids, voxels))
    keep = (voxels >= max(int(min_overlap), 1)) & (voxels >= min_fraction * smaller)
    gt_ids, seg_ids, voxels = gt_ids[keep], seg_ids[keep], voxels[keep]
    order = np.argsort(-voxels, kind="stable")
    return ErrorReport(
        _groups(gt_ids[order], seg_ids[order]), _groups(seg_ids[order], gt_ids[order])
    )


def _sizes(ids: np.ndarray, voxels: np.ndarray) -> np.ndarray:
    """For every pair, the total overlap voxels of its object ``ids``."""
    _, index = np.unique(ids, return_inverse=True)
    return np.bincount(index, weights=voxels)[index]


def _groups(keys: np.ndarray, values: np.ndarray) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {}
    for key, value in zip(keys.tolist(), values.tolist()):
        grouped.setdefault(key, []).append(value)
    return {key: found for key, found in sorted(grouped.items()) if len(found) > 1}


def split_map(seg: np.ndarray, gt: np.ndarray, report: ErrorReport) -> np.ndarray:
    """The predicted ids inside every split ground-truth object (0 elsewhere)."""
    inside = np.isin(gt, list(report.splits))
    return np.where(inside, seg, 0).astype(seg.dtype)


def merge_map(seg: np.ndarray, gt: np.ndarray, report: ErrorReport) -> np.ndarray:
    """The ground-truth ids inside every merging predicted segment (0 elsewhere)."""
    inside = np.isin(seg, list(report.merges))
    return np.where(inside, gt, 0).astype(gt.dtype)
