"""The reference's FaceMaxMovementPolicy (``movement.py``, reference §2.4); numpy only.

After every FOV evaluation the policy appends the face-maximum moves of the predicted logits
(:func:`ffn_core.fov.scored_move_offsets`, the rule training's ``max_pred_moves`` uses too),
best first, to a FIFO queue (breadth-first; not a global priority queue). Revisits are prevented
on a δ-lattice centred on the object's seed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np

from ffn_core.fov import Position, scored_move_offsets


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
        for score, offset in scored_move_offsets(logits, self.deltas, self.score_threshold):
            self.queue.append((score, tuple(int(p + o) for p, o in zip(pos, offset))))
