"""FaceMaxMovementPolicy: face maxima inside c ± δ, score order, FIFO queue, δ-lattice revisits."""

from __future__ import annotations

import numpy as np

from ffn_core.fov import scored_move_offsets
from ffn_core.infer.movement import FaceMaxMovementPolicy


def _logits() -> np.ndarray:
    """9³ logits, centre 4, deltas (2, 2, 2): faces at index 2 and 6 on each axis."""
    x = np.full((9, 9, 9), -10.0, dtype=np.float32)
    x[2, 5, 3] = 5.0  # z- face: lateral (+1, -1)
    x[6, 4, 4] = 3.0  # z+ face: centre
    x[4, 6, 5] = 7.0  # y+ face: lateral z 0, x +1
    x[4, 4, 2] = -1.0  # x- face: below threshold 0
    x[2, 8, 4] = 99.0  # on the z- plane but outside the c ± δ box: ignored
    x[2, 4, 4] = 5.0  # ties with x[2, 5, 3]: argmax takes the first in C order
    return x


def test_face_maxima_inside_the_box_and_over_threshold() -> None:
    moves = scored_move_offsets(_logits(), np.array([2, 2, 2]), threshold=0.0)
    assert moves == [(7.0, (0, 2, 1)), (5.0, (-2, 0, 0)), (3.0, (2, 0, 0))]


def test_candidates_are_appended_fifo_in_descending_score() -> None:
    policy = FaceMaxMovementPolicy((2, 2, 2), score_threshold=0.0)
    policy.reset((20, 20, 20))
    policy.append(99.0, (20, 20, 20))
    assert policy.next_position(lambda p: True) == (20, 20, 20)
    policy.update(_logits(), (20, 20, 20))
    later = np.full((9, 9, 9), -10.0, dtype=np.float32)
    later[4, 4, 6] = 50.0  # x+ face of a second FOV, a higher score than any queued one
    policy.update(later, (18, 20, 20))
    order = [policy.next_position(lambda p: True) for _ in range(3)]
    # FIFO: the first FOV's candidates (by score) come before the later, better one; the
    # z- candidate (18, 20, 20) was visited by the second FOV in between and is skipped.
    assert order == [(20, 22, 21), (22, 20, 20), (18, 20, 22)]
    assert policy.next_position(lambda p: True) is None


def test_quantized_lattice_is_centred_on_the_seed() -> None:
    policy = FaceMaxMovementPolicy((4, 8, 8), score_threshold=0.0)
    policy.reset((10, 10, 10))
    assert policy.quantize((10, 10, 10)) == (0, 0, 0)
    assert policy.quantize((11, 13, 13)) == (0, 0, 0)  # (1,3,3)+(2,4,4) // δ
    assert policy.quantize((12, 14, 14)) == (1, 1, 1)
    assert policy.quantize((8, 6, 6)) == (0, 0, 0)  # (-2,-4,-4)+(2,4,4) = 0
    assert policy.quantize((7, 5, 5)) == (-1, -1, -1)


def test_pop_skips_visited_cells_and_invalid_positions() -> None:
    policy = FaceMaxMovementPolicy((4, 8, 8), score_threshold=0.0)
    policy.reset((10, 10, 10))
    policy.done.add(policy.quantize((10, 10, 10)))
    for pos in [(11, 13, 13), (14, 10, 10), (10, 18, 10)]:
        policy.append(1.0, pos)
    # (11,13,13) is in the seed's visited cell; (14,10,10) is rejected by the canvas check.
    assert policy.next_position(lambda p: p != (14, 10, 10)) == (10, 18, 10)
    assert not policy.queue
