"""A small project whose image has an anisotropic voxel size (30, 6, 6 nm, recorded as the
importer records it), with ground-truth labels and the inference run ``run1``."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from ffn_core.project import Project

VOXEL_SIZE = (30.0, 6.0, 6.0)
RUN_START = (1, 8, 0)  # the box of run1 in the volume: z 1-4, y 8-23, x 0-39


def anisotropic_project(root: Path) -> Project:
    """Write the project at ``root``: image and labels (6, 32, 40); labels are four bands of
    8 rows (ids 1-4); run1's segmentation is the labels inside its box (ids 2 and 3)."""
    project = Project.create(root)
    labels = np.repeat(np.arange(1, 5, dtype=np.uint16), 8)[None, :, None] * np.ones(
        (6, 32, 40), np.uint16
    )
    image = np.random.default_rng(3).integers(0, 256, labels.shape, np.uint8)
    project.path("volumes").mkdir()
    for name, data in {"image": image, "labels": labels}.items():
        path = project.path("volumes", f"{name}.h5")
        with h5py.File(path, "w") as handle:
            dataset = handle.create_dataset("raw", data=data, chunks=(1, 32, 40))
            dataset.attrs["voxel_size"] = np.asarray(VOXEL_SIZE)
        project.register_volume(
            name, path, "raw", shape=list(data.shape), dtype=str(data.dtype),
            voxel_size=list(VOXEL_SIZE),
        )  # fmt: skip
    run = project.path("inference", "run1")
    run.mkdir(parents=True)
    with h5py.File(run / "segmentation.h5", "w") as handle:
        seg = handle.create_dataset("segmentation", data=labels[1:5, 8:24].astype(np.uint32))
        seg.attrs["bbox_start_zyx"], seg.attrs["bbox_stop_zyx"] = RUN_START, (5, 24, 40)
    return project
