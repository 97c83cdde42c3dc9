"""The FFN training loop (reference §1.3): a compiled step fed by background threads.

One step (:mod:`ffn_core.train.steps`, on TensorFlow, JAX or PyTorch): ``logits =
model(image, seed)``; ``loss = mean(weights * sigmoid_xent(logits, labels))``; gradients
clipped per element to ±0.7 (the optimizer's ``clipvalue``); SGD (or momentum / Adam) update;
the logits of the same forward pass go back into each example's canvas. Portable checkpoints
every N minutes, on stop and at the end (:mod:`ffn_core.train.checkpointing`: the last few plus
one per hour); a run restarts from its latest checkpoint with the optimizer state on any
backend, or a new run starts from a reference/workbench checkpoint to fine-tune.
"""

from __future__ import annotations

import json
import math
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter
from ffn_core.io.atomic import atomic_write_text
from ffn_core.model.checkpoints import load_weights
from ffn_core.model.convstack import build_convstack
from ffn_core.train.checkpointing import RunCheckpoints
from ffn_core.train.examples import ExampleConfig, TrainVolume
from ffn_core.train.feeder import Batch, BatchFeeder
from ffn_core.train.monitor import Monitor
from ffn_core.train.run_config import CHECKPOINT_DIR, HISTORY_FILE, RunSettings, read_history
from ffn_core.train.steps import distribute, make_train_step
from ffn_core.train.volumes import make_feeder

MAX_GRADIENT_ENTRY = 0.7  # reference max_gradient_entry_mag: per-element clipping


@dataclass
class TrainOutcome:
    """How a call of :meth:`Trainer.train` ended."""

    status: str  # "completed" or "stopped"
    step: int
    checkpoint: str
    steps_per_s: float
    model_busy: float
    loss: float
    devices: int  # devices each step ran on (data parallel when more than one)


def learning_rate(config: RunSettings) -> float | keras.optimizers.schedules.ExponentialDecay:
    """Constant, or (reference HEAD) staircase exponential decay over the optimizer's steps."""
    if config.decay_steps is None:
        return config.learning_rate
    return keras.optimizers.schedules.ExponentialDecay(
        config.learning_rate, config.decay_steps, config.learning_rate_decay_factor, staircase=True
    )


def make_optimizer(config: RunSettings) -> keras.optimizers.Optimizer:
    """The reference's optimizers with its defaults (momentum 0.9, Adam 0.9/0.999/1e-8),
    clipping each gradient entry to ±``MAX_GRADIENT_ENTRY``."""
    rate = learning_rate(config)
    clip = {"clipvalue": MAX_GRADIENT_ENTRY}
    if config.optimizer == "adam":
        return keras.optimizers.Adam(rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8, **clip)
    momentum = 0.9 if config.optimizer == "momentum" else 0.0
    return keras.optimizers.SGD(rate, momentum=momentum, **clip)


def example_config(config: RunSettings) -> ExampleConfig:
    """The example-generation settings of a run."""
    args = config.model_args
    return ExampleConfig(
        args.fov_size_zyx,
        args.deltas_zyx,
        policy=config.fov_policy,
        fov_moves=config.fov_moves,
        threshold=config.threshold,
        seed_pad=config.seed_pad,
        image_mean=config.image_mean,
        image_stddev=config.image_stddev,
        permutable_axes=config.permutable_axes,
        reflectable_axes=config.reflectable_axes,
    )


