"""FOV geometry shared by training and inference (numpy only): positions, the move threshold and
seed pad, and the rules that move a FOV.

Positions and offsets are (z, y, x) voxels. The reference keeps one movement rule,
``movement.get_scored_move_offsets``, for the training policy ``max_pred_moves`` and for
inference's ``FaceMaxMovementPolicy``, and both sort its moves with ``sorted(..., reverse=True)``;
:func:`scored_move_offsets` is that rule, sorted the same way, for both here.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

__all__ = [
    "MOVE_THRESHOLD",
    "SEED_PAD",
    "Position",
    "fixed_shifts",
    "quantize_offset",
    "scored_move_offsets",
]

Position = tuple[int, int, int]

# Probability a FOV's prediction must reach where the FOV moves: training's --threshold and
# inference's move_threshold, which the reference says must match (both default 0.9).
MOVE_THRESHOLD = 0.9
# Probability of voxels not predicted yet: training's --seed_pad and inference's pad_value.
SEED_PAD = 0.05


def scored_move_offsets(
    logits: np.ndarray, deltas_zyx: Sequence[int], threshold: float
) -> list[tuple[float, Position]]:
    """The face-maximum moves of one FOV prediction, best first (reference §2.4).

    The faces are the six planes of the box ``c ± δ`` around the centre ``c`` of ``logits``;
    an axis with δ = 0 has none. A face whose maximum reaches ``threshold`` gives one move.

    Parameters
    ----------
    logits : ndarray
        The FOV's predicted logits (z, y, x).
    deltas_zyx : sequence of int
        The move step per axis.
    threshold : float
        The smallest face maximum that moves (a logit).

    Returns
    -------
    list of (score, offset)
        At most six distinct moves sorted as the reference sorts them, ``sorted(moves,
        reverse=True)``: by score, descending, equal scores by offset, descending. An offset is
        ``±δ`` along the face's axis and, on the other two axes, the position of the face's
        maximum (the first in C order on ties) relative to the face centre.

    Examples
    --------
    >>> logits = np.zeros((3, 5, 5)); logits[1, 2, 4] = 3.0
    >>> scored_move_offsets(logits, (1, 2, 2), threshold=2.0)
    [(3.0, (0, 0, 2))]
    """
    logits = np.asarray(logits)
    deltas = [int(d) for d in deltas_zyx]
    centre = [int(s) // 2 for s in logits.shape]
    box = [slice(c - d, c + d + 1) for c, d in zip(centre, deltas)]
    moves: set[tuple[float, Position]] = set()
    for axis, delta in enumerate(deltas):
        if delta <= 0:
            continue
        for axis_offset in (-delta, delta):
            face_sel = list(box)
            face_sel[axis] = centre[axis] + axis_offset  # type: ignore[call-overload]
            face = logits[tuple(face_sel)]
            face_pos = np.unravel_index(int(face.argmax()), face.shape)
            score = float(face[face_pos])
            if score < threshold:
                continue
            offset = [int(face_pos[0] - face.shape[0] // 2), int(face_pos[1] - face.shape[1] // 2)]
            offset.insert(axis, axis_offset)
            moves.add((score, tuple(offset)))  # type: ignore[arg-type]
    return sorted(moves, reverse=True)


def fixed_shifts(deltas_zyx: Sequence[int]) -> list[Position]:
    """The shifts of ``{-d, 0, +d}`` per axis without ``(0, 0, 0)``: 26 when every delta > 0.

    The candidate moves of training's ``fixed`` policy. Duplicates (an axis with delta 0) are
    dropped, keeping the first occurrence.
    """
    axes = [(-int(d), 0, int(d)) for d in deltas_zyx]
    shifts = dict.fromkeys(s for s in itertools.product(*axes) if any(s))
    return list(shifts)  # type: ignore[arg-type]


def quantize_offset(offset_zyx: Sequence[int], deltas_zyx: Sequence[int]) -> Position:
    """Revisit key of a training offset: ``offset // max(delta, 1)`` per axis (2019 train.py).

    Inference keys positions on a δ-lattice centred on the seed instead
    (:meth:`ffn_core.infer.movement.FaceMaxMovementPolicy.quantize`), as the reference does.
    """
    return tuple(int(o) // max(int(d), 1) for o, d in zip(offset_zyx, deltas_zyx))  # type: ignore
