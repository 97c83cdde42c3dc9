"""Fast label operations equal the engine's apply_edits and segment_table."""

from __future__ import annotations

import numpy as np
import pytest

from app.inspect import label_ops
from ffn_core.analysis.proofread import Edit, apply_edits
from ffn_core.analysis.segments import segment_table

EDITS = [
    Edit("merge", (4, 9, 2)),
    Edit("delete", (7,)),
    Edit("relabel", (4,), 30),
    Edit("merge", (30, 5), 5),
    Edit("relabel", (3,), 11),
    Edit("delete", (11, 1)),
]


@pytest.fixture
def labels() -> np.ndarray:
    rng = np.random.default_rng(3)
    coarse = rng.integers(0, 12, (3, 4, 5)).astype(np.uint32)
    return np.kron(coarse, np.ones((2, 3, 3), np.uint32))


def _rows(seg, origins):
    return [
        (r.id, r.voxels, r.bbox_start_zyx, r.bbox_stop_zyx, r.seed_zyx)
        for r in segment_table(seg, origins)
    ]


@pytest.mark.parametrize("max_table", [label_ops.MAX_TABLE, 8])
def test_edits_one_by_one_equal_apply_edits(labels, monkeypatch, max_table):
    monkeypatch.setattr(label_ops, "MAX_TABLE", max_table)  # 8: the slow path for big ids
    origins = {i: tuple(map(int, np.argwhere(labels == i)[0])) for i in np.unique(labels) if i}
    current, rows = labels, segment_table(labels, origins)
    for count, edit in enumerate(EDITS, start=1):
        expected = apply_edits(labels, EDITS[:count])
        current = label_ops.apply_one(current, edit)
        rows = label_ops.update_rows(rows, edit)
        assert np.array_equal(current, expected)
        assert np.array_equal(label_ops.replay(labels, EDITS[:count], int(labels.max())), expected)
        by_id = sorted((r.id, r.voxels, r.bbox_start_zyx, r.bbox_stop_zyx) for r in rows)
        assert by_id == sorted(row[:4] for row in _rows(expected, {}))
    assert current.dtype == labels.dtype


def test_merge_keeps_the_target_seed():
    seg = np.array([[[1, 1, 2, 3]]], np.uint32)
    rows = segment_table(seg, {1: (0, 0, 0), 2: (0, 0, 2)})
    merged = label_ops.update_rows(rows, Edit("merge", (2, 1)))
    assert [(r.id, r.voxels, r.seed_zyx) for r in merged] == [(2, 3, (0, 0, 2)), (3, 1, None)]


@pytest.mark.parametrize("max_table", [label_ops.MAX_TABLE, 4])
def test_keep_only(labels, monkeypatch, max_table):
    monkeypatch.setattr(label_ops, "MAX_TABLE", max_table)
    kept = label_ops.keep_only(labels, [3, 8, 99], int(labels.max()))
    assert np.array_equal(kept, np.where(np.isin(labels, [3, 8]), labels, 0))
    assert kept.dtype == labels.dtype


def test_plane_outline_keeps_the_edge_of_each_z_plane():
    mask = np.zeros((3, 9, 10), bool)
    mask[1, 1:8, 0:6] = True  # a 7 x 6 rectangle on plane 1, touching the array's left edge
    outline = label_ops.plane_outline(mask, 2)
    expected = mask.copy()
    expected[1, 3:6, 2:4] = False  # the inside, two voxels from every edge, the array's too
    assert outline.dtype == np.uint8 and np.array_equal(outline.astype(bool), expected)


def test_plane_outlines_computes_the_planes_asked_for(labels):
    ids = [3, 7]
    whole = label_ops.plane_outline(np.isin(labels, ids), 1)
    lazy = label_ops.PlaneOutlines(labels, ids, 1)
    assert lazy.shape == labels.shape and lazy.dtype == np.uint8
    assert np.array_equal(lazy[2], whole[2])
    assert np.array_equal(lazy[1:4, 2:5], whole[1:4, 2:5])  # planes whole, then cut
    assert np.array_equal(lazy[3, :, 4], whole[3, :, 4])
    assert np.array_equal(np.asarray(lazy), whole)
