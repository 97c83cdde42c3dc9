"""Runner: stop midway + resume, and crash + resume, give the uninterrupted result; files."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from ffn_core.infer import storage
from ffn_core.infer.canvas import CanvasOptions
from ffn_core.infer.runner import RunSettings, run_subvolume

SHAPE = (16, 64, 64)


def _image() -> np.ndarray:
    """Nine bright 10³ cubes on a dark background, 10 voxels apart."""
    image = -np.ones(SHAPE, dtype=np.float32)
    for y in (4, 24, 44):
        for x in (4, 24, 44):
            image[3:13, y : y + 10, x : x + 10] = 1.0
    return image


class FakeModel:
    """Adds +6 to the seed logits where the image is bright and −6 where it is dark."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.calls = 0
        self.fail_after = fail_after

    def __call__(self, images: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        assert images.shape == seeds.shape == (1, 5, 9, 9) and images.dtype == np.float32
        self.calls += 1
        if self.fail_after is not None and self.calls > self.fail_after:
            raise RuntimeError("simulated crash")
        return seeds + np.where(images > 0, 6.0, -6.0).astype(np.float32)


class StopAfter:
    """A cancel token that fires once ``model`` has evaluated ``n`` FOVs."""

    def __init__(self, model: FakeModel, n: int) -> None:
        self.model, self.n = model, n

    @property
    def cancelled(self) -> bool:
        return self.model.calls >= self.n


def _settings(interval: float = 1800.0) -> RunSettings:
    return RunSettings(
        bbox_start=(0, 0, 0),
        bbox_stop=SHAPE,
        options=CanvasOptions(min_segment_size=100),
        fov_size_zyx=(5, 9, 9),
        deltas_zyx=(2, 4, 4),
        checkpoint_interval=interval,
        refresh_interval=0.0,
        request_text="image_mean: 0",
        fingerprint={"k": 1},
    )


def _segmentation(run_dir) -> np.ndarray:
    with h5py.File(run_dir / "segmentation.h5", "r") as handle:
        assert handle["segmentation"].attrs["complete"]
        return handle["segmentation"][...]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("full")
    outcome = run_subvolume(_image(), _settings(), FakeModel(), run_dir)
    return run_dir, outcome


def test_uninterrupted_run_writes_reference_layout_and_h5(uninterrupted) -> None:
    run_dir, outcome = uninterrupted
    assert outcome.status == "completed" and outcome.segments == 9
    assert outcome.npz == run_dir / "0" / "0" / "seg-0_0_0.npz"
    seg = _segmentation(run_dir)
    assert seg.dtype == np.uint32 and seg.shape == SHAPE
    assert len(np.unique(seg)) == 10
    image = _image()
    assert not np.any((seg > 0) & (image < 0))  # nothing outside the cubes
    for y in (4, 24, 44):
        for x in (4, 24, 44):
            cube = seg[3:13, y : y + 10, x : x + 10]
            ids = np.unique(cube[cube > 0])
            assert len(ids) == 1 and np.mean(cube > 0) > 0.8  # one object per cube
    with np.load(outcome.npz, allow_pickle=True) as data:
        assert data["segmentation"].dtype == np.uint8
        assert np.array_equal(data["segmentation"], seg)
        origins = data["origins"].item()
        assert sorted(origins) == list(range(1, 10))
        assert str(data["request"]) == "image_mean: 0"
    with np.load(run_dir / "0" / "0" / "seg-0_0_0.prob") as prob:
        assert np.array_equal(prob["qprob"] > 0, seg > 0)
    assert "fov_evals: " in (run_dir / "counters.txt").read_text()
    assert not (run_dir / "0" / "0" / "seg-0_0_0.cpoint").exists()


def test_stop_midway_then_resume_equals_uninterrupted(uninterrupted, tmp_path) -> None:
    full_dir, full = uninterrupted
    model = FakeModel()
    stopped = run_subvolume(_image(), _settings(), model, tmp_path, cancel=StopAfter(model, 25))
    assert stopped.status == "stopped" and 0 < stopped.segments < 9
    assert storage.run_state(tmp_path, (0, 0, 0)) == "checkpoint"
    resumed = run_subvolume(_image(), _settings(), FakeModel(), tmp_path, resume=True)
    assert resumed.status == "completed"
    assert np.array_equal(_segmentation(tmp_path), _segmentation(full_dir))
    assert resumed.counters["fov_evals"] == full.counters["fov_evals"]
    assert storage.run_state(tmp_path, (0, 0, 0)) == "complete"


def test_crash_then_resume_from_periodic_checkpoint(uninterrupted, tmp_path) -> None:
    full_dir, _ = uninterrupted
    with pytest.raises(RuntimeError, match="simulated crash"):
        run_subvolume(_image(), _settings(interval=1e-9), FakeModel(fail_after=40), tmp_path)
    state, meta = storage.load_checkpoint(tmp_path / "0" / "0" / "seg-0_0_0.cpoint")
    assert meta["fingerprint"] == {"k": 1} and len(state["origins"]) > 0
    resumed = run_subvolume(_image(), _settings(), FakeModel(), tmp_path, resume=True)
    assert resumed.status == "completed"
    assert np.array_equal(_segmentation(tmp_path), _segmentation(full_dir))


def test_resume_with_other_settings_is_refused(tmp_path) -> None:
    model = FakeModel()
    run_subvolume(_image(), _settings(), model, tmp_path, cancel=StopAfter(model, 5))
    other = _settings()
    other.fingerprint = {"k": 2}
    with pytest.raises(Exception, match="other settings"):
        run_subvolume(_image(), other, FakeModel(), tmp_path, resume=True)


class Events:
    """Collects what the runner emits."""

    def __init__(self) -> None:
        self.lines: list[tuple] = []

    def artifact(self, kind: str, path: str) -> None:
        self.lines.append(("artifact", kind, path))

    def log(self, message: str, level: str = "info") -> None:
        self.lines.append(("log", level, message))

    def progress(self, done, total, unit, **metrics) -> None:
        self.lines.append(("progress", done, total, metrics))


def test_live_updates_tolerate_a_locked_file_and_report_progress(tmp_path, monkeypatch) -> None:
    real_write = storage.write_h5

    def locked_while_running(path, seg, qprob, start, stop, complete):
        if not complete:
            raise PermissionError("file is open in another process")
        real_write(path, seg, qprob, start, stop, complete)

    monkeypatch.setattr(storage, "write_h5", locked_while_running)
    settings = _settings()
    settings.refresh_interval = 1e-9
    events = Events()
    outcome = run_subvolume(_image(), settings, FakeModel(), tmp_path, emit=events)
    assert outcome.status == "completed"
    warnings = [line for line in events.lines if line[:2] == ("log", "warning")]
    assert warnings and "Could not update" in warnings[0][2]
    artifacts = [line for line in events.lines if line[0] == "artifact"]
    h5 = tmp_path / "segmentation.h5"
    assert artifacts == [("artifact", "segmentation", f"{h5}:segmentation")]
    progress = [line for line in events.lines if line[0] == "progress"]
    assert [p[1] for p in progress] == sorted(p[1] for p in progress)  # monotone
    assert progress[-1][1] == progress[-1][2] and progress[-1][3]["objects"] == 9


@pytest.mark.parametrize("fovs_per_voxel", [None, 1e-4, 1.0])
def test_progress_in_fovs_never_goes_back_whatever_the_prior(tmp_path, fovs_per_voxel) -> None:
    """No prior, one far too low and one far too high: the fraction only grows and the total
    converges to the FOVs the run took."""
    settings = _settings()
    settings.fovs_per_voxel = fovs_per_voxel
    events = Events()
    outcome = run_subvolume(_image(), settings, FakeModel(), tmp_path, emit=events)
    progress = [line for line in events.lines if line[0] == "progress"]
    fractions = [done / total if total else 0.0 for _, done, total, _ in progress]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert all(f < 1.0 for f in fractions[:-1])  # 100 % only once it has finished
    assert progress[-1][1] == progress[-1][2] == outcome.counters["fov_evals"]
