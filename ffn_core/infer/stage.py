"""``python -m ffn_core infer``: segment the project's image (or a box of it) with an FFN model.

Every check that can fail (request, model_args, box, FOV, image mean/std, existing results,
checkpoint architecture) runs before the image is read. TensorFlow is imported inside
:func:`run` only. Results: ``<project>/inference/<run>/segmentation.h5`` (``segmentation``
uint32 of the box's size with attrs ``bbox_start_zyx``/``bbox_stop_zyx``, ``probabilities``
uint8) and the reference layout ``seg-<x>_<y>_<z>.npz`` + ``.prob`` for the box corner.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

from ffn_core.cli import StageResult
from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter
from ffn_core.infer import storage
from ffn_core.infer.canvas import CanvasOptions
from ffn_core.infer.request import InferenceRequest, parse_request
from ffn_core.infer.runner import RunSettings, read_normalised, run_subvolume
from ffn_core.infer.seeds import POLICIES
from ffn_core.io.volume_spec import open_dataset
from ffn_core.model.args import PRECISIONS, ModelArgs
from ffn_core.project import Project

ON_EXISTS = ("ask", "resume", "new", "replace")
_OVERRIDES = {  # CLI option -> CanvasOptions field (probabilities, as in the request)
    "init_activation": float, "pad_value": float, "move_threshold": float,
    "segment_threshold": float, "min_segment_size": int, "disco_seed_threshold": float}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", required=True, help="project folder")
    parser.add_argument("--checkpoint", required=True,
                        help="model checkpoint: a reference TF1 one (.../model.ckpt-7000000) or ours")
    parser.add_argument("--request", help="reference InferenceRequest text file (.pbtxt) for "
                        "model_args, image mean/std, seed policy and options")
    parser.add_argument("--model-args", help='reference JSON, e.g. \'{"depth": 9, "fov_size": '
                        '[33, 33, 17], "deltas": [8, 8, 4]}\' (x, y, z); overrides the request')
    parser.add_argument("--bbox", help="z0:z1,y0:y1,x0:x1 box of the image (default: all)")
    parser.add_argument("--run", default="default", help="run name: inference/<run>/")
    parser.add_argument("--on-exists", choices=ON_EXISTS, default="ask",
                        help="when the run has results: ask (error listing the choices), resume "
                        "a stopped run, new (a fresh run name) or replace")
    parser.add_argument("--image-mean", type=float, help="default: request, else project image")
    parser.add_argument("--image-std", type=float, help="default: request, else project image")
    parser.add_argument("--seed-policy", choices=sorted(POLICIES), help="default: PolicyPeaks")
    for name, kind in _OVERRIDES.items():
        parser.add_argument("--" + name.replace("_", "-"), type=kind,
                            help="inference option (probability); default: request's or "
                            f"{getattr(CanvasOptions(), name)}")
    parser.add_argument("--min-boundary-dist", help="z,y,x voxels (default 1,1,1)")
    parser.add_argument("--checkpoint-interval", type=float,
                        help="seconds between inference checkpoints (default: request's, 1800)")
    parser.add_argument("--refresh-interval", type=float, default=15.0,
                        help="seconds between live updates of segmentation.h5 (0: none)")
    parser.add_argument("--precision", choices=PRECISIONS, default="float32",
                        help="arithmetic of the model: float32 (as the reference) or bfloat16 "
                             "(about 1.8x faster on CPUs with AVX512-BF16; a few voxels differ)")
    parser.add_argument("--text", action="store_true", help="human-readable output")


def parse_bbox(text: str | None, shape: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``z0:z1,y0:y1,x0:x1`` → (start, stop) zyx, checked against the volume ``shape``."""
    if not text:
        return (0, 0, 0), tuple(int(s) for s in shape)
    try:
        parts = [tuple(int(v) for v in part.split(":")) for part in text.split(",")]
        if len(parts) != 3 or any(len(p) != 2 for p in parts):
            raise ValueError
    except ValueError:
        raise UserError(f"--bbox {text!r} is not z0:z1,y0:y1,x0:x1.",
                        "Give three start:stop ranges, e.g. 0:100,0:256,0:256.") from None
    start, stop = tuple(p[0] for p in parts), tuple(p[1] for p in parts)
    for axis, a, b, n in zip("zyx", start, stop, shape):
        if not 0 <= a < b <= n:
            raise UserError(f"--bbox {text!r}: {axis} range {a}:{b} is outside the image "
                            f"(z, y, x size {tuple(shape)}) or empty.",
                            f"Keep every range inside 0:{n} of its axis, start < stop.")
    return start, stop


