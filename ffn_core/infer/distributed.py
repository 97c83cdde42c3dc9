"""Segment a plan's subvolumes on a Dask cluster; the client saves each one, then stitches.

Client side (:func:`segment_plan`). Tasks carry data, not paths: the client reads each missing
subvolume's raw image and submits it with the canvas settings, so a worker needs no access to
the project (a rented GPU machine works). The model's weights travel as numpy arrays, once per
worker: they are the result of one task that every task depends on (the scheduler computes it
again should every worker holding it die), and a worker-local cache builds the predictor once.
The missing subvolumes are grouped ``canvases_per_task`` at a time in plan order and each group's
FOVs go through the model in one batched call per round
(:func:`~ffn_core.infer.batching.drive_batched`); a canvas never sees the others of its group, and
the groups never depend on how many workers there are, so neither does the result.
At most two tasks per worker thread are in flight, so the client and the scheduler hold a few
subvolumes, never the volume.

As tasks finish (``as_completed``) the client writes their subvolumes in the reference layout
(``x/y/seg-x_y_z.npz`` + ``.prob``, atomically; a ``subvolume`` artifact names each) and only
then counts them as done: a stopped, crashed or failed run resumes with the missing subvolumes
only. A task whose worker died is run again by the scheduler; one that raised is retried
:data:`RETRIES` times. When every subvolume is there they are stitched into
``segmentation.h5`` (:func:`ffn_core.infer.stitch.stitch`); the conflicts it refused go to
``conflicts.json``.

Checkpoints, through task boundaries: a task segments for about the settings'
``checkpoint_interval`` seconds (until each of its canvases has also finished an object since
the task started, so every task makes progress), then returns its unfinished canvases' states
(:class:`Partial`) instead of segmentations. The client saves each as the subvolume's
checkpoint (``x/y/seg-x_y_z.cpoint``, the in-process runner's format and fingerprint, with the
subvolume's box) and submits a task that continues from those states. A stop sets a Dask
``Event`` that running tasks check four times a second: they return their states the same way
(saved, not continued) and the queued tasks are cancelled (``client.cancel``). A resumed run
starts each subvolume from its checkpoint when it has one; a subvolume's checkpoint is removed
once its npz is saved. A canvas state holds everything the canvas needs, so the result equals
an uninterrupted run's.

Progress: every second a running task logs its canvases' FOV evaluations and seeds tried (of
their seed policies' candidates) as a Dask event (``Worker.log_event``) on a topic of this run;
the client subscribes to it (``Client.subscribe_topic``) and keeps the latest counts of each
task, which replace the previous ones (a retried task starts its count again, nothing is counted
twice) until its result arrives; a continuation task starts from its predecessor's last counts.
A progress record's ``done`` is the subvolumes saved plus, for each running one, the share of
the FOVs it should take that it has evaluated (:func:`ffn_core.infer.progress.expected_total`:
the prior is the FOVs per voxel of the subvolumes finished so far, else the settings'
estimate, refined by its seeds tried; never all of it), and it never decreases, so the rate
and ETA follow the work done;
``fov_evals`` counts the FOVs evaluated so far by this run, running tasks included (not those
of an earlier run a checkpoint holds).

Refinement (``PlanJob.refine``, model-free steps only): the task that finishes a subvolume
also refines it (:func:`ffn_core.infer.refine.refine_arrays` on its first pass, raw image and
object overlaps) and returns both; the client saves the refined one beside the first pass
(``x/y/refined-x_y_z.npz``, naming its steps, written before the ``seg-*.npz`` that marks the
subvolume done). Before the stitch, a saved subvolume without a refined npz of this run's steps
(segmented by a run with other steps or none, or stopped between the two files) is refined on
the client from its saved first pass, one at a time. ``segmentation.h5`` then holds the
stitched refined subvolumes as ``segmentation`` (attribute ``refine``: the steps) and the
stitched first passes as ``first_pass``, each stitched on its own
(:func:`ffn_core.infer.stitch.stitch_datasets`); ``conflicts.json`` is the refined one's.

Worker side (:func:`segment_group`): the first task of a worker process sends the process's
standard output to its standard error (a local cluster's workers inherit the job's stdout, which
carries the protocol) and limits TensorFlow's thread pools to the worker's threads.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import sys
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dask
import numpy as np
from distributed import Client, Event, Future, as_completed, get_worker

from ffn_core.errors import UserError
from ffn_core.infer import storage
from ffn_core.infer.batching import drive_batched
from ffn_core.infer.canvas import Canvas, FovSteps
from ffn_core.infer.plan import PLAN_NAME, Plan, Subvolume, read_plan
from ffn_core.infer.progress import expected_total
from ffn_core.infer.refine import FIRST_PASS, refine_arrays, refined_attrs
from ffn_core.infer.request import InferenceRequest, format_request
from ffn_core.infer.runner import (
    RunSettings,
    check_run_checkpoint,
    load_run_checkpoint,
    read_normalised,
    save_run_checkpoint,
)
from ffn_core.infer.stitch import StitchReport, stitch, stitch_datasets
from ffn_core.io.atomic import atomic_write_text
from ffn_core.memory import REFINE_BYTES_PER_VOXEL
from ffn_core.zyx import box_shape, box_slices, format_triple

__all__ = [
    "CANVAS_BYTES_PER_VOXEL",
    "CONFLICTS_NAME",
    "RETRIES",
    "ModelPayload",
    "Partial",
    "PlanJob",
    "PlanOutcome",
    "check_subvolumes",
    "run_state",
    "segment_group",
    "segment_plan",
    "task_bytes",
]

CONFLICTS_NAME = "conflicts.json"
#: re-runs of a task that raised (a task whose worker died is re-run by the scheduler anyway)
RETRIES = 2
#: memory of a canvas per voxel of its subvolume (image, seeds, segmentation, probabilities)
CANVAS_BYTES_PER_VOXEL = 13
#: seconds between two progress events of a running task
_REPORT_S = 1.0
_FIRST_REPORT_S = 0.2  # a short task still reports before its result
#: seconds between two checks of the stop event by a running task
_STOP_CHECK_S = 0.25
#: the most a running subvolume's FOVs estimate of its progress may reach (its end is unknown)
_FOV_SHARE_AT_MOST = 0.95
_POLL_S = 0.1
_STATES_EVERY_S = 1.0
#: the longest a stop waits for the running tasks' canvas states
_STOP_WAIT_S = 30.0
# The subvolumes' images travel inside the tasks by design; Dask's warning about large graphs
# (meant for data that should be loaded by the workers themselves) does not apply.
_GRAPH_LIMIT = {"distributed.admin.large-graph-warning-threshold": "8GB"}
#: what a progress event says of each canvas besides the FOVs its task evaluated
_CANVAS_COUNTS = ("fov_evals", "seeds", "voxels")


@dataclass(frozen=True)
class ModelPayload:
    """What a worker needs to build the predictor; ``key`` identifies it (weights included)."""

    model_args: str
    weights: tuple[np.ndarray, ...]
    step: int
    precision: str
    backend: str
    key: str

    @classmethod
    def of(cls, predictor: Any, precision: str, backend: str) -> ModelPayload:
        """The payload of a loaded :class:`~ffn_core.model.predictor.Predictor` computing on
        ``backend`` (the workers must compute on it too)."""
        weights = tuple(predictor.weights())
        args = predictor.args.to_json()
        digest = hashlib.sha256(f"{args}|{precision}|{backend}".encode())
        for weight in weights:
            digest.update(f"{weight.shape}{weight.dtype}".encode())
            digest.update(np.ascontiguousarray(weight).tobytes())
        return cls(args, weights, int(predictor.step), precision, backend, digest.hexdigest()[:16])


@dataclass(frozen=True)
class Partial:
    """A subvolume segmented in part: its canvas's :meth:`~Canvas.get_state` (the state before
    the object it was filling) and the seconds spent on it so far."""

    state: dict[str, Any]
    elapsed_s: float


@dataclass(frozen=True)
class PlanJob:
    """Everything a distributed run needs besides the cluster, the image and the run folder.

    Attributes
    ----------
    plan : Plan
        The subvolumes.
    settings : RunSettings
        Canvas settings (options, FOV, deltas, seed policy) shared by every subvolume.
    request : InferenceRequest
        The request used; each npz stores it with its own subvolume's box.
    model : ModelPayload
        The model.
    mean, std : float
        Normalisation of the raw image, applied on the worker.
    canvases_per_task : int
        Subvolumes one task segments together (their FOVs batched).
    refine : tuple of str
        Refinement steps of :data:`~ffn_core.infer.refine.ARRAY_STEPS` run on each finished
        subvolume (:func:`~ffn_core.infer.refine.refine_arrays`); none: no refinement.
    """

    plan: Plan
    settings: RunSettings
    request: InferenceRequest
    model: ModelPayload
    mean: float
    std: float
    canvases_per_task: int = 2
    refine: tuple[str, ...] = ()

    def request_text(self, sub: Subvolume) -> str:
        """The request text stored in ``sub``'s npz (its box in the header)."""
        return format_request(self.request, sub.box)


