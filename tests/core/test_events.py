"""JSON-line events (progress with rate and ETA, result, error) and stopping via stdin."""
from __future__ import annotations

import io
import json
import subprocess
import sys

import numpy as np

from ffn_core.events import CancelToken, Emitter, listen_for_stop
from ffn_core.project import Project
from tests.core.stack_files import REPO, leftovers, write_h5


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_progress_carries_rate_and_eta_and_is_throttled(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr("ffn_core.events.time.monotonic", clock)
    stream = io.StringIO()
    emit = Emitter("import", stream, min_interval=0.5)
    emit.progress(0, 10, "slices")
    clock.now += 2.0
    emit.progress(4, 10, "slices", volume="image")
    clock.now += 0.1
    emit.progress(5, 10, "slices")  # within min_interval: dropped
    clock.now += 0.1
    emit.progress(10, 10, "slices")  # the last one always goes out
    first, middle, last = _lines(stream)
    assert first["type"] == "progress" and first["eta_s"] is None and first["rate"] == 0
    assert middle["rate"] == 2.0 and middle["eta_s"] == 3.0
    assert middle["fraction"] == 0.4 and middle["metrics"] == {"volume": "image"}
    assert middle["stage"] == "import" and middle["unit"] == "slices"
    assert last["done"] == last["total"] == 10 and last["eta_s"] == 0


def test_result_error_and_log_lines():
    stream = io.StringIO()
    emit = Emitter("import", stream)
    emit.log("読み込み中 0000.png", level="warning")
    emit.result({"image": "/p/volumes/image.h5:raw", "n": np.int64(3)}, status="stopped")
    emit.error("No slices in /data", "Choose the folder of slices.")
    assert "読み込み中" in stream.getvalue()  # UTF-8, not \\u escapes
    log, result, error = _lines(stream)
    assert log == {"type": "log", "level": "warning", "message": "読み込み中 0000.png"}
    assert result == {"type": "result", "stage": "import", "status": "stopped",
                      "outputs": {"image": "/p/volumes/image.h5:raw", "n": 3}}
    assert error == {"type": "error", "stage": "import", "message": "No slices in /data",
                     "hint": "Choose the folder of slices."}


def test_stop_line_cancels_the_token():
    token = CancelToken()
    listen_for_stop(token, io.StringIO("hello\n  STOP \n")).join(timeout=5)
    assert token.cancelled
    quiet = CancelToken()
    listen_for_stop(quiet, io.StringIO("stopping soon\n")).join(timeout=5)
    assert not quiet.cancelled


def test_stop_on_stdin_ends_a_real_import_cleanly(tmp_path):
    rng = np.random.default_rng(0)
    source = write_h5(tmp_path / "big.h5", rng.integers(0, 255, (96, 768, 768), dtype=np.uint8))
    project = tmp_path / "project"
    proc = subprocess.Popen(
        [sys.executable, "-m", "ffn_core", "import", "--project", str(project),
         "--images", f"{source}:raw"], cwd=REPO, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True, encoding="utf-8")
    events = []
    for line in proc.stdout:
        events.append(json.loads(line))
        if events[-1]["type"] == "progress" and proc.stdin and not proc.stdin.closed:
            proc.stdin.write("stop\n")
            proc.stdin.close()
    assert proc.wait(timeout=60) == 0
    result = events[-1]
    assert result["type"] == "result" and result["status"] == "stopped"
    assert result["outputs"] == {}
    assert max(e["done"] for e in events if e["type"] == "progress") < 96
    assert leftovers(project) == []
    assert Project.open(project).data["runs"][-1]["status"] == "stopped"