def _load_request(args: argparse.Namespace, emit: Emitter) -> InferenceRequest:
    if not args.request:
        return InferenceRequest()
    path = Path(args.request)
    if not path.is_file():
        raise UserError(f"Inference request {path} does not exist.", "Check the path.")
    request = parse_request(path.read_text(encoding="utf-8"))
    for warning in request.warnings:
        emit.log(f"{path.name}: {warning}", level="warning")
    return request


def _options(args: argparse.Namespace, request: InferenceRequest) -> CanvasOptions:
    changes: dict[str, Any] = {n: getattr(args, n) for n in _OVERRIDES if getattr(args, n) is not None}
    if args.min_boundary_dist:
        try:
            mbd = tuple(int(v) for v in args.min_boundary_dist.split(","))
            assert len(mbd) == 3 and min(mbd) >= 0
        except (ValueError, AssertionError):
            raise UserError(f"--min-boundary-dist {args.min_boundary_dist!r} is not z,y,x.",
                            "Give three non-negative integers, e.g. 1,1,1.") from None
        changes["min_boundary_dist_zyx"] = mbd
    options = dataclasses.replace(request.options, **changes)
    for name in ("init_activation", "pad_value", "move_threshold", "segment_threshold"):
        if not 0.0 < getattr(options, name) < 1.0:
            raise UserError(f"{name} = {getattr(options, name)} is not a probability in (0, 1).",
                            "Give a value strictly between 0 and 1.")
    return options


def _checkpoint_model_args(info: Any) -> ModelArgs:
    """model_args stored in one of our checkpoints (reference ones have none)."""
    if info.model_args is not None:
        return info.model_args
    raise UserError(f"No model_args for reference checkpoint {info.prefix}.",
                    "Give --request (its model_args line) or --model-args '{\"depth\": 9, "
                    "\"fov_size\": [33, 33, 17], \"deltas\": [8, 8, 4]}'.")


def _mean_std(args: argparse.Namespace, request: InferenceRequest,
              record: dict[str, Any], attrs: Any) -> tuple[float, float]:
    values = []
    for cli, req, key in ((args.image_mean, request.image_mean, "mean"),
                          (args.image_std, request.image_stddev, "std")):
        value = next((v for v in (cli, req, record.get(key), attrs.get(key)) if v is not None), None)
        if value is None:
            raise UserError(f"The image mean/std are unknown (no --image-{key}, no request "
                            "image_mean/image_stddev, no attribute on the project image).",
                            "Give --image-mean and --image-std (as used in training).")
        values.append(float(value))
    if values[1] <= 0:
        raise UserError(f"Image std {values[1]} must be positive.", "Give --image-std > 0.")
    return values[0], values[1]


def _existing(project: Project, args: argparse.Namespace, corner: Any) -> str:
    """State of the run folder; the ``--on-exists`` choices that cannot proceed raise here."""
    run_dir = project.path("inference", args.run)
    state = storage.run_state(run_dir, corner)
    if state != "absent" and args.on_exists == "ask":
        what = {"checkpoint": "a stopped run that can be resumed", "complete": "finished results",
                "partial": "unfinished results without a checkpoint"}[state]
        raise UserError(f"Inference run '{args.run}' ({run_dir}) already holds {what}.",
                        "Choose --on-exists resume (continue it), new (keep it, use a new run "
                        "name) or replace (delete it and start again).")
    if state == "complete" and args.on_exists == "resume":
        raise UserError(f"Inference run '{args.run}' is already complete; nothing to resume.",
                        "Use --on-exists new or replace to run it again.")
    return state


