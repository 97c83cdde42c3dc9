"""A run's checkpoints: portable ``checkpoints/ckpt-<step>.weights.h5`` that resume on any backend.

Each file holds the model's variables under the reference's names, ``model_args``, the step
and the optimizer's variables (:mod:`ffn_core.model.weights_file`), written atomically. The
last ``keep`` files stay, and of the older ones the first of every ``keep_every_hours`` (by
modification time), as ``tf.train.CheckpointManager`` kept them. Runs written before portable
checkpoints hold TensorFlow ones (``ckpt-<step>.index``); those resume on TensorFlow only.
"""

from __future__ import annotations

import re
from pathlib import Path

import keras
import numpy as np

from ffn_core.errors import UserError
from ffn_core.model.args import ModelArgs
from ffn_core.model.checkpoints import (
    load_weights,
    make_checkpoint,
    model_arrays,
    resolve_checkpoint,
)
from ffn_core.model.weights_file import (
    SUFFIX,
    WeightsFile,
    is_weights_file,
    read_weights,
    write_weights,
)

PREFIX = "ckpt-"
_NAME = re.compile(rf"{PREFIX}(\d+){re.escape(SUFFIX)}")


class RunCheckpoints:
    """Saves, prunes and restores the checkpoints in ``folder``.

    Parameters
    ----------
    folder : Path
        The run's ``checkpoints/`` (created on the first save).
    args : ModelArgs
        The model's arguments, stored with every checkpoint.
    keep : int
        How many of the latest checkpoints stay.
    keep_every_hours : float
        Of the older ones, one per this many hours stays.
    """

    def __init__(self, folder: Path, args: ModelArgs, keep: int, keep_every_hours: float) -> None:
        self.folder = Path(folder)
        self.args = args
        self.keep = keep
        self.keep_every_s = keep_every_hours * 3600.0

    def latest(self) -> str | None:
        """The checkpoint of the highest step (portable or TensorFlow), None when there is none."""
        if not self.folder.is_dir():
            return None
        try:
            return resolve_checkpoint(self.folder)
        except UserError:  # an empty folder
            return None

    def save(self, model: keras.Model, optimizer: keras.optimizers.Optimizer, step: int) -> str:
        """Write ``ckpt-<step>.weights.h5`` (model, optimizer, step); returns its path."""
        state = [keras.ops.convert_to_numpy(v) for v in optimizer.variables]
        contents = WeightsFile(self.args, step, model_arrays(model), state)
        path = write_weights(self.folder / f"{PREFIX}{step}{SUFFIX}", contents)
        self._prune()
        return str(path)

    def restore(self, path: str, model: keras.Model, optimizer: keras.optimizers.Optimizer) -> int:
        """Load model and optimizer state from the checkpoint ``path``; returns its step."""
        if not is_weights_file(path):
            return _restore_tensorflow(path, model, optimizer, self.args)
        step = load_weights(model, path)
        state = read_weights(path, optimizer=True).optimizer
        variables = optimizer.variables
        shapes = [tuple(np.shape(a)) for a in state]
        if shapes != [tuple(v.shape) for v in variables]:
            raise UserError(
                f"Checkpoint {path} holds no optimizer state of this run's optimizer "
                f"({len(state)} arrays, the optimizer has {len(variables)}).",
                "Continue the run that wrote it, or start a new run with --init-checkpoint.",
                "Continue the run that wrote it, or start a new run from it as its Init "
                "checkpoint.",
            )
        for variable, array in zip(variables, state):
            variable.assign(array)
        return step

    def _prune(self) -> None:
        """Delete the checkpoints neither among the last ``keep`` nor first of their period."""
        files = sorted(
            (int(match.group(1)), path)
            for path in self.folder.glob(f"{PREFIX}*{SUFFIX}")
            if (match := _NAME.fullmatch(path.name))
        )
        periods = set()
        for _, path in files[: max(len(files) - self.keep, 0)]:
            period = path.stat().st_mtime // self.keep_every_s if self.keep_every_s > 0 else None
            if period is None or period in periods:
                path.unlink()
            periods.add(period)


def _restore_tensorflow(
    prefix: str, model: keras.Model, optimizer: keras.optimizers.Optimizer, args: ModelArgs
) -> int:
    """Resume from a TensorFlow checkpoint of an older run (model, optimizer and step)."""
    if keras.backend.backend() != "tensorflow":
        raise UserError(
            f"The latest checkpoint of this run, {prefix}, is a TensorFlow checkpoint of an "
            "older FFN Workbench; it resumes on TensorFlow only.",
            "Continue the run once with --backend tensorflow (it then writes portable "
            "checkpoints), or start a new run from it with --init-checkpoint.",
            "Continue the run once on TensorFlow (Compute; it then writes portable checkpoints), "
            "or start a new run from it as its Init checkpoint.",
        )
    import tensorflow as tf

    step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
    make_checkpoint(model, args, optimizer, step).restore(prefix).assert_existing_objects_matched()
    return int(step.numpy())
