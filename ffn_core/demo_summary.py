"""What the demo reports: its speed figures, the FFN's score and a trivial baseline's.

The baseline is connected components of the thresholded, lightly smoothed image; the
demo's FFN should score well below its adapted Rand error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from scipy import ndimage

from ffn_core.stages.base import StageResult

__all__ = ["baseline_arand", "baseline_segmentation", "summarize", "summary_lines"]

BASELINE_SIGMA = 0.5


def baseline_segmentation(image: np.ndarray) -> np.ndarray:
    """Trivial baseline: connected components (6-connected) of the lightly smoothed image
    above its Otsu threshold (cell interiors are brighter than membranes)."""
    from skimage.filters import threshold_otsu

    smooth = ndimage.gaussian_filter(image.astype(np.float32), sigma=BASELINE_SIGMA)
    components, _ = ndimage.label(smooth > threshold_otsu(smooth))
    return components


def baseline_arand(project: Path) -> float:
    """Adapted Rand error of :func:`baseline_segmentation` on the project's imported volumes."""
    from ffn_core.analysis.evaluate import adapted_rand
    from ffn_core.io.volume_spec import open_dataset

    arrays = []
    for name in ("image", "labels"):
        handle, dataset = open_dataset(f"{Path(project) / 'volumes' / name}.h5:raw")
        with handle:
            arrays.append(dataset[...])
    return adapted_rand(baseline_segmentation(arrays[0]), arrays[1])["arand"]


def summarize(
    results: dict[str, StageResult],
    stage_wall_s: dict[str, float],
    baseline: float,
    wall_s: float,
    out: Path,
) -> dict[str, Any]:
    """The demo's summary: wall times, speeds, both scores and where the results are.

    ``results`` and ``stage_wall_s`` are keyed by stage (import ... evaluate); ``out`` is
    the demo folder (``project/`` and ``exports/`` inside).
    """
    infer = results["infer"]
    return {
        "wall_s": round(wall_s, 1),
        "train_steps_per_s": _rounded(results["train"].outputs.get("steps_per_s")),
        "infer_voxels_per_s": _voxels_per_s(infer, stage_wall_s["infer"]),
        "arand_ffn": results["evaluate"].outputs["arand"],
        "arand_baseline_threshold_cc": baseline,
        "segmentation": infer.outputs["segmentation"],
        "exports": str(out / "exports"),
        "project": str(out / "project"),
        "stage_wall_s": {stage: round(wall, 1) for stage, wall in stage_wall_s.items()},
    }


def summary_lines(summary: dict[str, Any]) -> list[str]:
    """The summary as the lines the demo logs last."""
    return [
        f"Demo finished in {summary['wall_s']} s (per stage: {summary['stage_wall_s']})",
        f"Training: {summary['train_steps_per_s']} steps/s; inference: "
        f"{summary['infer_voxels_per_s']} voxels/s",
        f"Adapted Rand error: FFN {summary['arand_ffn']:.3f} vs baseline "
        f"(thresholded connected components) {summary['arand_baseline_threshold_cc']:.3f}",
        f"Project: {summary['project']}; exports: {summary['exports']}",
    ]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def _voxels_per_s(infer: StageResult, wall_s: float) -> float | None:
    """Voxels of the inference box per second of the infer stage's wall time (worker start
    included)."""
    start, stop = infer.extra.get("bbox_start_zyx"), infer.extra.get("bbox_stop_zyx")
    if start is None or stop is None or not wall_s:
        return None
    return round(float(np.prod(np.subtract(stop, start))) / wall_s, 1)
