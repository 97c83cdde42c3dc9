"""Inference in subvolumes on Dask: real clusters of worker processes, a real (tiny) model.

The model's logits are ``seed + 6 * image`` (``blob_checkpoint``), so bright boxes and tubes
between dark walls become objects, some crossing the seams of a 2 x 2 plan of a 20 x 72 x 72
image. Most tests share one LocalCluster of two worker processes (through its address, as
``--scheduler`` would); one run starts its own one-worker cluster, one a ``dask scheduler`` and
two ``dask worker`` processes, one the CLI with ``--workers 2``.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import h5py
import numpy as np
import pytest

from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter
from ffn_core.infer.request import parse_request
from ffn_core.infer.storage import load_checkpoint
from ffn_core.project import Project
from ffn_core.protocol import Artifact, Log, Progress, Record, decode
from ffn_core.stages import StageResult
from ffn_core.stages.infer import InferConfig, infer
from tests.core.stack_files import REPO, image_project, result_outputs, run_cli

distributed = pytest.importorskip("distributed")

SHAPE = (20, 72, 72)
FOUR = {"subvolume_size_zyx": (20, 40, 40), "overlap_zyx": (4, 8, 8)}  # 1 x 2 x 2 subvolumes


def _blob_image() -> np.ndarray:
    """Dark (32) with bright (224) boxes on a grid and two tubes, plus noise."""
    image = np.full(SHAPE, 32, np.uint8)
    for z in (2, 12):
        for y in range(2, SHAPE[1], 18):
            for x in range(2, SHAPE[2], 18):
                image[z : z + 7, y : y + 12, x : x + 12] = 224
    image[5:9, 30:34, :] = 224  # along x, across the x seam
    image[14:18, :, 50:54] = 224  # along y, across the y seam
    noise = np.random.default_rng(0).integers(-20, 20, SHAPE)
    return np.clip(image + noise, 0, 255).astype(np.uint8)


class Recorder(Emitter):
    """Keeps the records; ``on_progress(record)`` sees each progress record as it is sent."""

    def __init__(self, on_progress: Callable[[Progress], None] | None = None) -> None:
        super().__init__("infer", stream=io.StringIO(), min_interval=0.0)
        self.records: list[Record] = []
        self.on_progress = on_progress

    def send(self, record: Record) -> None:
        self.records.append(record)
        if isinstance(record, Progress) and self.on_progress is not None:
            self.on_progress(record)


def _seg(result: StageResult) -> np.ndarray:
    file, name = result.outputs["segmentation"].rsplit(":", 1)
    with h5py.File(file, "r") as handle:
        return handle[name][...]


def _subvolumes(run_dir: Path) -> dict[str, np.ndarray]:
    """Each ``x/y/seg-*.npz`` segmentation by its path inside the run folder."""
    found = {}
    for path in sorted(run_dir.rglob("seg-*.npz")):
        with np.load(path, allow_pickle=False) as data:
            found[str(path.relative_to(run_dir))] = data["segmentation"]
    return found


def _same_subvolumes(a: Path, b: Path) -> bool:
    first, second = _subvolumes(a), _subvolumes(b)
    return list(first) == list(second) and all(np.array_equal(first[k], second[k]) for k in first)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    root = tmp_path_factory.mktemp("dask") / "p"
    return Project.open(image_project(root, _blob_image(), mean=128.0, std=64.0))


@pytest.fixture(scope="module")
def base(blob_checkpoint) -> InferConfig:
    return InferConfig(
        checkpoint=str(blob_checkpoint), refresh_interval=0.0, min_segment_size=50, refine="none"
    )


@pytest.fixture(scope="module")
def cluster() -> Iterator[distributed.Client]:
    """A LocalCluster of two one-thread worker processes on loopback, shared by the module."""
    from ffn_core.scale.cluster import local_cluster

    with (
        local_cluster(workers=2, threads_per_worker=1) as local,
        distributed.Client(local, set_as_default=False) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def address(cluster) -> str:
    return cluster.scheduler.address


@pytest.fixture(scope="module")
def four(project, base, address) -> StageResult:
    """The 2 x 2 plan on the shared cluster: the result the other runs must reproduce."""
    result = infer(base.replace(run="four", scheduler=address, **FOUR), project, emit=Recorder())
    assert result.status == "completed", result
    return result


@pytest.fixture(scope="module")
def one(project, base, address) -> tuple[StageResult, list[Progress]]:
    """The whole box as one subvolume on the shared cluster (one task of two seconds or more),
    and its progress records."""
    emit = Recorder()
    result = infer(base.replace(run="one", scheduler=address), project, emit=emit)
    return result, [r for r in emit.records if isinstance(r, Progress)]


def test_one_subvolume_on_dask_equals_the_single_box_run(project, base, one) -> None:
    single = infer(base.replace(run="single"), project, emit=Recorder())
    dask, progress = one
    assert dask.outputs["subvolumes"] == 1 and dask.outputs["merges"] == 0
    assert dask.extra["segments"] == single.extra["segments"] >= 10
    assert dask.extra["fov_evals"] == single.extra["fov_evals"]
    # the canvas's IDs are 1..N without gaps here, so the stitch's relabelling keeps them
    assert np.array_equal(_seg(dask), _seg(single))
    single_dir, dask_dir = (project.path("inference", run) for run in ("single", "one"))
    assert _same_subvolumes(single_dir, dask_dir)
    npz = "0/0/seg-0_0_0.npz"
    with (
        np.load(single_dir / npz, allow_pickle=True) as a,
        np.load(dask_dir / npz, allow_pickle=True) as b,
    ):
        assert a["origins"].item().keys() == b["origins"].item().keys()
        single_request, dask_request = (parse_request(str(n["request"])) for n in (a, b))
    assert dask_request == single_request
    assert progress[0].unit == "subvolumes" and progress[0].metrics["states"] == "w"
    assert progress[-1].done == 1 and progress[-1].metrics["states"] == "d"
    assert progress[-1].metrics["fov_evals"] == dask.extra["fov_evals"]


def test_a_running_task_reports_its_fovs_before_its_subvolume_is_done(one) -> None:
    """The worker's progress events reach the client while the task runs: FOVs evaluated and
    a share of the subvolume done, hence a rate and an ETA."""
    result, progress = one
    running = [r for r in progress if "d" not in r.metrics["states"] and r.metrics["fov_evals"]]
    assert running, [(r.done, r.metrics) for r in progress]
    assert all(0 < r.done < 1 and r.eta_s is not None for r in running)
    assert [r.done for r in progress] == sorted(r.done for r in progress)  # never back
    assert all(r.metrics["fov_per_s"] > 0 for r in running)
    assert progress[-1].metrics["fov_evals"] == result.extra["fov_evals"]
    assert max(r.metrics["fov_evals"] for r in running) < result.extra["fov_evals"]


def test_one_and_two_workers_give_the_same_stitched_segmentation(project, base, four) -> None:
    assert four.outputs["subvolumes"] == 4 and four.outputs["merges"] >= 2
    assert four.extra["computed"] == 4 and four.extra["dashboard"].startswith("http://127.0.0.1:")
    seg = _seg(four)
    assert seg.shape == SHAPE and four.extra["segments"] == len(np.unique(seg[seg > 0]))
    alone = infer(base.replace(run="alone", workers=1, **FOUR), project, emit=Recorder())
    assert np.array_equal(_seg(alone), seg)
    assert _same_subvolumes(project.path("inference", "alone"), project.path("inference", "four"))
    assert alone.outputs["merges"] == four.outputs["merges"]


def _stopped_once_a_subvolume_is_saved(config: InferConfig, project: Project) -> StageResult:
    cancel = CancelToken()
    return infer(
        config,
        project,
        emit=Recorder(lambda record: cancel.cancel() if "d" in record.metrics["states"] else None),
        cancel=cancel,
    )


def test_a_stopped_run_resumes_with_the_missing_subvolumes_only(
    project, base, address, four
) -> None:
    config = base.replace(run="stop", scheduler=address, canvases_per_task=1, **FOUR)
    stopped = _stopped_once_a_subvolume_is_saved(config, project)
    assert stopped.status == "stopped" and stopped.outputs["subvolumes"] == 4
    run_dir = project.path("inference", "stop")
    first = {path: path.stat().st_mtime_ns for path in run_dir.rglob("seg-*.npz")}
    assert 1 <= len(first) == stopped.extra["subvolumes_done"] < 4
    assert not (run_dir / "segmentation.h5").exists()
    with pytest.raises(UserError, match="a stopped run that can be resumed"):
        infer(config, project, emit=Recorder())
    with pytest.raises(UserError, match="was segmented with other settings"):
        infer(config.replace(on_exists="resume", min_segment_size=60), project)
    resumed = infer(config.replace(on_exists="resume"), project, emit=Recorder())
    assert resumed.status == "completed"
    assert resumed.extra["computed"] == 4 - len(first)
    assert all(path.stat().st_mtime_ns == mtime for path, mtime in first.items())
    # one canvas per task (batch 1) gives what two canvases per task (batch 2) gave
    assert np.array_equal(_seg(resumed), _seg(four))


def _volume(spec: str) -> tuple[np.ndarray, dict]:
    """The dataset a result's ``file.h5:dataset`` names, and its attributes."""
    file, name = spec.rsplit(":", 1)
    with h5py.File(file, "r") as handle:
        return handle[name][...], dict(handle[name].attrs)


