"""GUI test support: OpenGL context sharing before the QApplication, a display check,
the main window with throw-away settings and a way to run its jobs to their end, small
stacks, a SNEMI3D crop and an inference run written by the tests."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from app.launch import has_display
from ffn_core.project import Project
from tests.app.run_files import BOX_SHAPE, BOX_START, boxes_segmentation, write_run


@pytest.fixture(scope="session", autouse=True)
def _qt_platform() -> None:
    """Set up Qt before pytest-qt's QApplication exists (autouse fixtures come first).

    napari's canvas needs shared GL contexts, and the attribute must precede the
    QApplication. Without any display (pytest-xvfb has started Xvfb by now when it can),
    Qt runs offscreen so non-canvas tests still work; canvas tests skip via ``display``.
    """
    if not has_display():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt5.QtCore import Qt
    from PyQt5.QtWidgets import QApplication

    if QApplication.instance() is None:
        QApplication.setAttribute(Qt.AA_ShareOpenGLContexts)


@pytest.fixture
def display() -> None:
    """Skip GUI tests when no X/Wayland display exists (pytest-xvfb provides one)."""
    if not has_display():
        pytest.skip("needs a display: install Xvfb and pytest-xvfb (or run under xvfb-run)")


@pytest.fixture
def main_window(display, qtbot, tmp_path):
    """The main window with its own settings file; torn down with its QtViewer deleted."""
    from PyQt5.QtCore import QSettings

    from app.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    window = MainWindow(settings=settings)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.client.kill()
    window.client.wait_for_finished(5000)
    window.close()
    qtbot.wait(50)
    window.deleteLater()
    qtbot.wait(50)


@pytest.fixture
def complete_job(main_window, qtbot):
    """``complete_job(start)``: call ``start()`` (a page's start method), wait for the main
    window's job to end, and fail with the log's end unless it completed."""

    def complete(start, timeout_ms: int = 300_000) -> None:
        with qtbot.waitSignal(main_window.client.finished, timeout=timeout_ms) as finished:
            assert start()
        log = main_window.job_panel.log_view.toPlainText()
        assert finished.args == ["completed"], log[-3000:]

    return complete


def write_png_stack(folder: Path, volume: np.ndarray) -> Path:
    """Write ``volume`` (z, y, x) as slices 0.png, 1.png, ... 10.png (natural order)."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    for index, plane in enumerate(volume):
        Image.fromarray(plane).save(folder / f"{index}.png")
    return folder


@pytest.fixture
def small_stacks(tmp_path) -> tuple[Path, Path, np.ndarray, np.ndarray]:
    """12 slices of 48x64 EM-like noise and blocky uint8 labels, as PNG folders."""
    rng = np.random.default_rng(7)
    image = rng.integers(0, 256, (12, 48, 64), dtype=np.uint8)
    labels = np.zeros((12, 48, 64), np.uint8)
    labels[:, :24, :32], labels[:, 24:, 32:], labels[6:, :24, 32:] = 3, 7, 200
    return (
        write_png_stack(tmp_path / "images", image),
        write_png_stack(tmp_path / "labels", labels),
        image,
        labels,
    )


@pytest.fixture
def snemi_project(shared, tmp_path) -> Project:
    """A project whose image is SNEMI3D slices 0-19, y and x 0-95 (with its mean and std)."""
    import h5py
    from PIL import Image

    files = sorted((shared / "data" / "snemi3d" / "images").glob("*.png"))[:20]
    image = np.stack([np.asarray(Image.open(f))[:96, :96] for f in files])
    project = Project.create(tmp_path / "snemi")
    path = project.path("volumes", "image.h5")
    path.parent.mkdir()
    with h5py.File(path, "w") as handle:
        handle.create_dataset("raw", data=image, chunks=(1, 96, 96))
    project.register_volume(
        "image",
        path,
        "raw",
        shape=list(image.shape),
        dtype="uint8",
        mean=float(image.mean()),
        std=float(image.std()),
    )
    return project


@pytest.fixture
def long_stack(tmp_path) -> str:
    """An HDF5 source of 1500 slices: long enough to stop or kill its import mid-way."""
    import h5py

    path = tmp_path / "long.h5"
    with h5py.File(path, "w") as handle:
        handle["raw"] = np.random.default_rng(1).integers(0, 256, (1500, 128, 128), np.uint8)
    return f"{path}:raw"


@pytest.fixture
def project_with_run(tmp_path):
    """A project with image, labels and an inference run 'run1' covering a box of them.

    Written directly in the documented layout (volumes/*.h5:raw,
    inference/<run>/segmentation.h5:segmentation with bbox attributes).
    """
    import h5py

    project = Project.create(tmp_path / "project")
    rng = np.random.default_rng(3)
    labels = np.repeat(np.arange(1, 5, dtype=np.uint16), 8)[None, :, None] * np.ones(
        (6, 32, 40), np.uint16
    )
    volumes = {"image": rng.integers(0, 256, labels.shape, np.uint8), "labels": labels}
    project.path("volumes").mkdir()
    for name, data in volumes.items():
        path = project.path("volumes", f"{name}.h5")
        with h5py.File(path, "w") as handle:
            handle.create_dataset("raw", data=data, chunks=(1, 32, 40))
        project.register_volume(name, path, "raw", shape=list(data.shape), dtype=str(data.dtype))
    run = project.path("inference", "run1")
    run.mkdir(parents=True)
    with h5py.File(run / "segmentation.h5", "w") as handle:
        seg = handle.create_dataset("segmentation", data=labels[1:5, 8:24, 0:40].astype(np.uint32))
        seg.attrs["bbox_start_zyx"], seg.attrs["bbox_stop_zyx"] = (1, 8, 0), (5, 24, 40)
    return project


@pytest.fixture
def inference_run(tmp_path) -> Path:
    """A project with a ground-truth ``labels`` volume and the run ``inference/boxes``."""
    import h5py

    project = Project.create(tmp_path / "project")
    seg, origins = boxes_segmentation()
    gt = np.zeros((16, 48, 60), np.uint16)
    box = tuple(slice(s, s + n) for s, n in zip(BOX_START, BOX_SHAPE))
    local = np.zeros(BOX_SHAPE, np.uint16)
    local[:, :, :25] = 1  # GT 1 is split into predicted 3 and 5
    local[:, :, 25:] = 2  # GT 2 covers predicted 8, 9, 12 ...
    local[:, 30:, :25] = 4  # ... and predicted 5 merges GT 1 and GT 4
    gt[box] = local
    path = project.path("volumes", "labels.h5")
    path.parent.mkdir()
    with h5py.File(path, "w") as handle:
        handle["raw"] = gt
    project.register_volume("labels", path, "raw")
    return write_run(project.path("inference", "boxes"), seg, BOX_START, origins)
