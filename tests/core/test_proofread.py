"""Proofreading edit lists: merge, delete, relabel, undo, persistence; original untouched."""

from __future__ import annotations

import numpy as np

from ffn_core.analysis.proofread import Edit, EditList, apply_edits, compose


def _seg():
    return np.array([[1, 1, 2, 2], [3, 3, 0, 4]], dtype=np.uint32)


def test_merge_delete_relabel_in_order():
    edits = [Edit("merge", (2, 3)), Edit("delete", (4,)), Edit("relabel", (1,), 7)]
    out = apply_edits(_seg(), edits)
    assert out.tolist() == [[7, 7, 2, 2], [2, 2, 0, 0]]
    assert _seg().tolist() == [[1, 1, 2, 2], [3, 3, 0, 4]]


def test_later_edits_see_earlier_results():
    # 3 is merged into 2, then 2 is deleted: 3's voxels must be deleted too.
    assert compose([Edit("merge", (2, 3)), Edit("delete", (2,))]) == {2: 0, 3: 0}


def test_edits_survive_reopening_and_undo(tmp_path):
    edits = EditList.for_run(tmp_path)
    edits.add(Edit("merge", (1, 2)))
    edits.add(Edit("delete", (4,)))
    reopened = EditList.for_run(tmp_path)
    assert reopened.edits == edits.edits
    assert reopened.undo() == Edit("delete", (4,))
    assert EditList.for_run(tmp_path).edits == [Edit("merge", (1, 2))]
    assert apply_edits(_seg(), EditList.for_run(tmp_path).edits).tolist() == [
        [1, 1, 1, 1],
        [3, 3, 0, 4],
    ]
