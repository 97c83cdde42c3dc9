"""Every stage side by side: a frozen config and one engine function each.

========== ============================================ ==========================
stage      config                                       function
========== ============================================ ==========================
import     :class:`~.import_volumes.ImportConfig`       :func:`~.import_volumes.import_volumes`
preprocess :class:`~.preprocess.PreprocessConfig`       :func:`~.preprocess.preprocess`
train      :class:`~.train.TrainConfig`                 :func:`~.train.train`
infer      :class:`~.infer.InferConfig`                 :func:`~.infer.infer`
export     :class:`~.export.ExportConfig`               :func:`~.export.export`
evaluate   :class:`~.evaluate.EvaluateConfig`           :func:`~.evaluate.evaluate`
demo       :class:`~.demo.DemoConfig`                   :func:`~.demo.demo`
========== ============================================ ==========================

:func:`execute` runs any of them with the project's run history recorded. Stage modules
import TensorFlow only inside their functions, so configs are safe to import in the GUI.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from ffn_core.events import CancelToken, Emitter
from ffn_core.stages.base import StageConfig, StageResult, reporting

__all__ = ["STAGES", "StageConfig", "StageResult", "config_class", "execute", "stage_function"]

# stage name -> (module, config class, function)
STAGES: dict[str, tuple[str, str, str]] = {
    "import": ("ffn_core.stages.import_volumes", "ImportConfig", "import_volumes"),
    "preprocess": ("ffn_core.stages.preprocess", "PreprocessConfig", "preprocess"),
    "train": ("ffn_core.stages.train", "TrainConfig", "train"),
    "infer": ("ffn_core.stages.infer", "InferConfig", "infer"),
    "export": ("ffn_core.stages.export", "ExportConfig", "export"),
    "evaluate": ("ffn_core.stages.evaluate", "EvaluateConfig", "evaluate"),
    "demo": ("ffn_core.stages.demo", "DemoConfig", "demo"),
}


def config_class(stage: str) -> type[StageConfig]:
    """The config class of ``stage`` (imports no TensorFlow)."""
    module, config, _ = STAGES[stage]
    return getattr(importlib.import_module(module), config)


def stage_function(stage: str) -> Callable[..., StageResult]:
    """The engine function of ``stage``."""
    module, _, function = STAGES[stage]
    return getattr(importlib.import_module(module), function)


def execute(
    config: StageConfig,
    project: Any,
    *,
    emit: Emitter | None = None,
    cancel: CancelToken | None = None,
) -> StageResult:
    """Run the stage of ``config`` on ``project``, recording it in the run history.

    The history entry holds ``config.to_dict()`` and ends as completed, stopped or
    failed (with the error's message); exceptions propagate to the caller.
    """
    emit, cancel = reporting(config.stage, emit, cancel)
    run_id = project.begin_run(config.stage, config.to_dict()) if project is not None else None
    try:
        result = stage_function(config.stage)(config, project, emit=emit, cancel=cancel)
    except BaseException as exc:
        if run_id is not None:
            project.end_run(run_id, "failed", message=getattr(exc, "message", str(exc)))
        raise
    if run_id is not None:
        project.end_run(run_id, result.status, result.outputs)
    return result
