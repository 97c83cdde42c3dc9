"""Fast label operations for interactive inspection of large runs (no Qt).

``np.unique`` over a 10⁸-voxel run takes tens of seconds; proofreading and display filters
must not. Ids are remapped through a lookup table (one gather pass) and the segment table
is updated from the edit instead of being recomputed. Results equal
:func:`ffn_core.analysis.proofread.apply_edits` and
:func:`ffn_core.analysis.segments.segment_table`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from scipy import ndimage

from ffn_core.analysis.proofread import Edit, apply_edits, compose
from ffn_core.analysis.segments import SegmentRow

MAX_TABLE = 1 << 24  # largest id for which a lookup table is used (64 MB of uint32)


def _lookup(labels: np.ndarray, mapping: dict[int, int], top: int) -> np.ndarray | None:
    """``labels`` with ``mapping`` applied through a table, or None when ids are too large."""
    size = max([top, *mapping.keys(), *mapping.values()]) + 1
    if size > MAX_TABLE:
        return None
    table = np.arange(size, dtype=labels.dtype)
    for old, new in mapping.items():
        table[old] = new
    return table[labels]


def replay(original: np.ndarray, edits: Sequence[Edit], top: int) -> np.ndarray:
    """``apply_edits(original, edits)`` in one pass; ``top`` is ``original.max()``.

    Without effective edits this is ``original`` itself (no copy): never modify the result
    in place.
    """
    mapping = compose(edits)
    if not mapping:
        return original
    result = _lookup(original, mapping, top)
    return result if result is not None else apply_edits(original, edits)


def apply_one(labels: np.ndarray, edit: Edit) -> np.ndarray:
    """A copy of ``labels`` with one more ``edit`` applied (every edit has one new id)."""
    mapping = edit.mapping()
    new = next(iter(mapping.values()))
    return np.where(np.isin(labels, list(mapping)), labels.dtype.type(new), labels)


def update_rows(rows: Sequence[SegmentRow], edit: Edit) -> list[SegmentRow]:
    """The segment table after ``edit``, from the table before it (largest first)."""
    mapping = edit.mapping()
    new = next(iter(mapping.values()))
    touched = set(mapping) | ({new} if new else set())
    affected = [r for r in rows if r.id in touched]
    kept = [r for r in rows if r.id not in touched]
    if new and affected:
        kept.append(_joined(affected, new))
    return sorted(kept, key=lambda row: -row.voxels)


def _joined(rows: list[SegmentRow], new_id: int) -> SegmentRow:
    starts = np.array([r.bbox_start_zyx for r in rows])
    stops = np.array([r.bbox_stop_zyx for r in rows])
    seed_row = next((r for r in rows if r.id == new_id), rows[0])
    return SegmentRow(
        new_id,
        sum(r.voxels for r in rows),
        tuple(int(v) for v in starts.min(axis=0)),
        tuple(int(v) for v in stops.max(axis=0)),
        seed_row.seed_zyx,
    )


def keep_only(labels: np.ndarray, ids: Iterable[int], top: int) -> np.ndarray:
    """A copy of ``labels`` with every id not in ``ids`` set to 0; ``top`` is ``labels.max()``."""
    ids = [int(i) for i in ids if 0 < int(i) <= top]
    if top < MAX_TABLE:
        table = np.zeros(top + 1, dtype=labels.dtype)
        table[ids] = ids
        return table[labels]
    return np.where(np.isin(labels, ids), labels, 0).astype(labels.dtype)


def plane_outline(mask: np.ndarray, width: int) -> np.ndarray:
    """The voxels of ``mask`` (z, y, x) within ``width`` voxels of its edge in their z plane,
    as uint8 0/1; the array's border counts as an edge."""
    in_plane = np.zeros((3, 3, 3), bool)
    in_plane[1] = ndimage.generate_binary_structure(2, 1)
    inner = ndimage.binary_erosion(mask, in_plane, iterations=width, border_value=0)
    return (mask & ~inner).astype(np.uint8)


class PlaneOutlines:
    """A lazy uint8 array (z, y, x): :func:`plane_outline` of the voxels of ``labels`` whose
    id is one of ``ids``, computed only for the z planes an index asks for (napari reads the
    plane it shows), so outlining a segment as large as the run costs no pass over the run.
    """

    def __init__(self, labels: np.ndarray, ids: Iterable[int], width: int) -> None:
        self.labels, self.ids, self.width = labels, [int(i) for i in ids], int(width)
        self.shape, self.ndim, self.dtype = labels.shape, labels.ndim, np.dtype(np.uint8)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, key: Any) -> np.ndarray:
        key = key if isinstance(key, tuple) else (key,)
        planes = self.labels[key[:1]]  # whole planes: their edges are the outline's
        one = planes.ndim == self.ndim - 1
        outline = plane_outline(np.isin(planes[None] if one else planes, self.ids), self.width)
        return outline[0][key[1:]] if one else outline[(slice(None), *key[1:])]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self[:] if dtype is None else self[:].astype(dtype)
