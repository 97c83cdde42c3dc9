"""Agglomeration (issue 13, step 3) on hand-built first passes and the overlaps their floods
recorded: the model joined two objects when a later flood spread over half an earlier one."""

from __future__ import annotations

import io
import json

import h5py
import numpy as np
import pytest

from ffn_core.errors import UserError
from ffn_core.events import Emitter
from ffn_core.infer import storage
from ffn_core.infer.refine import (
    AgglomerateSettings,
    agglomerate,
    refine_arrays,
    refine_run,
)

SHAPE = (4, 10, 60)


def _first_pass() -> np.ndarray:
    """Objects 1..4 side by side along x, 600 voxels each (4 x 10 x 15)."""
    seg = np.zeros(SHAPE, np.uint32)
    for label in range(1, 5):
        seg[:, :, (label - 1) * 15 : label * 15] = label
    return seg


def _overlaps(**pairs: int) -> dict[int, np.ndarray]:
    """``{later: [[earlier], [voxels]]}`` from keywords like ``b2_a1=500``."""
    table: dict[int, list[list[int]]] = {}
    for name, voxels in pairs.items():
        later, earlier = (int(part[1:]) for part in name.split("_"))
        table.setdefault(later, [[], []])
        table[later][0].append(earlier)
        table[later][1].append(voxels)
    return {later: np.array(rows) for later, rows in table.items()}


SETTINGS = AgglomerateSettings(min_overlap=100, min_share=0.6)


def test_a_flood_over_most_of_an_earlier_object_merges_them() -> None:
    seg = _first_pass()
    merged, stats = agglomerate(seg, _overlaps(b2_a1=500), SETTINGS)  # 500 of object 1's 600
    assert np.all(merged[seg == 2] == 1) and np.all(merged[seg == 1] == 1)
    assert np.array_equal(merged[seg > 2], seg[seg > 2])
    assert merged.dtype == seg.dtype
    assert (stats.pairs_merged, stats.objects_before, stats.objects_after) == (1, 4, 3)
    assert stats.voxels_relabelled == 600


def test_a_small_overlap_leaves_both_objects() -> None:
    seg = _first_pass()
    # 300 voxels: half of object 1, and of object 3's flood (600 + 300)
    merged, stats = agglomerate(seg, _overlaps(b3_a1=300), SETTINGS)
    assert np.array_equal(merged, seg)
    assert (stats.pairs_merged, stats.objects_after, stats.voxels_relabelled) == (0, 4, 0)


def test_a_later_flood_lying_mostly_in_an_earlier_object_merges_them() -> None:
    seg = np.zeros(SHAPE, np.uint32)
    seg[:, :, :50] = 1  # 2000 voxels
    seg[:, :, 50:55] = 2  # 200 voxels, whose flood also covered 400 of object 1's
    merged, _ = agglomerate(seg, _overlaps(b2_a1=400), SETTINGS)
    assert set(np.unique(merged)) == {0, 1}


def test_merges_chain_and_thresholds_hold() -> None:
    seg = _first_pass()
    overlaps = _overlaps(b2_a1=500, b3_a2=450, b4_a3=50)  # 4 joins 3 by too few voxels
    merged, stats = agglomerate(seg, overlaps, SETTINGS)
    assert set(np.unique(merged[seg <= 3])) == {1}
    assert np.all(merged[seg == 4] == 4)
    assert stats.objects_after == 2
    untouched, _ = agglomerate(seg, overlaps, AgglomerateSettings(min_overlap=1000))
    assert np.array_equal(untouched, seg)


def test_overlaps_of_objects_no_longer_there_are_ignored() -> None:
    seg = _first_pass()
    merged, stats = agglomerate(seg, _overlaps(b9_a1=600, b2_a7=600), SETTINGS)
    assert np.array_equal(merged, seg) and stats.pairs_merged == 0


def test_settings_and_inputs_are_checked() -> None:
    with pytest.raises(UserError):
        AgglomerateSettings(min_share=1.5)
    with pytest.raises(ValueError, match="overlaps"):
        refine_arrays(_first_pass(), np.zeros(SHAPE), ("agglomerate",))


def test_refine_run_reads_the_overlaps_of_the_run(tmp_path) -> None:
    seg = _first_pass()
    corner = (2, 0, 0)
    storage.write_h5(tmp_path / storage.H5_NAME, seg, np.zeros(SHAPE, np.uint8), corner,
                     (6, 10, 60), True)  # fmt: skip
    storage.save_reference_npz(
        tmp_path, corner, seg, np.zeros(SHAPE, np.uint8), {}, _overlaps(b2_a1=5000), "", {}
    )
    stream = io.StringIO()
    result = refine_run(tmp_path, np.zeros(SHAPE), ("agglomerate",), Emitter("infer", stream))
    assert result["extra"]["refine"]["agglomerate"]["pairs_merged"] == 1
    with h5py.File(tmp_path / storage.H5_NAME, "r") as handle:
        assert np.array_equal(handle["first_pass"][...], seg)
        assert set(np.unique(handle["segmentation"][...])) == {1, 3, 4}
        assert handle["segmentation"].attrs["refine"] == "agglomerate"
    logs = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert any("objects 4 -> 3" in record.get("message", "") for record in logs)


def test_after_consensus_the_first_pass_sizes_decide() -> None:
    first = _first_pass()
    agreed = first.copy()
    agreed[:2][agreed[:2] == 1] = 0  # consensus emptied half of object 1
    overlaps = _overlaps(b3_a1=300)  # half of object 1 as the first pass had it
    merged, stats = agglomerate(agreed, overlaps, SETTINGS, first_pass=first)
    assert np.array_equal(merged, agreed) and stats.pairs_merged == 0
    assert stats.objects_before == stats.objects_after == 4
    hasty, _ = agglomerate(agreed, overlaps, SETTINGS)  # the emptied half would tip it
    assert np.all(hasty[agreed == 3] == 1)
