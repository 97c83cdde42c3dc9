"""The ``demo`` stage: the whole pipeline on synthetic data, headless.

import → preprocess → a short training → inference → export → evaluation, each built as
its stage's config and run as its own worker subprocess (exactly what the GUI runs, through
:func:`ffn_core.pipeline.run_stage`), then a summary with speed figures, the adapted Rand
error of the FFN and that of a trivial baseline (:mod:`ffn_core.demo_summary`).

The demo makes its own project: ``<out>/project`` (created by the import stage), with the
synthetic stacks in ``<out>/data`` and the exports in ``<out>/exports``. Each sub-stage is
recorded in that project's run history.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from ffn_core.demo_data import DemoSpec, write_demo_stacks
from ffn_core.demo_summary import baseline_arand, summarize, summary_lines
from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter
from ffn_core.pipeline import run_stage
from ffn_core.presets import stage_presets, write_seed_request
from ffn_core.project import Project
from ffn_core.stages.base import StageConfig, StageResult, reporting
from ffn_core.stages.evaluate import EvaluateConfig
from ffn_core.stages.export import ExportConfig
from ffn_core.stages.import_volumes import ImportConfig
from ffn_core.stages.infer import InferConfig
from ffn_core.stages.train import TrainConfig

__all__ = [
    "INFER_OPTIONS",
    "QUICK",
    "RUN",
    "SEED_REQUEST",
    "TINY_MODEL",
    "TRAIN_STEPS",
    "DemoConfig",
    "demo",
    "infer_config",
    "train_config",
]

RUN = "demo"  # the training, inference and export run name
# The demo's settings are the ``quick`` stage preset's, which the GUI offers too.
QUICK = stage_presets()["quick"]
TINY_MODEL = QUICK.model_args
TRAIN_STEPS = QUICK.train["max_steps"]
SEED_REQUEST = QUICK.seed_request
INFER_OPTIONS = dict(QUICK.infer)
_SIZES = {
    False: (DemoSpec(), TRAIN_STEPS),
    True: (DemoSpec(shape_zyx=(24, 80, 80), n_cells=30), TRAIN_STEPS // 2),
}


@dataclass(frozen=True)
class DemoConfig(StageConfig):
    """The demo folder ``out``; ``quick``: a smaller volume and half the training (a smoke
    run: weaker model); ``seed``: the training seed (None: the train stage's default)."""

    stage: ClassVar[str] = "demo"
    out: str
    quick: bool = False
    seed: int | None = None

    def __post_init__(self) -> None:
        if not str(self.out).strip():
            raise UserError(
                "No folder given for the demo.", "Give --out DIR.", "Choose a folder for the demo."
            )
        object.__setattr__(self, "out", str(self.out))


def train_config(steps: int, seed: int | None = None) -> TrainConfig:
    """The demo's training of :data:`TINY_MODEL` (the ``quick`` preset's) for ``steps`` steps,
    the learning rate halved every third of them as the preset does."""
    return QUICK.train_config(run=RUN, max_steps=steps, decay_steps=steps // 3, seed=seed)


def infer_config(checkpoint: str, request: str) -> InferConfig:
    """The demo's inference with ``checkpoint`` and the seed-grid ``request`` file."""
    return QUICK.infer_config(checkpoint, request=request, run=RUN, on_exists="replace")


def demo(
    config: DemoConfig,
    project: Project | None = None,
    *,
    emit: Emitter | None = None,
    cancel: CancelToken | None = None,
) -> StageResult:
    """Run the whole pipeline on the synthetic demo volume in ``config.out``.

    Parameters
    ----------
    config : DemoConfig
    project : Project, optional
        The demo builds its project at ``<out>/project``; None, or that very project.
    emit, cancel : optional
        The sub-stages' records are passed on tagged ``demo:<stage>``; a stop ends the
        running sub-stage cleanly and skips the rest.

    Returns
    -------
    StageResult
        The summary: ``wall_s``, ``train_steps_per_s``, ``infer_voxels_per_s``,
        ``arand_ffn``, ``arand_baseline_threshold_cc``, ``segmentation``, ``exports``,
        ``project`` and ``stage_wall_s``; status ``stopped`` (outputs: ``project``) on a stop.
    """
    emit, cancel = reporting("demo", emit, cancel)
    out = Path(config.out).resolve()
    root = out / "project"
    if project is not None and Path(project.root).resolve() != root:
        raise UserError(
            f"The demo builds its own project at {root}, not {project.root}.",
            "Pass no project, or give the demo another out folder.",
        )
    results: dict[str, StageResult] = {}
    stage_wall_s: dict[str, float] = {}
    started = time.monotonic()
    for stage_config in _stage_configs(config, out, results, emit):
        began = time.monotonic()
        results[stage_config.stage] = run_stage(stage_config, root, emit, cancel)
        stage_wall_s[stage_config.stage] = time.monotonic() - began
        if cancel.cancelled:
            emit.log(f"Demo stopped during the {stage_config.stage} stage.")
            return StageResult({"project": str(root)}, status="stopped")
    summary = summarize(
        results, stage_wall_s, baseline_arand(root), time.monotonic() - started, out
    )
    for line in summary_lines(summary):
        emit.log(line)
    return StageResult(summary)


def _stage_configs(
    config: DemoConfig, out: Path, results: dict[str, StageResult], emit: Emitter
) -> Iterator[StageConfig]:
    """The demo's stages in order; each may use the ``results`` of those before it."""
    spec, steps = _SIZES[config.quick]
    emit.log(f"Writing the synthetic demo volume to {out / 'data'}")
    images, labels = write_demo_stacks(out / "data", spec)
    yield ImportConfig(
        images=str(images), labels=str(labels), voxel_size_zyx=(spec.anisotropy, 1.0, 1.0)
    )
    yield QUICK.preprocess_config()
    yield train_config(steps, config.seed)
    request = write_seed_request(QUICK, out)
    yield infer_config(results["train"].outputs["checkpoint"], request)
    yield ExportConfig(run=RUN, format="tif", bit_depth=16, out=str(out / "exports"))
    yield EvaluateConfig(seg=results["infer"].outputs["segmentation"])  # gt: project labels
