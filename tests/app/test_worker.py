"""WorkerClient against the real ``python -m ffn_core`` process, and its text helpers."""
from __future__ import annotations

import os
import signal

import pytest

from app.job_panel import describe_progress, format_duration
from app.worker import WorkerClient
from ffn_core.project import Project

TIMEOUT_MS = 60_000


@pytest.fixture
def client(qtbot):
    worker = WorkerClient()
    yield worker
    worker.kill()
    worker.wait_for_finished(5000)


def _collect(client: WorkerClient) -> dict[str, list]:
    seen: dict[str, list] = {"message": [], "log": [], "error": []}
    client.message.connect(seen["message"].append)
    client.log.connect(lambda level, text: seen["log"].append((level, text)))
    client.error.connect(lambda message, hint: seen["error"].append((message, hint)))
    return seen


def test_json_lines_decode_utf8_paths(client, qtbot, tmp_path):
    project = Project.create(tmp_path / "プロジェクト 1")
    seen = _collect(client)
    with qtbot.waitSignal(client.finished, timeout=TIMEOUT_MS) as finished:
        client.start("info", ["--project", str(project.root)])
    assert finished.args == ["completed"]
    info = [m for m in seen["message"] if m["type"] == "info"]
    assert info and info[0]["project"]["name"] == "プロジェクト 1"
    assert seen["message"][-1]["type"] == "result" and not seen["error"]


def test_usage_error_becomes_error_signal(client, qtbot, tmp_path):
    seen = _collect(client)
    with qtbot.waitSignal(client.finished, timeout=TIMEOUT_MS) as finished:
        client.start("import", ["--project", str(tmp_path / "p")])  # no --images
    assert finished.args == ["failed"]
    assert seen["error"] and "--images" in seen["error"][0][0]
    assert not client.is_running()
    with pytest.raises(RuntimeError):  # one job at a time
        client.start("info", ["--project", str(tmp_path)])
        client.start("info", ["--project", str(tmp_path)])


def test_stop_that_is_not_honoured_in_time_kills(qtbot, tmp_path, long_stack):
    client = WorkerClient(grace_ms=1)
    seen = _collect(client)
    with qtbot.waitSignal(client.progress, timeout=TIMEOUT_MS):
        client.start("import", ["--project", str(tmp_path / "p"), "--images", long_stack])
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
    assert seen["log"] == [("stdout", "TensorFlow says hello"),
                           ("stdout", '["not", "an", "event"]')]


def test_progress_text():
    assert format_duration(None) == "?"
    assert format_duration(42) == "42 s"
    assert format_duration(185) == "3 min 05 s"
    assert format_duration(3720) == "1 h 02 min"
    text = describe_progress({"done": 50, "total": 200, "unit": "steps", "rate": 2.5,
                              "eta_s": 60, "metrics": {"loss": 0.4321, "step": 50}})
    assert text == "50 / 200 steps  ·  2.5 steps/s  ·  ETA 1 min 00 s  ·  loss 0.432  ·  step 50"


def test_job_panel_bar_busy_when_total_unknown(qtbot):
    from app.job_panel import JobPanel
    client = WorkerClient()
    panel = JobPanel(client)
    qtbot.addWidget(panel)
    client.progress.emit({"done": 3, "total": 0, "unit": "steps", "fraction": None})
    assert panel.bar.maximum() == 0  # busy indicator
    client.progress.emit({"done": 5, "total": 10, "unit": "steps", "fraction": 0.5})
    assert panel.bar.maximum() == 1000 and panel.bar.value() == 500
    client.result.emit({"status": "completed"})
    assert panel.bar.value() == panel.bar.maximum()
