"""FOV movement geometry (numpy only): fixed shifts and face-maximum move candidates.

Offsets are (z, y, x) voxel vectors relative to the position of the FOV that produced them.
"""
from __future__ import annotations

import itertools
from typing import Sequence

import numpy as np


def fixed_shifts(deltas_zyx: Sequence[int]) -> list[tuple[int, int, int]]:
    """The shifts of ``{-d, 0, +d}`` per axis without ``(0, 0, 0)``: 26 when every delta > 0.

    Duplicates (an axis with delta 0) are dropped, keeping the first occurrence.
    """
    axes = [(-int(d), 0, int(d)) for d in deltas_zyx]
    shifts = dict.fromkeys(s for s in itertools.product(*axes) if any(s))
    return list(shifts)


def face_max_candidates(logits: np.ndarray, deltas_zyx: Sequence[int],
                        threshold_logit: float) -> list[tuple[float, tuple[int, int, int]]]:
    """Face-maximum move candidates of one FOV prediction (reference FaceMaxMovementPolicy).

    Parameters
    ----------
    logits : (z, y, x) array, the FOV prediction.
    deltas_zyx : move step per axis; an axis with delta 0 is never a move axis.
    threshold_logit : a face whose maximum is below this gives no candidate.

    Returns
    -------
    list of (score, offset_zyx), at most 6, sorted by score descending (stable for ties).
    Each offset is ``±delta`` along one axis plus the in-plane position of the face's
    maximum (first in C order) relative to the face centre on the other two axes.
    """
    logits = np.asarray(logits)
    deltas = np.asarray(deltas_zyx, dtype=int)
    centre = np.asarray(logits.shape) // 2
    box = logits[tuple(slice(c - d, c + d + 1) for c, d in zip(centre, deltas))]
    candidates = []
    for axis in range(3):
        if deltas[axis] <= 0:
            continue
        for sign in (-1, 1):
            face = np.take(box, deltas[axis] + sign * deltas[axis], axis=axis)
            flat = int(np.argmax(face))
            score = float(face.flat[flat])
            if score < threshold_logit:
                continue
            lateral = np.unravel_index(flat, face.shape)
            offset = np.insert(np.asarray(lateral) - np.delete(deltas, axis), axis, sign * deltas[axis])
            candidates.append((score, tuple(int(v) for v in offset)))
    return sorted(candidates, key=lambda item: -item[0])


def quantize_offset(offset_zyx: Sequence[int], deltas_zyx: Sequence[int]) -> tuple[int, int, int]:
    """Revisit key of a training offset: ``offset // max(delta, 1)`` per axis (2019 train.py)."""
    return tuple(int(o) // max(int(d), 1) for o, d in zip(offset_zyx, deltas_zyx))
