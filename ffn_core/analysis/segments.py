"""Per-segment statistics for the inspection table: voxel count, bounding box, seed origin."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage


@dataclass(frozen=True)
class SegmentRow:
    """One segment: id, voxel count, bounding box [start, stop) in z,y,x, and its seed."""

    id: int
    voxels: int
    bbox_start_zyx: tuple[int, int, int]
    bbox_stop_zyx: tuple[int, int, int]
    seed_zyx: tuple[int, int, int] | None = None


def segment_table(
    segmentation: np.ndarray, origins: dict[int, tuple[int, int, int]] | None = None
) -> list[SegmentRow]:
    """Rows for every non-zero id of ``segmentation``, largest first."""
    ids, counts, boxes = _ids_counts_boxes(segmentation)
    rows = []
    for seg_id, count, box in zip(ids, counts, boxes):
        seed = (origins or {}).get(seg_id)
        rows.append(
            SegmentRow(
                seg_id,
                count,
                tuple(s.start for s in box),
                tuple(s.stop for s in box),
                tuple(int(v) for v in seed) if seed is not None else None,
            )
        )
    return sorted(rows, key=lambda row: -row.voxels)


def _ids_counts_boxes(segmentation: np.ndarray) -> tuple[list[int], list[int], list[tuple]]:
    """Non-zero ids with their voxel counts and bounding boxes (slices)."""
    if segmentation.max(initial=0) < 2**24:  # small ids: linear-time counting, no sort
        counts = np.bincount(segmentation.ravel().astype(np.int64, copy=False))
        boxes = ndimage.find_objects(segmentation.astype(np.int32, copy=False))
        ids = np.flatnonzero(counts[1:]) + 1
        return ids.tolist(), counts[ids].tolist(), [boxes[i - 1] for i in ids]
    ids, inverse, counts = np.unique(segmentation, return_inverse=True, return_counts=True)
    boxes = ndimage.find_objects(inverse.reshape(segmentation.shape) + 1)
    keep = [i for i, seg_id in enumerate(ids) if seg_id != 0]
    return ids[keep].tolist(), counts[keep].tolist(), [boxes[i] for i in keep]


def hide_small(segmentation: np.ndarray, min_voxels: int) -> np.ndarray:
    """A copy with segments smaller than ``min_voxels`` set to 0."""
    ids, inverse, counts = np.unique(segmentation, return_inverse=True, return_counts=True)
    keep = np.where(counts >= min_voxels, ids, 0).astype(segmentation.dtype)
    return keep[inverse].reshape(segmentation.shape)
