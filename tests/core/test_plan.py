"""Cutting a box into overlapping subvolumes: geometry, ownership, defaults and bad input."""

from __future__ import annotations

import json
from itertools import product

import numpy as np
import pytest

from ffn_core.errors import UserError
from ffn_core.infer.plan import (
    DEFAULT_OVERLAP,
    DEFAULT_SUBVOLUME_SIZE,
    Plan,
    default_overlap,
    plan_subvolumes,
)
from ffn_core.zyx import box_shape, box_slices

ANISOTROPIC_FOV = (17, 33, 33)

GEOMETRIES = [
    # box, size, overlap
    (((0, 100), (0, 256), (0, 256)), (100, 160, 160), (0, 32, 32)),
    (((3, 40), (5, 95), (7, 61)), (16, 30, 20), (4, 7, 5)),  # odd overlaps, offset box
    (((0, 10), (0, 250), (0, 33)), (100, 100, 20), (32, 32, 1)),  # box smaller than size in z
    (((0, 9), (0, 9), (0, 9)), (3, 3, 3), (2, 2, 2)),  # overlap wider than the step
    (((0, 20), (0, 20), (0, 20)), (10, 7, 20), (0, 0, 0)),  # no overlap
]


def _relative(box, origin):
    return tuple((a - o, b - o) for (a, b), (o, _) in zip(box, origin))


def test_no_size_is_one_subvolume_of_the_whole_box() -> None:
    box = ((2, 30), (4, 100), (6, 90))
    plan = plan_subvolumes(box, overlap_zyx=DEFAULT_OVERLAP)
    assert len(plan.subvolumes) == 1
    (sub,) = plan.subvolumes
    assert sub.box == sub.owned == box
    assert (sub.index, sub.grid, sub.corner) == (0, (0, 0, 0), (2, 4, 6))
    assert (plan.size_zyx, plan.overlap_zyx) == ((28, 96, 84), (0, 0, 0))


@pytest.mark.parametrize(("box", "size", "overlap"), GEOMETRIES)
def test_owned_boxes_tile_the_box_exactly(box, size, overlap) -> None:
    plan = plan_subvolumes(box, size, overlap)
    covered = np.zeros(box_shape(box), np.int32)
    inside = np.zeros(box_shape(box), np.int32)
    for sub in plan.subvolumes:
        covered[box_slices(_relative(sub.owned, box))] += 1
        inside[box_slices(_relative(sub.box, box))] += 1
        assert all(b0 <= o0 < o1 <= b1 for (b0, b1), (o0, o1) in zip(sub.box, sub.owned))
    assert (covered == 1).all()
    assert (inside >= 1).all()


@pytest.mark.parametrize(("box", "size", "overlap"), GEOMETRIES)
def test_subvolumes_are_full_size_and_the_last_ends_at_the_box_end(box, size, overlap) -> None:
    plan = plan_subvolumes(box, size, overlap)
    for sub in plan.subvolumes:
        assert box_shape(sub.box) == tuple(min(s, b) for s, b in zip(size, box_shape(box)))
    for axis in range(3):
        starts = sorted({sub.box[axis][0] for sub in plan.subvolumes})
        stops = sorted({sub.box[axis][1] for sub in plan.subvolumes})
        step = size[axis] - overlap[axis]
        assert starts[0] == box[axis][0] and stops[-1] == box[axis][1]
        assert all(b - a == step for a, b in zip(starts[:-1], starts[1:-1]))
        if len(starts) > 1:  # the last one shifted back: closer to the one before
            assert 0 < starts[-1] - starts[-2] <= step


def test_last_subvolume_is_shifted_back_to_the_box_end() -> None:
    plan = plan_subvolumes(((0, 100), (0, 250), (0, 100)), (100, 100, 100), (32, 32, 32))
    assert [sub.box[1] for sub in plan.subvolumes] == [(0, 100), (68, 168), (136, 236), (150, 250)]
    assert [sub.owned[1] for sub in plan.subvolumes] == [(0, 84), (84, 152), (152, 193), (193, 250)]