def _prepare_run_dir(project: Project, args: argparse.Namespace, corner: Any,
                     state: str) -> tuple[Path, bool]:
    """The run folder to write and whether to resume (applies ``new`` and ``replace``)."""
    run_dir = project.path("inference", args.run)
    if state == "absent" or args.on_exists == "resume":
        return run_dir, state == "checkpoint"
    if args.on_exists == "new":
        n = 2
        while storage.run_state(project.path("inference", f"{args.run}-{n}"), corner) != "absent":
            n += 1
        args.run = f"{args.run}-{n}"
        return project.path("inference", args.run), False
    shutil.rmtree(run_dir)
    return run_dir, False


def _check_geometry(model_args: ModelArgs, start: Any, stop: Any) -> None:
    size = tuple(b - a for a, b in zip(start, stop))
    if any(s < f for s, f in zip(size, model_args.fov_size_zyx)):
        raise UserError(f"The box (z, y, x size {size}) is smaller than the model's FOV "
                        f"{model_args.fov_size_zyx} (z, y, x).",
                        "Choose a larger box or volume; every side must hold one FOV.")


@dataclasses.dataclass
class _Plan:
    """Everything checked before the image is read."""

    request: InferenceRequest
    options: CanvasOptions
    seed_policy: str
    model_args: ModelArgs
    checkpoint: str
    start: tuple[int, ...]
    stop: tuple[int, ...]
    mean: float
    std: float


def run(args: argparse.Namespace, emit: Emitter, cancel: CancelToken) -> StageResult:
    project = Project.open(args.project)
    request = _load_request(args, emit)
    options = _options(args, request)
    seed_policy = args.seed_policy or request.seed_policy
    if seed_policy not in POLICIES:
        raise UserError(f"Seed policy {seed_policy!r} is not available.",
                        f"Use one of: {', '.join(sorted(POLICIES))}.")
    text_args = args.model_args or request.model_args
    model_args = ModelArgs.from_reference(text_args) if text_args else None
    record = project.volume("image")
    handle, dataset = open_dataset(project.volume_spec("image"))
    with handle:
        if dataset.ndim != 3:
            raise UserError(f"The project image has shape {dataset.shape}, not (z, y, x).",
                            "Import a grey-value image stack.")
        start, stop = parse_bbox(args.bbox, dataset.shape)
        if model_args is not None:
            _check_geometry(model_args, start, stop)
        mean, std = _mean_std(args, request, record, dataset.attrs)
        state = _existing(project, args, start)
        from ffn_core.model.checkpoints import checkpoint_info  # TensorFlow from here on
        from ffn_core.model.predictor import Predictor

        info = checkpoint_info(args.checkpoint)
        if model_args is None:
            model_args = _checkpoint_model_args(info)
            _check_geometry(model_args, start, stop)
        predictor = Predictor.from_checkpoint(info.prefix, model_args,  # architecture check
                                              precision=args.precision)
        run_dir, resume = _prepare_run_dir(project, args, start, state)
        plan = _Plan(request, options, seed_policy, model_args, info.prefix, start, stop, mean, std)
        return _execute(args, emit, cancel, dataset, plan, predictor, run_dir, resume)


