"""The job panel's progress through a REAL worker: an inference of the reference checkpoint on a
SNEMI3D crop, stopped midway. The bar never goes back, the ETA is the work rate's, and no ETA
is left once the job has stopped."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from PIL import Image

from app.job_panel import JobPanel
from app.worker import WorkerClient
from ffn_core.jobs import engine_command
from ffn_core.project import Project
from ffn_core.protocol import Progress

pytestmark = pytest.mark.gui
TIMEOUT_MS = 180_000
MODEL = "models/snemi3d_ffn_windows"


@pytest.fixture
def panel(display, qtbot):
    client = WorkerClient()
    panel = JobPanel(client)
    panel.resize(900, 300)
    panel.show()
    qtbot.addWidget(panel)
    yield panel
    client.kill()
    client.wait_for_finished(5000)


@pytest.fixture
def snemi_crop(shared, tmp_path) -> Project:
    """A project whose image is SNEMI3D slices 0-23, y and x 0-191: hundreds of FOVs, so a
    run is still going when the test stops it."""
    files = sorted((shared / "data" / "snemi3d" / "images").glob("*.png"))[:24]
    image = np.stack([np.asarray(Image.open(f))[:192, :192] for f in files])
    project = Project.create(tmp_path / "snemi")
    path = project.path("volumes", "image.h5")
    path.parent.mkdir()
    with h5py.File(path, "w") as handle:
        handle.create_dataset("raw", data=image, chunks=(1, 192, 192))
    project.register_volume(
        "image", path, "raw", shape=list(image.shape), mean=float(image.mean()), std=62.0
    )
    return project


def test_inference_progress_never_goes_back_and_its_eta_is_gone_after_stop(
    panel, qtbot, shared, snemi_crop, artifacts
):
    records: list[Progress] = []
    bars: list[int] = []
    etas: list[str] = []

    def seen(record: Progress) -> None:
        records.append(record)
        bars.append(panel.bar.value())
        etas.append(panel.eta.text())

    panel.client.progress.connect(seen)  # connected after the panel: sees the bar it set
    command = engine_command(
        "infer",
        "--project",
        snemi_crop.root,
        "--checkpoint",
        shared / MODEL / "model.ckpt-7000000",
        "--request",
        shared / MODEL / "inference.pbtxt",
        "--checkpoint-interval",
        "0",
    )
    panel.client.start_command(command, "infer", snemi_crop.root)
    qtbot.waitUntil(lambda: sum(r.done > 0 for r in records) >= 10, timeout=TIMEOUT_MS)
    assert panel.eta.text().startswith("ETA ") and panel.eta.objectName() == "jobEta"
    assert panel.grab().save(str(artifacts / "job_panel_running.png"))
    with qtbot.waitSignal(panel.client.finished, timeout=TIMEOUT_MS) as finished:
        panel.stop_button.click()
    assert finished.args == ["stopped"], panel.log_view.toPlainText()[-2000:]
    assert {r.unit for r in records} == {"FOVs"}  # work done, not seeds tried
    assert bars == sorted(bars) and 0 < bars[-1] < panel.bar.maximum()
    assert [r.fraction for r in records] == sorted(r.fraction for r in records)
    assert panel.eta.text() == ""  # no stale ETA
    assert "Job stopped." in panel.log_view.toPlainText()
    assert panel.grab().save(str(artifacts / "job_panel_stopped.png"))


def test_a_count_that_starts_again_starts_a_new_bar(panel):
    """A new phase (its own units) or a count that starts again is not held at the old bar."""
    panel.client.started.emit("preprocess", ["python"])
    emit = panel.client.progress.emit
    emit(Progress(stage="preprocess", done=9, total=10, unit="objects", fraction=0.9))
    emit(Progress(stage="preprocess", done=9, total=12, unit="objects", fraction=0.75))
    assert panel.bar.value() == 900  # the same count, a larger total: held
    emit(Progress(stage="preprocess", done=1, total=10, unit="coordinates", fraction=0.1))
    assert panel.bar.value() == 100
    panel.client.finished.emit("failed")
    assert panel.eta.text() == ""
