"""One movement rule for training and inference (reference ``get_scored_move_offsets``)."""

from __future__ import annotations

import numpy as np

from ffn_core.fov import MOVE_THRESHOLD, SEED_PAD, fixed_shifts, scored_move_offsets
from ffn_core.infer.canvas import Canvas, CanvasOptions, FovRequest, drive
from ffn_core.logits import logit
from ffn_core.train.examples import ExampleConfig, ExampleStream
from ffn_core.train.metrics import eval_metrics

FOV, DELTAS = (5, 7, 7), (1, 2, 2)
LOW = -3.0


def test_face_maxima_by_hand():
    logits = np.full(FOV, -5.0)
    logits[2, 3, 5] = 3.0  # +x face (x = 3 + 2), centred
    logits[2, 1, 4] = 4.0  # -y face (y = 3 - 2), one voxel towards +x
    logits[2, 5, 2] = logit(0.9)  # +y face, exactly at the threshold
    logits[0, 3, 3] = 9.0  # outside the box (z delta 1): ignored
    assert scored_move_offsets(logits, DELTAS, logit(0.9)) == [
        (4.0, (0, -2, 1)),
        (3.0, (0, 0, 2)),
        (logit(0.9), (0, 2, -1)),
    ]


def test_equal_scores_are_ordered_by_offset_descending_and_shared_corners_count_once():
    logits = np.full(FOV, -5.0)
    logits[2, 1, 3] = 2.0  # -y face, centred
    logits[2, 3, 5] = 2.0  # +x face, centred
    logits[3, 3, 3] = 2.0  # +z face, centred
    assert scored_move_offsets(logits, DELTAS, 0.0) == [
        (2.0, (1, 0, 0)),
        (2.0, (0, 0, 2)),
        (2.0, (0, -2, 0)),
    ]
    corner = np.full(FOV, -5.0)
    corner[2, 1, 1] = 2.0  # on the -y and the -x face: one move
    assert scored_move_offsets(corner, DELTAS, 0.0) == [(2.0, (0, -2, -2))]


def _field() -> np.ndarray:
    """Logits of a fixed object: a +x bar and a -y bar of equal score from (10, 20, 20)."""
    field = np.full((20, 40, 40), LOW, np.float32)
    field[10, 20, 20:25] = 4.0
    field[10, 16:21, 20] = 4.0
    return field


def test_one_movement_rule_serves_training_and_inference():
    """Training's max_pred_moves and the inference canvas move the same way on one case."""
    field, start = _field(), (10, 20, 20)
    config = ExampleConfig(
        FOV,
        DELTAS,
        policy="max_pred_moves",
        permutable_axes=(),
        reflectable_axes=(),
        image_mean=0.0,
        image_stddev=1.0,
    )
    stream = ExampleStream(
        field, (field > 0).astype(np.int32), [start], config, np.random.default_rng(0)
    )
    training = []
    while not stream.pop_finished():
        fov = stream.next_fov()
        training.append(fov.offset_zyx)
        stream.update(np.where(fov.image > 0, fov.image, LOW))  # the field, seen by the FOV
    training.pop()  # the first FOV of the next example

    canvas = Canvas(field, CanvasOptions(), FOV, DELTAS, "PolicyGrid3d")
    inference = []

    def predict_one(request: FovRequest) -> np.ndarray:
        inference.append(tuple(int(p - s) for p, s in zip(request.pos, start)))
        half = np.array(FOV) // 2
        return field[tuple(slice(p - h, p + h + 1) for p, h in zip(request.pos, half))]

    assert drive(canvas.segment_at(start), predict_one)
    # Equal scores: the larger offset first, (0, 0, 2) before (0, -2, 0), as the reference sorts.
    assert training == inference == [(0, 0, 0), (0, 0, 2), (0, -2, 0), (0, 0, 4), (0, -4, 0)]


def test_training_and_inference_share_the_move_threshold_and_seed_pad():
    config = ExampleConfig(FOV, DELTAS)
    assert CanvasOptions().move_threshold == config.threshold == MOVE_THRESHOLD == 0.9
    assert CanvasOptions().pad_value == config.seed_pad == SEED_PAD == 0.05
    labels, logits = np.array([0.95, 0.05]), np.array([logit(0.9), logit(0.9) - 1e-6])
    assert eval_metrics(labels, logits)["accuracy"] == 1.0  # the same 0.9 by default


def test_fixed_shifts_are_the_26_neighbours():
    shifts = fixed_shifts(DELTAS)
    assert len(shifts) == len(set(shifts)) == 26 and (0, 0, 0) not in shifts
    assert fixed_shifts((0, 2, 2)) == [
        (0, -2, -2),
        (0, -2, 0),
        (0, -2, 2),
        (0, 0, -2),
        (0, 0, 2),
        (0, 2, -2),
        (0, 2, 0),
        (0, 2, 2),
    ]
