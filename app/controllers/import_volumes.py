"""The import page's fields as an :class:`~ffn_core.stages.import_volumes.ImportConfig`,
and the fields a stored import config fills back in."""

from __future__ import annotations

from typing import Any

from app.controllers.fields import Fields, config_values, text
from ffn_core.stages.import_volumes import ImportConfig
from ffn_core.zyx import parse_triple

__all__ = ["import_config", "import_fields"]


def import_config(fields: Fields) -> ImportConfig:
    """The config of an import from the page's fields.

    Parameters
    ----------
    fields : Fields
        ``images`` and ``labels`` (sources as typed; labels may be empty),
        ``voxel_size_zyx`` (three numbers or ``"z,y,x"``) and ``to_gray`` (bool).

    Raises
    ------
    UserError
        No image source, or a voxel size that is not three positive numbers.
    """
    voxel_size = fields.get("voxel_size_zyx") or ImportConfig.voxel_size_zyx
    return ImportConfig(
        images=text(fields, "images") or "",
        labels=text(fields, "labels"),
        voxel_size_zyx=parse_triple(voxel_size, "Voxel size", float),
        to_gray=bool(fields.get("to_gray")),
    )


def import_fields(config: ImportConfig | None = None) -> dict[str, Any]:
    """The page's fields showing ``config`` (the inverse of :func:`import_config`); without
    one, the defaults (no sources)."""
    values = config_values(config, ImportConfig)
    return {
        "images": values["images"] or "",
        "labels": values["labels"] or "",
        "voxel_size_zyx": values["voxel_size_zyx"],
        "to_gray": values["to_gray"],
    }
