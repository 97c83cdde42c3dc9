"""The reference's ``InferenceRequest`` in protobuf text format, read and written without protobuf.

Reads files like ``inference.pbtxt`` of the Windows fork (reference §1.4)::

    image { hdf5: "file.h5@raw" }
    image_mean: 131
    model_args: "{\\"depth\\": 9, \\"fov_size\\": [33, 33, 17], \\"deltas\\": [8, 8, 4]}"
    inference_options { init_activation: 0.95 min_boundary_dist { x: 1 y: 1 z: 1 } }

Fields this program does not use are returned as warnings, not errors. :func:`format_request`
writes the request a run used (stored in its ``seg-*.npz``, as the reference stores its own).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ffn_core.errors import UserError
from ffn_core.infer.canvas import CanvasOptions
from ffn_core.zyx import Box

_TOKEN = re.compile(
    r"""
    \s+ | \#[^\n]* | [,;]                                  # skipped
  | (?P<str>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<punct>[{}:<>\[\]])
  | (?P<word>[-+.\w]+)
""",
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "'": "'", "\\": "\\"}
_OPTION_FIELDS = {
    "init_activation",
    "pad_value",
    "move_threshold",
    "segment_threshold",
    "min_segment_size",
    "min_boundary_dist",
    "disco_seed_threshold",
}
_USED = {
    "image",
    "image_mean",
    "image_stddev",
    "seed_policy",
    "seed_policy_args",
    "model_name",
    "model_args",
    "model_checkpoint_path",
    "segmentation_output_dir",
    "checkpoint_interval",
    "inference_options",
    "movement_policy_name",
}


def _unescape(text: str) -> str:
    body = text[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise UserError(
                f"Inference request: cannot read {text[pos : pos + 30]!r}.",
                "Check the text-format syntax (field: value, message { ... }).",
            )
        pos = match.end()
        kind = match.lastgroup
        if kind == "str" and tokens and tokens[-1][0] == "str":
            tokens[-1] = ("str", tokens[-1][1] + _unescape(match.group()))  # adjacent strings
        elif kind == "str":
            tokens.append(("str", _unescape(match.group())))
        elif kind:
            tokens.append((kind, match.group()))
    return tokens


def _scalar(kind: str, text: str) -> Any:
    if kind == "str":
        return text
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def _parse_message(
    tokens: list[tuple[str, str]], pos: int, closing: str | None
) -> tuple[dict, int]:
    fields: dict[str, Any] = {}
    while pos < len(tokens):
        kind, text = tokens[pos]
        if closing is not None and text == closing and kind == "punct":
            return fields, pos + 1
        if kind != "word":
            raise UserError(
                f"Inference request: expected a field name, found {text!r}.",
                "Check the text-format syntax (field: value, message { ... }).",
            )
        pos += 1
        if pos < len(tokens) and tokens[pos][1] == ":":
            pos += 1
        if pos >= len(tokens):
            raise UserError(f"Inference request: field {text!r} has no value.", "Complete it.")
        vkind, vtext = tokens[pos]
        if vkind == "punct" and vtext in "{<":
            value, pos = _parse_message(tokens, pos + 1, "}" if vtext == "{" else ">")
        else:
            value, pos = _scalar(vkind, vtext), pos + 1
        fields.setdefault(text, []).append(value)
    if closing is not None:
        raise UserError("Inference request: a '{' is never closed.", "Add the missing '}'.")
    return fields, pos


def parse_text_format(text: str) -> dict[str, list[Any]]:
    """Parse protobuf text format into ``{field: [values...]}`` (messages as nested dicts)."""
    fields, _ = _parse_message(_tokens(text), 0, None)
    return fields


@dataclass
class InferenceRequest:
    """The parts of the reference's request that this program uses (sizes zyx after parsing)."""

    image: str | None = None
    image_mean: float | None = None
    image_stddev: float | None = None
    seed_policy: str = "PolicyPeaks"
    seed_policy_args: dict[str, Any] = field(default_factory=dict)
    model_name: str = "convstack_3d.ConvStack3DFFNModel"
    model_args: str | None = None
    model_checkpoint_path: str | None = None
    segmentation_output_dir: str | None = None
    checkpoint_interval: float = 1800.0
    options: CanvasOptions = field(default_factory=CanvasOptions)
    warnings: list[str] = field(default_factory=list)


