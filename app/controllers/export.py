"""The export page's fields as an :class:`~ffn_core.stages.export.ExportConfig`."""

from __future__ import annotations

from app.controllers.fields import Fields, number, text
from ffn_core.stages.export import ExportConfig

__all__ = ["export_config"]


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
