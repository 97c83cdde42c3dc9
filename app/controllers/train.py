"""The train page's fields as a :class:`~ffn_core.stages.train.TrainConfig`, and the fields
a stored training config fills back in."""

from __future__ import annotations

from typing import Any

from app.controllers.compute import compute_fields, compute_values
from app.controllers.fields import Fields, number, number_text, text
from ffn_core.presets import model_preset_name, stage_presets
from ffn_core.stages.train import TrainConfig, run_default

__all__ = ["PRESET_FIELDS", "train_config", "train_fields", "train_preset_fields"]
# settings the page shows in spin boxes or lists: a value always (the default when not given)
_ALWAYS_SHOWN = ("max_steps", "batch_size", "optimizer", "summary_seconds", "precision")
# settings in text fields: empty when not given
_TEXT = ("learning_rate", "learning_rate_decay_factor", "decay_steps")
#: the fields a stage preset sets: the model and the schedule (not the run, nor the compute)
PRESET_FIELDS = ("preset", "model_args", "max_steps", "batch_size", "optimizer", *_TEXT)


def train_config(fields: Fields, resume: bool = False) -> TrainConfig:
    """The config of a training run from the page's fields.

    Parameters
    ----------
    fields : Fields
        ``run``, ``preset``, ``model_args`` (reference JSON; overrides the preset),
        ``max_steps``, ``batch_size``, ``optimizer``, ``learning_rate``,
        ``learning_rate_decay_factor``, ``decay_steps``, ``summary_seconds``,
        ``init_checkpoint``, and what the job computes on: ``backend`` (empty: automatic),
        ``device`` and ``precision`` (:func:`app.controllers.compute.compute_values`); empty
        text leaves a setting to the run or the default.
    resume : bool
        Continue the run with its stored settings: only ``run``, ``max_steps``, ``backend``
        and ``device`` are read (a run may continue on another backend or device).

    Raises
    ------
    UserError
        A field that is not a number where one is needed, or settings the run refuses.
    """
    run = text(fields, "run") or TrainConfig.run
    max_steps = number(fields, "max_steps", int, "Max steps")
    compute = compute_values(fields, precision_default=None)
    if resume:
        return TrainConfig(
            run=run, max_steps=max_steps, backend=compute["backend"], device=compute["device"]
        )
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
        **compute,
    )


def train_fields(config: TrainConfig | None = None) -> dict[str, Any]:
    """The page's fields showing ``config`` (the inverse of :func:`train_config`); without
    one, the defaults of a new run. Settings the page has no field for are left out."""
    config = config or TrainConfig()
    fields: dict[str, Any] = {
        "run": config.run,
        "preset": config.preset or run_default("preset"),
        "model_args": config.model_args.to_json() if config.model_args else "",
        "init_checkpoint": config.init_checkpoint or "",
    }
    for name in _ALWAYS_SHOWN:
        value = getattr(config, name)
        fields[name] = run_default(name) if value is None else value
    fields.update({name: number_text(getattr(config, name)) for name in _TEXT})
    fields.update(compute_fields(config.backend, config.device, fields["precision"]))
    return fields


def train_preset_fields(name: str) -> dict[str, Any]:
    """The fields of :data:`PRESET_FIELDS` showing stage preset ``name``'s model and
    schedule (:func:`ffn_core.presets.stage_presets`): the model as its model preset when
    it is one (``anisotropic``), else as ``model_args``; the decay fields empty for a
    preset without decay."""
    preset = stage_presets()[name]
    model = model_preset_name(preset.model_args)
    config = preset.train_config(**({"model_args": None, "preset": model} if model else {}))
    fields = train_fields(config)
    return {key: fields[key] for key in PRESET_FIELDS}
