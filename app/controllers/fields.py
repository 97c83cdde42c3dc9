"""Reading a page's field values: text as typed, numbers from spin boxes, ticks as bools;
and writing a config's values back as such fields.

A page hands its controller a plain mapping (:data:`Fields`) from field names to what the
widgets hold; empty text means "not given" (the engine's default or the run's value).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from ffn_core.errors import UserError
from ffn_core.stages import StageConfig
from ffn_core.zyx import format_triple

__all__ = ["Fields", "config_values", "list_text", "number", "number_text", "text"]

Fields = Mapping[str, Any]
Number = TypeVar("Number", int, float)
_NOUNS = {int: ("whole number", "10"), float: ("number", "0.5")}


def text(fields: Fields, key: str) -> str | None:
    """The stripped text of field ``key``; None when it is empty or missing."""
    value = str(fields.get(key) or "").strip()
    return value or None


def number(fields: Fields, key: str, kind: Callable[[str], Number], label: str) -> Number | None:
    """Field ``key`` as an ``int`` or ``float``; None when it is empty or missing.

    Parameters
    ----------
    fields : Fields
    key : str
    kind : int or float
    label : str
        The field's name on the page, used in the error message.

    Raises
    ------
    UserError
        When the field holds something else than a finite number of ``kind``.
    """
    value = fields.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    noun, example = _NOUNS[kind]
    try:
        parsed = kind(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        parsed = None
    if parsed is None or not math.isfinite(parsed):
        raise UserError(
            f"{label} '{value}' is not a {noun}.",
            f"Give a {noun} such as {example}, or leave the field empty.",
        )
    return parsed


def config_values(config: StageConfig | None, cls: type[StageConfig]) -> dict[str, Any]:
    """The values of ``config``'s fields; without a config, the defaults of ``cls`` (None for
    a field without one: what a page shows before anything is stored)."""
    if config is not None:
        return {f.name: getattr(config, f.name) for f in dataclasses.fields(config)}  # type: ignore[arg-type]
    return {
        f.name: None if f.default is dataclasses.MISSING else f.default
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
    }


def number_text(value: float | None) -> str:
    """A number as a text field shows it (``0.5``, ``1800``); empty for None."""
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def list_text(values: tuple[float, ...] | None) -> str:
    """Numbers (a z,y,x triple, thresholds) as a text field shows them (``"0,1,1"``); empty
    for None."""
    return "" if values is None else format_triple(values)
