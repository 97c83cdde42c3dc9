"""The reference's inference Canvas (``inference.py``, reference §2.1, §2.3, §2.4); numpy only.

The canvas never calls a model. :meth:`Canvas.segment_all` and :meth:`Canvas.segment_at` are
generators that *yield* a :class:`FovRequest` (image patch and padded seed logits) and expect the
FOV's output logits to be sent back, so one driver can batch the requests of several canvases
into one model call. ``drive(canvas.segment_all(), predict_one)`` runs it with batch 1.

Everything is (z, y, x) in the canvas's (subvolume's) coordinates.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ffn_core.errors import UserError
from ffn_core.fov import MOVE_THRESHOLD, SEED_PAD, Position
from ffn_core.infer.movement import FaceMaxMovementPolicy
from ffn_core.infer.seeds import SeedPolicy, make_seed_policy
from ffn_core.logits import logit32, sigmoid

FovSteps = Generator["FovRequest", np.ndarray, Any]
PROBABILITIES = ("init_activation", "pad_value", "move_threshold", "segment_threshold")


def quantize_probability(prob: np.ndarray) -> np.ndarray:
    """uint8 ``digitize(p, linspace(0, 1, 255))`` (1..255), 0 where ``p`` is NaN."""
    q = np.digitize(prob, np.linspace(0.0, 1.0, 255))
    q[np.isnan(prob)] = 0
    return q.astype(np.uint8)


@dataclass
class FovRequest:
    """One FOV evaluation the canvas needs: ``logits = model(image, seed)`` (both FOV-sized)."""

    pos: Position
    image: np.ndarray
    seed: np.ndarray


@dataclass(frozen=True)
class CanvasOptions:
    """Inference options in probability space (the reference's ``InferenceOptions``).

    The values of :data:`PROBABILITIES` must lie strictly between 0 and 1
    (:class:`~ffn_core.errors.UserError` otherwise).
    """

    init_activation: float = 0.95
    pad_value: float = SEED_PAD
    move_threshold: float = MOVE_THRESHOLD
    segment_threshold: float = 0.6
    min_segment_size: int = 1000
    min_boundary_dist_zyx: tuple[int, int, int] = (1, 1, 1)
    disco_seed_threshold: float = 0.0

    def __post_init__(self) -> None:
        for name in PROBABILITIES:
            if not 0.0 < getattr(self, name) < 1.0:
                raise UserError(
                    f"{name} = {getattr(self, name)} is not a probability in (0, 1).",
                    "Give a value strictly between 0 and 1.",
                )


class Canvas:
    """Segmentation state of one subvolume, filled object by object from seeds.

    Parameters
    ----------
    image : ndarray
        Normalised image ``(raw - mean) / std``, float32 (z, y, x).
    options : CanvasOptions
        Thresholds in probability space (converted to float32 logits here).
    fov_size_zyx, deltas_zyx : sequence of int
        Model geometry (input = output = FOV size).
    seed_policy, seed_policy_args : str, dict
        Reference seed policy class name and its JSON arguments.
    """

    def __init__(
        self,
        image: np.ndarray,
        options: CanvasOptions,
        fov_size_zyx: Any,
        deltas_zyx: Any,
        seed_policy: str = "PolicyPeaks",
        seed_policy_args: dict[str, Any] | None = None,
    ) -> None:
        self.image = np.asarray(image, dtype=np.float32)
        self.shape = self.image.shape
        self.options = options
        self.init_activation = logit32(options.init_activation)
        self.pad_value = logit32(options.pad_value)
        self.move_threshold = logit32(options.move_threshold)
        self.segment_threshold = logit32(options.segment_threshold)
        self.fov_size = np.asarray(fov_size_zyx, dtype=np.int64)
        self.margin = self.fov_size // 2
        self.seed = np.full(self.shape, np.nan, dtype=np.float32)
        self.segmentation = np.zeros(self.shape, dtype=np.int32)
        self.seg_prob = np.zeros(self.shape, dtype=np.uint8)
        self.origins: dict[int, tuple[Position, int, float]] = {}
        self.overlaps: dict[int, np.ndarray] = {}
        self.max_id = 0
        self.counters: Counter[str] = Counter()
        self.movement = FaceMaxMovementPolicy(deltas_zyx, self.move_threshold)
        self.seed_policy: SeedPolicy = make_seed_policy(
            seed_policy, self.image, self.segmentation, self.margin, seed_policy_args
        )
        self.min_pos = self.max_pos = np.zeros(3, dtype=np.int64)
        self._resume_idx = 0
        self._resume_counters: Counter[str] = Counter()

    # -- validity ------------------------------------------------------------------------
    def is_valid_pos(self, pos: Position, ignore_move_threshold: bool = False) -> bool:
        """Enough context for a FOV, not yet segmented, and (unless ignored) seed >= move."""
        if not ignore_move_threshold and self.seed[pos] < self.move_threshold:
            self.counters["skip_threshold"] += 1
            return False
        p = np.asarray(pos)
        if np.any(p - self.margin < 0) or np.any(p + self.margin >= self.shape):
            self.counters["skip_invalid_pos"] += 1
            return False
        if self.segmentation[pos] > 0:
            self.counters["skip_invalid_seg"] += 1
            return False
        return True

    # -- one object ----------------------------------------------------------------------
    def update_at(self, pos: Position) -> Generator[FovRequest, np.ndarray, np.ndarray]:
        """Evaluate the FOV at ``pos`` (yielded) and write its logits into the seed canvas.

        Disconnected-seed rule: when any output voxel reaches the move threshold (fraction >
        ``disco_seed_threshold``), voxels already below logit 0.5 cannot be raised again.
        """
        start = np.asarray(pos) - self.margin
        sel = tuple(slice(s, s + n) for s, n in zip(start, self.fov_size))
        seed = np.array(self.seed[sel])
        seed[np.isnan(seed)] = np.float32(self.pad_value)
        logits = yield FovRequest(pos, self.image[sel], seed)
        logits = np.array(logits, dtype=np.float32).reshape(tuple(self.fov_size))
        self.counters["fov_evals"] += 1
        if self.options.disco_seed_threshold >= 0:
            old = self.seed[sel]
            if np.mean(logits >= self.move_threshold) > self.options.disco_seed_threshold:
                with np.errstate(invalid="ignore"):
                    freeze = (old < 0.0) & (logits > old)
                logits[freeze] = old[freeze]
        self.seed[sel] = logits
        return logits

    def segment_at(self, start: Position) -> Generator[FovRequest, np.ndarray, int]:
        """Flood-fill one object from ``start``; returns the number of FOV evaluations."""
        self.seed[...] = np.nan
        self.seed[start] = np.float32(self.init_activation)
        self.movement.reset(start)
        self.min_pos = self.max_pos = np.asarray(start, dtype=np.int64)
        self.movement.append(2 * self.move_threshold, start)
        iters = 0
        while (pos := self.movement.next_position(self.is_valid_pos)) is not None:
            if self.seed[start] < self.move_threshold:
                self.counters["seed_got_too_weak"] += 1
                break
            logits = yield from self.update_at(pos)
            self.min_pos = np.minimum(self.min_pos, pos)
            self.max_pos = np.maximum(self.max_pos, pos)
            iters += 1
            self.movement.update(logits, pos)
        return iters

    # -- all objects ---------------------------------------------------------------------
    def segment_all(self) -> Generator[FovRequest, np.ndarray, None]:
        """Try every seed of the seed policy in order (resumes at the policy's index)."""
        mbd = np.asarray(self.options.min_boundary_dist_zyx, dtype=np.int64)
        while (pos := self.seed_policy.next()) is not None:
            if not self.is_valid_pos(pos, ignore_move_threshold=True):
                continue
            low = np.asarray(pos) - mbd
            near = self.segmentation[tuple(slice(s, e) for s, e in zip(low, low + 2 * mbd + 1))]
            if np.any(near > 0):
                self.counters["skip_boundary_dist"] += 1
                self.segmentation[pos] = -1
                continue
            self._resume_idx = self.seed_policy.idx - 1
            self._resume_counters = Counter(self.counters)
            started = time.perf_counter()
            iters = yield from self.segment_at(pos)
            self._finish_object(pos, iters, time.perf_counter() - started)
        self._resume_idx = self.seed_policy.idx
        self._resume_counters = Counter(self.counters)

    def _finish_object(self, pos: Position, iters: int, seconds: float) -> None:
        """Turn the seed canvas of a finished flood fill into a segment (reference §2.3)."""
        if iters <= 0:
            self.counters["invalid_other"] += 1
            return
        if self.seed[pos] < self.move_threshold:
            self._mark_failed(pos, "invalid_weak_seed")
            return
        half = self.fov_size // 2
        box = tuple(
            slice(max(int(s), 0), int(e) + 1)
            for s, e in zip(self.min_pos - half, self.max_pos + half)
        )
        seg = self.segmentation[box]
        mask = self.seed[box] >= self.segment_threshold
        ids, counts = np.unique(seg[mask], return_counts=True)
        raw_voxels = int(mask.sum())
        mask &= seg <= 0
        voxels = int(mask.sum())
        if voxels < self.options.min_segment_size:
            self._mark_failed(pos, "invalid_too_small")
            return
        self.max_id += 1
        while self.max_id in self.origins:
            self.max_id += 1
        seg[mask] = self.max_id
        self.seg_prob[box][mask] = quantize_probability(sigmoid(self.seed[box][mask], np.float32))
        self.overlaps[self.max_id] = np.array([ids[ids > 0], counts[ids > 0]])
        self.origins[self.max_id] = (tuple(int(v) for v in pos), int(iters), float(seconds))
        self.counters["voxels_segmented"] += voxels
        self.counters["voxels_overlapping"] += raw_voxels - voxels
        self.counters["segments_created"] += 1

    def _mark_failed(self, pos: Position, counter: str) -> None:
        if self.segmentation[pos] == 0:
            self.segmentation[pos] = -1
        self.counters[counter] += 1

    # -- results and checkpoints ---------------------------------------------------------
    def final_segmentation(self) -> np.ndarray:
        """The segmentation with the −1 markers removed, uint32."""
        return np.where(self.segmentation > 0, self.segmentation, 0).astype(np.uint32)

    def seeds_done(self) -> tuple[int, int]:
        """(seed candidates processed, total candidates) — monotone progress."""
        return self.seed_policy.idx, self.seed_policy.total

    @property
    def resume_index(self) -> int:
        """The seed index a resumed run starts from (the object now being filled is redone)."""
        return self._resume_idx

    def get_state(self) -> dict[str, Any]:
        """Everything needed to resume: the state before the object now being filled."""
        coords, _ = self.seed_policy.get_state()
        return {
            "segmentation": self.segmentation,
            "seg_prob": self.seg_prob,
            "origins": dict(self.origins),
            "overlaps": dict(self.overlaps),
            "max_id": self.max_id,
            "seed_coords": coords,
            "seed_idx": self._resume_idx,
            "counters": dict(self._resume_counters),
        }

    def set_state(self, state: dict[str, Any]) -> None:
        """Restore a :meth:`get_state` snapshot (the next seed is the one it was filling)."""
        self.segmentation[...] = state["segmentation"]
        self.seg_prob[...] = state["seg_prob"]
        self.origins = dict(state["origins"])
        self.overlaps = dict(state["overlaps"])
        self.max_id = int(state["max_id"])
        self.seed_policy.set_state(state["seed_coords"], state["seed_idx"])
        self.counters = Counter(state["counters"])
        self._resume_idx = int(state["seed_idx"])
        self._resume_counters = Counter(self.counters)


def drive(
    steps: FovSteps,
    predict_one: Callable[[FovRequest], np.ndarray],
    after_each: Callable[[], bool] | None = None,
) -> bool:
    """Run a canvas generator, answering each request with ``predict_one``.

    ``after_each`` is called after every FOV; returning True stops early. Returns True when the
    generator finished, False when stopped.
    """
    try:
        request = next(steps)
        while True:
            logits = predict_one(request)
            if after_each is not None and after_each():
                steps.close()
                return False
            request = steps.send(logits)
    except StopIteration:
        return True