@dataclass
class PlanOutcome:
    """How a distributed run ended.

    ``computed`` counts the subvolumes this call segmented (the others were there already);
    ``report`` and ``h5`` are None when stopped; ``counters`` sums every subvolume's counters.
    With refinement steps ``report`` is the refined ``segmentation``'s, ``first_pass`` the
    first pass's, and ``refine`` sums each step's statistics over the subvolumes (voxels in
    overlaps count once per subvolume).
    """

    status: str
    h5: Path | None
    report: StitchReport | None
    computed: int
    done: int
    counters: dict[str, Any]
    seconds: float
    first_pass: StitchReport | None = None
    refine: dict[str, dict[str, Any]] | None = None


# -- run folder -----------------------------------------------------------------------------
def run_state(run_dir: Path, plan: Plan) -> str:
    """``absent``, ``checkpoint`` (this plan, resumable), ``complete`` (every subvolume and the
    stitched volume) or ``partial`` (results of another plan, or of a run without one)."""
    run_dir = Path(run_dir)
    if read_plan(run_dir) == plan:
        if (run_dir / storage.H5_NAME).is_file() and not _missing(run_dir, plan):
            return "complete"
        return "checkpoint"
    return "partial" if storage.holds_results(run_dir) else "absent"


def _npz(run_dir: Path, sub: Subvolume) -> Path:
    return storage.subvolume_path(run_dir, sub.corner, "npz")


