"""Stitching subvolume segmentations on hand-built label volumes.

Each test draws a global label volume, cuts it into a plan's subvolumes with different local IDs
per subvolume (as independent runs number their objects), changes a piece where the test needs a
disagreement, and stitches it back.
"""

from __future__ import annotations

import weakref
from pathlib import Path

import h5py
import numpy as np
import pytest

from ffn_core.errors import UserError
from ffn_core.infer.plan import Plan, plan_subvolumes
from ffn_core.infer.stitch import (
    DEFAULT_CHUNKS,
    Conflict,
    find_equivalences,
    stitch,
)
from ffn_core.zyx import Box, box_shape, box_slices

SEAM = plan_subvolumes(((0, 10), (0, 20), (0, 40)), (10, 20, 24), (0, 0, 8))  # x cut at 20
CORNER = plan_subvolumes(((0, 10), (0, 40), (0, 40)), (10, 24, 24), (0, 8, 8))  # 2×2 in y, x


def _relative(box: Box, origin: Box) -> Box:
    return tuple((a - o, b - o) for (a, b), (o, _) in zip(box, origin))  # type: ignore[return-value]


def cut(volume: np.ndarray, plan: Plan) -> dict[int, np.ndarray]:
    """``volume`` (the plan's box) cut into its subvolumes, relabelled with random local IDs."""
    pieces = {}
    for sub in plan.subvolumes:
        crop = volume[box_slices(_relative(sub.box, plan.box))]
        ids = np.unique(crop[crop != 0])
        lookup = np.zeros(int(volume.max()) + 1, np.uint32)
        rng = np.random.default_rng(sub.index)
        lookup[ids] = rng.choice(np.arange(1, 60_000), len(ids), replace=False)
        pieces[sub.index] = lookup[crop]
    return pieces


class Loader:
    """``load(subvolume)`` over pieces in memory, counting calls and arrays alive at once."""

    def __init__(self, pieces: dict[int, np.ndarray]) -> None:
        self.pieces = pieces
        self.calls: list[int] = []
        self.alive = 0
        self.most_alive = 0

    def __call__(self, sub) -> np.ndarray:
        array = self.pieces[sub.index].copy()
        self.calls.append(sub.index)
        self.alive += 1
        self.most_alive = max(self.most_alive, self.alive)
        weakref.finalize(array, self._freed)
        return array

    def _freed(self) -> None:
        self.alive -= 1


def same_up_to_relabelling(a: np.ndarray, b: np.ndarray) -> bool:
    """One-to-one correspondence between the labels of ``a`` and ``b``, background to background."""
    pairs = np.unique(np.stack([a.ravel(), b.ravel()], axis=1).astype(np.int64), axis=0)
    one_to_one = len(np.unique(pairs[:, 0])) == len(pairs) == len(np.unique(pairs[:, 1]))
    return one_to_one and bool(((pairs[:, 0] == 0) == (pairs[:, 1] == 0)).all())


def stitched(plan: Plan, pieces: dict[int, np.ndarray], path: Path, **kwargs):
    report = stitch(plan, Loader(pieces), path, **kwargs)
    with h5py.File(path, "r") as handle:
        return report, handle["segmentation"][...]


def local_id(pieces: dict[int, np.ndarray], plan: Plan, index: int, zyx) -> int:
    """The local ID that subvolume ``index`` gives the voxel ``zyx`` (relative to the box)."""
    sub = plan.subvolumes[index]
    inside = _relative(sub.box, plan.box)
    return int(pieces[index][tuple(v - a for v, (a, _) in zip(zyx, inside))])


def test_same_up_to_relabelling_tells_splits_and_merges_apart() -> None:
    a = np.array([0, 1, 1, 2, 3])
    assert same_up_to_relabelling(a, np.array([0, 7, 7, 5, 1]))
    assert not same_up_to_relabelling(a, np.array([0, 7, 8, 5, 1]))  # a split
    assert not same_up_to_relabelling(a, np.array([0, 7, 7, 7, 1]))  # a merge
    assert not same_up_to_relabelling(a, np.array([4, 7, 7, 5, 1]))  # background labelled


def test_an_object_crossing_one_seam_is_joined(tmp_path: Path) -> None:
    volume = np.zeros(box_shape(SEAM.box), np.uint32)
    volume[:, 2:10, 4:36] = 1  # crosses the seam
    volume[:, 12:18, 2:12] = 2  # left only
    volume[:, 12:18, 28:38] = 3  # right only
    volume[:, 12:18, 17:23] = 4  # inside the overlap only: seen by both
    report, result = stitched(SEAM, cut(volume, SEAM), tmp_path / "seg.h5")
    assert same_up_to_relabelling(volume, result)
    assert (report.merges, report.segments, report.conflicts) == (2, 4, [])


