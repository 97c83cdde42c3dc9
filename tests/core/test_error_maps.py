"""Split and merge errors against ground truth: lists, minimum overlap, label maps."""

from __future__ import annotations

import numpy as np
import pytest

from ffn_core.analysis.error_maps import ErrorReport, find_errors, merge_map, overlaps, split_map


def _volumes() -> tuple[np.ndarray, np.ndarray]:
    gt = np.zeros((2, 10, 10), np.uint16)
    gt[:, :, :5], gt[:, :, 5:] = 1, 2
    gt[:, 8:, :5] = 4  # a small GT object
    seg = np.zeros((2, 10, 10), np.uint32)
    seg[:, :4, :5], seg[:, 4:, :5] = 7, 9  # GT 1 split into 7 and 9 (40 each); 9 covers GT 4 (20)
    seg[:, :, 5:] = 11  # GT 2 exactly
    seg[0, 0, 9] = 70_000  # a one-voxel sliver, large id
    return seg, gt


def test_overlaps_count_every_non_zero_pair():
    seg, gt = _volumes()
    pairs = {(g, s): n for g, s, n in zip(*overlaps(seg, gt))}
    assert pairs == {(1, 7): 40, (1, 9): 40, (4, 9): 20, (2, 11): 99, (2, 70_000): 1}


def test_splits_and_merges_respect_the_minimum_overlap():
    seg, gt = _volumes()
    assert find_errors(seg, gt, min_overlap=10) == ErrorReport(
        splits={1: [7, 9]}, merges={9: [1, 4]}
    )
    assert find_errors(seg, gt, min_overlap=1).splits == {1: [7, 9], 2: [11, 70_000]}
    assert find_errors(seg, gt, min_overlap=30) == ErrorReport({1: [7, 9]}, {})
    assert find_errors(seg, gt, min_overlap=50) == ErrorReport({}, {})
    assert find_errors(gt.astype(np.uint32), gt) == ErrorReport({}, {})


def test_error_maps_label_the_pieces():
    seg, gt = _volumes()
    report = find_errors(seg, gt, min_overlap=10)
    splits = split_map(seg, gt, report)
    assert set(np.unique(splits)) == {0, 7, 9}
    assert np.array_equal(splits != 0, gt == 1)
    merges = merge_map(seg, gt, report)
    assert set(np.unique(merges)) == {0, 1, 4}
    assert np.array_equal(merges != 0, seg == 9)


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="differs"):
        overlaps(np.zeros((2, 3, 4), np.uint32), np.zeros((2, 3, 5), np.uint32))


def test_minimum_fraction_ignores_shifted_boundaries():
    gt = np.zeros((1, 10, 100), np.uint16)
    gt[:, :, :50], gt[:, :, 50:] = 1, 2
    seg = np.zeros((1, 10, 100), np.uint32)
    seg[:, :, :53], seg[:, :, 53:] = 5, 6  # boundary 3 voxels off: 30 of 500 voxels
    seg[:, :2, 20:30] = 7  # a small real split piece inside GT 1
    assert find_errors(seg, gt, 10) == ErrorReport({1: [5, 7], 2: [6, 5]}, {5: [1, 2]})
    assert find_errors(seg, gt, 10, min_fraction=0.1) == ErrorReport({1: [5, 7]}, {})
