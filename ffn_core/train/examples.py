"""Training examples as the reference builds them (numpy only; reference document §1.3).

One :class:`ExampleStream` feeds one batch slot: it loads an example around a coordinate
(image and labels at the load size; with several :class:`TrainVolume` s, of the volume
:class:`VolumeSampler` draws), augments it, keeps the example's canvas of seed logits,
hands out one FOV at a time following the ``fixed`` or ``max_pred_moves`` policy, takes the
predicted logits back into the canvas, and reports finished examples cropped to the eval size.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ffn_core.fov import (
    MOVE_THRESHOLD,
    SEED_PAD,
    Position,
    fixed_shifts,
    quantize_offset,
    scored_move_offsets,
)
from ffn_core.logits import logit

POLICIES = ("fixed", "max_pred_moves")
LABEL_SOFTNESS = 0.05
SEED_CENTRE_PROBABILITY = 0.95


def _triple(values: Sequence[int], name: str) -> tuple[int, int, int]:
    result = tuple(int(v) for v in values)
    if len(result) != 3:
        raise ValueError(f"{name} needs three values (z, y, x), got {values!r}")
    return result


@dataclass(frozen=True)
class ExampleConfig:
    """Geometry and options of training examples; sizes are (z, y, x)."""

    fov_size_zyx: tuple[int, int, int]
    deltas_zyx: tuple[int, int, int]
    policy: str = "fixed"
    fov_moves: int = 1
    threshold: float = MOVE_THRESHOLD
    seed_pad: float = SEED_PAD
    image_mean: float = 128.0
    image_stddev: float = 33.0
    permutable_axes: tuple[int, ...] = (1, 2)
    reflectable_axes: tuple[int, ...] = (0, 1, 2)
    shuffle_moves: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "fov_size_zyx", _triple(self.fov_size_zyx, "fov_size_zyx"))
        object.__setattr__(self, "deltas_zyx", _triple(self.deltas_zyx, "deltas_zyx"))
        object.__setattr__(self, "permutable_axes", tuple(int(a) for a in self.permutable_axes))
        object.__setattr__(self, "reflectable_axes", tuple(int(a) for a in self.reflectable_axes))
        if self.policy not in POLICIES:
            raise ValueError(f"policy must be one of {POLICIES}, got {self.policy!r}")
        if self.fov_moves < 1:
            raise ValueError(f"fov_moves must be >= 1, got {self.fov_moves}")
        if len({self.load_size_zyx[a] for a in self.permutable_axes}) > 1:
            raise ValueError(
                f"permutable axes {self.permutable_axes} have different load sizes "
                f"{self.load_size_zyx}"
            )

    @property
    def fov_moves_eff(self) -> int:
        """Moves per direction the load size allows for (max_pred_moves loads one more)."""
        return self.fov_moves + 1 if self.policy == "max_pred_moves" else self.fov_moves

    @property
    def load_size_zyx(self) -> tuple[int, int, int]:
        """Size of the loaded image, labels and canvas: fov + 2·deltas·fov_moves_eff."""
        return tuple(
            f + 2 * d * self.fov_moves_eff for f, d in zip(self.fov_size_zyx, self.deltas_zyx)
        )

    @property
    def eval_size_zyx(self) -> tuple[int, int, int]:
        """Size scored by the eval metrics: fov + 2·deltas·fov_moves."""
        return tuple(f + 2 * d * self.fov_moves for f, d in zip(self.fov_size_zyx, self.deltas_zyx))


@dataclass(frozen=True)
class TrainVolume:
    """One volume to train on: image and labels (z, y, x arrays or h5py datasets) and its
    example centres, (N, 3) z, y, x (may be a memory map)."""

    name: str
    image: Any
    labels: Any
    coords_zyx: Any


class VolumeSampler:
    """Example centres of several volumes, as the reference reads its coordinate list.

    Each draw picks volume k with probability ``shares[k]`` and takes that volume's next
    coordinate, cycling from ``starts[k]``; a single volume is read in order without a draw.
    """

    def __init__(
        self,
        volumes: Sequence[TrainVolume],
        rng: np.random.Generator,
        *,
        shares: Sequence[float] | None = None,
        starts: Sequence[int] | None = None,
    ) -> None:
        if not volumes:
            raise ValueError("VolumeSampler needs at least one volume")
        self._volumes = list(volumes)
        self._coords = [np.asarray(v.coords_zyx, dtype=np.int64).reshape(-1, 3) for v in volumes]
        if any(len(coords) == 0 for coords in self._coords):
            raise ValueError("ExampleStream needs at least one coordinate in every volume")
        starts = [0] * len(volumes) if starts is None else starts
        self._next = [int(s) % len(c) for s, c in zip(starts, self._coords)]
        counts = [len(c) for c in self._coords] if shares is None else shares
        self._shares = np.asarray(counts, dtype=np.float64) / np.sum(counts)
        self._rng = rng

    def next(self) -> tuple[TrainVolume, Position]:
        """The volume and centre (z, y, x) of the next example."""
        k = (
            0
            if len(self._volumes) == 1
            else int(self._rng.choice(len(self._volumes), p=self._shares))
        )
        coords = self._coords[k]
        center = tuple(int(v) for v in coords[self._next[k]])
        self._next[k] = (self._next[k] + 1) % len(coords)
        return self._volumes[k], center


@dataclass
class Fov:
    """Inputs of one training step for one batch slot, each (fz, fy, fx) float32."""

    image: np.ndarray
    seed: np.ndarray
    labels: np.ndarray
    weights: np.ndarray
    offset_zyx: Position = (0, 0, 0)


@dataclass
class FinishedExample:
    """Soft labels and final canvas logits of one example, cropped to the eval size."""

    labels: np.ndarray
    logits: np.ndarray
    center_zyx: Position | None = field(default=None)
    volume: str = ""


def load_patch(volume, center_zyx: Sequence[int], size_zyx: Sequence[int]) -> np.ndarray:
    """Read ``[start, start + size)`` with ``start = center - (size - 1) // 2``.

    ``volume`` is an array or an h5py dataset.
    """
    start = np.asarray(center_zyx, dtype=np.int64) - (np.asarray(size_zyx) - 1) // 2
    stop = start + np.asarray(size_zyx)
    if np.any(start < 0) or np.any(stop > np.asarray(volume.shape[:3])):
        raise ValueError(
            f"patch [{start.tolist()}, {stop.tolist()}) around {list(center_zyx)} "
            f"leaves the volume of shape {tuple(volume.shape)}"
        )
    return np.asarray(volume[tuple(slice(int(a), int(b)) for a, b in zip(start, stop))])


def object_mask(labels: np.ndarray) -> np.ndarray:
    """Voxels of the object at the patch centre (``size // 2``).

    All False when the centre is background.
    """
    centre_id = labels[tuple(np.asarray(labels.shape) // 2)]
    return (labels > 0) & (labels == centre_id)


def random_transform(
    rng: np.random.Generator, permutable_axes: Sequence[int], reflectable_axes: Sequence[int]
) -> tuple[list[int], list[int]]:
    """Draw one axis permutation among ``permutable_axes``.

    Also draws flips (p = 0.5) of ``reflectable_axes``.
    """
    order = [0, 1, 2]
    for axis, source in zip(permutable_axes, rng.permutation(list(permutable_axes))):
        order[axis] = int(source)
    flips = [int(axis) for axis in reflectable_axes if rng.random() < 0.5]
    return order, flips


def apply_transform(volume: np.ndarray, order: Sequence[int], flips: Sequence[int]) -> np.ndarray:
    """Transpose to ``order`` and then flip the (output) axes in ``flips``."""
    return np.ascontiguousarray(np.flip(np.transpose(volume, order), axis=tuple(flips)))


class ExampleStream:
    """Endless training FOVs for one batch slot, cycling through ``coords_zyx`` in order.

    Call :meth:`next_fov`, run the model, then :meth:`update` with its logits before the
    next :meth:`next_fov`: the fixed policy's next move depends on the written-back canvas.
    ``start`` is the index of the first coordinate (spread several streams over the list).
    :meth:`over_volumes` makes a stream whose examples come from several volumes.
    """

    def __init__(
        self,
        image,
        labels,
        coords_zyx,
        config: ExampleConfig,
        rng: np.random.Generator,
        *,
        start: int = 0,
    ) -> None:
        volume = TrainVolume("", image, labels, coords_zyx)
        self._setup(VolumeSampler([volume], rng, starts=[start]), config, rng)

    @classmethod
    def over_volumes(
        cls, sampler: VolumeSampler, config: ExampleConfig, rng: np.random.Generator
    ) -> ExampleStream:
        """A stream whose examples are centred where ``sampler`` says (several volumes)."""
        stream = cls.__new__(cls)
        stream._setup(sampler, config, rng)
        return stream

    def _setup(
        self, sampler: VolumeSampler, config: ExampleConfig, rng: np.random.Generator
    ) -> None:
        self._sampler = sampler
        self.config = config
        self._rng = rng
        self._threshold = float(logit(config.threshold))
        self._load = np.asarray(config.load_size_zyx)
        self._fov = np.asarray(config.fov_size_zyx)
        self._shifts = fixed_shifts(config.deltas_zyx)
        if config.shuffle_moves:
            self._shifts = [self._shifts[i] for i in rng.permutation(len(self._shifts))]
        self._finished: list[FinishedExample] = []
        self._window: tuple[slice, ...] | None = None
        self._awaiting_update = False
        self._start_example()

    @property
    def shifts_zyx(self) -> list[Position]:
        """The fixed policy's shifts in the order this stream tries them."""
        return list(self._shifts)

    def next_fov(self) -> Fov:
        """The next FOV of the current example, starting the next example when this one is done."""
        if self._awaiting_update:
            raise RuntimeError(
                "call update() with the logits of the previous FOV before next_fov()"
            )
        offset = next(self._moves, None)
        if offset is None:
            self._finish_example()
            self._start_example()
            offset = next(self._moves)
        self._window = self._fov_window(offset)
        self._awaiting_update = True
        return Fov(
            image=self._image[self._window].copy(),
            seed=self._canvas[self._window].copy(),
            labels=self._labels[self._window].copy(),
            weights=self._weights[self._window].copy(),
            offset_zyx=offset,
        )

    def update(self, logits: np.ndarray) -> None:
        """Write the logits predicted for the last FOV into the canvas (overwrite)."""
        if not self._awaiting_update:
            raise RuntimeError("update() needs a FOV from next_fov() first")
        self._canvas[self._window] = np.asarray(logits, dtype=np.float32).reshape(tuple(self._fov))
        self._awaiting_update = False

    def pop_finished(self) -> list[FinishedExample]:
        """Examples finished since the last call, cropped to the eval size."""
        finished, self._finished = self._finished, []
        return finished

    def _start_example(self) -> None:
        config = self.config
        self._volume, self._center = self._sampler.next()
        image = load_patch(self._volume.image, self._center, config.load_size_zyx)
        mask = object_mask(load_patch(self._volume.labels, self._center, config.load_size_zyx))
        order, flips = random_transform(self._rng, config.permutable_axes, config.reflectable_axes)
        image = apply_transform(image, order, flips)
        mask = apply_transform(mask, order, flips)
        self._image = (image.astype(np.float32) - np.float32(config.image_mean)) / np.float32(
            config.image_stddev
        )
        self._labels = np.where(mask, 1.0 - LABEL_SOFTNESS, LABEL_SOFTNESS).astype(np.float32)
        self._weights = np.ones(config.load_size_zyx, dtype=np.float32)
        self._canvas = np.full(config.load_size_zyx, logit(config.seed_pad), dtype=np.float32)
        self._canvas[tuple(self._load // 2)] = logit(SEED_CENTRE_PROBABILITY)
        policy = self._fixed_offsets if config.policy == "fixed" else self._max_pred_offsets
        self._moves = policy()

    def _finish_example(self) -> None:
        start = (self._load - np.asarray(self.config.eval_size_zyx)) // 2
        crop = tuple(slice(int(a), int(a + s)) for a, s in zip(start, self.config.eval_size_zyx))
        self._finished.append(
            FinishedExample(
                labels=self._labels[crop].copy(),
                logits=self._canvas[crop].copy(),
                center_zyx=self._center,
                volume=self._volume.name,
            )
        )

    def _fov_window(self, offset: Sequence[int]) -> tuple[slice, ...]:
        start = self._load // 2 + np.asarray(offset) - self._fov // 2
        return tuple(slice(int(a), int(a + s)) for a, s in zip(start, self._fov))

    def _fixed_offsets(self) -> Iterator[Position]:
        """(0,0,0), then each shift whose canvas value at the target is >= logit(threshold)."""
        yield (0, 0, 0)
        centre = self._load // 2
        for shift in self._shifts:
            if self._canvas[tuple(centre + np.asarray(shift))] >= self._threshold:
                yield shift

    def _max_pred_offsets(self) -> Iterator[Position]:
        """Breadth-first over the face-maximum moves of each prediction: the rule inference
        moves by (:func:`ffn_core.fov.scored_move_offsets`), as in the reference."""
        deltas = self.config.deltas_zyx
        limit = self._load // 2 - self._fov // 2
        queue = deque([(0, 0, 0)])
        visited: set[Position] = set()
        while queue:
            offset = queue.popleft()
            key = quantize_offset(offset, deltas)
            if np.any(np.abs(offset) > limit) or key in visited:
                continue
            visited.add(key)
            yield offset
            prediction = self._canvas[self._fov_window(offset)]
            for _, move in scored_move_offsets(prediction, deltas, self._threshold):
                queue.append(tuple(int(o + m) for o, m in zip(offset, move)))
