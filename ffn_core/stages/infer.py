"""The ``infer`` stage: segment the project's image (or a box of it) with an FFN model.

:class:`InferConfig` holds the settings, checked when it is made; :func:`infer` checks
everything else that can fail (request, model_args, box, FOV, image mean/std, existing results,
checkpoint architecture) before the image is read, then fills the canvas
(:func:`ffn_core.infer.runner.run_subvolume`). TensorFlow is imported inside :func:`infer` only.

Results: ``<project>/inference/<run>/segmentation.h5`` (``segmentation`` uint32 of the box's
size with attrs ``bbox_start_zyx``/``bbox_stop_zyx``, ``probabilities`` uint8) and the reference
layout ``seg-<x>_<y>_<z>.npz`` + ``.prob`` for the box corner.

With a subvolume size (or workers, or a scheduler) the box is cut into overlapping subvolumes
(:mod:`ffn_core.infer.plan`) segmented on a Dask cluster (:mod:`ffn_core.infer.distributed`,
:mod:`ffn_core.scale.cluster`): one ``seg-*.npz`` per subvolume corner, ``plan.json``, and
``segmentation.h5`` stitched from them (:mod:`ffn_core.infer.stitch`; no ``probabilities``).
"""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ffn_core.backend import Compute, check_backend, check_device, prepare
from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter
from ffn_core.infer import storage
from ffn_core.infer.canvas import CanvasOptions
from ffn_core.infer.consensus import ModelPass
from ffn_core.infer.plan import Plan, default_overlap, plan_subvolumes
from ffn_core.infer.progress import expected_fovs
from ffn_core.infer.refine import (
    ARRAY_STEPS,
    DEFAULT_REFINE,
    FIRST_PASS,
    parse_refine,
    refine_run,
)
from ffn_core.infer.request import InferenceRequest, format_request, parse_request
from ffn_core.infer.runner import RunOutcome, RunSettings, read_normalised, run_subvolume
from ffn_core.infer.seeds import check_seed_policy
from ffn_core.io.disk_space import require_disk_space
from ffn_core.io.volume_spec import image_stats, open_dataset
from ffn_core.memory import INFER_BYTES_PER_VOXEL, REFINE_BYTES_PER_VOXEL, require_memory
from ffn_core.model.args import PRECISIONS, ModelArgs
from ffn_core.project import Project
from ffn_core.stages.base import StageConfig, StageResult, reporting
from ffn_core.zyx import (
    Box,
    box_shape,
    check_box_inside,
    format_box,
    format_triple,
    parse_box,
    parse_triple,
)

if TYPE_CHECKING:  # Dask is imported when a run uses it
    from ffn_core.infer.distributed import PlanOutcome

__all__ = ["DEFAULT_CANVASES_PER_TASK", "ON_EXISTS", "OPTION_OVERRIDES", "InferConfig", "infer"]

ON_EXISTS = ("ask", "resume", "new", "replace")
#: subvolumes one Dask task segments together, their FOVs batched into one model call
DEFAULT_CANVASES_PER_TASK = 2
# Inference options a config may set (CanvasOptions fields; probabilities as in the request).
OPTION_OVERRIDES: dict[str, type] = {
    "init_activation": float,
    "pad_value": float,
    "move_threshold": float,
    "segment_threshold": float,
    "min_segment_size": int,
    "disco_seed_threshold": float,
}


