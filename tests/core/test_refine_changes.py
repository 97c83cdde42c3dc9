"""What refining changed (issue 13, Inspect): counts and maps on hand-built volumes whose answers
are known, on the real fill and consensus, and on a run refined by refine_run."""

from __future__ import annotations

import io
import json

import h5py
import numpy as np
import pytest

from ffn_core.analysis.evaluate import score_segmentation
from ffn_core.analysis.refine_changes import (
    compare_passes,
    filled_map,
    merged_map,
    read_first_pass,
    refine_step_stats,
    refine_steps,
    split_map,
    step_stats_scope,
)
from ffn_core.events import Emitter
from ffn_core.infer import storage
from ffn_core.infer.consensus import ConsensusSettings, split_consensus
from ffn_core.infer.plan import PLAN_NAME, plan_subvolumes
from ffn_core.infer.refine import fill, refine_run

SHAPE = (4, 10, 12)


def _passes() -> tuple[np.ndarray, np.ndarray]:
    """A first pass and a refined volume with one change of each kind.

    First pass: 1 (x 0-2), 2 (x 4-6), 3 (x 8-9, y < 5), 4 (x 8-9, y >= 5); x 3, 7, 10, 11 empty.
    Refined: 1 grows into x 3 (40 voxels filled), 2 is cut at z 2 into 2 and 7 (split),
    3 and 4 become one object 3 (merged), the first pass's voxels of 4 at z 0 are emptied
    (10 voxels), and x 11 is a new object 9 (40 voxels filled).
    """
    first = np.zeros(SHAPE, np.uint32)
    first[:, :, 0:3], first[:, :, 4:7] = 1, 2
    first[:, :5, 8:10], first[:, 5:, 8:10] = 3, 4
    refined = first.copy()
    refined[:, :, 3] = 1
    refined[2:, :, 4:7] = 7
    refined[:, 5:, 8:10] = 3
    refined[0, 5:, 8:10] = 0
    refined[:, :, 11] = 9
    return first, refined


def test_each_kind_of_change_is_counted() -> None:
    first, refined = _passes()
    changes = compare_passes(first, refined)
    assert changes.voxels == first.size == 480
    assert changes.voxels_filled == 40 + 40
    assert changes.voxels_emptied == 10
    assert changes.report.splits == {2: [2, 7]}  # equal halves: lower id first
    assert changes.report.merges == {3: [3, 4]}  # 3 keeps 40 voxels of 3, 30 of 4
    assert (changes.objects_split, changes.objects_merged) == (1, 1)
    assert changes.new_objects == [9]
    assert changes.first_pass == {"unsegmented": 160 / 480}
    assert changes.refined == {"unsegmented": (160 - 80 + 10) / 480}


def test_pieces_under_min_voxels_do_not_count() -> None:
    first, refined = _passes()  # refined 3 holds 40 voxels of first-pass 3 and 30 of 4
    assert compare_passes(first, refined, min_voxels=30).report.merges == {3: [3, 4]}
    changes = compare_passes(first, refined, min_voxels=31)
    assert changes.report.merges == {} and changes.report.splits == {2: [2, 7]}  # 60 each
    assert compare_passes(first, refined, min_voxels=61).report.splits == {}
    assert changes.voxels_filled == 80 and changes.voxels_emptied == 10  # counted all the same


def test_maps_show_the_filled_voxels_the_split_pieces_and_the_merged_objects() -> None:
    first, refined = _passes()
    changes = compare_passes(first, refined)
    filled = filled_map(first, refined)
    assert filled.dtype == np.uint8 and set(np.unique(filled)) == {0, 1}
    assert np.all(filled[:, :, 3] == 1) and np.all(filled[:, :, 11] == 1)
    assert int(filled.sum()) == changes.voxels_filled
    pieces = split_map(first, refined, changes)
    assert np.array_equal(pieces[:, :, 4:7], refined[:, :, 4:7])  # the pieces of 2: 2 and 7
    assert np.count_nonzero(pieces) == np.count_nonzero(first == 2)
    joined = merged_map(first, refined, changes)
    expected = np.where(refined == 3, first, 0)  # the first-pass ids inside refined 3
    assert np.array_equal(joined, expected) and set(np.unique(joined)) == {0, 3, 4}


def test_an_unchanged_volume_has_no_change() -> None:
    first, _ = _passes()
    changes = compare_passes(first, first.copy())
    assert (changes.voxels_filled, changes.voxels_emptied) == (0, 0)
    assert (changes.objects_split, changes.objects_merged, changes.new_objects) == (0, 0, [])
    assert not filled_map(first, first).any()
    with pytest.raises(ValueError, match="differ"):
        compare_passes(first, first[:2])


def test_scores_of_both_passes_side_by_side() -> None:
    first, refined = _passes()
    gt = np.zeros(SHAPE, np.uint16)
    gt[:, :, :4], gt[:, :, 4:8] = 1, 2  # object 1 includes x 3, which the refinement filled
    gt[:, :, 8:] = 3
    changes = compare_passes(first, refined, gt)
    for scores, seg in ((changes.first_pass, first), (changes.refined, refined)):
        assert scores == {**score_segmentation(seg, gt), "unsegmented": float(np.mean(seg == 0))}
    assert changes.refined["recall"] > changes.first_pass["recall"]  # filled and merged
    assert changes.refined["voi_split"] < changes.first_pass["voi_split"]