def _last(fields: dict[str, list[Any]], name: str, default: Any = None) -> Any:
    return fields[name][-1] if name in fields else default


def _options(fields: dict[str, list[Any]], warnings: list[str]) -> CanvasOptions:
    opts = _last(fields, "inference_options", {}) or {}
    for name in sorted(set(opts) - _OPTION_FIELDS):
        warnings.append(f"inference_options.{name} is not used by this program")
    values = {
        name: float(_last(opts, name))
        for name in (
            "init_activation",
            "pad_value",
            "move_threshold",
            "segment_threshold",
            "disco_seed_threshold",
        )
        if name in opts
    }
    if "min_segment_size" in opts:
        values["min_segment_size"] = int(_last(opts, "min_segment_size"))
    if "min_boundary_dist" in opts:
        mbd = _last(opts, "min_boundary_dist")
        values["min_boundary_dist_zyx"] = tuple(int(_last(mbd, a, 0)) for a in "zyx")
    return CanvasOptions(**values)


def _json_args(text: Any, name: str) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(
            f"Inference request: {name} is not JSON: {exc}.",
            f"Write {name} as a JSON object string.",
        ) from None
    if not isinstance(value, dict):
        raise UserError(f"Inference request: {name} must be a JSON object.", "Fix the request.")
    return value


def parse_request(text: str) -> InferenceRequest:
    """Parse an ``InferenceRequest`` text proto; unused fields end up in ``warnings``."""
    fields = parse_text_format(text)
    warnings = [f"{name} is not used by this program" for name in sorted(set(fields) - _USED)]
    image = _last(fields, "image", {}) or {}
    policy = _last(fields, "movement_policy_name", "FaceMaxMovementPolicy")
    if not str(policy).endswith("FaceMaxMovementPolicy"):
        raise UserError(
            f"Inference request: movement policy {policy!r} is not available.",
            "Remove movement_policy_name (FaceMaxMovementPolicy is used).",
        )
    mean, std = _last(fields, "image_mean"), _last(fields, "image_stddev")
    return InferenceRequest(
        image=_last(image, "hdf5"),
        image_mean=None if mean is None else float(mean),
        image_stddev=None if std is None else float(std),
        seed_policy=str(_last(fields, "seed_policy", "PolicyPeaks")),
        seed_policy_args=_json_args(_last(fields, "seed_policy_args"), "seed_policy_args"),
        model_name=str(_last(fields, "model_name", "convstack_3d.ConvStack3DFFNModel")),
        model_args=_last(fields, "model_args"),
        model_checkpoint_path=_last(fields, "model_checkpoint_path"),
        segmentation_output_dir=_last(fields, "segmentation_output_dir"),
        checkpoint_interval=float(_last(fields, "checkpoint_interval", 1800.0)),
        options=_options(fields, warnings),
        warnings=warnings,
    )


def format_request(request: InferenceRequest, bbox: Box) -> str:
    """``request`` in the reference's text format, ending with a comment naming ``bbox`` (zyx).

    Writes the fields a run uses (mean and std, checkpoint interval, seed policy, model and
    inference options); :func:`parse_request` reads the text back.
    """
    o = request.options
    z, y, x = o.min_boundary_dist_zyx
    lines = [
        f"image_mean: {request.image_mean!r}",
        f"image_stddev: {request.image_stddev!r}",
        f"checkpoint_interval: {request.checkpoint_interval!r}",
        f"seed_policy: {json.dumps(request.seed_policy)}",
        f"seed_policy_args: {json.dumps(json.dumps(request.seed_policy_args))}",
        f"model_checkpoint_path: {json.dumps(request.model_checkpoint_path)}",
        f"model_name: {json.dumps(request.model_name)}",
        f"model_args: {json.dumps(request.model_args)}",
        "inference_options {",
        f"  init_activation: {o.init_activation!r}",
        f"  pad_value: {o.pad_value!r}",
        f"  move_threshold: {o.move_threshold!r}",
        f"  min_boundary_dist {{ x: {x} y: {y} z: {z} }}",
        f"  segment_threshold: {o.segment_threshold!r}",
        f"  min_segment_size: {o.min_segment_size}",
        f"  disco_seed_threshold: {o.disco_seed_threshold!r}",
        "}",
        f"# bounding box (z, y, x): {[start for start, _ in bbox]} to {[stop for _, stop in bbox]}",
    ]
    return "\n".join(lines) + "\n"
