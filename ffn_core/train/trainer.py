"""The FFN training loop (reference §1.3): a ``tf.function`` step fed by background threads.

One step: ``logits = model(image, seed)``; ``loss = mean(weights * sigmoid_xent(logits,
labels))``; gradients clipped per element to ±0.7; SGD (or momentum / Adam) update; the logits
of the same forward pass go back into each example's canvas. Checkpoints every N minutes, on
stop and at the end (``tf.train.CheckpointManager``: the last few plus one per hour); a run
restarts from its latest checkpoint with the optimizer state, or a new run starts from a
reference/workbench checkpoint to fine-tune.
"""

from __future__ import annotations

import json
import math
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter
from ffn_core.io.atomic import atomic_write_text
from ffn_core.model.checkpoints import load_weights, make_checkpoint
from ffn_core.model.convstack import build_convstack
from ffn_core.train.examples import ExampleConfig, ExampleStream
from ffn_core.train.feeder import Batch, BatchFeeder
from ffn_core.train.monitor import Monitor
from ffn_core.train.run_config import CHECKPOINT_DIR, HISTORY_FILE, RunSettings, read_history

MAX_GRADIENT_ENTRY = 0.7  # reference max_gradient_entry_mag: per-element clipping
COORDINATE_BLOCK = 1_000_000  # coordinates handed to the streams per (re)start


@dataclass
class TrainOutcome:
    """How a call of :meth:`Trainer.train` ended."""

    status: str  # "completed" or "stopped"
    step: int
    checkpoint: str
    steps_per_s: float
    model_busy: float
    loss: float


def learning_rate(config: RunSettings) -> float | keras.optimizers.schedules.ExponentialDecay:
    """Constant, or (reference HEAD) staircase exponential decay over the optimizer's steps."""
    if config.decay_steps is None:
        return config.learning_rate
    return keras.optimizers.schedules.ExponentialDecay(
        config.learning_rate, config.decay_steps, config.learning_rate_decay_factor, staircase=True
    )


def make_optimizer(config: RunSettings) -> keras.optimizers.Optimizer:
    """The reference's optimizers with its defaults (momentum 0.9, Adam 0.9/0.999/1e-8)."""
    rate = learning_rate(config)
    if config.optimizer == "adam":
        return keras.optimizers.Adam(rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8)
    momentum = 0.9 if config.optimizer == "momentum" else 0.0
    return keras.optimizers.SGD(rate, momentum=momentum)


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


def usable_coordinates(
    coords_zyx: np.ndarray, volume_shape, load_size_zyx, rng: np.random.Generator
) -> np.ndarray:
    """A block of at most ``COORDINATE_BLOCK`` coordinates, starting at a random row, whose
    example (load size) lies inside the volume."""
    count = len(coords_zyx)
    start = int(rng.integers(count)) if count > COORDINATE_BLOCK else 0
    rows = (start + np.arange(min(count, COORDINATE_BLOCK))) % count
    block = np.asarray(coords_zyx[np.sort(rows)], dtype=np.int64)
    low = (np.asarray(load_size_zyx) - 1) // 2
    high = np.asarray(volume_shape[:3]) - np.asarray(load_size_zyx) + low
    inside = np.all((block >= low) & (block <= high), axis=1)
    if not inside.any():
        raise UserError(
            f"None of the {count} training coordinates leaves room for a training example of "
            f"{tuple(load_size_zyx)} voxels (z,y,x) in the volume of {tuple(volume_shape)}.",
            "Run preprocess with a margin of at least half the example size (fov//2 + deltas), "
            "or choose a smaller model.",
        )
    return block[inside]


