"""The train page's fields as a :class:`~ffn_core.stages.train.TrainConfig`."""

from __future__ import annotations

from app.controllers.fields import Fields, number, text
from ffn_core.stages.train import TrainConfig

__all__ = ["train_config"]


def train_config(fields: Fields, resume: bool = False) -> TrainConfig:
    """The config of a training run from the page's fields.

    Parameters
    ----------
    fields : Fields
        ``run``, ``preset``, ``model_args`` (reference JSON; overrides the preset),
        ``max_steps``, ``batch_size``, ``optimizer``, ``learning_rate``,
        ``learning_rate_decay_factor``, ``decay_steps``, ``summary_seconds`` and
        ``init_checkpoint``; empty text leaves a setting to the run or the default.
    resume : bool
        Continue the run with its stored settings: only ``run`` and ``max_steps`` are read.

    Raises
    ------
    UserError
        A field that is not a number where one is needed, or settings the run refuses.
    """
    run = text(fields, "run") or "default"
    max_steps = number(fields, "max_steps", int, "Max steps")
    if resume:
        return TrainConfig(run=run, max_steps=max_steps)
    model_args = text(fields, "model_args")
    return TrainConfig(
        run=run,
        preset=None if model_args else text(fields, "preset"),
        model_args=model_args,
        max_steps=max_steps,
        batch_size=number(fields, "batch_size", int, "Batch size"),
        optimizer=text(fields, "optimizer"),
        learning_rate=number(fields, "learning_rate", float, "Learning rate"),
        learning_rate_decay_factor=number(
            fields, "learning_rate_decay_factor", float, "Learning-rate decay factor"
        ),
        decay_steps=number(fields, "decay_steps", int, "Decay every (steps)"),
        summary_seconds=number(fields, "summary_seconds", float, "Summary every (s)"),
        init_checkpoint=text(fields, "init_checkpoint"),
    )
