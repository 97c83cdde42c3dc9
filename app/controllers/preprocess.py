"""The preprocess page's fields as a :class:`~ffn_core.stages.preprocess.PreprocessConfig`,
and the fields a stored preprocess config fills back in."""

from __future__ import annotations

from typing import Any

from app.controllers.fields import Fields, list_text, number, text
from ffn_core.presets import stage_presets
from ffn_core.stages.preprocess import PreprocessConfig, parse_thresholds
from ffn_core.zyx import parse_triple

__all__ = ["PRESET_FIELDS", "preprocess_config", "preprocess_fields", "preprocess_preset_fields"]

#: the fields a stage preset sets (the seed stays the user's)
PRESET_FIELDS = ("thresholds", "lom_radius_xyz", "min_size", "margin_zyx")


def preprocess_config(fields: Fields) -> PreprocessConfig:
    """The config of a preprocess run from the page's fields.

    Parameters
    ----------
    fields : Fields
        ``thresholds`` (``"0.025,0.05,..."``), ``lom_radius_xyz`` (``"x,y,z"``),
        ``min_size``, ``margin_zyx`` (``"z,y,x"``; empty: the radius) and ``seed``; empty
        text takes the engine's default.

    Raises
    ------
    UserError
        A value that is not what the field needs.
    """
    given: dict[str, Any] = {
        "min_size": number(fields, "min_size", int, "min size"),
        "seed": number(fields, "seed", int, "Seed"),
    }
    if thresholds := text(fields, "thresholds"):
        given["thresholds"] = parse_thresholds(thresholds)
    if radius := text(fields, "lom_radius_xyz"):
        given["lom_radius_xyz"] = parse_triple(radius, "lom radius", order="X,Y,Z")
    if margin := text(fields, "margin_zyx"):
        given["margin_zyx"] = parse_triple(margin, "Margin")
    return PreprocessConfig(**{k: v for k, v in given.items() if v is not None})


def preprocess_fields(config: PreprocessConfig | None = None) -> dict[str, Any]:
    """The page's fields showing ``config`` (the inverse of :func:`preprocess_config`);
    without one, the engine's defaults. Settings the page has no field for are left out."""
    config = config or PreprocessConfig()
    return {
        "thresholds": list_text(config.thresholds),
        "lom_radius_xyz": list_text(config.lom_radius_xyz),
        "min_size": config.min_size,
        "margin_zyx": list_text(config.margin_zyx),
        "seed": config.seed,
    }


def preprocess_preset_fields(name: str) -> dict[str, Any]:
    """The fields of :data:`PRESET_FIELDS` showing stage preset ``name``'s settings
    (:func:`ffn_core.presets.stage_presets`); the margin empty: the preset's radius."""
    fields = preprocess_fields(stage_presets()[name].preprocess_config())
    return {key: fields[key] for key in PRESET_FIELDS}
