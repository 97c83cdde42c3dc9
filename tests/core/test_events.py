"""The Emitter (progress with rate and ETA, result, error, phases) and stopping via stdin."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import numpy as np

from ffn_core.events import CancelToken, Emitter, TextEmitter, listen_for_stop
from ffn_core.project import Project
from ffn_core.protocol import PROTOCOL_VERSION, Log, Progress, Result, decode
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
    v = PROTOCOL_VERSION
    assert log == {
        "type": "log",
        "v": v,
        "level": "warning",
        "message": "読み込み中 0000.png",
        "stage": "",
    }
    assert result == {
        "type": "result",
        "v": v,
        "stage": "import",
        "status": "stopped",
        "outputs": {"image": "/p/volumes/image.h5:raw", "n": 3},
    }
    assert error == {
        "type": "error",
        "v": v,
        "stage": "import",
        "message": "No slices in /data",
        "hint": "Choose the folder of slices.",
    }


def test_send_writes_a_record_and_paths_in_the_project_travel_relative(tmp_path):
    stream = io.StringIO()
    emit = Emitter("import", stream, project_root=tmp_path)
    emit.send(Log(message="hello", stage="import"))
    emit.result({"image": f"{tmp_path / 'volumes' / 'image.h5'}:raw"})
    log, result = _lines(stream)
    assert log["message"] == "hello" and log["stage"] == "import"
    assert result["outputs"] == {"image": "volumes/image.h5:raw"}


def test_a_child_has_its_own_rate_and_eta_on_the_same_stream(monkeypatch, tmp_path):
    clock = _Clock()
    monkeypatch.setattr("ffn_core.events.time.monotonic", clock)
    stream = io.StringIO()
    emit = Emitter("infer", stream, min_interval=0.5, project_root=tmp_path)
    emit.progress(0, 100, "seeds")
    clock.now += 10.0
    emit.progress(50, 100, "seeds")  # 5 seeds/s
    phase = emit.child()
    assert (phase.stage, phase.stream, phase.project_root) == ("infer", stream, tmp_path)
    phase.progress(0, 4, "blocks")  # within the parent's min_interval: a child starts afresh
    clock.now += 1.0
    phase.progress(4, 4, "blocks")
    first, middle, child_first, child_last = _lines(stream)
    assert middle["rate"] == 5.0 and middle["eta_s"] == 10.0
    assert child_first["unit"] == "blocks" and child_first["rate"] == 0
    assert child_last["rate"] == 4.0 and child_last["eta_s"] == 0
    assert child_last["elapsed_s"] == 1.0


def test_text_emitter_writes_readable_lines():
    stream = io.StringIO()
    emit = TextEmitter("export", stream)
    emit.progress(3, 10, "slices")
    emit.log("writing TIFF")
    emit.artifact("export", "/p/exports/a")
    emit.result({"export": "/p/exports/a"}, slices=10)
    emit.error("Disk full.", "Free some space.")
    text = stream.getvalue()
    assert text.startswith("[export] 3/10 slices (0.0/s)\n[export] writing TIFF\n")
    assert "[export] artifact: export /p/exports/a\n" in text
    assert '[export] completed: {\n  "export": "/p/exports/a",\n  "slices": 10\n}' in text
    assert text.endswith("[export] ERROR: Disk full.\n  hint: Free some space.\n")
    assert not any(line.startswith("{") for line in text.splitlines())


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
        [
            sys.executable,
            "-m",
            "ffn_core",
            "import",
            "--project",
            str(project),
            "--images",
            f"{source}:raw",
        ],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    records = []
    for line in proc.stdout:
        records.append(decode(line, project))
        if isinstance(records[-1], Progress) and proc.stdin and not proc.stdin.closed:
            proc.stdin.write("stop\n")
            proc.stdin.close()
    assert proc.wait(timeout=60) == 0
    result = records[-1]
    assert isinstance(result, Result) and result.status == "stopped"
    assert result.outputs == {}
    assert max(r.done for r in records if isinstance(r, Progress)) < 96
    assert leftovers(project) == []
    assert Project.open(project).data["runs"][-1]["status"] == "stopped"
