"""WorkerClient against real worker processes (``python -m ffn_core``), and its text helpers."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from app.controllers.compute import describe_compute
from app.job_panel import describe_progress, format_duration
from app.worker import WorkerClient
from ffn_core.jobs import engine_command
from ffn_core.project import Project
from ffn_core.protocol import Artifact, Compute, Log, Progress, Result, encode
from ffn_core.stages.import_volumes import ImportConfig

TIMEOUT_MS = 60_000


@pytest.fixture
def client(qtbot):
    worker = WorkerClient()
    yield worker
    worker.kill()
    worker.wait_for_finished(5000)


def _collect(client: WorkerClient) -> dict[str, list]:
    seen: dict[str, list] = {"message": [], "log": [], "error": [], "started": []}
    client.message.connect(seen["message"].append)
    client.log.connect(lambda level, text: seen["log"].append((level, text)))
    client.error.connect(lambda message, hint: seen["error"].append((message, hint)))
    client.started.connect(lambda name, command: seen["started"].append((name, command)))
    return seen


def test_a_config_runs_as_a_job_and_paths_come_back_absolute(client, qtbot, tmp_path, small_stacks):
    root = tmp_path / "プロジェクト 1"
    Project.create(root)
    seen = _collect(client)
    config = ImportConfig(images=str(small_stacks[0]), voxel_size_zyx=(30.0, 6.0, 6.0))
    with qtbot.waitSignal(client.finished, timeout=TIMEOUT_MS) as finished:
        client.start(config, root)
    assert finished.args == ["completed"], seen
    name, command = seen["started"][0]
    assert name == "import" and command[-4:-1] == ["--project", str(root), "--job"]
    kinds = {type(record) for record in seen["message"]}
    assert {Progress, Log, Artifact, Result} <= kinds and not seen["error"]
    result = seen["message"][-1]
    assert isinstance(result, Result) and result.stage == "import"
    assert result.outputs["image"] == f"{root / 'volumes' / 'image.h5'}:raw"  # made absolute
    params = Project.open(root).data["runs"][-1]["params"]
    assert ImportConfig.from_dict(params) == config  # the history holds the config


def test_a_command_without_config_reports_its_result(client, qtbot, tmp_path):
    project = Project.create(tmp_path / "プロジェクト 2")
    seen = _collect(client)
    with qtbot.waitSignal(client.finished, timeout=TIMEOUT_MS) as finished:
        client.start_command(
            engine_command("info", "--project", project.root), "info", project.root
        )
    assert finished.args == ["completed"]
    assert seen["started"][0][0] == "info"
    result = seen["message"][-1]
    assert isinstance(result, Result) and result.extra["project"]["name"] == "プロジェクト 2"


def test_engine_error_becomes_error_signal_and_one_job_at_a_time(client, qtbot, tmp_path):
    seen = _collect(client)
    with qtbot.waitSignal(client.finished, timeout=TIMEOUT_MS) as finished:
        client.start(ImportConfig(images=str(tmp_path / "missing")), tmp_path / "p")
    assert finished.args == ["failed"]
    assert seen["error"] and "missing" in seen["error"][0][0]
    assert not client.is_running()
    with pytest.raises(RuntimeError):  # one job at a time
        client.start_command(engine_command("env"), "env")
        client.start_command(engine_command("env"), "env")


def test_a_worker_of_another_protocol_version_is_refused(client, qtbot):
    seen = _collect(client)
    line = '{"type": "result", "v": 99, "stage": "x", "outputs": {}}'
    with qtbot.waitSignal(client.finished, timeout=TIMEOUT_MS) as finished:
        client.start_command([sys.executable, "-c", f"print({line!r})"], "old worker")
    assert finished.args == ["failed"]
    assert len(seen["error"]) == 1 and "protocol version 99" in seen["error"][0][0]
    assert "same FFN Workbench version" in seen["error"][0][1]


def test_stop_that_is_not_honoured_in_time_kills(qtbot, tmp_path, long_stack):
    client = WorkerClient(grace_ms=1)
    seen = _collect(client)
    with qtbot.waitSignal(client.progress, timeout=TIMEOUT_MS):
        client.start(ImportConfig(images=long_stack), tmp_path / "p")
    os.kill(client._process.processId(), signal.SIGSTOP)  # a worker that cannot answer in time
    with qtbot.waitSignal(client.finished, timeout=TIMEOUT_MS) as finished:
        client.stop()
    assert finished.args == ["failed"]
    assert "did not stop in time" in seen["error"][0][0]
    # killed: the history still says running (or stopped, had it got that far); it opens
    assert Project.open(tmp_path / "p").data["runs"][-1]["status"] in ("running", "stopped")


def test_plain_stdout_and_stderr_go_to_the_log(client):
    seen = _collect(client)
    client._dispatch_line("TensorFlow says hello")
    client._dispatch_line('["not", "an", "event"]')
    assert seen["log"] == [
        ("stdout", "TensorFlow says hello"),
        ("stdout", '["not", "an", "event"]'),
    ]


def test_a_compute_record_becomes_the_compute_signal(client):
    seen = _collect(client)
    computes: list[Compute] = []
    client.compute.connect(computes.append)
    record = Compute("infer", "torch", "gpu", "NVIDIA H200", "mixed")
    client._dispatch_line(encode(record))
    assert computes == [record] and seen["message"] == [record] and not seen["error"]
    assert describe_compute(record) == "PyTorch · GPU (NVIDIA H200) · mixed"


def test_progress_text():
    assert format_duration(None) == "?"
    assert format_duration(42) == "42 s"
    assert format_duration(185) == "3 min 05 s"
    assert format_duration(3720) == "1 h 02 min"
    text = describe_progress(
        Progress(
            stage="train",
            done=50,
            total=200,
            unit="steps",
            rate=2.5,
            eta_s=60,
            metrics={"loss": 0.4321, "step": 50},
        )
    )
    assert text == "50 / 200 steps  ·  2.5 steps/s  ·  loss 0.432  ·  step 50"  # ETA: own label
    estimated = Progress(stage="infer", done=19, total=32.6, unit="FOVs", rate=6.12)
    assert describe_progress(estimated) == "19 / 33 FOVs  ·  6.12 FOVs/s"


def test_job_panel_bar_busy_when_total_unknown(qtbot):
    from app.job_panel import JobPanel

    client = WorkerClient()
    panel = JobPanel(client)
    qtbot.addWidget(panel)
    client.started.emit("train", ["python", "-m", "ffn_core"])
    assert panel.status.text() == "Running: train ..."
    client.progress.emit(Progress(stage="train", done=3, total=0, unit="steps"))
    assert panel.bar.maximum() == 0  # busy indicator
    client.progress.emit(Progress(stage="train", done=5, total=10, unit="steps", fraction=0.5))
    assert panel.bar.maximum() == 1000 and panel.bar.value() == 500
    client.result.emit(Result(stage="train", outputs={}))
    assert panel.bar.value() == panel.bar.maximum()
