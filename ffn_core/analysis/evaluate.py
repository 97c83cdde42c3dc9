"""Segmentation scores against ground truth: SNEMI3D adapted Rand error and VOI.

Both metrics are computed from one sparse contingency table (``scipy.sparse``) over
the voxels where the ground truth is non-zero, so 6.5 M voxels take about a second.

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


def contingency(seg: np.ndarray, gt: np.ndarray) -> Contingency:
    """Build the sparse contingency table of ``seg`` against ``gt`` (same shape).

    Raises
    ------
    ValueError
        If the shapes differ or the ground truth has no non-zero voxel.
    """
    seg, gt = np.asarray(seg), np.asarray(gt)
    if seg.shape != gt.shape:
        raise ValueError(f"segmentation shape {seg.shape} differs from ground truth {gt.shape}")
    inside = gt != 0
    if not inside.any():
        raise ValueError("the ground truth has no labelled (non-zero) voxel to score against")
    gt_ids, gt_index = np.unique(gt[inside], return_inverse=True)
    seg_in = seg[inside]
    gt_sizes = np.bincount(gt_index, minlength=gt_ids.size).astype(np.int64)
    assigned = seg_in != 0
    seg_ids, seg_index = np.unique(seg_in[assigned], return_inverse=True)
    counts = np.ones(seg_index.size, dtype=np.int64)
    table = sparse.csr_array(
        (counts, (gt_index[assigned], seg_index)), shape=(gt_ids.size, seg_ids.size)
    )
    table.sum_duplicates()
    return Contingency(table, gt_sizes, int(seg_in.size - seg_index.size))


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
