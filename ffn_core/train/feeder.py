"""Batches of training FOVs prepared in background threads, so the model never waits long.

Two groups of ``batch_size`` :class:`~ffn_core.train.examples.ExampleStream` take turns:
while the model trains on one group's batch, a thread writes the previous logits of the
other group back into its canvases and cuts that group's next FOVs. Every stream still sees
the reference's order (write-back before the next move); only twice as many independent
examples are in flight. numpy only.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from ffn_core.train.examples import ExampleStream, FinishedExample


@dataclass
class Batch:
    """Inputs of one training step, each (B, z, y, x) float32, and the group they came from."""

    image: np.ndarray
    seed: np.ndarray
    labels: np.ndarray
    weights: np.ndarray
    group: int


class BatchFeeder:
    """Hands out batches from two alternating groups of streams.

    Call :meth:`next_batch`, run the model, then :meth:`give_back` with the batch and its
    logits before the batch after next. ``wait_s`` counts the time spent waiting for data.
    """

    def __init__(self, streams: list[ExampleStream]) -> None:
        if len(streams) % 2 or not streams:
            raise ValueError("BatchFeeder needs two equal groups of streams")
        half = len(streams) // 2
        self._groups = [streams[:half], streams[half:]]
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ffn-examples")
        self._finished: list[FinishedExample] = []
        self._lock = threading.Lock()
        self._turn = 0
        self.wait_s = 0.0
        self._pending: list[Future] = [self._pool.submit(self._prepare, g, None) for g in (0, 1)]

    def _prepare(self, group: int, logits: np.ndarray | None) -> Batch:
        streams = self._groups[group]
        if logits is not None:
            for stream, prediction in zip(streams, logits):
                stream.update(prediction)
                done = stream.pop_finished()
                with self._lock:
                    self._finished.extend(done)
        fovs = [stream.next_fov() for stream in streams]
        return Batch(
            image=np.stack([f.image for f in fovs]),
            seed=np.stack([f.seed for f in fovs]),
            labels=np.stack([f.labels for f in fovs]),
            weights=np.stack([f.weights for f in fovs]),
            group=group,
        )

    def next_batch(self) -> Batch:
        """The next prepared batch (waits for it when the threads are behind)."""
        started = time.perf_counter()
        batch = self._pending[self._turn].result()
        self.wait_s += time.perf_counter() - started
        self._turn ^= 1
        return batch

    def give_back(self, batch: Batch, logits: np.ndarray) -> None:
        """Write ``logits`` (B, z, y, x) of ``batch`` back.

        Then start preparing the next batch of its group.
        """
        self._pending[batch.group] = self._pool.submit(self._prepare, batch.group, logits)

    def pop_finished(self) -> list[FinishedExample]:
        """Examples finished since the last call (eval size), for the eval metrics."""
        with self._lock:
            finished, self._finished = self._finished, []
        return finished

    def close(self) -> None:
        """Stop the threads (after the batches under way)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
