"""Segmentation scores against ground truth: SNEMI3D adapted Rand error and VOI.

Both metrics are computed from one sparse contingency table (``scipy.sparse``) over
the voxels where the ground truth is non-zero, so 6.5 M voxels take about a second.
:class:`ContingencyBuilder` accumulates that table block by block (any partition of the
volume, in any order), so a volume larger than memory is scored with the same numbers:
it holds the distinct (ground truth, prediction) pairs met so far, never the volume.

Conventions (the SNEMI3D challenge definition, Arganda-Carreras et al. 2015):

* Ground-truth label 0 is ignored: those voxels take no part in any score.
* A predicted 0 means *unassigned*: each such voxel is its own singleton segment, so
  it never counts as "together" with any other voxel. Unsegmented voxels therefore
  lower recall (and raise VOI split) but cannot cause merges.
* Pairs are counted as ordered pairs *including a voxel with itself*: a segment of
  size ``s`` contributes ``s**2`` (the challenge's ``sum p_ij**2`` with
  ``p_ij = n_ij / n``; ``n`` cancels in every ratio). With ``n_ij`` the overlap of
  GT object ``i`` and predicted object ``j``, ``t_i`` the GT sizes, ``s_j`` the
  predicted sizes and ``c`` the number of predicted-0 voxels inside GT objects::

      precision = (sum n_ij**2 + c) / (sum s_j**2 + c)
      recall    = (sum n_ij**2 + c) / sum t_i**2
      arand     = 1 - 2 * precision * recall / (precision + recall)

  Precision is the fraction of pairs together in the prediction that are together
  in the ground truth (low precision = merges); recall the fraction of pairs together
  in the ground truth that are together in the prediction (low recall = splits and
  unsegmented voxels). ``skimage.metrics.adapted_rand_error`` counts pairs as
  ``s*(s-1)``, treats predicted 0 as one ordinary segment and names precision and
  recall the other way round (scikit-image #6485); its numbers differ. The widely
  copied Python port of the challenge script (gala ``adapted_rand``) adds ``c / n``
  instead of ``c`` because it dropped the normalisation by ``n``; the difference is
  below 1e-6 on real volumes.

* VOI (variation of information, in bits, over the same voxels and with the same
  singletons): ``voi_split = H(prediction | ground truth)`` (false splits),
  ``voi_merge = H(ground truth | prediction)`` (false merges), as in CREMI.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class Contingency:
    """Overlap counts between a prediction and the ground truth (GT 0 removed).

    Attributes
    ----------
    table : scipy.sparse.csr_array
        ``table[i, j]`` = voxels of GT object ``i`` and predicted object ``j`` (j ≠ 0).
    gt_sizes : ndarray of int64
        Voxels per GT object, predicted-0 voxels included.
    unassigned : int
        Voxels inside GT objects that the prediction left at 0 (the singletons).
    """

    table: sparse.csr_array
    gt_sizes: np.ndarray
    unassigned: int

    @property
    def seg_sizes(self) -> np.ndarray:
        """Voxels per predicted object, counted inside GT objects only."""
        return np.asarray(self.table.sum(axis=0)).ravel().astype(np.int64)

    @property
    def voxels(self) -> int:
        """Number of voxels scored (GT non-zero)."""
        return int(self.gt_sizes.sum())


PIECE_VOXELS = 2**21  # voxels counted at once: bounds the temporaries of a count (~100 MiB)
_MERGE_ROWS = 2**20  # pending counts are merged once they outnumber the merged ones and this


class ContingencyBuilder:
    """Builds a :class:`Contingency` from blocks of the prediction and the ground truth.

    Call :meth:`add` with each block (the blocks partition the scored volume, in any
    order), then :meth:`build`. Labels are non-negative integers of any dtype (uint64
    included). Memory: the distinct (GT, prediction) pairs and GT IDs met so far, plus the
    temporaries of :data:`PIECE_VOXELS` voxels; never the volume. The table equals the one
    of the whole volume entry for entry, so the scores are the same to the last bit.
    """

    def __init__(self) -> None:
        self.unassigned = 0
        self.labelled = 0  # voxels added where the ground truth is not 0
        self._pairs = _Counts(2)  # (GT id, predicted id) -> voxels, predicted 0 left out
        self._gt_sizes = _Counts(1)  # GT id -> voxels

    def add(self, seg: np.ndarray, gt: np.ndarray) -> None:
        """Count one block: ``seg`` and ``gt`` of the same shape (any shape).

        Raises
        ------
        ValueError
            If the shapes differ or a label is negative or not an integer.
        """
        seg, gt = np.asarray(seg), np.asarray(gt)
        if seg.shape != gt.shape:
            raise ValueError(f"segmentation shape {seg.shape} differs from ground truth {gt.shape}")
        seg, gt = seg.reshape(-1), gt.reshape(-1)
        for start in range(0, gt.size, PIECE_VOXELS):
            self._count(seg[start : start + PIECE_VOXELS], gt[start : start + PIECE_VOXELS])

    def _count(self, seg: np.ndarray, gt: np.ndarray) -> None:
        inside = gt != 0
        gt_in, seg_in = _as_ids(gt[inside]), _as_ids(seg[inside])
        self.labelled += int(gt_in.size)
        if not gt_in.size:
            return
        pair_gt, pair_seg, counts = _pair_counts(gt_in, seg_in)
        unassigned = pair_seg == 0
        self.unassigned += int(counts[unassigned].sum())
        self._gt_sizes.add((pair_gt,), counts)
        self._pairs.add((pair_gt[~unassigned], pair_seg[~unassigned]), counts[~unassigned])

    def build(self) -> Contingency:
        """The table of every block added so far.

        Raises
        ------
        ValueError
            If the ground truth has no non-zero voxel.
        """
        (gt_ids,), gt_sizes = self._gt_sizes.merged()
        if not gt_ids.size:
            raise ValueError("the ground truth has no labelled (non-zero) voxel to score against")
        (pair_gt, pair_seg), counts = self._pairs.merged()
        seg_ids = np.unique(pair_seg)
        rows, cols = np.searchsorted(gt_ids, pair_gt), np.searchsorted(seg_ids, pair_seg)
        table = sparse.csr_array((counts, (rows, cols)), shape=(gt_ids.size, seg_ids.size))
        table.sum_duplicates()
        return Contingency(table, gt_sizes, self.unassigned)


class _Counts:
    """Voxel counts keyed by tuples of IDs, summed per key lazily (merged in batches)."""

    def __init__(self, width: int) -> None:
        empty = np.zeros(0, np.uint64)
        self._merged = (tuple(empty for _ in range(width)), np.zeros(0, np.int64))
        self._pending: list[tuple[tuple[np.ndarray, ...], np.ndarray]] = []
        self._pending_rows = 0

    def add(self, keys: tuple[np.ndarray, ...], counts: np.ndarray) -> None:
        self._pending.append((keys, counts.astype(np.int64)))
        self._pending_rows += counts.size
        if self._pending_rows > max(self._merged[1].size, _MERGE_ROWS):
            self.merged()

    def merged(self) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
        """Keys sorted (first key first) with their summed counts."""
        if self._pending:
            parts = [self._merged, *self._pending]
            keys = tuple(np.concatenate(column) for column in zip(*(k for k, _ in parts)))
            self._merged = _sum_by_key(keys, np.concatenate([c for _, c in parts]))
            self._pending, self._pending_rows = [], 0
        return self._merged


def _pair_counts(gt: np.ndarray, seg: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (gt, seg) pairs of two uint64 arrays and how often each occurs.

    IDs below 2**32 (uint32 volumes) are packed into one 64-bit key: one sort; larger IDs
    are first numbered by ``np.unique``.
    """
    if max(int(gt.max()), int(seg.max())) < 2**32:
        keys, counts = np.unique((gt << np.uint64(32)) | seg, return_counts=True)
        return keys >> np.uint64(32), keys & np.uint64(2**32 - 1), counts
    gt_ids, gt_index = np.unique(gt, return_inverse=True)
    seg_ids, seg_index = np.unique(seg, return_inverse=True)
    keys, counts = np.unique(
        gt_index.astype(np.int64) * seg_ids.size + seg_index, return_counts=True
    )
    return gt_ids[keys // seg_ids.size], seg_ids[keys % seg_ids.size], counts


def _sum_by_key(
    keys: tuple[np.ndarray, ...], counts: np.ndarray
) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """Sort by ``keys`` (the first one first) and sum the counts of equal keys."""
    order = np.lexsort(keys[::-1])
    keys, counts = tuple(column[order] for column in keys), counts[order]
    if not counts.size:
        return keys, counts
    same = np.ones(counts.size - 1, bool)
    for column in keys:
        same &= column[1:] == column[:-1]
    starts = np.flatnonzero(np.concatenate([[True], ~same]))
    return tuple(column[starts] for column in keys), np.add.reduceat(counts, starts)


def _as_ids(values: np.ndarray) -> np.ndarray:
    """Labels as uint64, refusing negative and fractional ones."""
    if values.dtype.kind == "u":
        return values.astype(np.uint64, copy=False)
    ids = values.astype(np.uint64)
    if values.size and not np.array_equal(ids, values):
        raise ValueError("labels must be non-negative integers")
    return ids


def contingency(seg: np.ndarray, gt: np.ndarray) -> Contingency:
    """Build the sparse contingency table of ``seg`` against ``gt`` (same shape).

    Raises
    ------
    ValueError
        If the shapes differ or the ground truth has no non-zero voxel.
    """
    builder = ContingencyBuilder()
    builder.add(seg, gt)
    return builder.build()


def adapted_rand(
    seg: np.ndarray | None = None, gt: np.ndarray | None = None, *, table: Contingency | None = None
) -> dict[str, float]:
    """Adapted Rand error, precision and recall in the SNEMI3D definition.

    Give ``seg`` and ``gt`` (same shape; see the module docstring for the rules on
    label 0) or a ready ``table`` from :func:`contingency`.

    Returns
    -------
    dict
        ``arand`` (0 for a perfect segmentation, up to 1), ``precision``, ``recall``.
    """
    table = table if table is not None else contingency(seg, gt)
    data = table.table.data.astype(np.float64)
    singles = float(table.unassigned)
    together = float(data @ data) + singles
    seg_pairs = float(np.sum(table.seg_sizes.astype(np.float64) ** 2)) + singles
    gt_pairs = float(np.sum(table.gt_sizes.astype(np.float64) ** 2))
    precision = together / seg_pairs
    recall = together / gt_pairs
    return {
        "arand": 1.0 - 2.0 * precision * recall / (precision + recall),
        "precision": precision,
        "recall": recall,
    }


def voi(
    seg: np.ndarray | None = None, gt: np.ndarray | None = None, *, table: Contingency | None = None
) -> dict[str, float]:
    """Variation of information split and merge parts, in bits.

    Returns
    -------
    dict
        ``voi_split`` = H(seg | gt) and ``voi_merge`` = H(gt | seg); both 0 when perfect.
    """
    table = table if table is not None else contingency(seg, gt)
    total = float(table.voxels)
    singles_entropy = table.unassigned / total * np.log2(total)
    h_joint = _entropy(table.table.data, total) + singles_entropy
    h_seg = _entropy(table.seg_sizes, total) + singles_entropy
    h_gt = _entropy(table.gt_sizes, total)
    return {
        "voi_split": float(max(h_joint - h_gt, 0.0)),
        "voi_merge": float(max(h_joint - h_seg, 0.0)),
    }


def _entropy(counts: np.ndarray, total: float) -> float:
    p = np.asarray(counts, dtype=np.float64)
    p = p[p > 0] / total
    return float(-np.sum(p * np.log2(p)))


def score_segmentation(seg: np.ndarray, gt: np.ndarray) -> dict[str, float]:
    """``arand``, ``precision``, ``recall``, ``voi_split``, ``voi_merge`` of ``seg`` vs ``gt``."""
    table = contingency(seg, gt)
    return {**adapted_rand(table=table), **voi(table=table)}
