"""The ``evaluate`` stage: score a segmentation against ground-truth labels.

The segmentation is a volume (``seg``: ``file.h5:dataset``, a slice folder or a TIFF) or
an inference run of the project (``run``); the ground truth (``gt``) defaults to the
project's labels volume. ``crop`` is in the coordinates of the full volume; without it,
volumes of different shapes are compared in the box the segmentation says it covers (see
:mod:`ffn_core.io.label_sources`). Scores follow :mod:`ffn_core.analysis.evaluate`
(SNEMI3D adapted Rand error, VOI). From Python::

    from ffn_core.stages.evaluate import EvaluateConfig, evaluate
    evaluate(EvaluateConfig(seg="seg.h5:segmentation", gt="labels/",
                            crop=((0, 100), (0, 256), (0, 256))), None)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ffn_core.analysis.evaluate import ContingencyBuilder, adapted_rand, voi
from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter
from ffn_core.io.label_sources import Source, open_source, run_source, scored_box, scoring_slabs
from ffn_core.project import Project
from ffn_core.stages.base import StageConfig, StageResult, reporting
from ffn_core.zyx import Box, format_box, parse_box

__all__ = ["EvaluateConfig", "evaluate"]


@dataclass(frozen=True)
class EvaluateConfig(StageConfig):
    """The segmentation (``seg`` or ``run``, one of them), the ground truth (default: the
    project's labels) and the box to score, ``((z0, z1), (y0, y1), (x0, x1))``."""

    stage: ClassVar[str] = "evaluate"
    seg: str | None = None
    run: str | None = None
    gt: str | None = None
    crop: Box | None = None

    def __post_init__(self) -> None:
        if bool(self.seg) == bool(self.run):
            raise UserError(
                "Give the segmentation as --seg SPEC or --run NAME (one of them).",
                "For example --seg result.h5:segmentation.",
                "Choose an inference run.",
            )
        if self.crop is not None:
            object.__setattr__(self, "crop", parse_box(self.crop, "--crop"))


def evaluate(
    config: EvaluateConfig,
    project: Project | None,
    *,
    emit: Emitter | None = None,
    cancel: CancelToken | None = None,
) -> StageResult:
    """Score the segmentation of ``config`` against its ground truth.

    Parameters
    ----------
    config : EvaluateConfig
        Segmentation, ground truth and crop.
    project : Project or None
        Needed for ``run`` and for the default ground truth; None otherwise.
    emit : Emitter, optional
        Receives ``log`` and ``progress`` (unit ``slabs``) records.
    cancel : CancelToken, optional
        Checked before each slab is read; when set, the result is stopped.

    Returns
    -------
    StageResult
        Outputs ``arand``, ``precision``, ``recall``, ``voi_split``, ``voi_merge``;
        ``extra`` holds ``voxels`` (labelled voxels scored) and ``box_zyx``.
    """
    emit, cancel = reporting(config.stage, emit, cancel)
    seg, gt = _sources(config, project)
    box, locals_ = scored_box(seg, gt, config.crop)
    emit.log(f"Scoring {seg.name} against {gt.name} in z,y,x box {format_box(box)}.")
    slabs = scoring_slabs(seg, gt, locals_)
    builder = ContingencyBuilder()
    for done, (seg_box, gt_box) in enumerate(slabs):
        if cancel.cancelled:
            return StageResult(outputs={}, status="stopped")
        builder.add(seg.read(seg_box), gt.read(gt_box))
        emit.progress(done + 1, len(slabs), "slabs")
    if not builder.labelled:
        raise UserError(
            f"The ground truth {gt.name} has no labelled voxel in the scored box.",
            "Check --gt and --crop.",
            "Check that the project's labels cover the run's box.",
        )
    table = builder.build()
    scores = {**adapted_rand(table=table), **voi(table=table)}
    emit.log(
        f"{table.voxels} labelled voxels scored; {table.unassigned / table.voxels:.1%} of "
        f"them unsegmented (0) in the segmentation."
    )
    return StageResult(
        outputs=scores, extra={"voxels": table.voxels, "box_zyx": [list(pair) for pair in box]}
    )


def _sources(config: EvaluateConfig, project: Project | None) -> tuple[Source, Source]:
    if (config.run or not config.gt) and project is None:
        raise UserError(
            "--run and a missing --gt need --project.",
            "Add --project P, or give --seg and --gt.",
            "Open the project whose labels to evaluate against.",
        )
    seg = run_source(project, config.run) if config.run else open_source(config.seg)
    gt = open_source(config.gt if config.gt else project.volume_spec("labels"))
    return seg, gt
