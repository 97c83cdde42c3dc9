"""A Dask client for a run: a local cluster of worker processes, or a cluster already running.

Without a scheduler address :func:`dask_client` starts a ``distributed.LocalCluster`` of worker
*processes* on this machine whose scheduler and dashboard listen on 127.0.0.1 only (nothing is
reachable from the network) and closes it at the end. With an address it joins a cluster someone
started: ``dask scheduler`` and ``dask worker ADDRESS`` on the command line, dask-jobqueue's
``SLURMCluster``/``PBSCluster`` on a lab cluster, an SSH cluster, or rented cloud machines. Reach
a remote scheduler through an SSH tunnel (``ssh -L 8786:localhost:8786 host``, then
``tcp://127.0.0.1:8786``) or with Dask's TLS security settings, never through an open port.

The local cluster's shape (:func:`local_shape`): one worker process per core, no more workers
than there are tasks (an idle worker only costs memory) nor than fit in 80 % of the memory
(:data:`WORKER_BASE_BYTES` per process plus the memory of the tasks it runs at a time), and each
worker gets its share of the cores as threads, so the cores are used even when there are fewer
tasks than cores (the model's thread pools follow the worker's thread count).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psutil
from distributed import Client, LocalCluster

from ffn_core.errors import UserError

__all__ = [
    "CONNECT_TIMEOUT_S",
    "WORKER_BASE_BYTES",
    "LocalShape",
    "available_cores",
    "dask_client",
    "local_cluster",
    "local_shape",
]

#: seconds to wait for a scheduler given by address before the run gives up
CONNECT_TIMEOUT_S = 5.0
#: memory of one worker process before its tasks: Python, TensorFlow and one model
WORKER_BASE_BYTES = 1_000_000_000
_MEMORY_SHARE = 0.8
_LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class LocalShape:
    """Worker processes of a local cluster and the threads (concurrent tasks) of each."""

    workers: int
    threads_per_worker: int


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def local_shape(
    workers: int | None = None,
    threads_per_worker: int | None = None,
    *,
    tasks: int | None = None,
    task_bytes: int = 0,
    cores: int | None = None,
    memory_bytes: int | None = None,
) -> LocalShape:
    """The local cluster for ``tasks`` tasks of ``task_bytes`` each; given values are kept.

    Parameters
    ----------
    workers, threads_per_worker : int, optional
        Asked for (None: chosen as the module docstring says).
    tasks : int, optional
        How many tasks the run has (None: no limit from it).
    task_bytes : int
        Memory one running task needs.
    cores, memory_bytes : int, optional
        The machine (default: this process's cores, the total memory).

    Examples
    --------
    >>> local_shape(tasks=1, cores=2, memory_bytes=16 * 2**30)
    LocalShape(workers=1, threads_per_worker=2)
    >>> local_shape(tasks=8, cores=2, memory_bytes=16 * 2**30)
    LocalShape(workers=2, threads_per_worker=1)
    """
    cores = cores or available_cores()
    memory = memory_bytes or psutil.virtual_memory().total
    if workers is None:
        threads = threads_per_worker or 1
        fit = int(_MEMORY_SHARE * memory // (WORKER_BASE_BYTES + threads * task_bytes))
        workers = max(1, min(cores // threads, tasks or cores, fit))
    if threads_per_worker is None:
        threads_per_worker = max(1, cores // workers)
    return LocalShape(workers, threads_per_worker)


@contextmanager
def dask_client(
    scheduler: str | None,
    workers: int | None,
    threads_per_worker: int | None,
    emit: Any,
    *,
    tasks: int | None = None,
    task_bytes: int = 0,
    timeout_s: float = CONNECT_TIMEOUT_S,
) -> Iterator[Client]:
    """A client of a new local cluster (``scheduler`` None) or of the scheduler at an address.

    Parameters
    ----------
    scheduler : str, optional
        ``tcp://host:port`` of a running scheduler; None or empty: a local cluster on loopback.
    workers, threads_per_worker : int, optional
        Shape of the local cluster (see :func:`local_shape`); a running cluster keeps its own.
    emit : Emitter
        Where the cluster and its dashboard link are logged.
    tasks, task_bytes : optional
        What the run will submit, for the local cluster's shape.
    timeout_s : float
        Seconds to wait for the scheduler at ``scheduler``.

    Raises
    ------
    UserError
        The scheduler cannot be reached within ``timeout_s`` (or the address is not one).
    """
    with (
        _dask_logs(logging.WARNING),
        _client(
            scheduler, workers, threads_per_worker, emit, tasks, task_bytes, timeout_s
        ) as client,
    ):
        yield client


@contextmanager
def _client(
    scheduler: str | None,
    workers: int | None,
    threads_per_worker: int | None,
    emit: Any,
    tasks: int | None,
    task_bytes: int,
    timeout_s: float,
) -> Iterator[Client]:
    if scheduler:
        client = _connect(scheduler, timeout_s)
        with client:
            if workers is not None or threads_per_worker is not None:
                emit.log(
                    "Workers and threads per worker apply to a cluster on this PC; the "
                    f"cluster at {scheduler} keeps its own.",
                    level="warning",
                )
            _log_cluster(client, f"the Dask cluster at {scheduler}", emit)
            yield client
        return
    shape = local_shape(workers, threads_per_worker, tasks=tasks, task_bytes=task_bytes)
    with (
        local_cluster(shape.workers, shape.threads_per_worker) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        _log_cluster(client, "a Dask cluster on this PC (127.0.0.1 only)", emit)
        yield client


@contextmanager
def _dask_logs(level: int) -> Iterator[None]:
    """Dask's own log lines in this process at ``level`` or above only (its INFO lines about
    every connection would drown the run's log)."""
    logger = logging.getLogger("distributed")
    before = logger.level
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(before)


def local_cluster(workers: int, threads_per_worker: int) -> LocalCluster:
    """A ``LocalCluster`` of ``workers`` worker processes whose scheduler, workers and dashboard
    listen on 127.0.0.1 only (any free ports); close it (or use it as a context manager)."""
    return LocalCluster(
        n_workers=workers,
        threads_per_worker=threads_per_worker,
        processes=True,
        host=_LOOPBACK,
        dashboard_address=f"{_LOOPBACK}:0",
    )


def _connect(address: str, timeout_s: float) -> Client:
    try:
        return Client(address, timeout=timeout_s, set_as_default=False)
    except (OSError, ValueError, TypeError) as exc:
        raise UserError(
            f"Cannot reach the Dask scheduler at {address!r}: {exc}.",
            "Check the address (tcp://host:8786) and that `dask scheduler` runs there; reach "
            "a remote one through an SSH tunnel (ssh -L 8786:localhost:8786 host, then "
            "tcp://127.0.0.1:8786) or TLS; leave the scheduler empty to run on this PC.",
        ) from None


def _log_cluster(client: Client, what: str, emit: Any) -> None:
    threads = client.nthreads()
    emit.log(
        f"Running on {what}: {len(threads)} worker(s), {sum(threads.values())} thread(s); "
        f"dashboard {client.dashboard_link}"
    )
