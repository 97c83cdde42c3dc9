"""The ``export`` stage: an inference run's segmentation for other tools.

Writes the run's bounding-box-sized segmentation (proofreading edits applied) as PNG or
TIFF slices, one multi-page TIFF, or HDF5; its box in the project image is logged and
kept in the HDF5 attributes, and the image's voxel size goes into every file (TIFF
resolution and ImageJ metadata, PNG pixels per metre, HDF5 attributes). The run is read a
chunk layer at a time and written slice by slice, never whole in memory. From Python::

    from ffn_core.stages.export import ExportConfig, export
    export(ExportConfig(run="run1", format="tif", bit_depth=32), Project.open("my_project"))

The writing is :func:`ffn_core.io.export.export_segmentation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter
from ffn_core.io.export import VOXEL_UNIT, RunSegmentation, check_options, export_segmentation
from ffn_core.project import Project
from ffn_core.stages.base import StageConfig, StageResult, reporting

__all__ = ["ExportConfig", "export"]


@dataclass(frozen=True)
class ExportConfig(StageConfig):
    """Which run to export, how, and where.

    ``format`` is one of :data:`ffn_core.io.export.FORMATS`; ``bit_depth`` (8, 16, 32)
    defaults to 16 (32 for hdf5); ``colour`` gives 8-bit RGB with a stable colour per
    segment; ``remap`` renumbers IDs 1..N when they do not fit the bit depth; ``out``
    defaults to ``<project>/exports/<run>-<format>-<depth>``; ``overwrite`` replaces a
    destination folder that is not empty.
    """

    stage: ClassVar[str] = "export"
    run: str
    format: str
    out: str | None = None
    bit_depth: int | None = None
    colour: bool = False
    remap: bool = False
    overwrite: bool = False

    def __post_init__(self) -> None:
        if not self.run:
            raise UserError("No inference run given to export.", "Name the run, e.g. run1.")
        check_options(self.format, self.bit_depth, self.colour)

    @property
    def bits(self) -> int:
        """The bit depth written (8 for colour; the format's default when not given)."""
        return check_options(self.format, self.bit_depth, self.colour)


def export(
    config: ExportConfig,
    project: Project,
    *,
    emit: Emitter | None = None,
    cancel: CancelToken | None = None,
) -> StageResult:
    """Export the segmentation of run ``config.run`` of ``project``.

    Parameters
    ----------
    config : ExportConfig
        Run, format, bit depth, colour, remap, destination and overwrite choice.
    project : Project
        The open project holding ``inference/<run>/segmentation.h5``.
    emit : Emitter, optional
        Receives ``log`` and per-slice ``progress`` (unit ``slices``) records.
    cancel : CancelToken, optional
        Checked per slice; when set, nothing is written and the result is stopped.

    Returns
    -------
    StageResult
        Outputs ``export`` (the folder), and ``tiff`` (tiff-stack) or ``segmentation``
        (hdf5, ``file.h5:segmentation``); ``extra`` holds ``slices``.
    """
    emit, cancel = reporting(config.stage, emit, cancel)
    out = Path(config.out) if config.out else project.path("exports", _default_name(config))
    seg = RunSegmentation(project, config.run)
    attrs = seg.attrs
    if seg.ndim != 3:
        raise UserError(
            f"The segmentation of run '{config.run}' has shape {seg.shape}, not (z, y, x).",
            "Run inference again.",
        )
    voxel = voxel_size(project)
    emit.log(
        f"Exporting run '{config.run}' {seg.shape} (z, y, x) as {config.format}, "
        f"{'8-bit colour' if config.colour else f'{config.bits}-bit grey'}; box start "
        f"(z, y, x) {[int(v) for v in attrs.get('bbox_start_zyx', (0, 0, 0))]}; voxel size "
        f"(z, y, x) {', '.join(f'{v:g}' for v in voxel)} {VOXEL_UNIT}."
    )
    written = export_segmentation(
        seg,
        out,
        config.format,
        bits=config.bits,
        colour=config.colour,
        remap=config.remap,
        overwrite=config.overwrite,
        attrs=attrs,
        voxel_size_zyx=voxel,
        progress=lambda done, total: emit.progress(done, total, "slices"),
        stopped=lambda: cancel.cancelled,
        warn=lambda text: emit.log(text, level="warning"),
    )
    if written is None:
        emit.log("Export stopped; nothing was written.")
        return StageResult(outputs={}, status="stopped")
    outputs = {"export": str(written.resolve())}
    if config.format == "tiff-stack":
        outputs["tiff"] = str((written / "segmentation.tif").resolve())
    elif config.format == "hdf5":
        outputs["segmentation"] = f"{(written / 'segmentation.h5').resolve()}:segmentation"
    return StageResult(outputs=outputs, extra={"slices": int(seg.shape[0])})


def voxel_size(project: Project) -> tuple[float, float, float]:
    """The voxel size (z, y, x) recorded at the import of ``project``'s image; 1, 1, 1 when
    it has none."""
    size = project.data.get("volumes", {}).get("image", {}).get("voxel_size")
    return tuple(float(v) for v in size) if size and len(size) == 3 else (1.0, 1.0, 1.0)  # type: ignore[return-value]


def _default_name(config: ExportConfig) -> str:
    depth = "colour" if config.colour else f"{config.bits}bit"
    return f"{config.run}-{config.format}-{depth}"
