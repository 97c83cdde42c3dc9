"""The infer page's fields as an :class:`~ffn_core.stages.infer.InferConfig`, the fields a
stored inference config fills back in, and the engine's defaults the page shows for the
options it leaves empty."""

from __future__ import annotations

import os
import re
from typing import Any

from app.controllers.compute import compute_fields, compute_values
from app.controllers.fields import Fields, config_values, list_text, number, number_text, text
from ffn_core.infer.canvas import CanvasOptions
from ffn_core.infer.request import InferenceRequest
from ffn_core.presets import stage_presets, write_seed_request
from ffn_core.stages.infer import OPTION_OVERRIDES, InferConfig
from ffn_core.zyx import format_box, format_triple, parse_box, parse_triple

__all__ = [
    "PRESET_FIELDS",
    "dashboard_url",
    "infer_config",
    "infer_fields",
    "infer_preset_fields",
    "option_defaults",
    "option_label",
]


# numbers the page gives besides the options
_NUMBERS = ("checkpoint_interval", "image_mean", "image_std")
# triples (z,y,x) and counts; the smallest value of each triple
_MINIMUM = {"min_boundary_dist_zyx": 0, "subvolume_size_zyx": 1, "overlap_zyx": 0}
_TRIPLES = tuple(_MINIMUM)
_COUNTS = ("workers", "threads_per_worker")
#: the fields a stage preset sets (and ``request`` when it brings a seed request)
PRESET_FIELDS = (*OPTION_OVERRIDES, "min_boundary_dist_zyx", "seed_policy")
_DASHBOARD = re.compile(r"dashboard\W+(https?://[^\s'\"<>]+)", re.IGNORECASE)


def infer_config(fields: Fields, on_exists: str = "ask") -> InferConfig:
    """The config of an inference run from the page's fields.

    Parameters
    ----------
    fields : Fields
        ``checkpoint``, ``request``, ``model_args``, ``bbox`` (``"z0:z1,y0:y1,x0:x1"``),
        ``run``, ``seed_policy`` and the options: the names of
        :data:`~ffn_core.stages.infer.OPTION_OVERRIDES`, ``min_boundary_dist_zyx``
        (``"z,y,x"``), ``checkpoint_interval``, ``image_mean`` and ``image_std``; for a run in
        subvolumes on Dask ``subvolume_size_zyx`` and ``overlap_zyx`` (``"z,y,x"``),
        ``workers``, ``threads_per_worker`` and ``scheduler``; what the job computes on:
        ``backend`` (empty: automatic), ``device`` and ``precision``
        (:func:`app.controllers.compute.compute_values`); ``refine`` (the steps of
        :data:`~ffn_core.infer.refine.REFINE_STEPS` run on the first pass; absent: the
        engine's default). Empty text leaves a value to the request, else the engine's
        default.
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
    for name in _TRIPLES:
        if value := text(fields, name):
            given[name] = parse_triple(value, option_label(name), int, minimum=_MINIMUM[name])
    return InferConfig(
        checkpoint=text(fields, "checkpoint") or "",
        request=text(fields, "request"),
        model_args=text(fields, "model_args"),
        run=text(fields, "run") or InferConfig.run,
        on_exists=on_exists,
        seed_policy=text(fields, "seed_policy"),
        scheduler=text(fields, "scheduler"),
        **{name: number(fields, name, float, option_label(name)) for name in _NUMBERS},
        **{name: number(fields, name, int, option_label(name)) for name in _COUNTS},
        **compute_values(fields, InferConfig.precision),
        refine=tuple(fields.get("refine", InferConfig.refine)),
        **given,
    )


def infer_fields(config: InferConfig | None = None) -> dict[str, Any]:
    """The page's fields showing ``config`` (the inverse of :func:`infer_config`, ``on_exists``
    aside); without one, the defaults (no checkpoint, every option empty)."""
    values = config_values(config, InferConfig)
    fields = {name: number_text(values[name]) for name in (*OPTION_OVERRIDES, *_NUMBERS, *_COUNTS)}
    fields.update({name: list_text(values[name]) for name in _TRIPLES})
    fields.update(
        checkpoint=values["checkpoint"] or "",
        request=values["request"] or "",
        model_args=values["model_args"] or "",
        bbox=format_box(values["bbox"]) if values["bbox"] else "",
        run=values["run"],
        seed_policy=values["seed_policy"] or "",
        scheduler=values["scheduler"] or "",
        **compute_fields(values["backend"], values["device"], values["precision"]),
        refine=tuple(values["refine"]),
    )
    return fields


def infer_preset_fields(name: str, folder: str | os.PathLike | None = None) -> dict[str, Any]:
    """The fields of :data:`PRESET_FIELDS` showing stage preset ``name``'s inference options
    (:func:`ffn_core.presets.stage_presets`; empty: the request's, else the default).

    Parameters
    ----------
    name : str
        The stage preset.
    folder : path, optional
        Where the preset's seed request (the demo's seed grid) is written, e.g. the project
        folder; given, and the preset has one, ``request`` names that file. A request the
        user chose is otherwise left as it is (it may hold the model and image statistics).
    """
    preset = stage_presets()[name]
    fields = {key: value for key, value in infer_fields().items() if key in PRESET_FIELDS}
    for key, value in preset.infer.items():  # written as infer_fields writes a config's
        fields[key] = list_text(value) if key in _TRIPLES else number_text(value)
    if folder is not None and (request := write_seed_request(preset, folder)):
        fields["request"] = request
    return fields


def dashboard_url(message: str) -> str | None:
    """The Dask dashboard's address a log line names (``... dashboard http://...``), if any."""
    found = _DASHBOARD.search(message)
    return found.group(1).rstrip(".,;)") if found else None


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