def _mtimes(run_dir: Path, pattern: str) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in run_dir.rglob(pattern)}


@pytest.fixture(scope="module")
def refined(project, base, address, four) -> StageResult:
    """A run with fill in the 2 x 2 plan, stopped once a subvolume is saved, then resumed."""
    config = base.replace(
        run="refined", scheduler=address, canvases_per_task=1, refine=("fill",), **FOUR
    )
    stopped = _stopped_once_a_subvolume_is_saved(config, project)
    assert stopped.status == "stopped", stopped
    run_dir = project.path("inference", "refined")
    firsts, refines = _mtimes(run_dir, "seg-*.npz"), _mtimes(run_dir, "refined-*.npz")
    assert 1 <= len(firsts) == stopped.extra["subvolumes_done"] < 4
    assert [path.name.replace("refined-", "seg-") for path in refines] == [
        path.name for path in firsts
    ]
    resumed = infer(config.replace(on_exists="resume"), project, emit=Recorder())
    assert resumed.status == "completed" and resumed.extra["computed"] == 4 - len(firsts)
    # the resume keeps both files of every subvolume saved before the stop
    assert all(path.stat().st_mtime_ns == mtime for path, mtime in {**firsts, **refines}.items())
    assert len(list(run_dir.rglob("refined-*.npz"))) == 4
    return resumed


