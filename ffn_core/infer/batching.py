"""Several canvases sharing one batched model call per round (reference §2.7, executor).

Each canvas generator (:meth:`Canvas.segment_all`) has at most one FOV pending; a round stacks
the pending FOVs of all live canvases into one ``predict(images, seeds)`` call and sends each
canvas its own logits. Results equal separate batch-1 runs: a canvas never sees the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ffn_core.infer.canvas import FovRequest, FovSteps


def drive_batched(
    steps: Sequence[FovSteps], predict: Callable[[np.ndarray, np.ndarray], np.ndarray]
) -> int:
    """Run all generators to the end; returns the number of batched model calls."""
    pending: dict[int, FovRequest] = {}
    for index, generator in enumerate(steps):
        try:
            pending[index] = next(generator)
        except StopIteration:
            pass
    calls = 0
    while pending:
        keys = list(pending)
        logits = predict(
            np.stack([pending[k].image for k in keys]), np.stack([pending[k].seed for k in keys])
        )
        calls += 1
        for key, out in zip(keys, logits):
            try:
                pending[key] = steps[key].send(out)
            except StopIteration:
                del pending[key]
    return calls
