"""One style (pyproject.toml's ruff settings): lint and format are checked with the tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHECKED = ["app", "ffn_core", "tests", "benchmarks", "main.py", "docs"]
RUFF = Path(sys.executable).with_name("ruff.exe" if sys.platform == "win32" else "ruff")


def _ruff(*args: str) -> subprocess.CompletedProcess:
    if not RUFF.is_file():
        pytest.fail(
            f"ruff is not installed beside {sys.executable}; run: "
            f"{sys.executable} -m pip install -e '.[test]'"
        )
    return subprocess.run([str(RUFF), *args, *CHECKED], cwd=REPO, capture_output=True, text=True)


def test_ruff_lint_passes():
    proc = _ruff("check", "--no-cache", "--output-format", "concise")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_code_is_formatted():
    proc = _ruff("format", "--check", "--no-cache", "--output-format", "concise")
    assert proc.returncode == 0, f"run: ruff format {' '.join(CHECKED)}\n{proc.stdout}{proc.stderr}"