def test_fill_refines_each_subvolume_and_keeps_the_stitched_first_pass(four, refined) -> None:
    first, first_attrs = _volume(refined.outputs["first_pass"])
    seg, attrs = _volume(refined.outputs["segmentation"])
    assert refined.outputs["first_pass"].endswith("segmentation.h5:first_pass")
    assert np.array_equal(first, _seg(four))  # the first pass as the plain run stitches it
    assert attrs["refine"] == "fill" and "refine" not in first_attrs
    assert list(attrs["bbox_stop_zyx"]) == list(first_attrs["bbox_stop_zyx"]) == list(SHAPE)
    filled = refined.extra["refine"]["fill"]
    assert np.count_nonzero(seg == 0) < np.count_nonzero(first == 0)
    assert filled["voxels_filled"] >= np.count_nonzero((first == 0) & (seg > 0)) > 0
    # The stitch numbers each volume on its own: compare what renumbering keeps. Every
    # first-pass voxel stays segmented, and first-pass and refined objects correspond one to
    # one (an object keeps its voxels and only grows).
    kept = first > 0
    assert np.all(seg[kept] > 0)
    pairs = np.unique(np.stack([first[kept], seg[kept]]), axis=1)
    assert len(set(pairs[0])) == len(set(pairs[1])) == pairs.shape[1] == four.extra["segments"]
    assert refined.extra["segments"] == len(np.unique(seg[seg > 0]))


