"""``ffn-core env``: each backend with its version and GPUs, what a job uses by default, a
missing backend reported rather than fatal, and ``--require-gpu`` failing without a GPU."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from ffn_core.backend import BACKENDS, installed_backends

# Runs the env command with some backends' imports blocked, as if they were not installed.
_WITHOUT = (
    "import sys; sys.modules.update(dict.fromkeys(sys.argv[1].split(','))); "
    "from ffn_core.cli import main; sys.exit(main(['env', *sys.argv[2:]]))"
)


def _env(*args: str, without: str = "", keras_backend: str | None = None):
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    if keras_backend:
        env["KERAS_BACKEND"] = keras_backend
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT, without, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    records = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return done.returncode, records


def test_env_lists_every_backend_and_the_default_compute():
    code, records = _env()
    assert code == 0, records
    info = records[-1]["outputs"]
    assert list(info["backends"]) == list(BACKENDS)
    for name in BACKENDS:
        entry = info["backends"][name]
        assert entry["installed"] == (name in installed_backends())
        assert bool(entry["version"]) == entry["installed"] and not entry["problem"]
    assert info["backends"]["tensorflow"]["version"].startswith("2.")
    assert info["default_backend"] == "tensorflow"
    assert info["default_device"] == ("gpu" if info["backends"]["tensorflow"]["gpus"] else "cpu")
    assert info["default_device_name"] and info["default_precision"] == "float32"
    assert info["suggested_precision"] in ("float32", "bfloat16", "mixed")
    assert info["cpu"] and info["cpu_count"] >= 1
    logs = [record["message"] for record in records if record["type"] == "log"]
    assert logs[0].startswith("tensorflow: 2.") and "A job computes by default" in logs[-1]


def test_a_missing_backend_is_reported_not_fatal():
    code, records = _env(without="jax,torch", keras_backend="torch")
    assert code == 0, records
    info = records[-1]["outputs"]
    assert info["backends"]["jax"] == {
        "installed": False,
        "version": None,
        "gpus": [],
        "problem": "",
    }
    assert not info["backends"]["torch"]["installed"]
    assert info["backends"]["tensorflow"]["installed"]
    assert info["default_backend"] == "torch" and info["default_device"] is None
    logs = {record["message"]: record["level"] for record in records if record["type"] == "log"}
    assert logs["jax: not installed"] == "info"
    warnings = [text for text, level in logs.items() if level == "warning"]
    assert len(warnings) == 1 and "'torch' is not installed" in warnings[0]


def test_no_backend_at_all_is_an_error():
    code, records = _env(without="tensorflow,jax,torch")
    assert code == 2
    assert "No backend is installed" in records[-1]["message"]


def test_require_gpu_fails_clearly_without_one():
    code, records = _env("--require-gpu")
    if records[-1]["type"] == "result":  # a machine with a GPU
        assert code == 0 and records[-1]["outputs"]["gpus"]
        return
    assert code == 2
    error = records[-1]
    assert error["type"] == "error" and error["stage"] == "env"
    assert error["message"].startswith("No installed backend sees a GPU (tensorflow: no GPU")
    assert "cu126" in error["hint"] and "tensorflow[and-cuda]" in error["hint"]
