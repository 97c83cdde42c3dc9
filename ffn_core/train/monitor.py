"""What a training run shows: TensorBoard events, ``history.jsonl`` and ``preview.png``.

TensorBoard gets ``loss`` (mean over the last steps), ``steps_per_s``, ``model_busy`` and,
per summary, the reference's eval summaries of finished examples: ``eval/precision``,
``eval/recall``, ``eval/f1``, ``eval/accuracy``, ``eval/specificity``, ``eval/patch_loss``,
``eval/patches`` and images ``final_xy``/``final_xz``/``final_yz`` (label | prediction),
on every backend (:mod:`ffn_core.train.event_file`; skipped, with a log line, where the
``tensorboard`` package is not installed).
"""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path
from typing import Any

import numpy as np

from ffn_core.events import Emitter
from ffn_core.train.event_file import open_event_file
from ffn_core.train.examples import FinishedExample
from ffn_core.train.metrics import eval_metrics
from ffn_core.train.run_config import HISTORY_FILE, PREVIEW_FILE
from ffn_core.train.summaries import PLANES, plane_pairs, preview_image, save_png

LOSS_EVERY = 10  # steps averaged into one loss point
MAX_EXAMPLES = 256  # finished examples kept for one eval summary
MAX_IMAGES = 4


class Monitor:
    """Writes the observable traces of a run into ``run_dir``."""

    def __init__(self, run_dir: Path, threshold: float, emit: Emitter) -> None:
        self.run_dir = Path(run_dir)
        self.threshold = threshold
        self.emit = emit
        self._events = open_event_file(self.run_dir)
        if self._events is None:
            emit.log("TensorBoard is not installed: this run writes no event files.")
        self._losses: list[float] = []
        self._examples: deque[FinishedExample] = deque(maxlen=MAX_EXAMPLES)
        self.latest_eval: dict[str, float] = {}

    def add_loss(self, step: int, loss: float, **rates: float) -> None:
        """Record one step's loss; every ``LOSS_EVERY`` steps write the mean (and ``rates``)."""
        self._losses.append(loss)
        if len(self._losses) < LOSS_EVERY:
            return
        mean = float(np.mean(self._losses))
        self._losses = []
        if self._events:
            self._events.scalars(step, {"loss": mean, **rates})
        self._append_history({"step": step, "loss": mean, **rates})

    def add_examples(self, examples: list[FinishedExample]) -> None:
        """Keep finished examples (the latest ``MAX_EXAMPLES``) for the next eval summary."""
        self._examples.extend(examples)

    def write_eval(self, step: int) -> dict[str, float] | None:
        """Eval metrics, images and preview of the examples since the last call (None if none)."""
        examples = list(self._examples)
        self._examples.clear()
        if not examples:
            return None
        metrics = eval_metrics(
            np.concatenate([e.labels.ravel() for e in examples]),
            np.concatenate([e.logits.ravel() for e in examples]),
            self.threshold,
        )
        metrics["patches"] = float(len(examples))
        shown = examples[-MAX_IMAGES:]
        pairs = [plane_pairs(e.labels, e.logits) for e in shown]
        if self._events:
            self._events.scalars(step, {f"eval/{name}": value for name, value in metrics.items()})
            for plane in PLANES:
                self._events.images(step, f"final_{plane}", [pair[plane] for pair in pairs])
            self._events.flush()
        self._append_history({"step": step, "eval": metrics})
        self.latest_eval = {f"eval_{k}": v for k, v in metrics.items()} | {"eval_step": step}
        self._write_preview(shown[-1])
        return metrics

    def _write_preview(self, example: FinishedExample) -> None:
        image = preview_image(example.labels, example.logits)
        path = save_png(image, self.run_dir / PREVIEW_FILE, scale=max(1, 240 // image.shape[1]))
        self.emit.preview(str(path), kind="training")

    def _append_history(self, record: dict[str, Any]) -> None:
        with open(self.run_dir / HISTORY_FILE, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")

    def close(self) -> None:
        """Close the event file."""
        if self._events:
            self._events.close()