def test_an_object_at_a_corner_of_four_subvolumes_is_one_object(tmp_path: Path) -> None:
    volume = np.zeros(box_shape(CORNER.box), np.uint32)
    volume[:, 12:28, 12:28] = 1  # around the corner point (y, x) = (20, 20)
    for label, (y, x) in enumerate([(2, 2), (2, 30), (30, 2), (30, 30)], start=2):
        volume[:, y : y + 6, x : x + 6] = label  # one object per quadrant, outside the overlaps
    pieces = cut(volume, CORNER)
    pairs, conflicts = find_equivalences(CORNER, Loader(pieces))
    keys = [(s, local_id(pieces, CORNER, s, (0, 20, 20))) for s in range(4)]
    assert sorted(pairs) == [(keys[a], keys[b]) for a in range(4) for b in range(a + 1, 4)]
    assert conflicts == []
    report, result = stitched(CORNER, pieces, tmp_path / "seg.h5")
    assert same_up_to_relabelling(volume, result)
    assert (report.merges, report.segments) == (3, 5)


def test_objects_that_touch_only_in_an_overlap_stay_apart(tmp_path: Path) -> None:
    volume = np.zeros(box_shape(SEAM.box), np.uint32)
    volume[:, :, :20] = 1
    volume[:, :, 20:] = 2  # the two touch at x = 20, in the overlap x 16..24
    pieces = cut(volume, SEAM)
    left = local_id(pieces, SEAM, 0, (0, 0, 0))
    pieces[0][:, :, 20] = left  # the left subvolume puts their boundary one voxel further right:
    # 200 voxels shared with the right object, a quarter of its 800 in the overlap
    pairs, conflicts = find_equivalences(SEAM, Loader(pieces))
    assert len(pairs) == 2 and conflicts == []  # each object with itself, never with the other
    report, result = stitched(SEAM, pieces, tmp_path / "seg.h5")
    assert same_up_to_relabelling(volume, result)
    assert (report.merges, report.segments) == (2, 2)


def test_an_object_matching_two_is_a_conflict_merged_with_its_best_match_only(
    tmp_path: Path,
) -> None:
    volume = np.zeros(box_shape(SEAM.box), np.uint32)
    volume[:, :, 4:36] = 1
    pieces = cut(volume, SEAM)
    pieces[1][:, 12:][pieces[1][:, 12:] != 0] = 60_001  # the right subvolume splits it at y 12
    whole = (0, local_id(pieces, SEAM, 0, (0, 0, 10)))
    upper, lower = (1, local_id(pieces, SEAM, 1, (0, 0, 20))), (1, 60_001)
    pairs, conflicts = find_equivalences(SEAM, Loader(pieces))
    shared = (10 * 12 * 8, 10 * 8 * 8)  # z × y × the overlap's x
    assert conflicts == [Conflict(whole, ((upper, shared[0]), (lower, shared[1])), upper)]
    assert pairs == [(whole, upper)]
    report, result = stitched(SEAM, pieces, tmp_path / "seg.h5")
    assert (report.merges, report.segments, len(report.conflicts)) == (1, 2, 1)
    assert result[0, 0, 5] == result[0, 0, 30] != result[0, 15, 30] != 0
    assert report.conflicts[0].to_dict() == {
        "object": list(whole),
        "matches": [[*upper, shared[0]], [*lower, shared[1]]],
        "merged_with": list(upper),
    }


def test_a_conflict_whose_best_match_prefers_another_object_merges_nothing() -> None:
    pieces = {sub.index: np.zeros(box_shape(sub.box), np.uint8) for sub in SEAM.subvolumes}
    left, right = pieces[0][:, :, 16:], pieces[1][:, :, :8]  # both views of the overlap
    left[:, :10], left[:, 10:] = 1, 2
    right[:, :4], right[:, 4:] = 4, 3
    # 1 shares 480 voxels with 3 and 320 with 4; 3 shares 800 with 2: 3 prefers 2 to 1
    pairs, conflicts = find_equivalences(SEAM, Loader(pieces))
    assert pairs == [((0, 2), (1, 3))]
    assert conflicts == [
        Conflict((0, 1), (((1, 3), 480), ((1, 4), 320)), None),
        Conflict((1, 3), (((0, 2), 800), ((0, 1), 480)), (0, 2)),
    ]


def test_thresholds_decide_which_pairs_agree() -> None:
    volume = np.zeros(box_shape(SEAM.box), np.uint32)
    volume[:, 2:10, 4:36] = 1  # 640 voxels in the overlap
    pieces = cut(volume, SEAM)
    assert len(find_equivalences(SEAM, Loader(pieces), min_voxels=640)[0]) == 1
    assert find_equivalences(SEAM, Loader(pieces), min_voxels=641) == ([], [])


