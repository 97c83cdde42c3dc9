"""Small image and label stacks on disk for the import tests (PNG, TIFF, HDF5), projects holding
an image, the tiny model's geometry, and helpers to run and stop stages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import tifffile
from PIL import Image

from ffn_core.events import CancelToken
from ffn_core.model.args import ModelArgs
from ffn_core.project import Project
from ffn_core.protocol import Result, decode

REPO = Path(__file__).resolve().parents[2]
#: a model small enough to run in seconds (FOV 5 x 7 x 9)
TINY = ModelArgs(depth=2, fov_size_zyx=(5, 7, 9), deltas_zyx=(1, 2, 2), features=4)


def volume(shape=(5, 12, 16), dtype=np.uint8, seed=0, high=None) -> np.ndarray:
    """A random (z, y, x) volume."""
    rng = np.random.default_rng(seed)
    high = high if high is not None else np.iinfo(dtype).max
    return rng.integers(0, high, size=shape, endpoint=True).astype(dtype)


def image_project(root: Path, image: np.ndarray, **attrs: float) -> Path:
    """A project at ``root`` whose ``image`` volume is ``image`` (HDF5 attributes ``attrs``,
    e.g. ``mean`` and ``std``); returns ``root``."""
    project = Project.create(root)
    path = project.path("volumes", "image.h5")
    path.parent.mkdir(parents=True)
    with h5py.File(path, "w") as handle:
        handle.create_dataset("raw", data=image).attrs.update(attrs)
    project.register_volume("image", path, "raw")
    return root


def write_pngs(folder: Path, stack: np.ndarray, names=None) -> list[Path]:
    """One PNG per z slice (8/16-bit gray, or RGB(A) for (z, y, x, c)); returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    names = names or [f"{z:04d}.png" for z in range(len(stack))]
    paths = [folder / name for name in names]
    for path, array in zip(paths, stack):
        Image.fromarray(array).save(path, compress_level=1)
    return paths


def write_tiffs(folder: Path, stack: np.ndarray) -> list[Path]:
    """One single-page TIFF per z slice."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"slice_{z}.tif" for z in range(len(stack))]
    for path, array in zip(paths, stack):
        tifffile.imwrite(path, array)
    return paths


def write_multipage_tiff(path: Path, stack: np.ndarray) -> Path:
    """All slices as the pages of one TIFF."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tifffile.imwrite(path, stack, photometric="minisblack")
    return path


def write_h5(path: Path, stack: np.ndarray, dataset: str = "raw", **options) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "a") as handle:
        handle.create_dataset(dataset, data=stack, **options)
    return path


def write_source(form: str, folder: Path, stack: np.ndarray) -> str:
    """``stack`` written as source ``form`` under ``folder``; returns what to import."""
    writers = {
        "png": lambda: write_pngs(folder / "s", stack)[0].parent,
        "tiff-folder": lambda: write_tiffs(folder / "s", stack)[0].parent,
        "multipage": lambda: write_multipage_tiff(folder / "s.tif", stack),
        "h5-colon": lambda: (
            f"{write_h5(folder / 's.h5', stack, 'em/raw', chunks=(2, 5, 7))}:em/raw"
        ),
        "h5-at": lambda: f"{write_h5(folder / 's.h5', stack, 'stack')}@stack",
    }
    return str(writers[form]())


SOURCE_FORMS = ("png", "tiff-folder", "multipage", "h5-colon", "h5-at")


def run_cli(*args, stdin=subprocess.DEVNULL, timeout=120, env=None):
    """``python -m ffn_core ...`` as the GUI runs it; returns (exit code, JSON events).

    ``env`` adds environment variables to this process's environment.
    """
    proc = subprocess.run(
        [sys.executable, "-m", "ffn_core", *map(str, args)],
        cwd=REPO,
        stdin=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    return proc.returncode, events


class CancelAfter(CancelToken):
    """Cancelled from the ``checks``-th time it is asked on."""

    def __init__(self, checks: int) -> None:
        super().__init__()
        self.checks, self.asked = checks, 0

    @property
    def cancelled(self) -> bool:
        self.asked += 1
        return self.asked > self.checks


def result_outputs(events: list[dict], project: Path) -> dict:
    """The outputs of the final ``result`` event, project paths made absolute as readers do."""
    record = decode(json.dumps(events[-1]), project)
    assert isinstance(record, Result), events[-1]
    return record.outputs


def leftovers(project: Path) -> list[str]:
    """Files in ``<project>/volumes`` (volumes or temporary files)."""
    folder = project / "volumes"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