def _cells() -> tuple[np.ndarray, np.ndarray]:
    """Bright cells split by a dark membrane at x 20, and a first pass stopping short of it."""
    rng = np.random.default_rng(0)
    image = np.clip(180 + rng.normal(0, 10, (6, 24, 40)), 0, 255).astype(np.uint8)
    image[:, :, 20] = 30
    first = np.zeros(image.shape, np.uint32)
    first[:, :, 2:17], first[:, :, 24:38] = 1, 2
    return first, image


def test_the_real_fill_only_fills() -> None:
    first, image = _cells()
    filled, stats = fill(first, image)
    changes = compare_passes(first, filled)
    assert changes.voxels_filled == stats.voxels_filled + stats.voxels_added > 0
    assert changes.voxels_emptied == 0
    assert (changes.objects_split, changes.objects_merged) == (0, 0)
    assert len(changes.new_objects) == stats.objects_added


def test_the_real_consensus_splits_what_the_reverse_pass_splits() -> None:
    first, _ = _cells()
    reverse = first.copy()
    reverse[3:][first[3:] == 2] = 5  # the reverse pass cuts object 2 at z 3
    reverse[:, :1][first[:, :1] == 1] = 6  # ... and a sliver of 1 below split_min_size
    refined = split_consensus(first, reverse, ConsensusSettings(split_min_size=100))
    changes = compare_passes(first, refined)
    assert list(changes.report.splits) == [2] and changes.report.merges == {}
    assert changes.voxels_emptied == np.count_nonzero(reverse == 6) == 6 * 1 * 15
    assert changes.voxels_filled == 0 and changes.new_objects == []


def test_a_run_refined_by_refine_run(tmp_path) -> None:
    first, image = _cells()
    path = tmp_path / storage.H5_NAME
    storage.write_h5(path, first, np.zeros(first.shape, np.uint8), (0, 0, 0), first.shape, True)
    assert refine_steps(tmp_path) is None
    refine_run(tmp_path, image, ("fill",), Emitter("infer", io.StringIO()))
    assert refine_steps(tmp_path) == ("fill",)
    assert np.array_equal(read_first_pass(tmp_path), first)


def test_each_step_of_a_run_refined_by_the_default_steps_says_what_it_changed(tmp_path) -> None:
    """Agglomerate joins the two halves of cell 1 (the flood of 3 spread over 1), then fill
    grows the segments; the stats read back are those refine_run computed, in that order."""
    first, image = _cells()
    first[:, 12:][first[:, 12:] == 1] = 3  # cell 1 cut in two halves of 6 x 12 x 15 voxels
    path = tmp_path / storage.H5_NAME
    storage.write_h5(path, first, np.zeros(first.shape, np.uint8), (0, 0, 0), first.shape, True)
    overlaps = {3: np.array([[1], [1000]])}  # 3's flood covered 1000 voxels of 1
    storage.save_reference_npz(tmp_path, (0, 0, 0), first, first * 0, {}, overlaps, "", {})
    assert refine_step_stats(tmp_path) == {}  # the first pass, unrefined
    steps = ("agglomerate", "fill")
    result = refine_run(tmp_path, image, steps, Emitter("infer", io.StringIO()))
    stats = refine_step_stats(tmp_path)
    assert stats == result["extra"]["refine"] and list(stats) == list(steps)
    merged = stats["agglomerate"]
    assert (merged["pairs_merged"], merged["objects_before"], merged["objects_after"]) == (1, 3, 2)
    assert merged["voxels_relabelled"] == np.count_nonzero(first == 3)
    with h5py.File(path, "r") as handle:
        refined = handle["segmentation"][...]
    filled = stats["fill"]
    assert (
        filled["voxels_filled"] + filled["voxels_added"]
        == compare_passes(first, refined).voxels_filled
        > 0
    )
    assert (filled["empty_before"], filled["empty_after"]) == (
        np.count_nonzero(first == 0),
        np.count_nonzero(refined == 0),
    )
    assert step_stats_scope(tmp_path) == (first.size, 1)


def test_a_run_refined_before_the_stats_were_kept_has_none(tmp_path) -> None:
    first, image = _cells()
    path = tmp_path / storage.H5_NAME
    storage.write_h5(path, first, np.zeros(first.shape, np.uint8), (0, 0, 0), first.shape, True)
    refine_run(tmp_path, image, ("fill",), Emitter("infer", io.StringIO()))
    with h5py.File(path, "a") as handle:
        del handle["segmentation"].attrs["refine_stats"]
    assert refine_steps(tmp_path) == ("fill",) and refine_step_stats(tmp_path) == {}


def test_stats_of_a_run_in_subvolumes_count_the_voxels_of_each_subvolume(tmp_path) -> None:
    first, _ = _cells()  # 6 x 24 x 40: two subvolumes of 6 x 24 x 24 overlapping by 8 in x
    storage.write_h5(tmp_path / storage.H5_NAME, first, first * 0, (0, 0, 0), first.shape, True)
    plan = plan_subvolumes(((0, 6), (0, 24), (0, 40)), (6, 24, 24), (0, 0, 8))
    (tmp_path / PLAN_NAME).write_text(json.dumps(plan.to_dict()))
    assert step_stats_scope(tmp_path) == (2 * 6 * 24 * 24, 2)
