"""What a job computes on, in the GUI: the backend, device and precision choices of the Infer
and Train pages through configs and job files and back; the job line naming what a REAL
worker computes on; a job asking for a GPU that is not there failing clearly; Diagnostics
listing every backend."""

from __future__ import annotations

import pytest
from PyQt5.QtWidgets import QFormLayout

from app.controllers.compute import BACKEND_NAMES, describe_compute
from app.controllers.infer import infer_config, infer_fields
from app.controllers.train import train_config, train_fields
from app.i18n import install_language
from ffn_core.backend import BACKENDS, installed_backends
from ffn_core.jobs import read_job, write_job
from ffn_core.protocol import Compute

pytestmark = pytest.mark.gui
JOB_TIMEOUT_MS = 180_000
CHECKPOINT = "models/snemi3d_ffn_windows/model.ckpt-7000000"
CHOSEN = {"backend": "jax", "device": "cpu", "precision": "bfloat16"}


def test_the_pages_offer_every_backend_and_keep_the_choice(main_window, tmp_path, artifacts):
    assert main_window.open_project(tmp_path / "project", create=True)
    infer, train = main_window.pages["infer"], main_window.pages["train"]
    for page in (infer, train):
        combo = page.compute.backend
        assert combo.itemText(0) == "automatic (TensorFlow)" and combo.itemData(0) == ""
        for index, name in enumerate(BACKENDS, start=1):
            installed = name in installed_backends()
            assert combo.itemData(index) == name
            assert combo.model().item(index).isEnabled() == installed
            expected = BACKEND_NAMES[name] + ("" if installed else " (not installed)")
            assert combo.itemText(index) == expected
        assert page.compute.values() == {"backend": "", "device": "auto", "precision": "float32"}
        assert page.compute.precision.toolTip() and page.compute.device.toolTip()

    infer.checkpoint.setCurrentText("runs/default")
    infer.compute.set_values(CHOSEN)
    config = infer_config(infer.field_values())
    assert (config.backend, config.device, config.precision) == ("jax", "cpu", "bfloat16")
    stored = read_job(write_job(config, main_window.project.root))
    assert stored == config
    infer.set_field_values(infer_fields())  # a new page ...
    assert infer.compute.values()["backend"] == ""
    infer.set_field_values(infer_fields(stored))  # ... refilled from the job file
    assert infer.compute.values() == CHOSEN

    train.compute.set_values({**CHOSEN, "backend": "torch", "device": "gpu"})
    config = train_config(train.field_values())
    assert (config.backend, config.device, config.precision) == ("torch", "gpu", "bfloat16")
    resumed = train_config(train.field_values(), resume=True)
    assert (resumed.backend, resumed.device, resumed.precision) == ("torch", "gpu", None)
    stored = read_job(write_job(config, main_window.project.root))
    train.set_field_values(train_fields())
    train.set_field_values(train_fields(stored))
    assert train.compute.values() == {**CHOSEN, "backend": "torch", "device": "gpu"}
    main_window.show_stage("infer")
    assert main_window.grab().save(str(artifacts / "infer_page_compute.png"))