def _cpoint(run_dir: Path, sub: Subvolume) -> Path:
    return storage.subvolume_path(run_dir, sub.corner, "cpoint")


def _fingerprint(job: PlanJob, sub: Subvolume) -> dict[str, Any]:
    """What ``sub``'s checkpoint shares with a run that resumes it: the run's, with its box."""
    return {**job.settings.fingerprint, "bbox": [list(sub.corner), [b for _, b in sub.box]]}


def _missing(run_dir: Path, plan: Plan) -> list[Subvolume]:
    return [sub for sub in plan.subvolumes if not _npz(run_dir, sub).is_file()]


def check_subvolumes(run_dir: Path, job: PlanJob) -> None:
    """Refuse to resume over subvolumes segmented with other settings (their npz's request
    text differs from the one this job writes), then over checkpoints of other settings."""
    for sub in job.plan.subvolumes:
        path = _npz(run_dir, sub)
        if not path.is_file():
            continue
        with np.load(path, allow_pickle=False) as data:
            stored = str(data["request"])
        if stored != job.request_text(sub):
            raise UserError(
                f"The subvolume {path} was segmented with other settings (model, image "
                "mean/std, seed policy or options) than this run's.",
                "Resume with the same settings, or start again with --on-exists new or replace.",
                "Press Resume with the same settings, or start again with New run or Replace on "
                "the Infer page.",
            )
    for sub in _missing(run_dir, job.plan):
        if _cpoint(run_dir, sub).is_file():
            check_run_checkpoint(_cpoint(run_dir, sub), _fingerprint(job, sub))


def _load_segmentation(run_dir: Path) -> Callable[[Subvolume], np.ndarray]:
    def load(sub: Subvolume) -> np.ndarray:
        return storage.load_subvolume_segmentation(run_dir, sub.corner)

    return load


def _load_refined(run_dir: Path) -> Callable[[Subvolume], np.ndarray]:
    def load(sub: Subvolume) -> np.ndarray:
        return storage.load_refined_segmentation(run_dir, sub.corner)

    return load