@dataclasses.dataclass(frozen=True)
class InferConfig(StageConfig):
    """Settings of one inference run; a None option means the request's value, else the default.

    Parameters
    ----------
    checkpoint : str
        Model checkpoint: a reference TF1 one (``.../model.ckpt-7000000``), one of ours, or the
        folder holding it.
    request : str, optional
        Reference ``InferenceRequest`` text file (``.pbtxt``) giving model_args, image mean/std,
        seed policy and inference options.
    model_args : str, optional
        The reference's model_args JSON (fov_size and deltas x, y, z); overrides the request.
        A dict or :class:`~ffn_core.model.args.ModelArgs` is accepted and kept as JSON text.
    bbox : Box, optional
        ``((z0, z1), (y0, y1), (x0, x1))`` of the image, stops exclusive (default: all of it);
        ``"z0:z1,y0:y1,x0:x1"`` is accepted.
    run : str
        Run name: the results go to ``<project>/inference/<run>/``.
    on_exists : str
        When the run has results: ``ask`` (refuse, naming the choices), ``resume`` a stopped
        run, ``new`` (write to the first free ``<run>-<n>``) or ``replace`` (delete them).
    image_mean, image_std : float, optional
        Normalisation (default: the request's, else the project image's ``mean``/``std``).
    seed_policy : str, optional
        Reference seed policy (default: the request's, else ``PolicyPeaks``).
    init_activation, pad_value, move_threshold, segment_threshold, disco_seed_threshold : float
        Inference options in probability space (default: the request's, else
        :class:`~ffn_core.infer.canvas.CanvasOptions`').
    min_segment_size : int, optional
    min_boundary_dist_zyx : (int, int, int), optional
        More inference options, as the two above.
    checkpoint_interval : float, optional
        Seconds between inference checkpoints (default: the request's, else 1800; <= 0: none).
        On Dask a task segments for about this long, then the client saves its subvolumes'
        checkpoints and continues them in a new task.
    refresh_interval : float
        Seconds between live updates of ``segmentation.h5`` (0: none).
    precision : str
        Arithmetic of the model: ``float32`` (as the reference), ``bfloat16`` (faster on CPUs
        with AVX512-BF16 and recent GPUs; a few voxels differ) or ``mixed`` (float16, GPUs).
    backend : str, optional
        Keras backend: ``tensorflow``, ``jax`` or ``torch`` (default: ``KERAS_BACKEND``, else
        TensorFlow; :mod:`ffn_core.backend`).
    device : str
        ``auto`` (a GPU when the backend sees one), ``gpu`` (refuse to run without one) or
        ``cpu``.
    subvolume_size_zyx : (int, int, int), optional
        Cut the box into subvolumes of this size, segmented on a Dask cluster and stitched
        (default: the box is one subvolume, segmented in this process as the reference does).
        :data:`ffn_core.infer.plan.DEFAULT_SUBVOLUME_SIZE` suits the anisotropic model.
    overlap_zyx : (int, int, int), optional
        Voxels neighbouring subvolumes share (default:
        :func:`ffn_core.infer.plan.default_overlap` of the model's FOV, ``2 * (fov - 1)``).
    workers, threads_per_worker : int, optional
        Worker processes of the Dask cluster started on this PC and the threads (concurrent
        tasks) of each (default: chosen from the cores and the memory,
        :func:`ffn_core.scale.cluster.local_shape`).
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``) to use instead of a cluster
        on this PC; empty means this PC.
    canvases_per_task : int
        Subvolumes one Dask task segments together, their FOVs batched into one model call.
    refine : tuple of str
        Steps run on the finished first pass (:mod:`ffn_core.infer.refine`: ``consensus``
        segments the box again from the first pass's seeds in reverse order and splits objects
        where the passes disagree; ``agglomerate`` merges objects the model's floods joined;
        ``fill`` fills the voxels left empty next to the segments); the untouched first pass
        is kept as ``first_pass`` beside the refined ``segmentation``. Default:
        :data:`~ffn_core.infer.refine.DEFAULT_REFINE` (agglomerate, fill); ``()`` gives the
        reference's result as it is. On Dask each subvolume is refined on its own before the
        stitch; consensus runs on one box only, so far.

    Giving ``subvolume_size_zyx``, ``workers``, ``threads_per_worker`` or ``scheduler`` runs on
    Dask (:attr:`on_dask`); without a subvolume size the whole box is then one subvolume.
    """

    stage: ClassVar[str] = "infer"
    checkpoint: str
    request: str | None = None
    model_args: str | None = None
    bbox: Box | None = None
    run: str = "default"
    on_exists: str = "ask"
    image_mean: float | None = None
    image_std: float | None = None
    seed_policy: str | None = None
    init_activation: float | None = None
    pad_value: float | None = None
    move_threshold: float | None = None
    segment_threshold: float | None = None
    min_segment_size: int | None = None
    disco_seed_threshold: float | None = None
    min_boundary_dist_zyx: tuple[int, int, int] | None = None
    checkpoint_interval: float | None = None
    refresh_interval: float = 15.0
    precision: str = "float32"
    backend: str | None = None
    device: str = "auto"
    subvolume_size_zyx: tuple[int, int, int] | None = None
    overlap_zyx: tuple[int, int, int] | None = None
    workers: int | None = None
    threads_per_worker: int | None = None
    scheduler: str | None = None
    canvases_per_task: int = DEFAULT_CANVASES_PER_TASK
    refine: tuple[str, ...] = DEFAULT_REFINE

    def __post_init__(self) -> None:
        def set_(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        if not str(self.checkpoint or "").strip():
            raise UserError(
                "No model checkpoint is given.",
                "Choose a checkpoint such as .../model.ckpt-7000000 or a run folder.",
            )
        set_("checkpoint", str(self.checkpoint))
        if self.request is not None:
            set_("request", str(self.request))
        if self.model_args is not None:
            set_("model_args", _model_args_text(self.model_args))
        if self.bbox is not None:
            set_("bbox", parse_box(self.bbox))
        if (
            not self.run
            or Path(self.run).name != self.run
            or self.run in (".", "..")
            or "\\" in self.run
        ):
            raise UserError(
                f"Run name {self.run!r} is not a folder name.",
                "Give a plain name such as default or snemi-2.",
            )
        if self.on_exists not in ON_EXISTS:
            raise UserError(
                f"on_exists {self.on_exists!r} is not one of {', '.join(ON_EXISTS)}.",
                "Choose one of them.",
            )
        if self.image_std is not None:
            _check_std(self.image_std)
        if self.seed_policy is not None:
            check_seed_policy(self.seed_policy)
        if self.min_boundary_dist_zyx is not None:
            set_(
                "min_boundary_dist_zyx",
                parse_triple(self.min_boundary_dist_zyx, "min_boundary_dist_zyx", int),
            )
        CanvasOptions(**self.option_overrides())  # the probabilities are in (0, 1)
        if self.precision not in PRECISIONS:
            raise UserError(
                f"Unknown precision {self.precision!r}.", f"Choose one of {', '.join(PRECISIONS)}."
            )
        check_backend(self.backend)
        check_device(self.device)
        if self.refresh_interval < 0:
            raise UserError(
                f"refresh_interval {self.refresh_interval} is negative.",
                "Give seconds between live updates, or 0 for none.",
            )
        self._check_dask_settings(set_)
        refine = parse_refine(self.refine) if isinstance(self.refine, str) else self.refine
        set_("refine", tuple(parse_refine(",".join(refine)) if refine else ()))
        whole_box = set(self.refine) - set(ARRAY_STEPS)  # consensus: a second pass over the box
        if whole_box and self.on_dask:
            raise UserError(
                "The consensus step runs on one box for now, not in subvolumes; fill works in "
                "subvolumes.",
                "Leave consensus out of --refine for runs in subvolumes (e.g. --refine fill), or "
                "segment the box as one (no --subvolume-size, --workers or --scheduler).",
                "Untick 'Consensus of two passes' for runs in subvolumes, or segment the box as "
                "one (the fields of 'Large volumes: subvolumes on Dask' empty).",
            )

    def _check_dask_settings(self, set_: Callable[[str, Any], None]) -> None:
        if self.subvolume_size_zyx is not None:
            size = parse_triple(self.subvolume_size_zyx, "--subvolume-size", int, minimum=1)
            set_("subvolume_size_zyx", size)
        if self.overlap_zyx is not None:
            if self.subvolume_size_zyx is None:
                raise UserError(
                    "An overlap is given without a subvolume size.",
                    "Give --subvolume-size too, or leave --overlap out.",
                    "Give a Subvolume size too, or leave Overlap empty.",
                )
            set_("overlap_zyx", parse_triple(self.overlap_zyx, "--overlap", int))
            plan_subvolumes(  # refuses an overlap not smaller than the size
                tuple((0, s) for s in self.subvolume_size_zyx),  # type: ignore[arg-type]
                self.subvolume_size_zyx,
                self.overlap_zyx,
            )
        for name, flag in (
            ("workers", "--workers"),
            ("threads_per_worker", "--threads-per-worker"),
            ("canvases_per_task", "--canvases-per-task"),
        ):
            value = getattr(self, name)
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or value < 1
            ):
                raise UserError(f"{flag} {value!r} is not a positive integer.", "Give 1 or more.")
        set_("scheduler", (str(self.scheduler).strip() or None) if self.scheduler else None)

    @property
    def on_dask(self) -> bool:
        """Whether the run goes to a Dask cluster (see the class docstring)."""
        return any(
            value is not None
            for value in (
                self.subvolume_size_zyx,
                self.workers,
                self.threads_per_worker,
                self.scheduler,
            )
        )

    def option_overrides(self) -> dict[str, Any]:
        """The inference options this config sets, as :class:`CanvasOptions` fields."""
        names = (*OPTION_OVERRIDES, "min_boundary_dist_zyx")
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}


