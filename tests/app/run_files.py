"""Inference runs written by the tests: ``segmentation.h5`` and ``0/0/seg-0_0_0.npz`` as the
infer stage writes them. The ``inference_run`` fixture (in ``conftest.py``) adds a project
with a ground-truth ``labels`` volume around them."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

BOX_START = (2, 4, 6)
BOX_SHAPE = (12, 40, 50)


def write_run(
    run_dir: Path,
    segmentation: np.ndarray,
    start_zyx=BOX_START,
    origins: dict[int, tuple[int, int, int]] | None = None,
) -> Path:
    """Write an inference run folder the way the infer stage does."""
    run_dir.mkdir(parents=True, exist_ok=True)
    with h5py.File(run_dir / "segmentation.h5", "w") as handle:
        dataset = handle.create_dataset("segmentation", data=segmentation.astype(np.uint32))
        dataset.attrs["bbox_start_zyx"] = np.asarray(start_zyx, np.int64)
        dataset.attrs["bbox_stop_zyx"] = np.asarray(start_zyx) + segmentation.shape
    npz = run_dir / "0" / "0" / "seg-0_0_0.npz"
    npz.parent.mkdir(parents=True, exist_ok=True)
    holder = np.empty((), dtype=object)
    holder[()] = {i: (pos, 10, 0.5) for i, pos in (origins or {}).items()}
    np.savez(npz, segmentation=segmentation, origins=holder)
    return run_dir


def boxes_segmentation() -> tuple[np.ndarray, dict[int, tuple[int, int, int]]]:
    """Five box segments of different sizes (ids 3, 5, 8, 9, 12) and their seeds."""
    seg = np.zeros(BOX_SHAPE, np.uint32)
    seg[:, :20, :25] = 3  # 6 000 voxels
    seg[:, 20:, :25] = 5  # 6 000
    seg[:6, :, 25:40] = 8  # 3 600
    seg[6:, :10, 25:40] = 9  # 900
    seg[6:8, 30:34, 45:48] = 12  # 24
    origins = {3: (5, 10, 12), 5: (5, 30, 12), 8: (3, 20, 30), 9: (8, 5, 30), 12: (6, 31, 46)}
    return seg, origins