def test_subvolumes_saved_without_refinement_are_refined_when_resumed_with_it(
    project, base, address, refined
) -> None:
    """The first passes of a run without steps (here the plain run's, copied) get their
    refined npz on the client; the stitched volumes equal those of a run refined throughout."""
    run_dir = project.path("inference", "late")
    source = project.path("inference", "four")
    for path in [source / "plan.json", *source.rglob("seg-*.npz")]:
        target = run_dir / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    emit = Recorder()
    config = base.replace(
        run="late", scheduler=address, on_exists="resume", refine=("fill",), **FOUR
    )
    late = infer(config, project, emit=emit)
    assert late.status == "completed" and late.extra["computed"] == 0
    logs = " ".join(r.message for r in emit.records if isinstance(r, Log))
    assert "4 saved subvolume(s) lack the refinement fill" in logs
    for name in ("segmentation", "first_pass"):
        assert np.array_equal(_volume(late.outputs[name])[0], _volume(refined.outputs[name])[0])
    stats = [dict(result.extra["refine"]["fill"]) for result in (late, refined)]
    assert [each.pop("seconds") >= 0 for each in stats] == [True, True]
    assert stats[0] == stats[1]
    with pytest.raises(UserError, match="consensus step runs on one box for now") as error:
        config.replace(refine=("consensus", "fill"))
    assert "fill works in subvolumes" in error.value.message


def test_long_subvolumes_checkpoint_between_tasks_and_end_as_an_uninterrupted_run(
    project, base, address, four
) -> None:
    """Every 0.3 s a task returns its two canvases' states; the client saves them as the
    subvolumes' checkpoints and continues them in a new task, restoring each canvas."""
    emit = Recorder()
    config = base.replace(run="cpoints", scheduler=address, checkpoint_interval=0.3, **FOUR)
    result = infer(config, project, emit=emit)
    assert result.status == "completed"
    saved = [r.path for r in emit.records if isinstance(r, Artifact) and r.name == "checkpoint"]
    assert len({Path(path).name for path in saved}) >= 2, saved
    assert all(Path(path).suffix == ".cpoint" for path in saved)
    run_dir = project.path("inference", "cpoints")
    assert not list(run_dir.rglob("*.cpoint"))  # each removed once its npz was saved
    assert _same_subvolumes(run_dir, project.path("inference", "four"))
    assert np.array_equal(_seg(result), _seg(four))
    assert result.extra["fov_evals"] == four.extra["fov_evals"]  # counters restored exactly
    fov_evals = [r.metrics["fov_evals"] for r in emit.records if isinstance(r, Progress)]
    assert fov_evals[-1] >= result.extra["fov_evals"]  # the objects redone after a checkpoint


def test_a_subvolume_stopped_midway_resumes_from_its_checkpoint(
    project, base, address, one
) -> None:
    uninterrupted, _ = one
    total = uninterrupted.extra["fov_evals"]
    config = base.replace(run="midway", scheduler=address, checkpoint_interval=0.4)
    cancel = CancelToken()
    saved: list[Artifact] = []

    class StopAfterTheFirstCheckpoint(Recorder):
        """Stops 0.3 s after the first checkpoint, while the task continuing it runs."""

        def send(self, record: Record) -> None:
            super().send(record)
            if isinstance(record, Artifact) and record.name == "checkpoint":
                saved.append(record)
                if len(saved) == 1:
                    threading.Timer(0.3, cancel.cancel).start()

    stopped = infer(config, project, emit=StopAfterTheFirstCheckpoint(), cancel=cancel)
    assert stopped.status == "stopped" and stopped.extra["subvolumes_done"] == 0
    assert len(saved) >= 2  # the running task returned its state when stopped
    run_dir = project.path("inference", "midway")
    cpoint = run_dir / "0" / "0" / "seg-0_0_0.cpoint"
    assert cpoint.is_file() and not cpoint.with_suffix(".npz").exists()
    with pytest.raises(UserError, match="seg-0_0_0.cpoint belongs to a run with other settings"):
        infer(config.replace(on_exists="resume", min_segment_size=60), project)
    state, _ = load_checkpoint(cpoint)
    held = state["counters"]["fov_evals"]
    assert state["origins"] and 0 < held < total  # finished objects, kept across the stop
    emit = Recorder()
    resumed = infer(config.replace(on_exists="resume"), project, emit=emit)
    assert resumed.status == "completed" and resumed.extra["computed"] == 1
    progress = [r for r in emit.records if isinstance(r, Progress)]
    assert progress[0].metrics["states"] == "w"  # checkpointed, not done
    # The checkpoint's objects are not evaluated again: the counters go on from it (this run's
    # live count can exceed total - held: objects in progress at each task boundary are redone).
    assert resumed.extra["fov_evals"] == total
    assert not cpoint.exists()
    assert np.array_equal(_seg(resumed), _seg(uninterrupted))
    assert _same_subvolumes(run_dir, project.path("inference", "one"))