def _model_args_text(value: str | Mapping[str, Any] | ModelArgs) -> str:
    """model_args as the reference's JSON text, checked."""
    text = (
        value.to_json()
        if isinstance(value, ModelArgs)
        else value
        if isinstance(value, str)
        else json.dumps(dict(value))
    )
    ModelArgs.from_reference(text)
    return text


def _check_std(std: float) -> None:
    if not std > 0:
        raise UserError(
            f"Image std {std} must be positive.",
            "Give --image-std > 0.",
            "Give an image std above 0 (the option 'image std').",
        )


def infer(
    config: InferConfig,
    project: Project,
    *,
    emit: Emitter | None = None,
    cancel: CancelToken | None = None,
) -> StageResult:
    """Segment the project's ``image`` volume (or ``config.bbox`` of it) with a model.

    Parameters
    ----------
    config : InferConfig
        The run's settings.
    project : Project
        The project whose image is segmented; results go to its ``inference/<run>/``.
    emit, cancel : optional
        Where progress goes and the stop request (defaults: readable lines, never stopped).

    Returns
    -------
    StageResult
        ``outputs``: ``segmentation`` (``file.h5:segmentation``) and ``npz``, or ``checkpoint``
        instead of ``npz`` when stopped (status ``stopped``). ``extra``: ``run`` (the run
        written, ``<run>-<n>`` with ``on_exists="new"``), ``segmentation_extent``
        (``"bbox"``), ``bbox_start_zyx``, ``bbox_stop_zyx``, ``segments``, ``fov_evals``,
        ``wall_s``, and what it computed on: ``backend``, ``device``, ``device_name``. With
        ``refine``: ``outputs`` ``first_pass`` (the untouched volume; with consensus also
        ``reverse_pass``) and ``extra`` ``refine`` (each step's statistics); when stopped
        during the consensus's second pass, the unrefined first pass.

        On Dask (:attr:`InferConfig.on_dask`): ``outputs`` ``segmentation`` (the stitched
        volume of the box's size), ``subvolumes`` (count), ``merges`` (equivalences applied)
        and ``plan`` (``plan.json``); when stopped ``plan`` and ``subvolumes``. ``extra`` adds
        ``subvolumes_done``, ``computed`` (subvolumes segmented by this call), ``conflicts``
        (count; the list is in ``conflicts_file``) and ``dashboard`` (the Dask dashboard's URL).
        With ``refine``: ``segmentation`` stitched from the refined subvolumes (``segments``,
        ``merges`` and ``conflicts`` are its), ``outputs`` ``first_pass`` (the stitched first
        passes) and ``extra`` ``refine`` (each step's statistics summed over the subvolumes).
    """
    emit, cancel = reporting("infer", emit, cancel)
    request = _load_request(config.request, emit)
    options = dataclasses.replace(request.options, **config.option_overrides())
    seed_policy = config.seed_policy or request.seed_policy
    check_seed_policy(seed_policy)
    model_text = config.model_args or request.model_args
    model_args = ModelArgs.from_reference(model_text) if model_text else None
    handle, dataset = open_dataset(project.volume_spec("image"))
    with handle:
        if dataset.ndim != 3:
            raise UserError(
                f"The project image has shape {dataset.shape}, not (z, y, x).",
                "Import a grey-value image stack.",
            )
        box = config.bbox or tuple((0, int(size)) for size in dataset.shape)
        check_box_inside(box, dataset.shape)
        if model_args is not None:
            _check_geometry(model_args, box)
        mean, std = _mean_std(config, request, project)
        used = dataclasses.replace(  # the model's fields are filled once it is loaded
            request,
            image_mean=mean,
            image_stddev=std,
            seed_policy=seed_policy,
            options=options,
            checkpoint_interval=(
                request.checkpoint_interval
                if config.checkpoint_interval is None
                else config.checkpoint_interval
            ),
        )
        if config.on_dask:
            return _infer_on_dask(config, project, dataset, box, model_args, used, emit, cancel)
        _require_box_memory(box, bool(config.refine))
        require_disk_space(
            project.path("inference"),
            math.prod(box_shape(box)) * RESULT_BYTES_PER_VOXEL,
            "the inference results",
        )
        corner = tuple(start for start, _ in box)

        def state_of(run_dir: Path) -> str:
            return storage.run_state(run_dir, corner)

        state = _existing(
            project,
            config,
            state_of,
            other=(
                "results of another box (or an unfinished run without a checkpoint)",
                "Resume with the run's own box",
                "Resume with the run's own Box",
            ),
        )
        compute = _compute(config, emit)
        prefix, model_args = _checkpoint(config, model_args, box)
        predictor = _predictor(config, prefix, model_args)
        run, resume = _claim_run(project, config, state_of, state)
        used = _with_model(used, model_args, prefix)
        settings = _settings(used, model_args, box, config.refresh_interval)
        emit.log(
            f"Run '{run}': box z,y,x {list(settings.bbox_start)}:{list(settings.bbox_stop)}"
            f", model {used.model_args} step {predictor.step}, image mean {mean:g} std "
            f"{std:g}" + (", resuming from its checkpoint." if resume else ".")
        )
        image = read_normalised(dataset, settings.bbox_start, settings.bbox_stop, mean, std)
    run_dir = project.path("inference", run)
    outcome = run_subvolume(
        image, settings, predictor.predict, run_dir, emit, cancel, resume=resume
    )
    refined = None
    if config.refine and outcome.status == "completed":
        model = ModelPass(settings, predictor.predict, cancel)  # consensus's second pass
        refined = refine_run(run_dir, image, config.refine, emit, model=model)
    return _result(run, emit, outcome, settings, run_dir, compute, refined)


