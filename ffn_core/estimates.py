"""How long a stage should take, before it starts: from a measured rate, never guessed.

Each estimate takes its rate from, in this order:

``project``
    an earlier run of this project with the same model (and precision, backend and device):
    a training run's steps/s (scaled to the batch size), an inference run's FOV evaluations
    per second (``counters.txt``), a preprocess run's voxels per second (its start and end
    in the run history);
``typical``
    figures measured on an idle 2-core CPU (TensorFlow, README "How long each stage takes"
    and "Backends and GPUs"), for another model scaled by its cost per FOV (:func:`model_cost`):
    the seconds per FOV (per example in training) are a fixed overhead plus a part
    proportional to the cost, the line through the tiny demo model and the reference model;
``unknown``
    no figure applies (a GPU, the ``mixed`` precision or a backend other than TensorFlow
    with no run of this project to go by; no checkpoint, no labels): ``seconds`` is None.

A GPU makes the ``typical`` CPU figures far too slow; after one run the project's own rate
takes over. No TensorFlow here: the GUI imports this module.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ffn_core.errors import UserError
from ffn_core.infer.plan import default_overlap, plan_subvolumes
from ffn_core.infer.progress import expected_fovs
from ffn_core.infer.request import parse_request
from ffn_core.io.volume_spec import open_dataset
from ffn_core.model.args import ModelArgs, load_preset
from ffn_core.model.checkpoint_paths import resolve_checkpoint
from ffn_core.presets import stage_presets
from ffn_core.project import Project, volume_key
from ffn_core.stages.infer import InferConfig
from ffn_core.stages.preprocess import PreprocessConfig
from ffn_core.stages.train import TrainConfig, resolve_settings
from ffn_core.train.run_config import RunSettings, read_history, read_run_config
from ffn_core.zyx import box_shape

__all__ = [
    "Estimate",
    "expected_fovs",
    "infer_estimate",
    "model_cost",
    "preprocess_estimate",
    "train_estimate",
]

_TINY = stage_presets()["quick"].model_args
_REFERENCE = load_preset("anisotropic")
# Measured on an idle 2-core CPU, float32, TensorFlow (README): training steps/s of
# (model, batch size) -- the demo's 28.7 at batch 8, the train stage's 2.22 at batch 4 --
# and whole-inference FOV/s (the demo's 5,539 FOVs at 314/s; the SNEMI3D crop at 25.4/s).
_TRAIN_MEASURED = ((_TINY, 8, 28.7), (_REFERENCE, 4, 2.22))
_INFER_MEASURED = ((_TINY, 314.0), (_REFERENCE, 25.4))
# bfloat16 against float32 on that CPU (README "Backends and GPUs"): training 3.50 / 2.22
# steps/s, inference 37.8 / 25.4 FOV/s with the reference model, whose time is nearly all
# convolutions; applied to every model's whole time (a little generous to the tiny one).
_BFLOAT16_SPEEDUP = {"train": 3.50 / 2.22, "infer": 37.8 / 25.4}
# Seconds a job spends before its first step or FOV (worker start, TensorFlow import, model
# build): the demo's train stage took 222 s for 6000 steps at 28.7 steps/s, its infer stage
# 23.7 s for 17.6 s of FOVs; a preprocess job imports no TensorFlow. A Dask cluster adds its
# start (the README's batched SNEMI3D run: 360 s for 334 s of FOVs).
_STARTUP_S = {"preprocess": 0.5, "train": 13.0, "infer": 6.0, "dask": 20.0}
# Preprocess (partitions and coordinates) of the SNEMI3D labels, 100x512x512 voxels, lom
# radius 24 and min size 10000, took 8.0 s as a job on a busy 2-core CPU.
_PREPROCESS_VOXELS_PER_S = 100 * 512 * 512 / (8.0 - _STARTUP_S["preprocess"])


@dataclass(frozen=True)
class Estimate:
    """How long a stage should take.

    Attributes
    ----------
    seconds : float or None
        The whole job, start-up included; None when ``source`` is ``unknown``.
    rate : float or None
        The rate it assumes, in ``unit``.
    unit : str
        ``steps/s`` (train), ``FOV/s`` (infer) or ``voxels/s`` (preprocess).
    source : str
        ``project`` (measured in an earlier run of this project), ``typical`` (measured on a
        2-core CPU, scaled by the model's cost) or ``unknown``.
    amount : float or None
        The work it counts: steps to run, FOV evaluations expected, voxels to preprocess.
    """

    seconds: float | None
    rate: float | None
    unit: str
    source: str
    amount: float | None = None


def _estimate(
    amount: float | None, rate: float | None, unit: str, source: str, start: str
) -> Estimate:
    """The estimate of ``amount`` at ``rate`` after the ``start`` stage's start-up."""
    if amount is None or rate is None or rate <= 0:
        return Estimate(None, None, unit, "unknown", amount)
    return Estimate(_STARTUP_S[start] + amount / rate, rate, unit, source, amount)


def model_cost(model_args: ModelArgs) -> float:
    """The model's cost per FOV: depth × features² × FOV voxels (its convolutions' work,
    in units of one multiply-add per kernel tap and feature pair, 27 taps left out)."""
    return float(model_args.depth * model_args.features**2 * math.prod(model_args.fov_size_zyx))


def _seconds_per_fov(model_args: ModelArgs, measured: Sequence[tuple[ModelArgs, float]]) -> float:
    """Seconds per FOV of ``model_args`` on the line through the ``measured`` (model, seconds
    per FOV) points against :func:`model_cost`: a fixed overhead plus a cost-proportional part."""
    (small, small_s), (large, large_s) = measured
    slope = (large_s - small_s) / (model_cost(large) - model_cost(small))
    return small_s + slope * (model_cost(model_args) - model_cost(small))


def _typical(precision: str, backend: str | None, device: str) -> bool:
    """Whether the 2-core CPU figures apply to a job with these settings (TensorFlow, the
    default backend, on the CPU)."""
    return (
        precision in ("float32", "bfloat16") and backend in (None, "tensorflow") and device != "gpu"
    )


def _speedup(stage: str, precision: str) -> float:
    """How many times faster than float32 ``stage`` runs in ``precision`` on the CPU."""
    return _BFLOAT16_SPEEDUP[stage] if precision == "bfloat16" else 1.0


# -- preprocess ---------------------------------------------------------------------------
def preprocess_estimate(project: Project, config: PreprocessConfig) -> Estimate:
    """How long preprocessing ``project``'s labels with ``config`` should take.

    The rate is voxels per second: the newest completed preprocess run of the project
    (its labels' voxels over the run's wall time, at least a second), else the SNEMI3D
    figure. Unknown when a labels volume of ``config.volumes`` is not imported.
    """
    voxels = _label_voxels(project, config.volumes)
    for run in _runs(project, "preprocess", ("completed",)):
        try:
            done = _label_voxels(project, PreprocessConfig.from_dict(run["params"]).volumes)
        except UserError:
            continue
        seconds = _wall_s(run)
        if done and seconds is not None:
            return _estimate(voxels, done / max(seconds, 1.0), "voxels/s", "project", "preprocess")
    return _estimate(voxels, _PREPROCESS_VOXELS_PER_S, "voxels/s", "typical", "preprocess")


def _label_voxels(project: Project, volumes: Sequence[str]) -> int | None:
    """Voxels of the labels of ``volumes``; None when one is missing."""
    shapes = [_volume_shape(project, volume_key("labels", name)) for name in volumes]
    return None if None in shapes else sum(math.prod(shape) for shape in shapes)


def _volume_shape(project: Project, name: str) -> tuple[int, ...] | None:
    """The shape of project volume ``name``: as recorded at import, else its dataset's; None
    when it is missing or unreadable."""
    record = project.data["volumes"].get(name)
    if not record:
        return None
    if record.get("shape"):
        return tuple(record["shape"])
    try:
        handle, dataset = open_dataset(project.volume_spec(name))
    except UserError:
        return None
    with handle:
        return tuple(dataset.shape)


# -- train --------------------------------------------------------------------------------
def train_estimate(project: Project, config: TrainConfig) -> Estimate:
    """How long the training ``config`` on ``project`` should take.

    The steps are those left to ``max_steps`` (a run that exists continues from its last
    recorded step). The rate: the newest completed or stopped training of the project with
    the same model, precision, backend and device, its steps/s scaled to this batch size
    (the time per example is what stays); else the 2-core CPU figures
    (:data:`_TRAIN_MEASURED`) scaled by the model's cost.
    """
    run_dir = project.path("runs", config.run)
    try:
        settings, _ = resolve_settings(config, run_dir, (0.0, 1.0))  # mean/std: no matter
    except UserError:
        return Estimate(None, None, "steps/s", "unknown")
    steps = max(settings.max_steps - _last_step(run_dir), 0)
    for run in _runs(project, "train"):
        rate = (run.get("outputs") or {}).get("steps_per_s")
        past = _past_train_settings(project, run)
        if rate and past is not None and _same_train(past, run["params"], settings, config):
            rate = rate * past.batch_size / settings.batch_size
            return _estimate(steps, rate, "steps/s", "project", "train")
    if not _typical(settings.precision, config.backend, config.device):
        return Estimate(None, None, "steps/s", "unknown", steps)
    per_example = _seconds_per_fov(
        settings.model_args, [(model, 1 / (batch * rate)) for model, batch, rate in _TRAIN_MEASURED]
    )
    rate = _speedup("train", settings.precision) / (per_example * settings.batch_size)
    return _estimate(steps, rate, "steps/s", "typical", "train")


def _last_step(run_dir: Path) -> int:
    """The last step ``run_dir``'s history records (0 for a new run)."""
    return max((record["step"] for record in read_history(run_dir)), default=0)


def _past_train_settings(project: Project, run: dict[str, Any]) -> RunSettings | None:
    """The settings the training ``run`` of the history used (its run folder's, with what its
    config named); None when they cannot be told."""
    try:
        past = TrainConfig.from_dict(run["params"])
        run_dir = project.path("runs", past.run)
        if read_run_config(run_dir) is None:  # deleted: a resumed run's params lack the model
            return None
        return resolve_settings(past, run_dir, (0.0, 1.0))[0]
    except (UserError, TypeError, KeyError):
        return None


def _same_train(
    past: RunSettings, params: dict[str, Any], settings: RunSettings, config: TrainConfig
) -> bool:
    """Whether a past run computed as the planned one will: model, precision, where."""
    return (
        past.model_args == settings.model_args
        and past.precision == settings.precision
        and params.get("backend") == config.backend
        and params.get("device", "auto") == config.device
    )


# -- infer --------------------------------------------------------------------------------
def infer_estimate(project: Project, config: InferConfig) -> Estimate:
    """How long the inference ``config`` on ``project`` should take.

    The FOVs: :func:`expected_fovs` of the box (the whole image by default), summed over the
    subvolumes of a run in subvolumes (overlaps included; the workers share the CPU, so they
    are not counted as faster), twice for a consensus refinement. The model: the config's
    ``model_args``, else its request's, else that stored with the checkpoint's training run.
    The rate: the newest completed inference of the project with the same model, precision,
    backend and device (its ``counters.txt``: FOV evaluations over seconds); else the 2-core
    CPU figures (:data:`_INFER_MEASURED`) scaled by the model's cost.
    """
    model = _infer_model(project, config)
    fovs = _infer_fovs(project, config, model) if model is not None else None
    if fovs is None:
        return Estimate(None, None, "FOV/s", "unknown")
    start = "infer"
    for run in _runs(project, "infer", ("completed",)):
        rate = _past_fov_rate(project, run, model, config)
        if rate:
            return _with_dask(_estimate(fovs, rate, "FOV/s", "project", start), config)
    if not _typical(config.precision, config.backend, config.device):
        return Estimate(None, None, "FOV/s", "unknown", fovs)
    per_fov = _seconds_per_fov(model, [(m, 1 / rate) for m, rate in _INFER_MEASURED])
    rate = _speedup("infer", config.precision) / per_fov
    return _with_dask(_estimate(fovs, rate, "FOV/s", "typical", start), config)


def _with_dask(estimate: Estimate, config: InferConfig) -> Estimate:
    """``estimate`` with a Dask cluster's start for a run on Dask."""
    if estimate.seconds is None or not config.on_dask:
        return estimate
    return Estimate(
        estimate.seconds + _STARTUP_S["dask"],
        estimate.rate,
        estimate.unit,
        estimate.source,
        estimate.amount,
    )


def _infer_fovs(project: Project, config: InferConfig, model: ModelArgs) -> float | None:
    """Expected FOV evaluations of ``config``'s box (or its subvolumes); None when the image
    or the plan cannot be told."""
    shape = _volume_shape(project, "image")
    if config.bbox is None and shape is None:
        return None
    box = config.bbox or tuple((0, int(n)) for n in shape)
    if config.on_dask:
        overlap = config.overlap_zyx or default_overlap(model.fov_size_zyx)
        try:
            plan = plan_subvolumes(box, config.subvolume_size_zyx, overlap, model.fov_size_zyx)
        except UserError:
            return None
        boxes = [sub.box for sub in plan.subvolumes]
    else:
        boxes = [box]
    passes = 2 if "consensus" in config.refine else 1
    return passes * sum(expected_fovs(box_shape(sub), model) for sub in boxes)


def _infer_model(project: Project, config: InferConfig) -> ModelArgs | None:
    """The model ``config`` runs: its model_args, its request's, or those of the training run
    that wrote its checkpoint; None when none is known."""
    try:
        if config.model_args:
            return ModelArgs.from_reference(config.model_args)
        if config.request and Path(config.request).is_file():
            text = parse_request(Path(config.request).read_text(encoding="utf-8")).model_args
            if text:
                return ModelArgs.from_reference(text)
        if not config.checkpoint:
            return None
        checkpoint = Path(resolve_checkpoint(project.path(config.checkpoint)))
        stored = read_run_config(checkpoint.parent.parent)  # runs/<run>/checkpoints/<file>
    except (UserError, OSError):
        return None
    return stored.model_args if stored is not None else None


def _past_fov_rate(
    project: Project, run: dict[str, Any], model: ModelArgs, config: InferConfig
) -> float | None:
    """FOV/s of the completed inference ``run`` of the history when it ran ``model`` as
    ``config`` will (precision, backend, device); else None."""
    try:
        past = InferConfig.from_dict(run["params"])
    except (UserError, TypeError):
        return None
    same = (past.precision, past.backend, past.device) == (
        config.precision,
        config.backend,
        config.device,
    )
    segmentation = (run.get("outputs") or {}).get("segmentation")
    if not same or not segmentation or _infer_model(project, past) != model:
        return None
    counters = _read_counters(project.path(segmentation.rsplit(":", 1)[0]).parent)
    fovs, seconds = counters.get("fov_evals"), counters.get("wall_s")
    return fovs / seconds if fovs and seconds else None


def _read_counters(run_dir: Path) -> dict[str, float]:
    """The numbers of ``run_dir/counters.txt`` (``name: value`` lines)."""
    path = run_dir / "counters.txt"
    if not path.is_file():
        return {}
    counters = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, _, value = line.partition(":")
        try:
            counters[name.strip()] = float(value)
        except ValueError:
            continue
    return counters


# -- the run history ------------------------------------------------------------------------
def _runs(
    project: Project, stage: str, statuses: Sequence[str] = ("completed", "stopped")
) -> Iterator[dict[str, Any]]:
    """The project's runs of ``stage`` that ended so, newest first."""
    for run in reversed(project.data["runs"]):
        if run.get("stage") == stage and run.get("status") in statuses:
            yield run


def _wall_s(run: dict[str, Any]) -> float | None:
    """Seconds from a run's start to its end (whole seconds, as the history records them)."""
    try:
        started, ended = (_dt.datetime.fromisoformat(run[key]) for key in ("started", "ended"))
    except (KeyError, TypeError, ValueError):
        return None
    return (ended - started).total_seconds()