def _summed(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The sum of each number over ``records``, by name (sorted)."""
    total: Counter[str] = Counter()
    for record in records:
        total.update(record)
    return {name: round(value, 3) for name, value in sorted(total.items())}


def _summed_counters(run_dir: Path, plan: Plan) -> dict[str, Any]:
    counters = []
    for sub in plan.subvolumes:
        with np.load(_npz(run_dir, sub), allow_pickle=False) as data:
            counters.append(json.loads(str(data["counters"])))
    return _summed(counters)


def _summed_refine(run_dir: Path, job: PlanJob) -> dict[str, dict[str, Any]]:
    """Each refinement step's statistics summed over the plan's refined subvolumes."""
    stats = [storage.read_refined_meta(run_dir, sub.corner)[1] for sub in job.plan.subvolumes]
    return {step: _summed([each[step] for each in stats]) for step in stats[0]}


# -- client ---------------------------------------------------------------------------------
class _Board:
    """The subvolumes' states (``w`` waiting, ``r`` running, ``d`` done, ``f`` failed), the
    running tasks' latest progress events and the progress lines made of them."""

    def __init__(
        self, plan: Plan, missing: list[Subvolume], emit: Any, fovs_per_voxel: float | None
    ) -> None:
        todo = {sub.index for sub in missing}
        self.states = ["w" if sub.index in todo else "d" for sub in plan.subvolumes]
        self.emit = emit
        self.fovs_per_voxel = fovs_per_voxel  # the prior, until a subvolume has finished
        self.done = 0.0  # the most reported so far: progress never goes back
        self.fov_evals = 0  # by this run's returned tasks
        self.finished_fovs = 0  # of the subvolumes finished (checkpointed parts included)
        self.finished_voxels = 0
        self.computed = 0
        self.started = time.monotonic()
        self.polled = 0.0
        self._lock = threading.Lock()
        self._running: dict[str, dict[str, Any]] = {}
        self._ended: set[str] = set()

    def hear(self, event: tuple[float, dict[str, Any]]) -> None:
        """A task's progress event (called on the client's event loop): its counts so far."""
        counts = event[1]
        with self._lock:
            if counts["task"] not in self._ended:
                self._running[counts["task"]] = counts

    def carry(self, task: str, results: list[dict[str, Any]]) -> None:
        """A continuation ``task`` starts from the counts its canvases' ``results`` ended with."""
        counts = {
            "task": task,
            "evaluated": [0] * len(results),
            **{name: [result["counts"][name] for result in results] for name in _CANVAS_COUNTS},
        }
        with self._lock:
            self._running.setdefault(task, counts)

    def end(self, task: str) -> None:
        """The task's result arrived (or the run stopped): its events count no more."""
        with self._lock:
            self._ended.add(task)
            self._running.pop(task, None)

    def mark(self, group: tuple[Subvolume, ...], state: str) -> None:
        for sub in group:
            self.states[sub.index] = state

    def took(self, results: list[dict[str, Any]]) -> None:
        """A task returned: count the FOVs it evaluated."""
        self.fov_evals += sum(int(result["evaluated"]) for result in results)

    def finished(self, group: tuple[Subvolume, ...], results: list[dict[str, Any]]) -> None:
        """The group's subvolumes are saved: count their FOVs and voxels, report."""
        for sub, result in zip(group, results):
            self.finished_fovs += int(result["counters"].get("fov_evals", 0))
            self.finished_voxels += int(np.prod(box_shape(sub.box)))
        self.mark(group, "d")
        self.computed += len(group)
        self.progress()

    def poll(self, client: Client, in_flight: dict[Future, tuple[Subvolume, ...]]) -> None:
        """Mark the groups the scheduler is running now (at most once a second)."""
        if time.monotonic() - self.polled < _STATES_EVERY_S:
            return
        self.polled = time.monotonic()
        processing = {key for keys in client.processing().values() for key in keys}
        for future, group in in_flight.items():
            self.mark(group, "r" if future.key in processing else "w")
        self.progress()

    def _share(self, fov_evals: int, seeds: list[int], voxels: int) -> float:
        """How much of a running subvolume is done: its FOVs evaluated of those it should take
        at the FOVs per voxel of the subvolumes finished so far (else the prior), refined by
        the share of its seeds tried."""
        tried, candidates = seeds
        per_voxel = (
            self.finished_fovs / self.finished_voxels
            if self.finished_voxels
            else self.fovs_per_voxel
        )
        prior = None if per_voxel is None else per_voxel * voxels
        expected = expected_total(fov_evals, tried / candidates if candidates else 1.0, prior)
        return min(fov_evals / expected, _FOV_SHARE_AT_MOST) if expected > 0 else 0.0

    def progress(self) -> None:
        """A progress record: the subvolumes saved plus the running ones' shares done."""
        with self._lock:
            running = list(self._running.values())
        fov_evals = self.fov_evals + sum(sum(counts["evaluated"]) for counts in running)
        partly = sum(
            self._share(*canvas)
            for counts in running
            for canvas in zip(counts["fov_evals"], counts["seeds"], counts["voxels"])
        )
        seconds = max(time.monotonic() - self.started, 1e-9)
        self.done = max(self.done, self.states.count("d") + partly)
        self.emit.progress(
            self.done,
            len(self.states),
            "subvolumes",
            fov_evals=fov_evals,
            fov_per_s=fov_evals / seconds,
            states="".join(self.states),
        )


def segment_plan(
    client: Client, job: PlanJob, dataset: Any, run_dir: Path, emit: Any, cancel: Any
) -> PlanOutcome:
    """Segment the plan's missing subvolumes on ``client``'s cluster and stitch them.

    Parameters
    ----------
    client : distributed.Client
        The cluster (:func:`ffn_core.scale.cluster.dask_client`).
    job : PlanJob
        Plan, settings and model.
    dataset : array-like
        The raw image (e.g. an open HDF5 dataset), read one subvolume at a time.
    run_dir : Path
        The run folder: ``plan.json``, the subvolumes' npz files and ``segmentation.h5``.
    emit, cancel
        Progress records (unit ``subvolumes``, ``states`` one character per subvolume) and the
        stop request.

    Returns
    -------
    PlanOutcome
        ``completed`` with the stitched volume, or ``stopped`` (run again to resume).

    Raises
    ------
    UserError
        Existing subvolumes of other settings, or a task that failed after its retries (the
        finished subvolumes are kept).
    """
    run_dir = Path(run_dir)
    started = time.monotonic()
    run_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(run_dir / PLAN_NAME, json.dumps(job.plan.to_dict(), indent=1) + "\n")
    emit.artifact("plan", str(run_dir / PLAN_NAME))
    missing = _missing(run_dir, job.plan)
    board = _Board(job.plan, missing, emit, job.settings.fovs_per_voxel)
    board.progress()
    k = job.canvases_per_task
    groups = [tuple(missing[i : i + k]) for i in range(0, len(missing), k)]
    token = uuid.uuid4().hex[:12]
    with dask.config.set(_GRAPH_LIMIT), _listening(client, _topic(token), board.hear):
        stopped = _run_groups(client, job, dataset, groups, run_dir, board, cancel, token)
    if stopped or (job.refine and not _refine_saved(run_dir, job, dataset, emit, cancel)):
        done = board.states.count("d")
        return PlanOutcome("stopped", None, None, board.computed, done, {}, _since(started))
    h5 = run_dir / storage.H5_NAME
    first_pass, refine = None, None
    if job.refine:
        refine = _summed_refine(run_dir, job)
        reports = stitch_datasets(
            job.plan,
            {"segmentation": _load_refined(run_dir), FIRST_PASS: _load_segmentation(run_dir)},
            h5,
            attrs={"segmentation": refined_attrs(job.refine, refine)},
        )
        report, first_pass = reports["segmentation"], reports[FIRST_PASS]
    else:
        report = stitch(job.plan, _load_segmentation(run_dir), h5)
    conflicts = [conflict.to_dict() for conflict in report.conflicts]
    atomic_write_text(run_dir / CONFLICTS_NAME, json.dumps(conflicts, indent=1) + "\n")
    counters = _summed_counters(run_dir, job.plan)
    storage.write_counters(run_dir, counters)
    emit.artifact("segmentation", f"{h5}:segmentation")
    return PlanOutcome(
        "completed",
        h5,
        report,
        board.computed,
        len(board.states),
        counters,
        _since(started),
        first_pass,
        refine,
    )


def _refine_saved(run_dir: Path, job: PlanJob, dataset: Any, emit: Any, cancel: Any) -> bool:
    """Refine, here and one at a time, the saved subvolumes whose refined npz is missing or
    was made by other steps (saved by a run with other steps or none, or by a run that
    stopped between its two files); False when stopped."""
    stale = [sub for sub in job.plan.subvolumes if not _refined_by(run_dir, sub, job.refine)]
    if stale:
        emit.log(
            f"{len(stale)} saved subvolume(s) lack the refinement {', '.join(job.refine)}: "
            "refining them here from their first pass."
        )
    for sub in stale:
        if cancel.cancelled:
            return False
        refined, stats = refine_arrays(
            storage.load_subvolume_segmentation(run_dir, sub.corner),
            np.asarray(dataset[box_slices(sub.box)]),
            job.refine,
            overlaps=storage.read_overlaps(_npz(run_dir, sub)),
        )
        path = storage.save_refined_npz(run_dir, sub.corner, refined, job.refine, stats)
        emit.artifact("refined", str(path))
    return True


def task_bytes(plan: Plan, canvases_per_task: int, refine: bool = False) -> int:
    """Memory one task needs: its canvases of the plan's largest subvolume, and the refinement
    of one of them."""
    largest = max(int(np.prod(box_shape(sub.box))) for sub in plan.subvolumes)
    per_voxel = canvases_per_task * CANVAS_BYTES_PER_VOXEL + refine * REFINE_BYTES_PER_VOXEL
    return largest * per_voxel


def _since(started: float) -> float:
    return time.monotonic() - started


def _topic(token: str) -> str:
    """The Dask event topic of a run's progress events."""
    return f"ffn-progress-{token}"


@contextmanager
def _listening(client: Client, topic: str, handler: Callable[[Any], None]) -> Iterator[None]:
    """``handler`` receives the events logged on ``topic`` while the context lasts."""
    client.subscribe_topic(topic, handler)
    try:
        yield
    finally:
        client.unsubscribe_topic(topic)


def _run_groups(
    client: Client,
    job: PlanJob,
    dataset: Any,
    groups: list[tuple[Subvolume, ...]],
    run_dir: Path,
    board: _Board,
    cancel: Any,
    token: str,
) -> bool:
    """Submit the groups (a bounded number in flight), save each as it finishes or checkpoints
    (continuing it in a new task); True when stopped. ``token`` names this run's tasks, stop
    event and progress topic."""
    if not groups:
        return False
    stop = Event(f"ffn-stop-{token}", client=client)
    model = client.submit(_hold, job.model, key=f"ffn-model-{job.model.key}-{token}", pure=False)
    queue = deque(groups)
    in_flight: dict[Future, tuple[Subvolume, ...]] = {}
    finished = as_completed(loop=client.loop)
    numbers = itertools.count()

    def submit(group: tuple[Subvolume, ...], partials: list[Partial | None]) -> str:
        key = f"ffn-subvolumes-{token}-{next(numbers)}"
        future = client.submit(
            segment_group,
            [np.asarray(dataset[box_slices(sub.box)]) for sub in group],
            partials,
            job.mean,
            job.std,
            job.settings,
            model,
            stop.name,
            _topic(token),
            job.refine,
            key=key,
            retries=RETRIES,
            pure=False,
        )
        in_flight[future] = group
        finished.add(future)
        return key

    def submit_more() -> None:
        limit = max(2, 2 * sum(client.nthreads().values()))
        while queue and len(in_flight) < limit:
            group = queue.popleft()
            submit(group, [_read_partial(run_dir, job, sub) for sub in group])

    submit_more()
    while in_flight:
        if cancel.cancelled:
            _stop_tasks(client, job, run_dir, board, stop, model, in_flight)
            return True
        ready = finished.next_batch(block=False)
        if not ready:
            board.poll(client, in_flight)
            time.sleep(_POLL_S)
            continue
        for future in ready:
            group = in_flight.pop(future)
            board.end(future.key)
            try:
                results = future.result()
            except Exception as exc:  # noqa: BLE001 - any worker error ends the run clearly
                board.mark(group, "f")
                board.progress()
                stop.set()
                client.cancel([*in_flight, model])
                raise _task_failed(group, exc) from None
            carried = _keep(run_dir, job, group, results, board)
            if carried:
                subs = tuple(sub for sub, _ in carried)
                key = submit(subs, [result["partial"] for _, result in carried])
                board.carry(key, [result for _, result in carried])
        submit_more()
    return False


def _read_partial(run_dir: Path, job: PlanJob, sub: Subvolume) -> Partial | None:
    """``sub``'s checkpoint, when it has one."""
    cpoint = _cpoint(run_dir, sub)
    if not cpoint.is_file():
        return None
    return Partial(*load_run_checkpoint(cpoint, _fingerprint(job, sub)))


def _keep(
    run_dir: Path,
    job: PlanJob,
    group: tuple[Subvolume, ...],
    results: list[dict[str, Any]],
    board: _Board,
) -> list[tuple[Subvolume, dict[str, Any]]]:
    """Save a task's results: the finished subvolumes' npz (then their checkpoints go), the
    others' checkpoints; returns the unfinished subvolumes with their results."""
    board.took(results)
    done, carried = [], []
    for sub, result in zip(group, results):
        if "partial" in result:
            partial = result["partial"]
            cpoint = _cpoint(run_dir, sub)
            save_run_checkpoint(cpoint, partial.state, _fingerprint(job, sub), partial.elapsed_s)
            board.emit.artifact("checkpoint", str(cpoint))
            carried.append((sub, result))
            continue
        _save_refined(run_dir, job, sub, result, board.emit)
        board.emit.artifact("subvolume", str(_save(run_dir, job, sub, result)))
        _cpoint(run_dir, sub).unlink(missing_ok=True)
        done.append((sub, result))
    if done:
        board.finished(tuple(sub for sub, _ in done), [result for _, result in done])
    return carried


def _stop_tasks(
    client: Client,
    job: PlanJob,
    run_dir: Path,
    board: _Board,
    stop: Event,
    model: Future,
    in_flight: dict[Future, tuple[Subvolume, ...]],
) -> None:
    """Stop: cancel the queued tasks, wait (a second or so) for the running ones to return their
    canvases' states (or segmentations) and save them, then cancel the rest and ``model``."""
    stop.set()
    processing = {key for keys in client.processing().values() for key in keys}
    running = [future for future in in_flight if future.key in processing or future.done()]
    client.cancel([future for future in in_flight if future not in running])
    deadline = time.monotonic() + _STOP_WAIT_S
    while not all(future.done() for future in running) and time.monotonic() < deadline:
        time.sleep(_POLL_S)
    for future, group in in_flight.items():
        board.end(future.key)
        if future in running and future.status == "finished":
            carried = _keep(run_dir, job, group, future.result(), board)
            board.mark(tuple(sub for sub, _ in carried), "w")
        else:
            board.mark(group, "w")
    client.cancel([*in_flight, model])
    board.progress()


def _save(run_dir: Path, job: PlanJob, sub: Subvolume, result: dict[str, Any]) -> Path:
    return storage.save_reference_npz(
        run_dir,
        sub.corner,
        result["segmentation"],
        result["qprob"],
        result["origins"],
        result["overlaps"],
        job.request_text(sub),
        result["counters"],
    )


def _refined_by(run_dir: Path, sub: Subvolume, steps: tuple[str, ...]) -> bool:
    """Whether ``sub`` has a refined npz made by ``steps``."""
    meta = storage.read_refined_meta(run_dir, sub.corner)
    return meta is not None and meta[0] == steps


def _save_refined(
    run_dir: Path, job: PlanJob, sub: Subvolume, result: dict[str, Any], emit: Any
) -> None:
    """Save the subvolume's refined segmentation before its first pass; without refinement,
    remove one an earlier run left (it would not match the new first pass)."""
    if "refined" not in result:
        storage.refined_path(run_dir, sub.corner).unlink(missing_ok=True)
        return
    path = storage.save_refined_npz(
        run_dir, sub.corner, result["refined"], job.refine, result["refine"]
    )
    emit.artifact("refined", str(path))


def _task_failed(group: tuple[Subvolume, ...], exc: BaseException) -> UserError:
    corners = ", ".join(format_triple(sub.corner) for sub in group)
    return UserError(
        f"Segmenting the subvolume(s) at {corners} (z, y, x) failed on the cluster: "
        f"{type(exc).__name__}: {exc}.",
        "The finished subvolumes are kept: fix the cause (the workers' log says more; every "
        "worker needs FFN Workbench and the model's backend installed) and run again with "
        "--on-exists resume.",
        "The finished subvolumes are kept: fix the cause (the workers' log says more; every worker"
        " needs FFN Workbench and the model's backend installed) and press Resume on the Infer "
        "page.",
    )


# -- worker ---------------------------------------------------------------------------------
_CACHE: dict[str, Any] = {}
_CACHE_LOCK = threading.Lock()
_QUIET: list[bool] = []


def _hold(value: Any) -> Any:
    """A task whose result is ``value``: data every task needs, kept by the scheduler."""
    return value


def segment_group(
    images: list[np.ndarray],
    partials: list[Partial | None],
    mean: float,
    std: float,
    settings: RunSettings,
    model: ModelPayload,
    stop_name: str,
    topic: str,
    refine: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """Segment subvolumes on a worker, their FOVs batched into one model call per round, and
    refine each one that finishes.

    Parameters
    ----------
    images : list of ndarray
        The subvolumes' raw images (z, y, x), as stored in the project.
    partials : list of Partial or None
        Where each subvolume starts: a checkpointed state, or None (its first seed).
    mean, std : float
        Normalisation: ``(image - mean) / std`` as :func:`read_normalised` computes it.
    settings : RunSettings
        Canvas options, FOV, deltas and seed policy; the task returns after about
        ``checkpoint_interval`` seconds (<= 0: at the end).
    model : ModelPayload
        The model (the predictor is built once per worker process).
    stop_name : str
        Name of the Dask ``Event`` that asks running tasks to stop.
    topic : str
        Dask event topic of the run's progress: every second, ``{"task": key, "evaluated":
        [FOVs of this task per canvas], "fov_evals": [per canvas], "seeds": [[tried,
        candidates] per canvas], "voxels": [per canvas]}``.
    refine : tuple of str
        Refinement steps run on each finished subvolume's first pass, raw image and object
        overlaps (:func:`~ffn_core.infer.refine.refine_arrays`); none: no refinement.

    Returns
    -------
    list of dict
        Per subvolume, when finished: ``segmentation`` (smallest unsigned dtype), ``qprob``
        (uint8), ``origins``, ``overlaps`` and ``counters`` (``wall_s``: the seconds of its
        tasks), with ``refine``: ``refined`` (the refined segmentation) and ``refine`` (the
        steps' statistics); else ``partial`` (a :class:`Partial`) and ``counts`` (its last
        progress counts). Both have ``evaluated``: the FOVs this task evaluated.
    """
    _quiet_stdout()
    predictor = _predictor(model)
    canvases = [
        Canvas(
            read_normalised(raw, (0, 0, 0), raw.shape, mean, std),
            settings.options,
            settings.fov_size_zyx,
            settings.deltas_zyx,
            settings.seed_policy,
            settings.seed_policy_args,
        )
        for raw in images
    ]
    for canvas, partial in zip(canvases, partials):
        if partial is not None:
            canvas.set_state(partial.state)
    group = _Group(canvases, settings.checkpoint_interval)
    try:
        drive_batched(group.steps(), _watched(predictor.predict, group, stop_name, topic))
    except _Pause:
        pass  # the unfinished canvases return their states
    results = [group.result(index, partial) for index, partial in enumerate(partials)]
    for raw, result in zip(images, results):
        if refine and "segmentation" in result:
            refined, stats = refine_arrays(
                result["segmentation"], raw, refine, overlaps=result["overlaps"]
            )
            result.update(refined=storage.reduce_id_bits(refined), refine=stats)
    return results


class _Pause(Exception):
    """The task ends now (its time is up or the run is stopping): return the states."""


class _Group:
    """A task's canvases: which have finished, what each did in this task, and whether the task
    may end to be continued (its time is up and each canvas has finished since it started or
    moved on from the object it started with, so a continuation always makes progress)."""

    def __init__(self, canvases: list[Canvas], interval: float) -> None:
        self.canvases = canvases
        self.interval = interval
        self.started = time.monotonic()
        self.done = [False] * len(canvases)
        self.first_seed = [canvas.resume_index for canvas in canvases]
        self.first_fovs = [int(canvas.counters["fov_evals"]) for canvas in canvases]

    def steps(self) -> list[FovSteps]:
        return [self._tracked(index) for index in range(len(self.canvases))]

    def _tracked(self, index: int) -> FovSteps:
        yield from self.canvases[index].segment_all()
        self.done[index] = True

    def time_up(self) -> bool:
        if self.interval <= 0 or time.monotonic() - self.started < self.interval:
            return False
        return all(
            done or canvas.resume_index > first
            for canvas, done, first in zip(self.canvases, self.done, self.first_seed)
        )

    def evaluated(self, index: int) -> int:
        return int(self.canvases[index].counters["fov_evals"]) - self.first_fovs[index]

    def counts(self, index: int) -> dict[str, Any]:
        """Progress counts of one canvas (:data:`_CANVAS_COUNTS`)."""
        canvas = self.canvases[index]
        return {
            "fov_evals": int(canvas.counters["fov_evals"]),
            "seeds": list(canvas.seeds_done()),
            "voxels": int(np.prod(canvas.shape)),
        }

    def event(self, task: str) -> dict[str, Any]:
        """The task's progress event."""
        indices = range(len(self.canvases))
        counts = [self.counts(index) for index in indices]
        return {
            "task": task,
            "evaluated": [self.evaluated(index) for index in indices],
            **{name: [count[name] for count in counts] for name in _CANVAS_COUNTS},
        }

    def result(self, index: int, partial: Partial | None) -> dict[str, Any]:
        """What the task returns of canvas ``index`` (see :func:`segment_group`)."""
        canvas = self.canvases[index]
        before = 0.0 if partial is None else partial.elapsed_s
        elapsed = round(before + time.monotonic() - self.started, 3)
        if not self.done[index]:
            return {
                "partial": Partial(canvas.get_state(), elapsed),
                "counts": self.counts(index),
                "evaluated": self.evaluated(index),
            }
        return {
            "segmentation": storage.reduce_id_bits(canvas.final_segmentation()),
            "qprob": canvas.seg_prob,
            "origins": dict(canvas.origins),
            "overlaps": dict(canvas.overlaps),
            "counters": {**canvas.counters, "wall_s": elapsed},
            "evaluated": self.evaluated(index),
        }


def _quiet_stdout() -> None:
    """Once per worker process: standard output goes to standard error, file descriptor too."""
    with _CACHE_LOCK:
        if _QUIET:
            return
        _QUIET.append(True)
        try:
            sys.stdout.flush()
            os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
        except (AttributeError, OSError, ValueError):
            pass  # no real file descriptors (an embedded interpreter): Python level only
        sys.stdout = sys.stderr


def _predictor(model: ModelPayload) -> Any:
    """The worker's predictor of ``model``, built on first use (one model kept at a time)."""
    from ffn_core.backend import select
    from ffn_core.model.args import ModelArgs

    with _CACHE_LOCK:  # one thread imports Keras: two at once can meet it half-initialised
        select(model.backend)  # a worker of another backend refuses with a clear message
        from ffn_core.model.predictor import Predictor, limit_threads

        if model.key not in _CACHE:
            _CACHE.clear()
            limit_threads(get_worker().state.nthreads)
            _CACHE[model.key] = Predictor.from_weights(
                ModelArgs.from_reference(model.model_args),
                list(model.weights),
                model.step,
                model.precision,
            )
        return _CACHE[model.key]


def _watched(
    predict: Callable[[np.ndarray, np.ndarray], np.ndarray],
    group: _Group,
    stop_name: str,
    topic: str,
) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """``predict`` that raises :class:`_Pause` once the group's time is up or the stop event is
    set (checked every :data:`_STOP_CHECK_S` seconds), and every second (the first time after
    0.2 s) logs the group's progress event on ``topic``."""
    worker = get_worker()
    task = str(worker.get_current_task())
    stop = Event(stop_name)
    reported = [time.monotonic() - _REPORT_S + _FIRST_REPORT_S]  # the first report comes early
    checked = [time.monotonic()]

    def predict_watched(images: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        if group.time_up():
            raise _Pause("checkpoint")
        now = time.monotonic()
        if now - reported[0] >= _REPORT_S:
            reported[0] = now
            worker.log_event(topic, group.event(task))
        if now - checked[0] >= _STOP_CHECK_S:
            checked[0] = now
            if stop.is_set():
                raise _Pause("the run was stopped")
        return predict(images, seeds)

    return predict_watched