class Trainer:
    """Trains the model of ``config`` on ``image``/``labels`` (arrays or h5py datasets).

    Parameters
    ----------
    config : RunSettings
    run_dir : Path
        The run folder; its ``checkpoints/`` is restored from when present.
    image, labels : array-like (z, y, x)
    coords_zyx : (N, 3) array of example centres (may be a memory map)
    """

    def __init__(
        self,
        config: RunSettings,
        run_dir: Path,
        image,
        labels,
        coords_zyx,
        emit: Emitter,
        cancel: CancelToken | None = None,
    ) -> None:
        self.config = config
        self.run_dir = Path(run_dir)
        self.emit = emit
        self.cancel = cancel or CancelToken()
        keras.utils.set_random_seed(config.seed)  # initial weights follow the run's seed
        self.model = build_convstack(config.model_args, config.precision)
        self.optimizer = make_optimizer(config)
        self.optimizer.build(self.model.trainable_variables)
        self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
        self.manager = tf.train.CheckpointManager(
            make_checkpoint(self.model, config.model_args, self.optimizer, self.step),
            str(self.run_dir / CHECKPOINT_DIR),
            max_to_keep=config.keep_checkpoints,
            keep_checkpoint_every_n_hours=config.keep_every_hours,
            checkpoint_name="ckpt",
        )
        self._volumes = (image, labels)
        self._coords = coords_zyx
        self._train_step = self._make_train_step()

    # -- set-up ------------------------------------------------------------------------
    def restore_or_initialize(self) -> str:
        """Resume from the latest checkpoint, else load ``init_checkpoint``.

        Returns what happened, as a line for the log.
        """
        latest = self.manager.latest_checkpoint
        if latest:
            self.manager.checkpoint.restore(latest).assert_existing_objects_matched()
            if self.config.decay_steps is None:  # a schedule follows the restored step count
                self.optimizer.learning_rate = self.config.learning_rate
            self._truncate_history(int(self.step.numpy()))
            message = f"Resumed from {latest} at step {int(self.step.numpy())}."
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
        examples = example_config(self.config)
        image, labels = self._volumes
        rng = np.random.default_rng([self.config.seed, int(self.step.numpy())])
        coords = usable_coordinates(self._coords, image.shape, examples.load_size_zyx, rng)
        count = 2 * self.config.batch_size
        streams = [
            ExampleStream(
                image,
                labels,
                coords,
                examples,
                np.random.default_rng(rng.integers(2**63)),
                start=i * len(coords) // count,
            )
            for i in range(count)
        ]
        return BatchFeeder(streams)

    def _make_train_step(self):
        spec = tf.TensorSpec(
            (self.config.batch_size, *self.config.model_args.fov_size_zyx), tf.float32
        )
        model, optimizer, step = self.model, self.optimizer, self.step

        @tf.function(input_signature=[spec] * 4)
        def train_step(image, seed, labels, weights):
            with tf.GradientTape() as tape:
                logits = model([image[..., None], seed[..., None]], training=True)[..., 0]
                xent = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
                loss = tf.reduce_mean(weights * xent)
            variables = model.trainable_variables
            gradients = tape.gradient(loss, variables)
            gradients = [
                tf.clip_by_value(g, -MAX_GRADIENT_ENTRY, MAX_GRADIENT_ENTRY) for g in gradients
            ]
            optimizer.apply_gradients(zip(gradients, variables))
            step.assign_add(1)
            return logits, loss

        return train_step

    # -- the loop ----------------------------------------------------------------------
    def save(self) -> str:
        """Write a checkpoint at the current step; returns its prefix."""
        path = self.manager.save(checkpoint_number=int(self.step.numpy()))
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
            while int(self.step.numpy()) < config.max_steps and not self.cancel.cancelled:
                loss = self._one_step(feeder, clock)
                step = int(self.step.numpy())
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
        monitor.write_eval(int(self.step.numpy()))
        monitor.close()
        latest = self.manager.latest_checkpoint
        unchanged = latest and latest.endswith(f"-{int(self.step.numpy())}")
        checkpoint = latest if unchanged else self.save()
        status = "stopped" if self.cancel.cancelled else "completed"
        return TrainOutcome(
            status,
            int(self.step.numpy()),
            checkpoint,
            clock.steps_per_s(),
            clock.busy_fraction(),
            loss,
        )

    def _one_step(self, feeder: BatchFeeder, clock: _Clock) -> float:
        batch: Batch = feeder.next_batch()
        started = time.perf_counter()
        logits, loss = self._train_step(batch.image, batch.seed, batch.labels, batch.weights)
        logits, loss = logits.numpy(), float(loss)
        clock.add_step(time.perf_counter() - started)
        if not math.isfinite(loss):
            raise UserError(
                f"The training loss became {loss} at step {int(self.step.numpy())}.",
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