def _compute(config: InferConfig, emit: Emitter) -> Compute:
    """Select the config's backend and device for this process (before any model code)."""
    compute = prepare(config.backend, config.device, config.precision)
    emit.compute(compute.backend, compute.device, compute.device_name, config.precision)
    return compute


def _checkpoint(
    config: InferConfig, model_args: ModelArgs | None, box: Box
) -> tuple[str, ModelArgs]:
    """The checkpoint's prefix and the model_args to build (those stored in one of our
    checkpoints when none are given), checked against the box; builds no model."""
    from ffn_core.model.checkpoints import checkpoint_info  # the backend from here on

    info = checkpoint_info(config.checkpoint)
    if model_args is None:
        model_args = _checkpoint_model_args(info)
        _check_geometry(model_args, box)
    return info.prefix, model_args


def _predictor(config: InferConfig, prefix: str, model_args: ModelArgs) -> Any:
    """The :class:`~ffn_core.model.predictor.Predictor` of the checkpoint (its architecture
    checked against ``model_args``)."""
    from ffn_core.model.predictor import Predictor

    return Predictor.from_checkpoint(prefix, model_args, precision=config.precision)


def _with_model(used: InferenceRequest, model_args: ModelArgs, prefix: str) -> InferenceRequest:
    return dataclasses.replace(used, model_args=model_args.to_json(), model_checkpoint_path=prefix)


