"""Run inference on one subvolume: read the box, drive the canvas, checkpoint, resume, save.

The bounding box defines the subvolume exactly as the reference's ``Runner.run(corner, size)``
does: only the image inside it is read and normalised, the canvas sees nothing else, so a box
run equals a run on the cropped volume. The model is any ``predict(images, seeds) -> logits``
callable on float32 (B, z, y, x) arrays; here it is called with batch 1.

Progress is reported in FOVs evaluated against the total the run is expected to take
(:mod:`ffn_core.infer.progress`), so its fraction follows the work done and never decreases.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ffn_core.errors import UserError
from ffn_core.infer import storage
from ffn_core.infer.canvas import Canvas, CanvasOptions, FovRequest, drive
from ffn_core.infer.progress import WorkProgress, settled_share

PredictFn = Callable[[np.ndarray, np.ndarray], np.ndarray]
#: FOV evaluations between two counts of the settled seed candidates (a count looks at every
#: candidate left; counting by FOVs, not seconds, keeps the progress of a run reproducible)
_SETTLED_EVERY_FOVS = 16


@dataclass
class RunSettings:
    """What one inference run needs besides the image and the model (all zyx).

    ``fovs_per_voxel`` is the prior of the FOVs a box takes per voxel (see
    :mod:`ffn_core.infer.progress`); None: progress from the run's own counts only.
    """

    bbox_start: tuple[int, int, int]
    bbox_stop: tuple[int, int, int]
    options: CanvasOptions
    fov_size_zyx: tuple[int, int, int]
    deltas_zyx: tuple[int, int, int]
    seed_policy: str = "PolicyPeaks"
    seed_policy_args: dict[str, Any] = field(default_factory=dict)
    checkpoint_interval: float = 1800.0
    refresh_interval: float = 15.0
    request_text: str = ""
    fingerprint: dict[str, Any] = field(default_factory=dict)
    fovs_per_voxel: float | None = None

    def prior_fovs(self, shape_zyx: Any) -> float | None:
        """The FOVs a box of ``shape_zyx`` is expected to take before it starts, if known."""
        if self.fovs_per_voxel is None:
            return None
        return self.fovs_per_voxel * float(np.prod(np.asarray(shape_zyx, dtype=np.float64)))


@dataclass
class RunOutcome:
    """How a run ended and where its files are."""

    status: str
    h5: Path
    npz: Path | None
    counters: dict[str, Any]
    segments: int
    seconds: float


def read_normalised(dataset: Any, start: Any, stop: Any, mean: float, std: float) -> np.ndarray:
    """``(float32(image[box]) - mean) / std`` reading only the box."""
    box = tuple(slice(int(a), int(b)) for a, b in zip(start, stop))
    return (np.asarray(dataset[box]).astype(np.float32) - mean) / std


class _Session:
    """Bookkeeping of one driven run: timing, progress, checkpoints, live refreshes."""

    def __init__(
        self,
        canvas: Canvas,
        settings: RunSettings,
        run_dir: Path,
        elapsed_before: float,
        emit: Any,
        cancel: Any,
    ) -> None:
        self.canvas, self.settings, self.run_dir = canvas, settings, run_dir
        self.emit, self.cancel = emit, cancel
        self.elapsed_before = elapsed_before
        self.started = self.last_checkpoint = self.last_refresh = time.monotonic()
        self.fov_start = canvas.counters["fov_evals"]
        self.cpoint = storage.subvolume_path(run_dir, settings.bbox_start, "cpoint")
        self.h5 = run_dir / storage.H5_NAME
        self.work = WorkProgress(settings.prior_fovs(canvas.shape))
        self.settled_at, self.settled_last = -_SETTLED_EVERY_FOVS, 0.0

    def elapsed(self) -> float:
        return self.elapsed_before + time.monotonic() - self.started

    def checkpoint(self) -> None:
        state = self.canvas.get_state()
        save_run_checkpoint(self.cpoint, state, self.settings.fingerprint, self.elapsed())
        self.last_checkpoint = time.monotonic()

    def refresh(self, complete: bool = False) -> None:
        """Rewrite segmentation.h5; a live update may fail (a reader holds it on Windows)."""
        self.last_refresh = time.monotonic()
        for attempt in range(5 if complete else 1):
            try:
                storage.write_h5(
                    self.h5,
                    self.canvas.final_segmentation(),
                    self.canvas.seg_prob,
                    self.settings.bbox_start,
                    self.settings.bbox_stop,
                    complete,
                )
                break
            except OSError as exc:
                if complete and attempt < 4:
                    time.sleep(1.0)
                    continue
                if complete:
                    raise
                if self.emit is not None:
                    self.emit.log(f"Could not update {self.h5}: {exc}", level="warning")
                return
        if self.emit is not None:
            self.emit.artifact("segmentation", f"{self.h5}:segmentation")

    def settled(self) -> float:
        """The share of the seed candidates settled (see :func:`settled_share`), counted again
        after every :data:`_SETTLED_EVERY_FOVS` FOV evaluations."""
        canvas = self.canvas
        fovs = int(canvas.counters["fov_evals"])
        if fovs - self.settled_at >= _SETTLED_EVERY_FOVS:
            coords, _ = canvas.seed_policy.get_state()
            self.settled_at, self.settled_last = (
                fovs,
                settled_share(
                    coords,
                    canvas.resume_index,
                    canvas.segmentation,
                    canvas.seed,
                    canvas.segment_threshold,
                ),
            )
        return self.settled_last

    def progress(self, finished: bool = False) -> None:
        if self.emit is None:
            return
        tried, _ = self.canvas.seeds_done()
        c = self.canvas.counters
        fovs, expected = self.work.update(int(c["fov_evals"]), self.settled(), finished)
        session_s = max(time.monotonic() - self.started, 1e-9)
        self.emit.progress(
            fovs,
            expected,
            "FOVs",
            objects=len(self.canvas.origins),
            voxels=int(c["voxels_segmented"]),
            seeds=tried,
            fov_per_s=(c["fov_evals"] - self.fov_start) / session_s,
        )

    def after_fov(self) -> bool:
        """Called after every FOV evaluation; True means stop now (state saved)."""
        if self.cancel is not None and self.cancel.cancelled:
            self.checkpoint()
            return True
        now = time.monotonic()
        interval = self.settings.checkpoint_interval
        if interval > 0 and now - self.last_checkpoint >= interval:
            self.checkpoint()
        refresh = self.settings.refresh_interval
        if refresh > 0 and now - self.last_refresh >= refresh:
            self.refresh()
        self.progress()
        return False


def save_run_checkpoint(
    cpoint: Path, state: dict[str, Any], fingerprint: dict[str, Any], elapsed_s: float
) -> None:
    """Save a :meth:`Canvas.get_state` snapshot as ``cpoint``, with the run's ``fingerprint``
    (what a resumed run must share) and the seconds it has spent."""
    storage.save_checkpoint(cpoint, state, {"fingerprint": fingerprint, "elapsed_s": elapsed_s})


def check_run_checkpoint(cpoint: Path, fingerprint: dict[str, Any]) -> dict[str, Any]:
    """The meta of ``cpoint``; :class:`UserError` when it belongs to a run of other settings."""
    return _checked_meta(cpoint, storage.read_checkpoint_meta(cpoint), fingerprint)


def _checked_meta(
    cpoint: Path, meta: dict[str, Any], fingerprint: dict[str, Any]
) -> dict[str, Any]:
    if meta.get("fingerprint") != fingerprint:
        raise UserError(
            f"The checkpoint {cpoint} belongs to a run with other settings "
            f"({meta.get('fingerprint')}).",
            "Resume with the same box, model and options, or start a new run.",
        )
    return meta


def load_run_checkpoint(cpoint: Path, fingerprint: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """The canvas state saved in ``cpoint`` and the seconds its run had spent (checked as
    :func:`check_run_checkpoint` does)."""
    state, meta = storage.load_checkpoint(cpoint)
    return state, float(_checked_meta(cpoint, meta, fingerprint).get("elapsed_s", 0.0))


def _restore(canvas: Canvas, cpoint: Path, fingerprint: dict[str, Any]) -> float:
    state, elapsed = load_run_checkpoint(cpoint, fingerprint)
    canvas.set_state(state)
    return elapsed


def run_subvolume(
    image: np.ndarray,
    settings: RunSettings,
    predict: PredictFn,
    run_dir: Path,
    emit: Any = None,
    cancel: Any = None,
    resume: bool = False,
) -> RunOutcome:
    """Segment the normalised ``image`` (the box) into ``run_dir``; resumes from its checkpoint.

    Returns status ``completed`` or ``stopped`` (a checkpoint was saved; run again with
    ``resume=True`` to continue).
    """
    run_dir = Path(run_dir)
    canvas = Canvas(
        image,
        settings.options,
        settings.fov_size_zyx,
        settings.deltas_zyx,
        settings.seed_policy,
        settings.seed_policy_args,
    )
    cpoint = storage.subvolume_path(run_dir, settings.bbox_start, "cpoint")
    elapsed = _restore(canvas, cpoint, settings.fingerprint) if resume and cpoint.is_file() else 0.0
    session = _Session(canvas, settings, run_dir, elapsed, emit, cancel)

    def predict_one(request: FovRequest) -> np.ndarray:
        return predict(request.image[None], request.seed[None])[0]

    if not drive(canvas.segment_all(), predict_one, session.after_fov):
        session.refresh()
        return RunOutcome(
            "stopped",
            session.h5,
            None,
            dict(canvas.counters),
            len(canvas.origins),
            session.elapsed(),
        )
    return _finish(canvas, session)


def _finish(canvas: Canvas, session: _Session) -> RunOutcome:
    seconds = session.elapsed()
    counters = {**canvas.counters, "wall_s": round(seconds, 3)}
    settings, run_dir = session.settings, session.run_dir
    seg = canvas.final_segmentation()
    npz = storage.save_reference_npz(
        run_dir,
        settings.bbox_start,
        seg,
        canvas.seg_prob,
        canvas.origins,
        canvas.overlaps,
        settings.request_text,
        counters,
    )
    session.refresh(complete=True)
    storage.write_counters(run_dir, counters)
    session.cpoint.unlink(missing_ok=True)
    session.progress(finished=True)
    return RunOutcome("completed", session.h5, npz, counters, len(canvas.origins), seconds)