def test_the_job_line_names_the_compute_and_a_missing_gpu_fails_clearly(
    main_window, qtbot, shared, snemi_project, artifacts
):
    assert main_window.open_project(snemi_project.root)
    page, panel = main_window.show_stage("infer"), main_window.job_panel
    page.checkpoint.setCurrentText(str(shared / CHECKPOINT))
    page.bbox.setText("0:17,0:40,0:40")  # one FOV and a few moves
    page.options["checkpoint_interval"].setText("0")
    page.compute.set_values({"backend": "", "device": "cpu", "precision": "bfloat16"})
    records: list[Compute] = []
    main_window.client.compute.connect(records.append)
    with qtbot.waitSignal(main_window.client.finished, timeout=JOB_TIMEOUT_MS) as finished:
        assert page.start_inference()
    assert finished.args == ["completed"], panel.log_view.toPlainText()[-3000:]
    assert len(records) == 1
    record = records[0]
    assert (record.stage, record.backend, record.device) == ("infer", "tensorflow", "cpu")
    assert panel.compute.text() == describe_compute(record)
    assert panel.compute.text().startswith("TensorFlow · CPU (")
    assert panel.compute.text().endswith(") · bfloat16")
    assert panel.compute.isVisible()
    assert main_window.grab().save(str(artifacts / "job_line_compute.png"))

    page.compute.set_values({"backend": "", "device": "gpu", "precision": "float32"})
    with qtbot.waitSignal(main_window.client.finished, timeout=JOB_TIMEOUT_MS) as finished:
        assert page.start_inference("replace")
        assert panel.compute.text() == ""  # cleared when the job starts
    if finished.args == ["completed"]:  # a machine with a GPU: nothing to refuse
        assert records[-1].device == "gpu"
        return
    assert finished.args == ["failed"]
    assert len(records) == 1 and panel.compute.text() == ""  # it never computed
    expected = "This job asks for a GPU, but tensorflow sees none on this machine."
    assert panel.status.text() == f"Failed: {expected}"
    log = panel.log_view.toPlainText()
    assert f"ERROR: {expected}" in log and "choose device auto or cpu" in log
    assert main_window.project.data["runs"][-1]["status"] == "failed"
    assert main_window.grab().save(str(artifacts / "job_line_gpu_missing.png"))

    assert main_window.open_project(snemi_project.root)  # the stored config refills the page
    assert page.compute.values() == {"backend": "", "device": "gpu", "precision": "float32"}


def test_diagnostics_lists_every_backend_and_the_default_compute(main_window, qtbot, artifacts):
    dialog = main_window.show_diagnostics()
    with qtbot.waitSignal(dialog.client.finished, timeout=120_000) as finished:
        pass
    assert finished.args == ["completed"]
    values = {key: label.text() for key, label in dialog.worker_values.items()}
    for name in BACKENDS:
        if name in installed_backends():
            assert values[name][0].isdigit() and "GPUs: " in values[name], values
        else:
            assert values[name] == "not installed"
    assert values["tensorflow"].endswith(" · default")
    assert not values["jax"].endswith(" · default")
    assert values["compute"].startswith("TensorFlow · ")
    assert values["precision"].startswith("float32 by default")
    assert values["cpu_count"].split()[0].isdigit()
    form = dialog.layout().itemAt(0).layout()
    labels = [
        form.itemAt(row, QFormLayout.LabelRole).widget().text() for row in range(form.rowCount())
    ]
    assert {"TensorFlow", "JAX", "PyTorch", "Default device", "Precision"} <= set(labels)
    qtbot.wait(100)
    assert dialog.grab().save(str(artifacts / "diagnostics_backends.png"))
    dialog.close()


@pytest.fixture
def japanese(qapp):
    """The UI in Japanese for one test, English after it."""
    install_language("ja")
    yield
    install_language("en")


def test_in_japanese_the_compute_row_fits_and_diagnostics_label_every_row(
    japanese, request, qtbot, shared, snemi_project, artifacts
):
    window = request.getfixturevalue("main_window")  # built in Japanese
    assert window.open_project(snemi_project.root)
    for stage in ("infer", "train"):
        page = window.show_stage(stage)
        assert page.compute.backend.itemText(0) == "自動 (TensorFlow)"
        assert page.compute.device.itemText(0) == "自動"
        page.compute.set_values({"backend": "", "device": "auto", "precision": "mixed"})
        qtbot.wait(100)
        assert window.grab().save(str(artifacts / f"{stage}_page_compute_ja.png"))
        assert not window.stack.currentWidget().horizontalScrollBar().isVisible(), stage

    dialog = window.show_diagnostics()
    with qtbot.waitSignal(dialog.client.finished, timeout=120_000) as finished:
        pass
    assert finished.args == ["completed"]
    form = dialog.layout().itemAt(0).layout()
    labels = [form.itemAt(row, QFormLayout.LabelRole) for row in range(form.rowCount())]
    labels = [item.widget().text() for item in labels]
    assert all(labels) and {"TensorFlow", "既定のデバイス", "精度"} <= set(labels), labels
    assert dialog.worker_values["precision"].text().startswith("既定は float32")
    qtbot.wait(100)
    assert dialog.grab().save(str(artifacts / "diagnostics_ja.png"))
    dialog.close()
