"""What start-up decides with neither Qt nor TensorFlow: is there a display, the launcher's
options, and the headless demo.

:func:`app.main.main` (``main.py``, the ``ffn-workbench`` script, ``make run``) asks here.
Without a display (Linux with neither ``DISPLAY`` nor ``WAYLAND_DISPLAY``), or with
``--demo``, the headless demo pipeline runs instead of the window:
``python -m ffn_core demo --out DIR --text``. This module imports nothing of the app.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
from collections.abc import Sequence
from importlib.util import find_spec
from pathlib import Path

from ffn_core.jobs import engine_command

DEFAULT_DEMO_DIR = Path.home() / "ffn-workbench-demo"


def has_display() -> bool:
    """Whether a window can be shown: always on Windows/macOS; on Linux Wayland, or an X
    server that answers at ``DISPLAY`` (a stale DISPLAY would make Qt abort)."""
    if not sys.platform.startswith("linux"):
        return True
    if os.environ.get("WAYLAND_DISPLAY"):
        return True
    display = os.environ.get("DISPLAY", "")
    return bool(display) and x11_reachable(display)


def x11_reachable(display: str, timeout_s: float = 1.0) -> bool:
    """Whether an X server listens at ``display`` (``:0``, ``unix:1``, ``host:10.0``)."""
    host, _, number = display.rpartition(":")
    try:
        server = int(number.split(".")[0])
    except ValueError:
        return False
    if host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{server}"
        targets = [(socket.AF_UNIX, path), (socket.AF_UNIX, "\0" + path)]
    else:
        targets = [(socket.AF_INET, (host, 6000 + server))]
    for family, address in targets:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.settimeout(timeout_s)
            try:
                probe.connect(address)
                return True
            except OSError:
                continue
    return False


def parse_args(argv: Sequence[str] | None) -> tuple[argparse.Namespace, list[str]]:
    """Options of the launcher; unknown ones are passed on to the demo stage."""
    parser = argparse.ArgumentParser(prog="ffn-workbench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--demo", action="store_true", help="run the headless demo pipeline instead of the window"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_DEMO_DIR,
        help=f"demo project folder (default {DEFAULT_DEMO_DIR})",
    )
    parser.add_argument("project", nargs="?", help="project folder to open in the window")
    return parser.parse_known_args(argv)


def run_demo(out: Path, extra: Sequence[str] = ()) -> int:
    """Run ``python -m ffn_core demo --out OUT --text EXTRA`` and return its exit status."""
    if find_spec("ffn_core.stages.demo") is None:
        print(
            "The headless demo (ffn_core.stages.demo) is not part of this installation.\n"
            "Update FFN Workbench, or run on a machine with a display for the window.",
            file=sys.stderr,
        )
        return 2
    command = engine_command("demo", "--out", out, "--text", *extra)
    print("Running the headless demo:", " ".join(command), flush=True)
    return subprocess.call(command, env=dict(os.environ, PYTHONIOENCODING="utf-8"))
