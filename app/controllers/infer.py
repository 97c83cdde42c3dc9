"""The infer page's fields as an :class:`~ffn_core.stages.infer.InferConfig`, and the
engine's defaults the page shows for the options it leaves empty."""

from __future__ import annotations

from typing import Any

from app.controllers.fields import Fields, number, text
from ffn_core.infer.canvas import CanvasOptions
from ffn_core.infer.request import InferenceRequest
from ffn_core.stages.infer import OPTION_OVERRIDES, InferConfig
from ffn_core.zyx import format_triple, parse_box, parse_triple

__all__ = ["infer_config", "option_defaults", "option_label"]


def infer_config(fields: Fields, on_exists: str = "ask") -> InferConfig:
    """The config of an inference run from the page's fields.

    Parameters
    ----------
    fields : Fields
        ``checkpoint``, ``request``, ``model_args``, ``bbox`` (``"z0:z1,y0:y1,x0:x1"``),
        ``run``, ``seed_policy`` and the options: the names of
        :data:`~ffn_core.stages.infer.OPTION_OVERRIDES`, ``min_boundary_dist_zyx``
        (``"z,y,x"``), ``checkpoint_interval``, ``image_mean`` and ``image_std``. Empty
        text leaves a value to the request, else the engine's default.
    on_exists : str
        What to do when the run has results (see :data:`~ffn_core.stages.infer.ON_EXISTS`).

    Raises
    ------
    UserError
        No checkpoint, a box or number that cannot be read, an option out of range.
    """
    given: dict[str, Any] = {
        name: number(fields, name, kind, option_label(name))
        for name, kind in OPTION_OVERRIDES.items()
    }
    if bbox := text(fields, "bbox"):
        given["bbox"] = parse_box(bbox, "Box")
    if distance := text(fields, "min_boundary_dist_zyx"):
        given["min_boundary_dist_zyx"] = parse_triple(distance, "min boundary dist", int)
    return InferConfig(
        checkpoint=text(fields, "checkpoint") or "",
        request=text(fields, "request"),
        model_args=text(fields, "model_args"),
        run=text(fields, "run") or InferConfig.run,
        on_exists=on_exists,
        seed_policy=text(fields, "seed_policy"),
        checkpoint_interval=number(
            fields, "checkpoint_interval", float, option_label("checkpoint_interval")
        ),
        image_mean=number(fields, "image_mean", float, option_label("image_mean")),
        image_std=number(fields, "image_std", float, option_label("image_std")),
        **given,
    )


def option_defaults() -> dict[str, str]:
    """The value each option field stands for when left empty (and the request gives none)."""
    options = CanvasOptions()
    defaults = {name: f"{getattr(options, name):g}" for name in OPTION_OVERRIDES}
    defaults["min_boundary_dist_zyx"] = format_triple(options.min_boundary_dist_zyx)
    defaults["checkpoint_interval"] = f"{InferenceRequest().checkpoint_interval:g}"
    return defaults


def option_label(name: str) -> str:
    """The page's label of option ``name``: ``min_boundary_dist_zyx`` -> min boundary dist."""
    return name.removesuffix("_zyx").replace("_", " ")