def _infer_on_dask(
    config: InferConfig,
    project: Project,
    dataset: Any,
    box: Box,
    model_args: ModelArgs | None,
    used: InferenceRequest,
    emit: Emitter,
    cancel: CancelToken,
) -> StageResult:
    """Segment the box as a plan of subvolumes on a Dask cluster and stitch them."""
    from ffn_core.infer import distributed  # Dask from here on
    from ffn_core.scale.cluster import dask_client

    compute = _compute(config, emit)  # the cluster's workers inherit it
    prefix, model_args = _checkpoint(config, model_args, box)
    plan = _plan(config, box, model_args.fov_size_zyx)

    def state_of(run_dir: Path) -> str:
        return distributed.run_state(run_dir, plan)

    state = _existing(
        project,
        config,
        state_of,
        other=(
            "results of another subvolume plan (or of a run without subvolumes)",
            "Resume with the run's own --subvolume-size and --overlap",
            "Resume with the run's own Subvolume size and Overlap",
        ),
    )
    predictor = _predictor(config, prefix, model_args)  # only once the run may go ahead
    used = _with_model(used, model_args, prefix)
    per_task = config.canvases_per_task
    job = distributed.PlanJob(
        plan=plan,
        settings=_settings(used, model_args, box, config.refresh_interval),
        request=used,
        model=distributed.ModelPayload.of(predictor, config.precision, compute.backend),
        mean=used.image_mean,
        std=used.image_stddev,
        canvases_per_task=per_task,
        refine=config.refine,
    )
    if state == "checkpoint":
        distributed.check_subvolumes(project.path("inference", config.run), job)
    with dask_client(
        config.scheduler,
        config.workers,
        config.threads_per_worker,
        emit,
        tasks=-(-len(plan.subvolumes) // per_task),
        task_bytes=distributed.task_bytes(plan, per_task, bool(config.refine)),
    ) as client:
        run, _ = _claim_run(project, config, state_of, state)
        emit.log(
            f"Run '{run}': box z,y,x {format_box(box)} in {len(plan.subvolumes)} subvolume(s) "
            f"of {format_triple(plan.size_zyx)} overlapping by {format_triple(plan.overlap_zyx)}"
            f", {per_task} per task; model {used.model_args} step {predictor.step}, image "
            f"mean {used.image_mean:g} std {used.image_stddev:g}"
            + (", resuming." if state == "checkpoint" else ".")
        )
        run_dir = project.path("inference", run)
        outcome = distributed.segment_plan(client, job, dataset, run_dir, emit, cancel)
        dashboard = client.dashboard_link
    return _plan_result(run, emit, outcome, plan, run_dir, dashboard, compute)


def _load_request(path: str | None, emit: Emitter) -> InferenceRequest:
    if not path:
        return InferenceRequest()
    file = Path(path)
    if not file.is_file():
        raise UserError(f"Inference request {file} does not exist.", "Check the path.")
    request = parse_request(file.read_text(encoding="utf-8"))
    for warning in request.warnings:
        emit.log(f"{file.name}: {warning}", level="warning")
    return request


def _checkpoint_model_args(info: Any) -> ModelArgs:
    """model_args stored in one of our checkpoints (reference ones have none)."""
    if info.model_args is not None:
        return info.model_args
    raise UserError(
        f"No model_args for reference checkpoint {info.prefix}.",
        'Give --request (its model_args line) or --model-args \'{"depth": 9, '
        '"fov_size": [33, 33, 17], "deltas": [8, 8, 4]}\'.',
        "Choose the checkpoint's inference request (Request), or give its Model args, e.g. "
        '{"depth": 9, "fov_size": [33, 33, 17], "deltas": [8, 8, 4]}.',
    )


def _mean_std(
    config: InferConfig, request: InferenceRequest, project: Project
) -> tuple[float, float]:
    """Image mean and std: the config's, else the request's, else the project image's."""
    mean, std = image_stats(
        project, (config.image_mean, config.image_std), (request.image_mean, request.image_stddev)
    )
    for key, value in (("mean", mean), ("std", std)):
        if value is None:
            raise UserError(
                f"The image mean/std are unknown (no --image-{key}, no request "
                "image_mean/image_stddev, no attribute on the project image).",
                "Give --image-mean and --image-std (as used in training).",
                "Give the options 'image mean' and 'image std' (as used in training).",
            )
    if std == 0:
        raise UserError(
            f"The image {project.volume_spec('image')} has a single grey value (std 0): "
            "there is nothing to segment.",
            "Import the right stack (a blank or saturated export?), or give the image std "
            "the model was trained with (--image-std).",
            "Import the right stack (a blank or saturated export?), or give the image std the "
            "model was trained with (the option 'image std').",
        )
    return mean, std


#: Disk a finished box run can take per voxel, uncompressed: segmentation.h5 and the npz
#: (uint32 ids each at most), the probability map (uint8) and its checkpoint (ids + prob).
RESULT_BYTES_PER_VOXEL = 14


def _require_box_memory(box: Box, refine: bool) -> None:
    """Refuse a box that one process cannot hold, segmenting it or (after the canvas is
    freed) refining it (before anything is read or written)."""
    shape = box_shape(box)
    per_voxel = max(INFER_BYTES_PER_VOXEL, REFINE_BYTES_PER_VOXEL if refine else 0)
    require_memory(
        math.prod(shape) * per_voxel,
        f"Inference of the box z,y,x {tuple(shape)} in one piece",
        "Segment it in subvolumes (Subvolume size on the Infer page, --subvolume-size "
        "z,y,x, e.g. 100,512,512), which hold one piece at a time, or choose a smaller box.",
    )


def _check_geometry(model_args: ModelArgs, box: Box) -> None:
    size = box_shape(box)
    if any(s < f for s, f in zip(size, model_args.fov_size_zyx)):
        raise UserError(
            f"The box (z, y, x size {size}) is smaller than the model's FOV "
            f"{model_args.fov_size_zyx} (z, y, x).",
            "Choose a larger box or volume; every side must hold one FOV.",
        )


def _existing(
    project: Project,
    config: InferConfig,
    state_of: Callable[[Path], str],
    other: tuple[str, str, str],
) -> str:
    """State of the run folder (``state_of(run_dir)``: absent, checkpoint, complete or
    partial); the ``on_exists`` choices that cannot proceed raise here. ``other`` says what
    a ``partial`` folder holds and how it could be resumed, at the command line and in the
    GUI's words (a resume of it is refused)."""
    run_dir = project.path("inference", config.run)
    state = state_of(run_dir)
    if state != "absent" and config.on_exists == "ask":
        what = {
            "checkpoint": "a stopped run that can be resumed",
            "complete": "finished results",
            "partial": "unfinished results without a checkpoint",
        }[state]
        raise UserError(
            f"Inference run '{config.run}' ({run_dir}) already holds {what}.",
            "Choose --on-exists resume (continue it), new (keep it, use a new run "
            "name) or replace (delete it and start again).",
            "Press Resume (continue it), New run (keep it, use a new run name) or Replace (delete "
            "it and start again).",
        )
    if state == "complete" and config.on_exists == "resume":
        raise UserError(
            f"Inference run '{config.run}' is already complete; nothing to resume.",
            "Use --on-exists new or replace to run it again.",
            "Press New run or Replace to run it again.",
        )
    if state == "partial" and config.on_exists == "resume":
        holds, how, gui_how = other
        raise UserError(
            f"Inference run '{config.run}' holds {holds}; these settings cannot resume it.",
            f"{how}, or choose --on-exists new or replace.",
            f"{gui_how}, or press New run or Replace.",
        )
    return state


def _claim_run(
    project: Project, config: InferConfig, state_of: Callable[[Path], str], state: str
) -> tuple[str, bool]:
    """The run to write and whether it resumes: ``new`` picks ``<run>-<n>``, ``replace``
    deletes the old results."""
    if state == "absent" or config.on_exists == "resume":
        return config.run, state == "checkpoint"
    if config.on_exists == "new":
        n = 2
        while state_of(project.path("inference", f"{config.run}-{n}")) != "absent":
            n += 1
        return f"{config.run}-{n}", False
    shutil.rmtree(project.path("inference", config.run))
    return config.run, False


def _settings(
    used: InferenceRequest, model_args: ModelArgs, box: Box, refresh_interval: float
) -> RunSettings:
    """What the runner needs, with the text and fingerprint of the request ``used``, and the
    FOVs per voxel the box should take (the prior of the progress)."""
    start = tuple(start for start, _ in box)
    stop = tuple(stop for _, stop in box)
    fingerprint = json.loads(
        json.dumps(
            {  # what a resumed run must share
                "bbox": [start, stop],
                "model_args": used.model_args,
                "checkpoint": used.model_checkpoint_path,
                "mean": used.image_mean,
                "std": used.image_stddev,
                "seed_policy": [used.seed_policy, used.seed_policy_args],
                "options": dataclasses.asdict(used.options),
            }
        )
    )
    return RunSettings(
        bbox_start=start,
        bbox_stop=stop,
        options=used.options,  # type: ignore[arg-type]
        fov_size_zyx=model_args.fov_size_zyx,
        deltas_zyx=model_args.deltas_zyx,
        seed_policy=used.seed_policy,
        seed_policy_args=used.seed_policy_args,
        checkpoint_interval=used.checkpoint_interval,
        refresh_interval=refresh_interval,
        request_text=format_request(used, box),
        fingerprint=fingerprint,
        fovs_per_voxel=expected_fovs(box_shape(box), model_args) / math.prod(box_shape(box)),
    )


def _result(
    run: str,
    emit: Emitter,
    outcome: RunOutcome,
    settings: RunSettings,
    run_dir: Path,
    compute: Compute,
    refined: dict[str, Any] | None,
) -> StageResult:
    seg_spec = f"{outcome.h5.resolve()}:segmentation"
    extra = {
        "run": run,
        "segmentation_extent": "bbox",
        "bbox_start_zyx": list(settings.bbox_start),
        "bbox_stop_zyx": list(settings.bbox_stop),
        "segments": outcome.segments,
        "fov_evals": int(outcome.counters.get("fov_evals", 0)),
        "wall_s": round(outcome.seconds, 1),
        **compute.to_dict(),
    }
    emit.log(
        f"The segmentation is box-sized (z, y, x {list(settings.bbox_start)} to "
        f"{list(settings.bbox_stop)} of the image): {seg_spec}."
    )
    if outcome.status == "stopped":
        emit.log(
            f"Stopped with {outcome.segments} objects; run again with --run {run} "
            "--on-exists resume to continue.",
            gui_message=f"Stopped with {outcome.segments} objects; press Resume to continue.",
        )
        cpoint = storage.subvolume_path(run_dir, settings.bbox_start, "cpoint")
        return StageResult(
            outputs={"segmentation": seg_spec, "checkpoint": str(cpoint.resolve())},
            status="stopped",
            extra=extra,
        )
    emit.log(
        f"{outcome.segments} objects, {extra['fov_evals']} FOV evaluations in "
        f"{outcome.seconds:.1f} s."
    )
    outputs = {"segmentation": seg_spec, "npz": str(outcome.npz.resolve())}
    if refined is not None:  # segmentation: the refined volume; first_pass: the untouched one
        outputs.update(refined["outputs"])
        extra.update(refined["extra"])
    return StageResult(outputs=outputs, extra=extra)


def _plan(config: InferConfig, box: Box, fov_zyx: tuple[int, int, int]) -> Plan:
    """The config's plan of ``box``; without an overlap: :func:`default_overlap` of the FOV."""
    size = config.subvolume_size_zyx
    if size is None or config.overlap_zyx is not None:
        return plan_subvolumes(box, size, config.overlap_zyx or (0, 0, 0), fov_zyx)
    plan_subvolumes(box, size, (0, 0, 0), fov_zyx)  # a size smaller than the FOV first
    overlap = default_overlap(fov_zyx)
    if any(o >= s for o, s in zip(overlap, size)):
        raise UserError(
            f"--subvolume-size {format_triple(size)} is not larger than the default overlap "
            f"{format_triple(overlap)} (twice the model's FOV {format_triple(fov_zyx)} less "
            "one) on every axis.",
            "Give a larger --subvolume-size (e.g. 100,320,320 for the anisotropic model) or "
            "a smaller --overlap.",
            "Give a larger Subvolume size (e.g. 100,320,320 for the anisotropic model) or a "
            "smaller Overlap.",
        )
    return plan_subvolumes(box, size, overlap, fov_zyx)


def _plan_result(
    run: str,
    emit: Emitter,
    outcome: PlanOutcome,
    plan: Plan,
    run_dir: Path,
    dashboard: str,
    compute: Compute,
) -> StageResult:
    from ffn_core.infer.distributed import CONFLICTS_NAME
    from ffn_core.infer.plan import PLAN_NAME

    count = len(plan.subvolumes)
    extra = {
        "run": run,
        "segmentation_extent": "bbox",
        "bbox_start_zyx": [start for start, _ in plan.box],
        "bbox_stop_zyx": [stop for _, stop in plan.box],
        "subvolumes_done": outcome.done,
        "computed": outcome.computed,
        "dashboard": dashboard,
        "wall_s": round(outcome.seconds, 1),
        **compute.to_dict(),
    }
    plan_file = str((run_dir / PLAN_NAME).resolve())
    if outcome.status == "stopped":
        emit.log(
            f"Stopped with {outcome.done} of {count} subvolumes done; run again with --run "
            f"{run} --on-exists resume to continue.",
            gui_message=f"Stopped with {outcome.done} of {count} subvolumes done; press Resume "
            "to continue.",
        )
        return StageResult(
            outputs={"plan": plan_file, "subvolumes": count}, status="stopped", extra=extra
        )
    report = outcome.report
    extra.update(
        segments=report.segments,
        conflicts=len(report.conflicts),
        conflicts_file=str((run_dir / CONFLICTS_NAME).resolve()),
        fov_evals=int(outcome.counters.get("fov_evals", 0)),
    )
    seg_spec = f"{outcome.h5.resolve()}:segmentation"
    emit.log(
        f"{count} subvolume(s) stitched into {report.segments} objects ({report.merges} merges, "
        f"{len(report.conflicts)} conflicts refused; {outcome.computed} subvolume(s) computed "
        f"by this run in {outcome.seconds:.1f} s): {seg_spec}."
    )
    outputs = {
        "segmentation": seg_spec,
        "subvolumes": count,
        "merges": report.merges,
        "plan": plan_file,
    }
    if outcome.first_pass is not None:  # refined per subvolume; the first pass kept beside
        outputs["first_pass"] = f"{outcome.h5.resolve()}:{FIRST_PASS}"
        extra["refine"] = outcome.refine
        voxels = math.prod(box_shape(plan.box))
        emit.log(
            f"Refined each subvolume ({', '.join(outcome.refine or {})}): unsegmented "
            f"{outcome.first_pass.empty / voxels:.1%} -> {report.empty / voxels:.1%} of the "
            f"box; the first pass ({outcome.first_pass.segments} objects) is kept as "
            f"{outputs['first_pass']}."
        )
    return StageResult(outputs=outputs, extra=extra)
