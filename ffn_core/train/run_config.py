"""Settings of a training run and its folder ``<project>/runs/<name>/`` (no TensorFlow).

The folder holds ``config.json`` (these settings, model_args in the reference's JSON form),
``checkpoints/`` (``ckpt-<step>.weights.h5``, portable: they resume on every backend),
TensorBoard event files, ``history.jsonl`` (loss and eval metrics against steps, for plots) and
``preview.png`` (label | prediction of a finished example).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ffn_core.errors import UserError
from ffn_core.fov import MOVE_THRESHOLD, SEED_PAD
from ffn_core.io.atomic import atomic_write_text
from ffn_core.model.args import PRECISIONS, ModelArgs

CONFIG_FILE = "config.json"
CHECKPOINT_DIR = "checkpoints"
HISTORY_FILE = "history.jsonl"
PREVIEW_FILE = "preview.png"
OPTIMIZERS = ("sgd", "momentum", "adam")
# Settings a resumed run must keep: they shape the model or the optimizer's state.
FIXED_ON_RESUME = ("model_args", "optimizer")


@dataclass(frozen=True)
class RunSettings:
    """Everything that defines a training run (defaults as the reference's train.py)."""

    model_args: ModelArgs
    image_mean: float
    image_stddev: float
    batch_size: int = 4
    optimizer: str = "sgd"
    learning_rate: float = 0.001
    learning_rate_decay_factor: float | None = None  # HEAD: staircase exponential decay,
    decay_steps: int | None = None  # lr * factor ** (step // decay_steps); both or neither
    max_steps: int = 10000
    fov_policy: str = "fixed"
    fov_moves: int = 1
    threshold: float = MOVE_THRESHOLD
    seed_pad: float = SEED_PAD
    permutable_axes: tuple[int, ...] = (1, 2)
    reflectable_axes: tuple[int, ...] = (0, 1, 2)
    checkpoint_minutes: float = 5.0
    keep_checkpoints: int = 5
    keep_every_hours: float = 1.0
    summary_seconds: float = 120.0
    init_checkpoint: str | None = None
    seed: int = 0
    precision: str = "float32"

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise UserError(
                f"Unknown optimizer {self.optimizer!r}.", f"Choose one of {', '.join(OPTIMIZERS)}."
            )
        for name in ("batch_size", "max_steps", "fov_moves", "keep_checkpoints"):
            if int(getattr(self, name)) < 1:
                raise UserError(
                    f"{name} must be at least 1, got {getattr(self, name)}.",
                    f"Give a positive {name}.",
                )
        if self.precision not in PRECISIONS:
            raise UserError(
                f"Unknown precision {self.precision!r}.", f"Choose one of {', '.join(PRECISIONS)}."
            )
        if (self.learning_rate_decay_factor is None) != (self.decay_steps is None):
            raise UserError(
                "A learning-rate decay needs both a decay factor and decay steps.",
                "Give both --learning-rate-decay-factor and --decay-steps, or "
                "neither for a constant learning rate.",
                "Give both a Learning-rate decay factor and Decay every (steps), or neither for a "
                "constant learning rate.",
            )
        if self.decay_steps is not None and not (
            0 < self.learning_rate_decay_factor <= 1 and self.decay_steps >= 1
        ):
            raise UserError(
                f"Decay factor {self.learning_rate_decay_factor} must be in (0, 1] "
                f"and decay steps {self.decay_steps} at least 1.",
                "Check the settings.",
            )
        if not (self.learning_rate > 0 and self.image_stddev > 0):
            raise UserError(
                f"learning_rate ({self.learning_rate}) and image std "
                f"({self.image_stddev}) must be positive.",
                "Check the settings.",
            )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; ``model_args`` in the reference form (x, y, z)."""
        data = dataclasses.asdict(self)
        data["model_args"] = self.model_args.to_reference()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunSettings:
        """Inverse of :meth:`to_dict`; unknown keys are ignored (newer versions may add some)."""
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        values["model_args"] = ModelArgs.from_reference(data["model_args"])
        for key in ("permutable_axes", "reflectable_axes"):
            if key in values:
                values[key] = tuple(values[key])
        return cls(**values)


def read_run_config(run_dir: Path) -> RunSettings | None:
    """The settings stored in ``run_dir``, or None for a new run."""
    path = Path(run_dir) / CONFIG_FILE
    if not path.is_file():
        return None
    try:
        return RunSettings.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise UserError(
            f"{path} is damaged: {exc}.",
            "Start a new run with another --run name.",
            "Start a new run with another Run name.",
        ) from None


def write_run_config(run_dir: Path, config: RunSettings) -> None:
    """Store ``config`` in ``run_dir/config.json`` (atomically)."""
    atomic_write_text(Path(run_dir) / CONFIG_FILE, json.dumps(config.to_dict(), indent=2) + "\n")


def merge_for_resume(stored: RunSettings, given: dict[str, Any], run_dir: Path) -> RunSettings:
    """``stored`` with the explicitly ``given`` settings applied; refuses to change the model.

    ``given`` holds only the settings the user named (None values are ignored).
    """
    given = {k: v for k, v in given.items() if v is not None}
    for key in FIXED_ON_RESUME:
        if key in given and given[key] != getattr(stored, key):
            old = stored.to_dict()[key]
            new = given[key].to_json() if key == "model_args" else given[key]
            raise UserError(
                f"Run {run_dir} was trained with {key} {json.dumps(old)}, not {new}.",
                "Leave it out to continue this run, or start a new run with another --run name.",
                "Set it back to continue this run, or start a new run with another Run name.",
            )
    return dataclasses.replace(stored, **given)


def read_history(run_dir: Path) -> list[dict[str, Any]]:
    """The records of ``run_dir/history.jsonl`` that have a ``step``, in file order.

    A line being written, or cut short by a crash, is skipped.
    """
    path = Path(run_dir) / HISTORY_FILE
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and isinstance(record.get("step"), int):
            records.append(record)
    return records