def test_stitched_cells_equal_the_volume_up_to_relabelling(tmp_path: Path) -> None:
    box = ((0, 12), (0, 50), (0, 50))
    plan = plan_subvolumes(box, (8, 24, 24), (4, 8, 8))  # 2×3×3, the last ones shifted back
    rng = np.random.default_rng(0)
    seeds = rng.uniform(0, 1, (30, 3)) * box_shape(box)
    grid = np.stack(np.meshgrid(*(np.arange(n) for n in box_shape(box)), indexing="ij"), -1)
    cells = np.argmin(((grid[..., None, :] - seeds) ** 2).sum(-1), axis=-1) + 1
    cells[:, 25] = 0  # some background
    report, result = stitched(plan, cut(cells, plan), tmp_path / "seg.h5", min_voxels=1)
    assert same_up_to_relabelling(cells, result)
    assert report.segments == len(np.unique(cells)) - 1


def test_a_one_subvolume_plan_is_written_voxel_for_voxel(tmp_path: Path) -> None:
    box = ((0, 6), (0, 20), (0, 30))
    plan = plan_subvolumes(box)
    volume = np.random.default_rng(1).integers(0, 6, box_shape(box)).astype(np.uint16)
    report, result = stitched(plan, {0: volume}, tmp_path / "seg.h5")
    np.testing.assert_array_equal(result, volume)
    assert (report.merges, report.segments) == (0, 5)


def test_the_file_has_the_box_shape_chunks_attributes_and_ids_in_plan_order(
    tmp_path: Path,
) -> None:
    box = ((2, 12), (5, 45), (7, 47))
    plan = plan_subvolumes(box, (10, 24, 24), (0, 8, 8))
    volume = np.zeros(box_shape(box), np.uint32)
    volume[:, 30:38, 30:38] = 1  # only in the last subvolume
    volume[:, 12:28, 12:28] = 2  # at the corner of all four
    volume[:, 2:8, 30:38] = 3  # only in the second
    pieces = cut(volume, plan)
    path = tmp_path / "run" / "segmentation.h5"
    stitch(plan, Loader(pieces), path, chunks=(4, 16, 16))
    with h5py.File(path, "r") as handle:
        dset = handle["segmentation"]
        first = dset[...]
        assert (dset.shape, dset.dtype, dset.chunks) == ((10, 40, 40), np.uint32, (4, 16, 16))
        assert dset.attrs["bbox_start_zyx"].tolist() == [2, 5, 7]
        assert dset.attrs["bbox_stop_zyx"].tolist() == [12, 45, 47]
        assert bool(dset.attrs["complete"])
    # numbered by first subvolume, then local ID: the corner object first, then the second's
    assert (first[0, 20, 20], first[0, 5, 35], first[0, 35, 35]) == (1, 2, 3)
    assert sorted(p.name for p in path.parent.iterdir()) == ["segmentation.h5"]  # no temp files
    stitch(plan, Loader(pieces), path)
    with h5py.File(path, "r") as handle:
        np.testing.assert_array_equal(handle["segmentation"][...], first)
        assert handle["segmentation"].chunks == tuple(
            min(c, s) for c, s in zip(DEFAULT_CHUNKS, first.shape)
        )


def test_subvolumes_are_read_only_through_load_at_most_two_at_a_time(tmp_path: Path) -> None:
    plan = plan_subvolumes(((0, 20), (0, 40), (0, 40)), (12, 24, 24), (4, 8, 8))  # 2×2×2
    volume = np.zeros(box_shape(plan.box), np.uint32)
    volume[4:16, 12:28, 12:28] = 1
    pieces = cut(volume, plan)
    load = Loader(pieces)
    stitch(plan, load, tmp_path / "seg.h5")
    pairs = 8 * 7 // 2  # every two of a 2×2×2 grid overlap
    assert len(load.calls) == 2 * len(plan.subvolumes) + pairs
    assert sorted(set(load.calls)) == list(range(8))
    assert load.most_alive == 2  # the two subvolumes of an overlap, never more


def test_a_subvolume_of_the_wrong_shape_is_a_user_error(tmp_path: Path) -> None:
    pieces = {sub.index: np.zeros(box_shape(sub.box), np.uint8) for sub in SEAM.subvolumes}
    pieces[1] = pieces[1][:, :, :-1]
    with pytest.raises(UserError) as caught:
        stitch(SEAM, Loader(pieces), tmp_path / "seg.h5")
    assert "0,0,16" in caught.value.message
    assert not (tmp_path / "seg.h5").exists()
