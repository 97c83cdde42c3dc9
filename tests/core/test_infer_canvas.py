"""Canvas rules of reference §2.3/§2.4 on hand-built cases with a fake, position-aware model."""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from ffn_core.infer.canvas import Canvas, CanvasOptions, FovRequest, drive
from ffn_core.logits import logit32

# Every object fits in the FOV at its seed, so its covered region is exactly its mask.
FOV, DELTAS = (5, 11, 11), (1, 3, 3)
SHAPE = (7, 30, 30)
WINDOW = (slice(1, 6), slice(5, 16), slice(5, 16))  # the FOV at (3, 10, 10)


def _box(z: slice, y: slice, x: slice) -> np.ndarray:
    mask = np.zeros(SHAPE, dtype=bool)
    mask[z, y, x] = True
    return mask


def _canvas(seeds: list[tuple[int, int, int]], **options: object) -> Canvas:
    opts = CanvasOptions(**{"min_segment_size": 20, **options})
    canvas = Canvas(np.zeros(SHAPE, np.float32), opts, FOV, DELTAS, "PolicyGrid3d")
    canvas.seed_policy.set_state(np.array(seeds), 0)
    return canvas


def _run(canvas: Canvas, masks: dict[tuple[int, int, int], np.ndarray]) -> None:
    """Answer every FOV with +6 inside the current object's mask and −6 outside."""
    half = np.array(FOV) // 2

    def predict_one(request: FovRequest) -> np.ndarray:
        mask = masks[tuple(int(v) for v in canvas.movement.start)]
        sel = tuple(slice(p - h, p + h + 1) for p, h in zip(request.pos, half))
        assert request.image.shape == request.seed.shape == FOV
        return np.where(mask[sel], 6.0, -6.0).astype(np.float32)

    assert drive(canvas.segment_all(), predict_one)


def test_objects_fill_their_masks_without_overwriting_and_record_overlaps() -> None:
    mask_a = _box(slice(1, 6), slice(1, 12), slice(1, 12))
    mask_b = _box(slice(1, 6), slice(10, 21), slice(1, 12))
    canvas = _canvas([(3, 6, 6), (3, 15, 6)])
    _run(canvas, {(3, 6, 6): mask_a, (3, 15, 6): mask_b})
    seg = canvas.final_segmentation()
    assert np.array_equal(seg == 1, mask_a)
    assert np.array_equal(seg == 2, mask_b & ~mask_a)  # first come, first served
    np.testing.assert_array_equal(canvas.overlaps[2], [[1], [(mask_a & mask_b).sum()]])
    assert canvas.overlaps[1].shape == (2, 0)
    assert canvas.origins[1][0] == (3, 6, 6) and canvas.origins[1][1] > 0
    expected_q = np.digitize(expit(np.float32(6.0)), np.linspace(0, 1, 255))
    assert set(np.unique(canvas.seg_prob[seg > 0])) == {expected_q}
    assert not canvas.seg_prob[seg == 0].any()


def test_small_weak_and_too_close_seeds_are_marked_and_dropped() -> None:
    mask_a = _box(slice(1, 6), slice(1, 12), slice(1, 12))
    small = _box(slice(2, 5), slice(20, 23), slice(20, 23))  # 27 voxels
    nowhere = np.zeros(SHAPE, dtype=bool)  # seed itself fades
    seeds = [(3, 6, 6), (3, 21, 21), (3, 21, 6), (3, 8, 12)]  # last: next to A
    canvas = _canvas(seeds, min_segment_size=28)
    _run(canvas, {(3, 6, 6): mask_a, (3, 21, 21): small, (3, 21, 6): nowhere})
    assert canvas.segmentation[3, 21, 21] == -1 and canvas.segmentation[3, 21, 6] == -1
    assert canvas.segmentation[3, 8, 12] == -1  # min_boundary_dist 1
    assert canvas.counters["invalid_too_small"] == 1
    assert canvas.counters["invalid_weak_seed"] == 1
    assert canvas.counters["skip_boundary_dist"] == 1
    seg = canvas.final_segmentation()
    assert seg.dtype == np.uint32 and set(np.unique(seg)) == {0, 1}  # markers removed
    assert sorted(canvas.origins) == [1]


def test_min_boundary_dist_zero_allows_a_seed_beside_a_segment() -> None:
    mask_a = _box(slice(1, 6), slice(1, 12), slice(1, 12))
    mask_c = _box(slice(1, 6), slice(3, 14), slice(12, 18))
    canvas = _canvas([(3, 6, 6), (3, 8, 12)], min_boundary_dist_zyx=(0, 0, 0))
    _run(canvas, {(3, 6, 6): mask_a, (3, 8, 12): mask_c})
    assert np.array_equal(canvas.final_segmentation() == 2, mask_c)


def _update(canvas: Canvas, pos: tuple[int, int, int], logits: np.ndarray) -> np.ndarray:
    steps = canvas.update_at(pos)
    next(steps)
    try:
        steps.send(logits)
    except StopIteration as stop:
        return stop.value
    raise AssertionError("update_at asked for a second FOV")


def test_pad_value_fills_unknown_voxels_of_the_fov_seed() -> None:
    canvas = _canvas([])
    canvas.seed[3, 10, 10] = 2.0
    steps = canvas.update_at((3, 10, 10))
    request = next(steps)
    assert request.seed[2, 5, 5] == 2.0
    assert np.all(request.seed[request.seed != 2.0] == np.float32(logit32(0.05)))
    steps.close()


def test_freeze_rule_keeps_outside_voxels_from_rising_again() -> None:
    canvas = _canvas([])
    pos = (3, 10, 10)
    old = np.full(FOV, np.nan, dtype=np.float32)
    old[0, 0, 0] = -2.0  # below logit(0.5) = 0: may not rise
    old[0, 0, 1] = 1.0  # above 0: may rise
    old[0, 0, 2] = -1.0  # may fall
    canvas.seed[WINDOW] = old
    new = np.full(FOV, -5.0, dtype=np.float32)
    new[0, 0, :3] = [3.0, 5.0, -3.0]
    new[2, 5, 5] = 4.0  # an unknown (NaN) voxel: never frozen; >= move threshold
    _update(canvas, pos, new.copy())
    got = canvas.seed[WINDOW]
    assert got[0, 0, 0] == -2.0 and got[0, 0, 1] == 5.0 and got[0, 0, 2] == -3.0
    assert got[2, 5, 5] == 4.0
    assert got[4, 10, 10] == -5.0  # overwrite, not max-merge


def test_no_freeze_when_no_output_voxel_reaches_the_move_threshold() -> None:
    canvas = _canvas([])
    canvas.seed[WINDOW] = -2.0
    new = np.full(FOV, -1.0, dtype=np.float32)  # all below logit(0.9)
    assert np.all(_update(canvas, (3, 10, 10), new) == -1.0)
    assert np.all(canvas.seed[WINDOW] == -1.0)


def test_freeze_rule_off_with_negative_disco_threshold() -> None:
    canvas = _canvas([], disco_seed_threshold=-1.0)
    canvas.seed[WINDOW] = -2.0
    new = np.full(FOV, 3.0, dtype=np.float32)
    _update(canvas, (3, 10, 10), new)
    assert np.all(canvas.seed[WINDOW] == 3.0)


def test_thresholds_are_float32_logits() -> None:
    canvas = _canvas([])
    p = float(np.float32(0.9))  # a proto float, then logit, stored as float32 again
    assert canvas.move_threshold == float(np.float32(np.log(p / (1 - p))))
    assert canvas.move_threshold != float(np.log(0.9 / 0.1))
