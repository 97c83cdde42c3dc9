"""Seed policies of reference §2.2 on synthetic volumes whose seeds follow from the rules."""

from __future__ import annotations

import numpy as np
import pytest

from ffn_core.errors import UserError
from ffn_core.infer.seeds import PolicyFillEmptySpace, PolicyGrid3d, PolicyPeaks, make_seed_policy


def _cells(shape: tuple[int, int, int], period: int = 10) -> np.ndarray:
    """Bright cubic cells separated by one-voxel dark membranes every ``period`` voxels."""
    image = np.ones(shape, dtype=np.float32)
    for axis, size in enumerate(shape):
        index = [slice(None)] * 3
        for m in range(0, size, period):
            index[axis] = m
            image[tuple(index)] = -1.0
    return image


def _drain(policy) -> list[tuple[int, int, int]]:
    out = []
    while (pos := policy.next()) is not None:
        out.append(pos)
    return out


def test_peaks_are_cell_centres_in_raster_order() -> None:
    image = _cells((21, 21, 31))
    policy = PolicyPeaks(image, np.zeros(image.shape, np.int32), margin=(2, 2, 2))
    expected = [(z, y, x) for z in (5, 15) for y in (5, 15) for x in (5, 15, 25)]
    assert _drain(policy) == expected  # sorted by (z, y, x), not by distance


def test_peaks_closer_than_the_margin_to_the_border_are_dropped() -> None:
    image = _cells((21, 21, 31))
    policy = PolicyPeaks(image, np.zeros(image.shape, np.int32), margin=(5, 5, 6))
    # x = 5 has only 5 < 6 voxels of context on the low side; x = 25 needs 25 + 6 < 31.
    assert _drain(policy) == [(z, y, 15) for z in (5, 15) for y in (5, 15)]
    assert policy.total == 12


def test_peaks_skip_already_segmented_voxels() -> None:
    image = _cells((21, 21, 21))
    segmentation = np.zeros(image.shape, np.int32)
    segmentation[:10, :10, :10] = 3
    policy = PolicyPeaks(image, segmentation, margin=(2, 2, 2))
    assert (5, 5, 5) not in _drain(policy)
    assert len(policy.coords) == 7


def test_policy_state_resumes_at_the_saved_index() -> None:
    image = _cells((21, 21, 31))
    first = PolicyPeaks(image, np.zeros(image.shape, np.int32), margin=(2, 2, 2))
    head = [first.next() for _ in range(5)]
    coords, idx = first.get_state()
    second = PolicyPeaks(np.zeros_like(image), np.zeros(image.shape, np.int32), margin=(2, 2, 2))
    second.set_state(coords, idx)
    assert head + _drain(second) == _drain(
        PolicyPeaks(image, np.zeros(image.shape, np.int32), margin=(2, 2, 2))
    )


def test_grid3d_goes_offset_by_offset() -> None:
    image = np.zeros((20, 20, 20), np.float32)
    policy = PolicyGrid3d(
        image, np.zeros(image.shape, np.int32), margin=(0, 0, 0), step=16, offsets=(0, 8)
    )
    coords = _drain(policy)
    assert coords[:8] == [(z, y, x) for z in (0, 16) for y in (0, 16) for x in (0, 16)]
    assert coords[8:] == [(8, 8, 8)]


def test_fill_empty_space_seeds_lie_in_the_unsegmented_part() -> None:
    segmentation = np.ones((21, 21, 21), np.int32)
    segmentation[5:16, 5:16, 5:16] = 0  # one free cube, centre (10, 10, 10)
    policy = PolicyFillEmptySpace(
        np.zeros(segmentation.shape, np.float32), segmentation, margin=(0, 0, 0)
    )
    assert _drain(policy) == [(10, 10, 10)]


def test_unknown_policy_or_argument_is_a_user_error() -> None:
    image = np.zeros((5, 5, 5), np.float32)
    with pytest.raises(UserError, match="PolicyNope"):
        make_seed_policy("PolicyNope", image, image.astype(np.int32), (1, 1, 1))
    with pytest.raises(UserError, match="bogus"):
        make_seed_policy("PolicyPeaks", image, image.astype(np.int32), (1, 1, 1), {"bogus": 1})