class Trainer:
    """Trains the model of ``config`` on ``volumes``, on the backend Keras runs on.

    Parameters
    ----------
    config : RunSettings
    run_dir : Path
        The run folder; its ``checkpoints/`` is restored from when present.
    volumes : sequence of TrainVolume
        Image, labels (arrays or h5py datasets) and example centres of each volume
        (:func:`~ffn_core.train.volumes.make_feeder` samples them as the reference does).
    """

    def __init__(
        self,
        config: RunSettings,
        run_dir: Path,
        volumes: Sequence[TrainVolume],
        emit: Emitter,
        cancel: CancelToken | None = None,
    ) -> None:
        self.config = config
        self.run_dir = Path(run_dir)
        self.emit = emit
        self.cancel = cancel or CancelToken()
        keras.utils.set_random_seed(config.seed)  # initial weights follow the run's seed
        self.devices = distribute(config.batch_size)
        if self.devices > 1:
            emit.log(f"Each step runs on {self.devices} devices (data parallel).")
        self.model = build_convstack(config.model_args, config.precision)
        self.optimizer = make_optimizer(config)
        self.optimizer.build(self.model.trainable_variables)
        self.step = 0  # the optimizer's iterations: steps trained since the run began
        self.checkpoints = RunCheckpoints(
            self.run_dir / CHECKPOINT_DIR,
            config.model_args,
            config.keep_checkpoints,
            config.keep_every_hours,
        )
        self._saved: tuple[int, str] | None = None  # step and path of the latest checkpoint
        self._volumes = list(volumes)
        shape = (config.batch_size, *config.model_args.fov_size_zyx)
        self._train_step = make_train_step(self.model, self.optimizer, shape)

    # -- set-up ------------------------------------------------------------------------
    def restore_or_initialize(self) -> str:
        """Resume from the latest checkpoint, else load ``init_checkpoint``.

        Returns what happened, as a line for the log.
        """
        latest = self.checkpoints.latest()
        if latest:
            self.step = self.checkpoints.restore(latest, self.model, self.optimizer)
            self._saved = (self.step, latest)
            if self.config.decay_steps is None:  # a schedule follows the restored step count
                self.optimizer.learning_rate = self.config.learning_rate
            self._truncate_history(self.step)
            message = f"Resumed from {latest} at step {self.step}."
        elif self.config.init_checkpoint:
            source_step = load_weights(self.model, self.config.init_checkpoint)
            message = (
                f"Initialised from {self.config.init_checkpoint} (its step "
                f"{source_step}); this run counts from step 0."
            )
        else:
            message = "Started from random weights (Glorot-uniform, zero biases)."
        self.emit.log(message)
        return message

    def _truncate_history(self, step: int) -> None:
        """Drop history written after ``step`` (steps lost in a crash are trained again) and
        any line a crash cut short."""
        kept = [record for record in read_history(self.run_dir) if record["step"] <= step]
        if kept or (self.run_dir / HISTORY_FILE).is_file():
            atomic_write_text(
                self.run_dir / HISTORY_FILE, "".join(json.dumps(r) + "\n" for r in kept)
            )

    def _make_feeder(self) -> BatchFeeder:
        rng = np.random.default_rng([self.config.seed, self.step])
        return make_feeder(self._volumes, example_config(self.config), self.config.batch_size, rng)

    # -- the loop ----------------------------------------------------------------------
    def save(self) -> str:
        """Write a checkpoint at the current step; returns its path."""
        path = self.checkpoints.save(self.model, self.optimizer, self.step)
        self._saved = (self.step, path)
        self.emit.artifact("checkpoint", path)
        return path

    def train(self) -> TrainOutcome:
        """Train until ``max_steps`` or a stop request; always ends with a checkpoint."""
        config = self.config
        monitor = Monitor(self.run_dir, config.threshold, self.emit)
        feeder = self._make_feeder()
        clock = _Clock(config)
        loss = math.nan
        try:
            while self.step < config.max_steps and not self.cancel.cancelled:
                loss = self._one_step(feeder, clock)
                step = self.step
                monitor.add_examples(feeder.pop_finished())
                rates = {
                    "steps_per_s": clock.steps_per_s(),
                    "model_busy": clock.busy_fraction(),
                    "learning_rate": float(self.optimizer.learning_rate),
                }
                monitor.add_loss(step, loss, **rates)
                if clock.summary_due():
                    monitor.write_eval(step)
                if clock.checkpoint_due():
                    self.save()
                self.emit.progress(
                    step,
                    config.max_steps,
                    "steps",
                    step=step,
                    loss=loss,
                    **rates,
                    **monitor.latest_eval,
                )
        finally:
            feeder.close()
        monitor.add_examples(feeder.pop_finished())
        monitor.write_eval(self.step)
        monitor.close()
        unchanged = self._saved is not None and self._saved[0] == self.step
        checkpoint = self._saved[1] if unchanged else self.save()
        status = "stopped" if self.cancel.cancelled else "completed"
        return TrainOutcome(
            status,
            self.step,
            checkpoint,
            clock.steps_per_s(),
            clock.busy_fraction(),
            loss,
            self.devices,
        )

    def _one_step(self, feeder: BatchFeeder, clock: _Clock) -> float:
        batch: Batch = feeder.next_batch()
        started = time.perf_counter()
        logits, loss = self._train_step(batch.image, batch.seed, batch.labels, batch.weights)
        clock.add_step(time.perf_counter() - started)
        self.step += 1
        if not math.isfinite(loss):
            raise UserError(
                f"The training loss became {loss} at step {self.step}.",
                "Lower the learning rate and resume from the last checkpoint.",
            )
        feeder.give_back(batch, logits)
        return loss


class _Clock:
    """Step rate, model-busy fraction and when the next checkpoint and summary are due."""

    WINDOW = 50

    def __init__(self, config: RunSettings) -> None:
        self._checkpoint_s = config.checkpoint_minutes * 60.0
        self._summary_s = config.summary_seconds
        self._last_checkpoint = self._last_summary = time.monotonic()
        self._ends: deque[float] = deque(maxlen=self.WINDOW)
        self._busy = 0.0
        self._started: float | None = None

    def add_step(self, model_s: float) -> None:
        now = time.monotonic()
        self._ends.append(now)
        if self._started is None:  # the first step traces the function: not counted
            self._started = now
        else:
            self._busy += model_s

    def steps_per_s(self) -> float:
        if len(self._ends) < 2:
            return 0.0
        return (len(self._ends) - 1) / max(self._ends[-1] - self._ends[0], 1e-9)

    def busy_fraction(self) -> float:
        """Share of the wall time (after the first step) spent in the model step."""
        if self._started is None:
            return 0.0
        return self._busy / max(time.monotonic() - self._started, 1e-9)

    def summary_due(self) -> bool:
        return self._due("_last_summary", self._summary_s)

    def checkpoint_due(self) -> bool:
        return self._due("_last_checkpoint", self._checkpoint_s)

    def _due(self, attribute: str, interval: float) -> bool:
        now = time.monotonic()
        if now - getattr(self, attribute) < interval:
            return False
        setattr(self, attribute, now)
        return True
