"""The reference's FaceMaxMovementPolicy (``movement.py``, reference §2.4); numpy only.

After every FOV evaluation the policy looks at the six faces of the box ``c ± δ`` around the
centre ``c`` of the predicted logits, takes the maximum of each face, and appends the faces whose
maximum reaches the score threshold to a FIFO queue, highest score first (breadth-first; not a
global priority queue). Revisits are prevented on a δ-lattice centred on the object's seed.
"""
from __future__ import annotations

from collections import deque
from typing import Any, Callable, Iterator

import numpy as np

Position = tuple[int, int, int]


def scored_face_moves(logits: np.ndarray, deltas_zyx: np.ndarray,
                      threshold: float) -> Iterator[tuple[float, Position]]:
    """Yield ``(score, offset_zyx)`` for every face of ``c ± δ`` whose maximum is >= threshold.

    ``offset`` is ``±δ`` along the face's axis and, on the other two axes, the position of the
    face maximum (first in C order on ties) relative to the face centre.
    """
    centre = np.array(logits.shape) // 2
    box = [slice(c - d, c + d + 1) for c, d in zip(centre, deltas_zyx)]
    seen: set[tuple[float, Position]] = set()
    for axis, delta in enumerate(deltas_zyx):
        if delta == 0:
            continue
        for axis_offset in (-int(delta), int(delta)):
            face_sel = list(box)
            face_sel[axis] = int(centre[axis] + axis_offset)
            face = logits[tuple(face_sel)]
            face_pos = np.unravel_index(int(face.argmax()), face.shape)
            score = face[face_pos]
            if score < threshold:
                continue
            rel = [int(face_pos[0] - face.shape[0] // 2), int(face_pos[1] - face.shape[1] // 2)]
            rel.insert(axis, axis_offset)
            item = (float(score), tuple(rel))
            if item not in seen:
                seen.add(item)
                yield item  # type: ignore[misc]


class FaceMaxMovementPolicy:
    """FIFO queue of FOV positions for one object, with the δ-lattice visited set.

    Parameters
    ----------
    deltas_zyx : sequence of int
        Move step per axis (the model's deltas, z, y, x).
    score_threshold : float
        Minimum face maximum (a logit: ``logit(move_threshold)``) for a move.
    """

    def __init__(self, deltas_zyx: Any, score_threshold: float) -> None:
        self.deltas = np.asarray(deltas_zyx, dtype=np.int64)
        self.score_threshold = score_threshold
        self.reset((0, 0, 0))

    def reset(self, start: Position) -> None:
        """Start a new object at ``start``: empty queue and visited set."""
        self.start = np.asarray(start, dtype=np.int64)
        self.queue: deque[tuple[float, Position]] = deque()
        self.done: set[Position] = set()

    def quantize(self, pos: Any) -> Position:
        """Lattice cell of ``pos``: ``(pos - start + δ//2) // δ`` (δ = 0 counts as 1)."""
        rel = np.asarray(pos, dtype=np.int64) - self.start
        return tuple(int(v) for v in (rel + self.deltas // 2) // np.maximum(self.deltas, 1))

    def append(self, score: float, pos: Position) -> None:
        """Queue ``pos`` (e.g. the object's seed) with ``score``."""
        self.queue.append((score, tuple(int(v) for v in pos)))

    def next_position(self, is_valid: Callable[[Position], bool]) -> Position | None:
        """Pop until a position not yet visited (on the lattice) and ``is_valid``; None if none."""
        while self.queue:
            _, pos = self.queue.popleft()
            if self.quantize(pos) in self.done:
                continue
            if is_valid(pos):
                return pos
        return None

    def update(self, logits: np.ndarray, pos: Position) -> None:
        """Mark ``pos`` visited and queue the face-maximum moves of its FOV ``logits``."""
        self.done.add(self.quantize(pos))
        moves = sorted(scored_face_moves(logits, self.deltas, self.score_threshold),
                       reverse=True)
        for score, offset in moves:
            self.queue.append((score, tuple(int(p + o) for p, o in zip(pos, offset))))
