"""The ``import`` stage: image (and label) stacks into ``<project>/volumes/*.h5``.

From Python::

    from ffn_core.stages.import_volumes import ImportConfig, import_volumes
    import_volumes(ImportConfig("em/", labels="gt/", voxel_size_zyx=(30, 6, 6)),
                   Project.open_or_create("my_project"))

The work is :func:`ffn_core.io.importer.import_stacks`; this module checks the options
and records them as the project's import parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter
from ffn_core.io.importer import import_stacks
from ffn_core.project import MAIN_VOLUME, Project, check_volume_name
from ffn_core.stages.base import StageConfig, StageResult, reporting
from ffn_core.zyx import parse_triple

__all__ = ["ImportConfig", "import_volumes"]


@dataclass(frozen=True)
class ImportConfig(StageConfig):
    """What to import: image source, optional label source, voxel size (z, y, x).

    A source is a folder of PNG/TIFF slices, a multi-page TIFF or ``file.h5:dataset``;
    ``to_gray`` converts RGB(A) images to gray (0.299 R + 0.587 G + 0.114 B). ``volume``
    names a further image/labels pair of the project (e.g. a second stack to train on too);
    the default is the project's own.
    """

    stage: ClassVar[str] = "import"
    creates_project: ClassVar[bool] = True
    images: str
    labels: str | None = None
    voxel_size_zyx: tuple[float, float, float] = (1.0, 1.0, 1.0)
    to_gray: bool = False
    volume: str = MAIN_VOLUME

    def __post_init__(self) -> None:
        check_volume_name(self.volume)
        if not self.images:
            raise UserError(
                "No image stack given.",
                "Give a folder of PNG/TIFF slices, a multi-page TIFF or file.h5:dataset.",
            )
        object.__setattr__(
            self, "voxel_size_zyx", parse_triple(self.voxel_size_zyx, "--voxel-size", float)
        )


def import_volumes(
    config: ImportConfig,
    project: Project,
    *,
    emit: Emitter | None = None,
    cancel: CancelToken | None = None,
) -> StageResult:
    """Import the stacks of ``config`` into ``project`` and register them.

    Parameters
    ----------
    config : ImportConfig
        Sources, voxel size (z, y, x) and the to-gray choice.
    project : Project
        The open project; volumes go to ``<project>/volumes/``.
    emit : Emitter, optional
        Receives ``log``, ``artifact`` and per-slice ``progress`` (unit ``slices``) records.
    cancel : CancelToken, optional
        Polled before every slice; when set, nothing is written and the result is stopped.

    Returns
    -------
    StageResult
        Outputs ``image`` (and ``labels``) as absolute ``file.h5:raw`` specs.

    Raises
    ------
    UserError
        For any unusable input; nothing is written then.
    """
    emit, cancel = reporting(config.stage, emit, cancel)
    outputs = import_stacks(
        project,
        config.images,
        config.labels,
        config.voxel_size_zyx,
        config.to_gray,
        emit,
        cancel,
        config.volume,
    )
    if outputs is None:
        return StageResult(outputs={}, status="stopped")
    if config.volume != MAIN_VOLUME:  # the stage's parameters stay those of the main volume
        return StageResult(outputs=outputs)
    project.set_stage_params(
        "import",
        {
            "images": config.images,
            "labels": config.labels,
            "voxel_size": list(config.voxel_size_zyx),
            "to_gray": config.to_gray,
        },
    )
    return StageResult(outputs=outputs)
