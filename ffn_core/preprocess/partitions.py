"""The reference's partition volume ("af"), computed per object inside its bounding box.

For every voxel of a labelled object the fraction of voxels of the ``(2r+1)^3`` box
around it (``r`` = ``lom_radius``, anisotropic allowed) that carry the same ID is
quantised by ``thresholds``: the first ``i`` with ``fraction < thresholds[i]`` gives
class ``i + 1``, otherwise ``len(thresholds) + 1``. Background and objects smaller than
``min_size`` voxels (counted per ID over the whole volume) are 0; a border of width
``r`` is 255. The values are bit-identical to google/ffn's ``compute_partitions.py``:
the count-to-class table applies the reference's float division ``count / (2r+1)^3``
to every possible count.

An object's voxels all lie in its bounding box, so the box sums it needs are taken
there (separably, with integer prefix sums) instead of over the whole volume.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import h5py
import numpy as np
from scipy import ndimage

from ffn_core.preprocess import check_cancel
from ffn_core.project import MAIN_VOLUME

if TYPE_CHECKING:
    from ffn_core.project import Project

BORDER = 255
DATASET = "af"
PARTITIONS_FILE = "partitions.h5"
DEFAULT_THRESHOLDS = (0.025, 0.05, 0.075, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
DEFAULT_LOM_RADIUS_XYZ = (24, 24, 24)
DEFAULT_MIN_SIZE = 10000
_MAX_DIRECT_ID = 1 << 22

Progress = Callable[[int, int], None]


def class_lookup(thresholds: Sequence[float], window_volume: int) -> np.ndarray:
    """Partition class (uint8) of every same-ID count ``0..window_volume`` in a window.

    Decided exactly as the reference does, on ``count / window_volume`` in float64.
    """
    fraction = np.arange(window_volume + 1, dtype=np.int64) / np.int64(window_volume)
    lookup = np.full(window_volume + 1, len(thresholds) + 1, dtype=np.uint8)
    for i in reversed(range(len(thresholds))):
        lookup[fraction < float(thresholds[i])] = i + 1
    return lookup


def compute_partitions(
    labels: np.ndarray,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    lom_radius_xyz: Sequence[int] = DEFAULT_LOM_RADIUS_XYZ,
    min_size: int = DEFAULT_MIN_SIZE,
    progress: Progress | None = None,
    cancel: object | None = None,
) -> np.ndarray:
    """Partition volume of ``labels`` (z, y, x), same shape, uint8, border = 255.

    Parameters
    ----------
    labels : np.ndarray
        3-D integer label volume; 0 is background.
    thresholds : sequence of float
        Fraction thresholds (the reference's ``--thresholds``).
    lom_radius_xyz : sequence of int
        Window radius as x, y, z (the reference's ``--lom_radius``).
    min_size : int
        IDs with fewer voxels in the whole volume are treated as background.
    progress : callable, optional
        Called as ``progress(objects_done, objects_total)``.
    cancel : object with a ``cancelled`` attribute, optional
        Checked before each object; :class:`~ffn_core.preprocess.Cancelled` is raised.
    """
    radius_zyx = _check_geometry(labels, thresholds, lom_radius_xyz)
    ids, sizes = _object_ids(labels)
    sizes[0] = 0
    objects = np.flatnonzero((sizes >= min_size) & (sizes > 0))
    boxes = ndimage.find_objects(ids, max_label=int(objects[-1])) if objects.size else []
    lookup = class_lookup(thresholds, int(np.prod(2 * radius_zyx + 1)))
    out = np.full(labels.shape, BORDER, dtype=np.uint8)
    out[valid_region(labels.shape, radius_zyx)] = 0
    for done, label in enumerate(objects):
        check_cancel(cancel)
        _partition_object(ids, int(label), boxes[label - 1], radius_zyx, lookup, out)
        if progress is not None:
            progress(done + 1, len(objects))
    return out


def valid_region(shape: Sequence[int], radius_zyx: Sequence[int]) -> tuple[slice, ...]:
    """Slices of the voxels whose whole window lies inside a volume of ``shape``."""
    return tuple(slice(int(r), int(n) - int(r)) for r, n in zip(radius_zyx, shape))


def partition_counts(partitions: np.ndarray, lom_radius_xyz: Sequence[int]) -> np.ndarray:
    """``[[values], [counts]]`` (int64) of the valid region, as the reference's attribute."""
    inner = partitions[valid_region(partitions.shape, tuple(lom_radius_xyz)[::-1])]
    counts = _bincount_slabs(inner, 256)
    values = np.flatnonzero(counts)
    return np.array([values, counts[values]], dtype=np.int64)


def adjust_bounding_boxes(
    boxes_xyz: Sequence[tuple[Sequence[int], Sequence[int]]], lom_radius_xyz: Sequence[int]
) -> np.ndarray:
    """Boxes ``(start_xyz, size_xyz)`` shrunk by the radius on each side; empty ones dropped."""
    radius = np.asarray(lom_radius_xyz, dtype=np.int64)
    kept = [
        (np.asarray(start) + radius, np.asarray(size) - 2 * radius) for start, size in boxes_xyz
    ]
    kept = [box for box in kept if np.all(box[1] > 0)]
    return np.array(kept, dtype=np.int32).reshape(-1, 2, 3)


def label_bounding_boxes(dataset: h5py.Dataset) -> list[tuple[np.ndarray, np.ndarray]]:
    """The label volume's ``bounding_boxes*`` attributes, else the whole volume (xyz)."""
    boxes = [
        (np.asarray(box[0]), np.asarray(box[1]))
        for name, value in dataset.attrs.items()
        if name.startswith("bounding_boxes")
        for box in value
    ]
    return boxes or [(np.zeros(3, np.int64), np.array(dataset.shape[::-1], np.int64))]


def partitions_path(project: Project, volume: str = MAIN_VOLUME) -> Path:
    """Where the project keeps the partitions of ``volume``:
    ``<project>/preprocess/partitions.h5`` (``af``; ``preprocess/<volume>/`` for a further one)."""
    return project.volume_folder("preprocess", volume) / PARTITIONS_FILE


def write_partitions(
    path: str | Path,
    partitions: np.ndarray,
    lom_radius_xyz: Sequence[int],
    bounding_boxes_xyz: np.ndarray,
) -> None:
    """Write dataset ``af`` (chunked, gzip, fill 255) with the reference's attributes."""
    with h5py.File(path, "w") as handle:
        dataset = handle.create_dataset(
            DATASET, data=partitions, chunks=True, compression="gzip", fillvalue=BORDER
        )
        dataset.attrs["bounding_boxes"] = bounding_boxes_xyz
        dataset.attrs["partition_counts"] = partition_counts(partitions, lom_radius_xyz)


def _check_geometry(
    labels: np.ndarray, thresholds: Sequence[float], lom_radius_xyz: Sequence[int]
) -> np.ndarray:
    if labels.ndim != 3:
        raise ValueError(f"labels must be 3-D (z, y, x), got shape {labels.shape}")
    if labels.dtype.kind not in "iub":
        raise ValueError(f"labels must be integers, got {labels.dtype}")
    if not 0 < len(thresholds) < BORDER - 1:
        raise ValueError(f"need 1 to {BORDER - 2} thresholds, got {len(thresholds)}")
    radius_zyx = np.asarray(lom_radius_xyz, dtype=np.int64)[::-1]
    if radius_zyx.shape != (3,) or np.any(radius_zyx < 0):
        raise ValueError(f"lom_radius must be three non-negative ints, got {lom_radius_xyz}")
    if np.any(2 * radius_zyx >= labels.shape):
        raise ValueError(
            f"lom_radius (x,y,z) {tuple(lom_radius_xyz)} leaves no voxel of a "
            f"volume of shape (z,y,x) {labels.shape}"
        )
    return radius_zyx


def _bincount_slabs(volume: np.ndarray, minlength: int) -> np.ndarray:
    """``np.bincount`` of a volume, slab by slab so that the int64 copy stays small."""
    counts = np.zeros(minlength, dtype=np.int64)
    step = max(1, (1 << 22) // max(1, volume[0].size))
    for start in range(0, volume.shape[0], step):
        slab = np.bincount(volume[start : start + step].ravel(), minlength=minlength)
        if slab.size > counts.size:
            slab[: counts.size] += counts
            counts = slab
        else:
            counts[: slab.size] += slab
    return counts


def _object_ids(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Labels as small non-negative IDs (0 stays 0) and the voxel count of each ID."""
    low, high = (int(labels.min()), int(labels.max())) if labels.size else (0, 0)
    if low >= 0 and high < _MAX_DIRECT_ID:
        ids = labels.view(np.uint8) if labels.dtype.kind == "b" else labels
    else:
        _, inverse = np.unique(labels.ravel(), return_inverse=True)
        ids = (inverse.astype(np.int64) + 1).reshape(labels.shape)
        ids[labels == 0] = 0
    return ids, _bincount_slabs(ids, int(ids.max()) + 1)


def _sum_dtype(bound: int) -> type:
    for dtype in (np.uint8, np.uint16, np.uint32):
        if bound <= np.iinfo(dtype).max:
            return dtype
    return np.uint64


def _window_sums(
    values: np.ndarray, axis: int, start: int, stop: int, radius: int, dtype: type
) -> np.ndarray:
    """Sums over ``[p - radius, p + radius]`` along ``axis`` (zero outside), ``p`` in start:stop.

    Prefix sums wrap around in ``dtype``; the differences are exact as long as each
    window sum fits in ``dtype``. Row-by-row adds are much faster than ``np.cumsum``.
    """
    source = np.moveaxis(values, axis, 0)
    n = source.shape[0]
    prefix = np.empty((n + 2 * radius + 1,) + source.shape[1:], dtype=dtype)
    prefix[: radius + 1] = 0
    prefix[radius + 1] = source[0]
    for i in range(1, n):
        np.add(prefix[radius + i], source[i], out=prefix[radius + 1 + i])
    prefix[radius + 1 + n :] = prefix[radius + n]
    sums = prefix[start + 2 * radius + 1 : stop + 2 * radius + 1] - prefix[start:stop]
    return np.moveaxis(sums, 0, axis)


def _partition_object(
    ids: np.ndarray,
    label: int,
    box: tuple[slice, ...],
    radius_zyx: np.ndarray,
    lookup: np.ndarray,
    out: np.ndarray,
) -> None:
    """Write the classes of object ``label`` (bounding box ``box``) into ``out``."""
    query = [
        (max(s.start, int(r)), min(s.stop, n - int(r)))
        for s, r, n in zip(box, radius_zyx, ids.shape)
    ]
    if any(lo >= hi for lo, hi in query):
        return
    mask = ids[box] == label
    counts, bound = mask.view(np.uint8), 1
    for axis, (s, (lo, hi), r) in enumerate(zip(box, query, radius_zyx)):
        bound *= 2 * int(r) + 1
        counts = _window_sums(counts, axis, lo - s.start, hi - s.start, int(r), _sum_dtype(bound))
    inside = mask[tuple(slice(lo - s.start, hi - s.start) for s, (lo, hi) in zip(box, query))]
    target = out[tuple(slice(lo, hi) for lo, hi in query)]
    target[inside] = lookup[counts[inside]]
