"""Start-up: the display check, the headless demo fallback of main.py, the launchers."""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
from pathlib import Path

from app import launch, main

REPO = Path(__file__).resolve().parents[2]


def test_has_display_follows_x11_and_wayland(monkeypatch):
    real_display = os.environ.get("DISPLAY")  # pytest-xvfb's, when it runs
    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    assert not launch.has_display()
    if real_display:
        monkeypatch.setenv("DISPLAY", real_display)
        assert launch.has_display()
        monkeypatch.delenv("DISPLAY")
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    assert launch.has_display()
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.delenv("WAYLAND_DISPLAY")
    assert launch.has_display()


def test_demo_flag_and_missing_display_run_the_demo_stage(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(launch.subprocess, "call", lambda cmd, env: calls.append(cmd) or 0)
    monkeypatch.setattr(launch, "has_display", lambda: True)
    assert main.main(["--demo", "--out", str(tmp_path), "--quick"]) == 0
    monkeypatch.setattr(launch, "has_display", lambda: False)
    assert main.main([]) == 0
    assert calls[0][1:] == [
        "-u",
        "-m",
        "ffn_core",
        "demo",
        "--out",
        str(tmp_path),
        "--text",
        "--quick",
    ]
    assert calls[1][4:7] == ["demo", "--out", str(launch.DEFAULT_DEMO_DIR)]


def test_main_py_without_display_starts_the_demo_worker(tmp_path):
    """A real run: the demo stage is reached (and refuses an unknown option at once)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    proc = subprocess.run(
        [sys.executable, str(REPO / "main.py"), "--out", str(tmp_path), "--no-such-option"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "No display found" in proc.stdout
    assert "ffn_core demo --out" in proc.stdout
    assert "unrecognized arguments: --no-such-option" in proc.stdout
    assert proc.returncode == 2


def test_launchers_point_at_main_py():
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(REPO / "resources" / "ffn-workbench.desktop", encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application" and section["Icon"] == "ffn-workbench"
    assert "/main.py" in section["Exec"] and section["Terminal"] == "false"
    assert (REPO / "resources" / "icons" / "ffn-workbench.png").is_file()
    batch = (REPO / "resources" / "ffn-workbench.bat").read_bytes()
    assert b"\r\n" in batch and b'pythonw.exe" main.py' in batch


def test_startup_hint_names_opengl():
    from app.main import startup_hint

    assert "OpenGL" in startup_hint(RuntimeError("glGetParameter(GL_EXTENSIONS) returned None"))
    assert "Reinstall" in startup_hint(ImportError("No module named 'h5py'"))


def test_start_up_error_dialog_has_hint_and_details(qtbot, monkeypatch):
    from PyQt5.QtWidgets import QMessageBox

    from app.main import show_fatal

    shown = []
    monkeypatch.setattr(QMessageBox, "exec_", lambda box: shown.append(box) or 0)
    try:
        raise RuntimeError("glGetParameter(GL_EXTENSIONS) returned None")
    except RuntimeError as exc:
        show_fatal("FFN Workbench could not start.", exc)
    box = shown[0]
    assert "could not start" in box.text() and "OpenGL" in box.informativeText()
    assert "RuntimeError" in box.detailedText()


def test_stale_display_counts_as_none(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":987")  # no X server there
    assert not launch.x11_reachable(":987") and not launch.has_display()
    assert not launch.x11_reachable("not-a-display")
