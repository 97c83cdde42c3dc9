"""The preprocess page's fields as a :class:`~ffn_core.stages.preprocess.PreprocessConfig`,
and the window radius a model preset advises."""

from __future__ import annotations

from typing import Any

from app.controllers.fields import Fields, number, text
from ffn_core.stages.preprocess import PreprocessConfig, parse_thresholds
from ffn_core.zyx import parse_triple

__all__ = ["preprocess_config"]


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