def test_a_worker_killed_mid_run_leaves_the_result_unchanged(
    project, base, cluster, address, four
) -> None:
    pids = cluster.run(os.getpid)
    killed: list[str] = []

    def kill_a_busy_worker(record: Progress) -> None:
        if killed or "r" not in record.metrics["states"]:
            return
        busy = [worker for worker, keys in cluster.processing().items() if keys]
        if busy:
            os.kill(pids[busy[0]], signal.SIGKILL)
            killed.append(busy[0])

    config = base.replace(run="killed", scheduler=address, canvases_per_task=1, **FOUR)
    emit = Recorder(kill_a_busy_worker)
    result = infer(config, project, emit=emit)
    assert killed and result.status == "completed" and result.extra["computed"] == 4
    # the task run again counts its FOVs from zero: none are counted twice
    fov_evals = [r.metrics["fov_evals"] for r in emit.records if isinstance(r, Progress)]
    assert max(fov_evals) == fov_evals[-1] == result.extra["fov_evals"]
    assert np.array_equal(_seg(result), _seg(four))
    cluster.wait_for_workers(2, timeout=60)  # the nanny started a new worker process


@contextmanager
def _separate_cluster(
    folder: Path, workers: int, env: dict[str, str] | None = None
) -> Iterator[str]:
    """``dask scheduler`` and ``workers`` ``dask worker`` processes (environment ``env`` added)
    on 127.0.0.1, started as a person would start them; yields the scheduler's address."""
    scheduler_file = folder / "scheduler.json"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": REPO}
    run = [sys.executable, "-m"]
    loopback = ["--host", "127.0.0.1"]
    processes = [
        subprocess.Popen(
            [*run, "distributed.cli.dask_scheduler", *loopback, "--port", "0"]
            + ["--dashboard-address", "127.0.0.1:0", "--scheduler-file", str(scheduler_file)],
            **quiet,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text(encoding="utf-8"))["address"]
        for _ in range(workers):
            processes.append(
                subprocess.Popen(
                    [*run, "distributed.cli.dask_worker", address, *loopback]
                    + ["--nthreads", "1", "--no-dashboard"],
                    env={**os.environ, **(env or {})},
                    **quiet,
                )
            )
        with distributed.Client(address, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=60)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_a_cluster_started_separately_gives_the_same_result(project, base, four, tmp_path) -> None:
    with _separate_cluster(tmp_path, workers=2) as address:
        assert address.startswith("tcp://127.0.0.1:")
        result = infer(base.replace(run="separate", scheduler=address, **FOUR), project)
    assert np.array_equal(_seg(result), _seg(four))


def test_a_worker_without_the_models_backend_is_a_clear_error(project, base, tmp_path) -> None:
    fake = tmp_path / "no-backend" / "tensorflow"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('no TensorFlow on this worker')\n")
    backend_free = {"PYTHONPATH": str(fake.parent)}
    with _separate_cluster(tmp_path, workers=1, env=backend_free) as address:
        with pytest.raises(UserError) as error:
            infer(base.replace(run="no-backend", scheduler=address, **FOUR), project)
    assert "failed on the cluster: ImportError: no TensorFlow on this worker" in (
        error.value.message
    )
    assert "the model's backend installed" in error.value.hint
    assert not list(project.path("inference", "no-backend").rglob("seg-*.npz"))


def test_the_cli_runs_subvolumes_on_a_cluster_of_this_pc(project, blob_checkpoint, four) -> None:
    code, events = run_cli(  # every stdout line is JSON: the workers printed nothing there
        "infer",
        "--project",
        project.root,
        "--checkpoint",
        blob_checkpoint,
        "--run",
        "cli",
        "--subvolume-size",
        "20,40,40",
        "--overlap",
        "4,8,8",
        "--workers",
        "2",
        "--refresh-interval",
        "0",
        "--min-segment-size",
        "50",
        timeout=300,
    )
    assert code == 0, events[-1]
    outputs = result_outputs(events, project.root)
    assert outputs["subvolumes"] == 4
    file, name = outputs["segmentation"].rsplit(":", 1)
    with h5py.File(file, "r") as handle:  # refined by default, each subvolume on its own
        assert np.array_equal(handle["first_pass"][...], _seg(four))
        assert handle[name].attrs["refine"] == "agglomerate,fill"
        assert np.count_nonzero(handle[name][...]) > np.count_nonzero(_seg(four))
    records = [decode(json.dumps(event), project.root) for event in events]
    progress = [r for r in records if isinstance(r, Progress)]
    assert {r.unit for r in progress} == {"subvolumes"}
    assert progress[-1].metrics["states"] == "dddd" and progress[-1].metrics["fov_evals"] > 0
    fractions = [r.fraction for r in progress]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0  # never back, ends at 100 %
    artifacts = [r for r in records if isinstance(r, Artifact)]
    plan = project.path("inference", "cli", "plan.json")
    assert artifacts[0].name == "plan" and Path(artifacts[0].path) == plan
    logs = " ".join(r.message for r in records if isinstance(r, Log))
    assert "2 worker(s)" in logs and "127.0.0.1 only" in logs


@pytest.mark.parametrize(
    "asked, machine, shape",
    [
        ({"tasks": 1}, {}, (1, 2)),  # fewer tasks than cores: one worker with both cores
        ({"tasks": 8}, {}, (2, 1)),
        ({"tasks": 8}, {"cores": 8, "memory_bytes": 2_500_000_000}, (2, 4)),  # memory for two
        ({"workers": 3}, {}, (3, 1)),
        ({"threads_per_worker": 2, "tasks": 8}, {"cores": 8}, (4, 2)),
    ],
)
def test_the_local_cluster_takes_its_shape_from_cores_tasks_and_memory(
    asked, machine, shape
) -> None:
    from ffn_core.scale.cluster import LocalShape, local_shape

    machine = {"cores": 2, "memory_bytes": 64 * 2**30, **machine}
    assert local_shape(**asked, **machine) == LocalShape(*shape)


# -- bad input --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {"subvolume_size_zyx": (20, 40, 40), "overlap_zyx": (4, 40, 8)},
            "--overlap 4,40,8 is not smaller than --subvolume-size 20,40,40 on the y axis.",
        ),
        ({"overlap_zyx": (4, 8, 8)}, "An overlap is given without a subvolume size."),
        ({"subvolume_size_zyx": (20, 0, 40)}, "--subvolume-size '20,0,40' is not three"),
        ({"workers": 0}, "--workers 0 is not a positive integer."),
        ({"canvases_per_task": 0}, "--canvases-per-task 0 is not a positive integer."),
    ],
)
def test_bad_dask_settings_are_refused_when_the_config_is_made(changes, message) -> None:
    with pytest.raises(UserError) as error:
        InferConfig(checkpoint="model.ckpt-1", **changes)
    assert message in error.value.message


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"subvolume_size_zyx": (4, 40, 40)}, "4,40,40 is smaller than the model's FOV 5,7,9"),
        (
            {"subvolume_size_zyx": (8, 40, 40)},
            "--subvolume-size 8,40,40 is not larger than the default overlap 8,12,16",
        ),
    ],
)
def test_a_subvolume_too_small_for_the_model_is_refused_before_any_work(
    project, base, changes, message
) -> None:
    with pytest.raises(UserError) as error:
        infer(base.replace(run="small", **changes), project)
    assert message in error.value.message
    assert not project.path("inference", "small").exists()


def test_an_unreachable_scheduler_is_a_clear_error_within_seconds(project, base) -> None:
    with socket.socket() as probe:  # a port nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(UserError) as error:
        infer(base.replace(run="nowhere", scheduler=f"tcp://127.0.0.1:{port}", **FOUR), project)
    assert time.monotonic() - started < 20
    assert f"Cannot reach the Dask scheduler at 'tcp://127.0.0.1:{port}'" in error.value.message
    assert "SSH tunnel" in error.value.hint
    assert not project.path("inference", "nowhere").exists()