@pytest.mark.parametrize(("box", "size", "overlap"), GEOMETRIES[1:4])
def test_each_voxel_is_owned_by_the_nearest_centre_ties_to_the_lower_index(
    box, size, overlap
) -> None:
    plan = plan_subvolumes(box, size, overlap)
    centres = np.array([[(a + b) / 2 for a, b in sub.box] for sub in plan.subvolumes])
    owner = np.zeros(box_shape(box), np.int64)
    for sub in plan.subvolumes:
        owner[box_slices(_relative(sub.owned, box))] = sub.index
    voxels = np.stack(np.meshgrid(*(np.arange(a, b) for a, b in box), indexing="ij"), -1)
    distance = ((voxels[..., None, :] + 0.5 - centres) ** 2).sum(axis=-1)
    nearest = np.argmax(distance == distance.min(axis=-1, keepdims=True), axis=-1)
    assert (owner == nearest).all()


def test_plan_order_is_z_major_and_corners_name_the_box_starts() -> None:
    plan = plan_subvolumes(((0, 20), (0, 30), (0, 40)), (10, 20, 30), (0, 10, 20))
    grids = [sub.grid for sub in plan.subvolumes]
    assert grids == sorted(grids) == list(product(range(2), range(2), range(2)))
    assert [sub.index for sub in plan.subvolumes] == list(range(8))
    assert plan.subvolumes[5].corner == (10, 0, 10)


def test_plan_round_trips_through_json() -> None:
    plan = plan_subvolumes(((3, 40), (5, 95), (7, 61)), (16, 30, 20), (4, 7, 5), (5, 9, 9))
    assert Plan.from_dict(json.loads(json.dumps(plan.to_dict()))) == plan


def test_defaults_suit_the_anisotropic_model() -> None:
    assert DEFAULT_OVERLAP == default_overlap(ANISOTROPIC_FOV) == (32, 64, 64)
    assert DEFAULT_SUBVOLUME_SIZE == (100, 320, 320)
    snemi = ((0, 100), (0, 512), (0, 512))
    plan = plan_subvolumes(snemi, DEFAULT_SUBVOLUME_SIZE, DEFAULT_OVERLAP, ANISOTROPIC_FOV)
    assert [sub.box for sub in plan.subvolumes][:2] == [
        ((0, 100), (0, 320), (0, 320)),
        ((0, 100), (0, 320), (192, 512)),
    ]
    assert len(plan.subvolumes) == 4


def test_overlap_not_smaller_than_the_size_is_refused() -> None:
    with pytest.raises(UserError) as caught:
        plan_subvolumes(((0, 100),) * 3, (50, 50, 50), (10, 50, 10))
    assert "--overlap 10,50,10" in caught.value.message
    assert "--subvolume-size 50,50,50" in caught.value.message
    assert "y axis" in caught.value.message
    assert caught.value.hint


def test_size_smaller_than_the_fov_is_refused() -> None:
    with pytest.raises(UserError) as caught:
        plan_subvolumes(((0, 100),) * 3, (16, 64, 64), (0, 0, 0), ANISOTROPIC_FOV)
    assert "--subvolume-size 16,64,64" in caught.value.message
    assert "FOV 17,33,33" in caught.value.message
    plan_subvolumes(((0, 100),) * 3, (17, 33, 33), (0, 0, 0), ANISOTROPIC_FOV)


@pytest.mark.parametrize(
    ("size", "overlap", "named"),
    [
        ((0, 10, 10), (0, 0, 0), "--subvolume-size"),
        ((10, -5, 10), (0, 0, 0), "--subvolume-size"),
        ((10, 10, 10), (0, -1, 0), "--overlap"),
        ((10, 10), (0, 0, 0), "--subvolume-size"),
    ],
)
def test_negative_zero_or_malformed_values_are_refused(size, overlap, named) -> None:
    with pytest.raises(UserError) as caught:
        plan_subvolumes(((0, 100),) * 3, size, overlap)
    assert caught.value.message.startswith(named)
