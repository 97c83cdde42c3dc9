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


def segment_table(segmentation: np.ndarray,
                  origins: dict[int, tuple[int, int, int]] | None = None) -> list[SegmentRow]:
    """Rows for every non-zero id of ``segmentation``, largest first."""
    ids, inverse, counts = np.unique(segmentation, return_inverse=True, return_counts=True)
    compact = inverse.reshape(segmentation.shape)  # 0..n-1, in the order of ``ids``
    boxes = ndimage.find_objects(compact + 1)
    rows = []
    for index, (seg_id, count) in enumerate(zip(ids.tolist(), counts.tolist())):
        if seg_id == 0:
            continue
        box = boxes[index]
        seed = (origins or {}).get(seg_id)
        rows.append(SegmentRow(int(seg_id), int(count),
                               tuple(s.start for s in box), tuple(s.stop for s in box),
                               tuple(int(v) for v in seed) if seed is not None else None))
    return sorted(rows, key=lambda row: -row.voxels)


def hide_small(segmentation: np.ndarray, min_voxels: int) -> np.ndarray:
    """A copy with segments smaller than ``min_voxels`` set to 0."""
    ids, inverse, counts = np.unique(segmentation, return_inverse=True, return_counts=True)
    keep = np.where(counts >= min_voxels, ids, 0).astype(segmentation.dtype)
    return keep[inverse].reshape(segmentation.shape)
