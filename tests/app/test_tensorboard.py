"""TensorBoard from the Train page: a real server on loopback, stopped with the app."""

from __future__ import annotations

import pytest

from app.tensorboard import TensorBoardServer

pytest.importorskip("tensorboard")


def test_tensorboard_serves_the_run_folder_and_stops(tmp_path):
    server = TensorBoardServer(tmp_path)
    server.start()
    try:
        assert server.url.startswith("http://127.0.0.1:")
        assert server.wait_until_ready(timeout_s=90), "TensorBoard did not answer"
    finally:
        server.stop()
    assert not server.running
