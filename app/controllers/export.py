"""The export page's fields as an :class:`~ffn_core.stages.export.ExportConfig`, and the
fields a stored export config fills back in."""

from __future__ import annotations

from typing import Any

from app.controllers.fields import Fields, config_values, number, text
from ffn_core.io.export import FORMATS
from ffn_core.stages.export import ExportConfig

__all__ = ["export_config", "export_fields"]


def export_config(fields: Fields) -> ExportConfig:
    """The config of an export from the page's fields.

    Parameters
    ----------
    fields : Fields
        ``run``, ``format`` (one of :data:`ffn_core.io.export.FORMATS`), ``bit_depth``
        (None: the format's default), ``colour``, ``remap``, ``overwrite`` (bools) and
        ``out`` (empty: ``<project>/exports/<run>-<format>-<depth>``).

    Raises
    ------
    UserError
        No run, or a format and bit depth that do not go together.
    """
    return ExportConfig(
        run=text(fields, "run") or "",
        format=text(fields, "format") or "",
        out=text(fields, "out"),
        bit_depth=number(fields, "bit_depth", int, "Bit depth"),
        colour=bool(fields.get("colour")),
        remap=bool(fields.get("remap")),
        overwrite=bool(fields.get("overwrite")),
    )


def export_fields(config: ExportConfig | None = None) -> dict[str, Any]:
    """The page's fields showing ``config`` (the inverse of :func:`export_config`); without
    one, the defaults (no run; the first format)."""
    values = config_values(config, ExportConfig)
    return {
        "run": values["run"] or "",
        "format": values["format"] or FORMATS[0],
        "bit_depth": values["bit_depth"],
        "colour": values["colour"],
        "remap": values["remap"],
        "overwrite": values["overwrite"],
        "out": values["out"] or "",
    }
