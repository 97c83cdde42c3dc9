"""Which stage preset (:mod:`ffn_core.presets`) fits the open project's image, or trained a
run, for pages whose forms start from a preset when the project has no run of their stage."""

from __future__ import annotations

from pathlib import Path

from ffn_core.errors import UserError
from ffn_core.presets import StagePreset, preset_of_model, stage_presets, suggest_preset
from ffn_core.project import Project
from ffn_core.train.run_config import read_run_config

__all__ = ["image_shape", "suggested_preset", "trained_preset"]


def image_shape(project: Project | None) -> tuple[int, ...] | None:
    """The shape (z, y, x) of the project's imported image; None before an import."""
    volume = (project.data.get("volumes", {}) if project else {}).get("image")
    return tuple(volume["shape"]) if volume and volume.get("shape") else None


def suggested_preset(project: Project | None) -> StagePreset | None:
    """The preset :func:`~ffn_core.presets.suggest_preset` picks for the project's image
    (its shape and the voxel size it was imported with); None before an import."""
    shape = image_shape(project)
    if shape is None:
        return None
    voxel_size = project.stage_params("import").get("voxel_size")
    return stage_presets()[suggest_preset(shape, voxel_size)]


def trained_preset(run_dir: Path) -> StagePreset | None:
    """The stage preset whose model the training run in ``run_dir`` trained, if any."""
    try:
        settings = read_run_config(run_dir)
    except UserError:
        return None
    model = settings.model_args if settings is not None else None
    return preset_of_model(model)
