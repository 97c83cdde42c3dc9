"""Security: every server the app starts listens on loopback only, and nothing read from a
project file runs as code (the reference's pickled npz fields are read as data only)."""

from __future__ import annotations

import collections
import ipaddress
import os
import sys
import types

import numpy as np
import psutil
import pytest

from ffn_core.errors import UserError
from ffn_core.io.pickled_fields import read_pickled_field


def _listening_hosts(process: psutil.Process) -> set[str]:
    """Addresses the process and its children listen on (TCP)."""
    hosts = set()
    for proc in [process, *process.children(recursive=True)]:
        try:
            connections = proc.net_connections(kind="tcp")
        except psutil.NoSuchProcess:
            continue
        hosts |= {c.laddr.ip for c in connections if c.status == psutil.CONN_LISTEN}
    return hosts


def _all_loopback(hosts: set[str]) -> bool:
    return all(ipaddress.ip_address(host).is_loopback for host in hosts)


def _object_field(value) -> np.ndarray:
    field = np.empty((), dtype=object)
    field[()] = value
    return field


def test_reference_origins_are_read_as_plain_tuples(tmp_path, monkeypatch):
    # google/ffn pickles OriginInfo named tuples of its module ffn.inference.storage.
    origin_info = collections.namedtuple("OriginInfo", ["start_zyx", "iters", "walltime_sec"])
    origin_info.__module__ = "ffn.inference.storage"
    for name in ("ffn", "ffn.inference", "ffn.inference.storage"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    sys.modules["ffn.inference.storage"].OriginInfo = origin_info
    origins = {7: origin_info(np.array([1, 2, 3]), np.int64(40), 0.5)}
    np.savez(tmp_path / "seg-0_0_0.npz", origins=_object_field(origins))
    monkeypatch.undo()
    read = read_pickled_field(tmp_path / "seg-0_0_0.npz", "origins")
    start, iters, seconds = read[7]
    assert type(read[7]) is tuple
    assert start.tolist() == [1, 2, 3] and iters == 40 and seconds == 0.5


class _Exploit:
    """What a hostile npz pickles: a call that writes a file when unpickled."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def test_a_pickle_that_runs_code_is_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "ran"
    npz = tmp_path / "seg-0_0_0.npz"
    np.savez(npz, segmentation=np.zeros((2, 2, 2), np.uint8), origins=_object_field(
        {1: _Exploit(str(marker))}
    ))  # fmt: skip
    with pytest.raises(UserError, match="asks to run code") as caught:
        read_pickled_field(npz, "origins")
    assert str(npz) in caught.value.message and "posix.mkdir" in caught.value.message
    assert not marker.exists()
    assert read_pickled_field(npz, "segmentation").shape == (2, 2, 2)
    assert read_pickled_field(npz, "overlaps") is None


def test_a_damaged_npz_names_the_file(tmp_path):
    npz = tmp_path / "seg-0_0_0.npz"
    np.savez(npz, origins=_object_field({1: ((0, 0, 0), 1, 0.1)}))
    npz.write_bytes(npz.read_bytes()[:60])
    with pytest.raises(UserError, match="damaged") as caught:
        read_pickled_field(npz, "origins")
    assert str(npz) in caught.value.message


def test_the_local_dask_cluster_listens_on_loopback_only():
    from distributed import Client

    from ffn_core.scale.cluster import local_cluster

    with local_cluster(workers=1, threads_per_worker=1) as cluster, Client(cluster) as client:
        assert client.submit(sum, [1, 2]).result() == 3
        hosts = _listening_hosts(psutil.Process())
        assert hosts and _all_loopback(hosts), hosts
        assert "127.0.0.1" in client.dashboard_link


def test_tensorboard_listens_on_loopback_only(tmp_path):
    pytest.importorskip("tensorboard")
    from app.tensorboard import TensorBoardServer

    server = TensorBoardServer(tmp_path)
    server.start()
    try:
        assert server.wait_until_ready(timeout_s=90), "TensorBoard did not answer"
        hosts = _listening_hosts(psutil.Process(server.pid))
        assert hosts and _all_loopback(hosts), hosts
    finally:
        server.stop()
