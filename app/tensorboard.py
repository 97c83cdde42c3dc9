"""Start TensorBoard on a training run's folder (loopback only, a free port) and stop it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TensorBoardServer:
    """One TensorBoard process serving ``logdir`` on ``http://127.0.0.1:<port>/``.

    It runs in its own process (TensorBoard imports TensorFlow, which the GUI process
    must not); :meth:`stop` ends it, and the main window stops it when it closes.
    """

    def __init__(self, logdir: Path) -> None:
        self.logdir = Path(logdir)
        self.port = free_port()
        self._process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "tensorboard.main",
            "--logdir",
            str(self.logdir),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        self._process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def wait_until_ready(self, timeout_s: float = 60.0) -> bool:
        """Poll the URL until TensorBoard answers (True) or the time runs out (False)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(self.url, timeout=2) as response:
                    return response.status == 200
            except OSError:
                time.sleep(0.5)
        return False

    @property
    def pid(self) -> int | None:
        """The TensorBoard process's id while it was started, else None."""
        return None if self._process is None else self._process.pid

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._process = None