def _execute(args: argparse.Namespace, emit: Emitter, cancel: CancelToken, dataset: Any,
             plan: _Plan, predictor: Any, run_dir: Path, resume: bool) -> StageResult:
    settings = RunSettings(
        bbox_start=plan.start, bbox_stop=plan.stop, options=plan.options,
        fov_size_zyx=plan.model_args.fov_size_zyx, deltas_zyx=plan.model_args.deltas_zyx,
        seed_policy=plan.seed_policy, seed_policy_args=plan.request.seed_policy_args,
        checkpoint_interval=(args.checkpoint_interval if args.checkpoint_interval is not None
                             else plan.request.checkpoint_interval),
        refresh_interval=args.refresh_interval)
    settings.request_text = request_text(settings, plan.model_args, plan.checkpoint,
                                         plan.mean, plan.std)
    settings.fingerprint = json.loads(json.dumps({  # what a resumed run must share
        "bbox": [plan.start, plan.stop], "model_args": plan.model_args.to_json(),
        "checkpoint": plan.checkpoint, "mean": plan.mean, "std": plan.std,
        "seed_policy": [plan.seed_policy, plan.request.seed_policy_args],
        "options": dataclasses.asdict(plan.options)}))
    emit.log(f"Run '{args.run}': box z,y,x {list(plan.start)}:{list(plan.stop)}, model "
             f"{plan.model_args.to_json()} step {predictor.step}, image mean {plan.mean:g} "
             f"std {plan.std:g}" + (", resuming from its checkpoint." if resume else "."))
    image = read_normalised(dataset, plan.start, plan.stop, plan.mean, plan.std)
    outcome = run_subvolume(image, settings, predictor.predict, run_dir, emit, cancel,
                            resume=resume)
    return _result(args, emit, outcome, settings, run_dir)


def request_text(settings: RunSettings, model_args: ModelArgs, checkpoint: str, mean: float,
                 std: float) -> str:
    """The effective request in the reference's text format (stored in the npz)."""
    o = settings.options
    z, y, x = o.min_boundary_dist_zyx
    lines = [f"image_mean: {mean!r}", f"image_stddev: {std!r}",
             f"checkpoint_interval: {settings.checkpoint_interval!r}",
             f"seed_policy: {json.dumps(settings.seed_policy)}",
             f"seed_policy_args: {json.dumps(json.dumps(settings.seed_policy_args))}",
             f"model_checkpoint_path: {json.dumps(checkpoint)}",
             'model_name: "convstack_3d.ConvStack3DFFNModel"',
             f"model_args: {json.dumps(model_args.to_json())}",
             "inference_options {",
             f"  init_activation: {o.init_activation!r}", f"  pad_value: {o.pad_value!r}",
             f"  move_threshold: {o.move_threshold!r}",
             f"  min_boundary_dist {{ x: {x} y: {y} z: {z} }}",
             f"  segment_threshold: {o.segment_threshold!r}",
             f"  min_segment_size: {o.min_segment_size}",
             f"  disco_seed_threshold: {o.disco_seed_threshold!r}", "}",
             f"# bounding box (z, y, x): {list(settings.bbox_start)} to {list(settings.bbox_stop)}"]
    return "\n".join(lines) + "\n"


def _result(args: argparse.Namespace, emit: Emitter, outcome: Any, settings: RunSettings,
            run_dir: Path) -> StageResult:
    seg_spec = f"{outcome.h5.resolve()}:segmentation"
    extra = {"run": args.run, "segmentation_extent": "bbox",
             "bbox_start_zyx": list(settings.bbox_start), "bbox_stop_zyx": list(settings.bbox_stop),
             "segments": outcome.segments, "fov_evals": int(outcome.counters.get("fov_evals", 0)),
             "wall_s": round(outcome.seconds, 1)}
    emit.log(f"The segmentation is box-sized (z, y, x {list(settings.bbox_start)} to "
             f"{list(settings.bbox_stop)} of the image): {seg_spec}.")
    if outcome.status == "stopped":
        emit.log(f"Stopped with {outcome.segments} objects; run again with --run {args.run} "
                 "--on-exists resume to continue.")
        cpoint = storage.subvolume_path(run_dir, settings.bbox_start, "cpoint")
        return StageResult(outputs={"segmentation": seg_spec, "checkpoint": str(cpoint.resolve())},
                           status="stopped", extra=extra)
    emit.log(f"{outcome.segments} objects, {extra['fov_evals']} FOV evaluations in "
             f"{outcome.seconds:.1f} s.")
    return StageResult(outputs={"segmentation": seg_spec, "npz": str(outcome.npz.resolve())},
                       extra=extra)
