"""Checkpoints: the reference's TF1 ones (imported by variable name) and our own.

Reference checkpoints (``model.ckpt-7000000``) hold ``global_step`` and
``seed_update/conv{i}_{a|b}/{weights,biases}``, ``seed_update/conv_lom/{weights,biases}``; the
FOV the model was trained with is read from the ``.meta`` graph beside it when present.
Ours are ``tf.train.Checkpoint(model=, optimizer=, step=, model_args=)`` written by a
``tf.train.CheckpointManager``; ``model_args`` is the reference JSON, so a checkpoint says
what it is. :func:`load_weights` reads either kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import keras
import tensorflow as tf

from ffn_core.errors import UserError
from ffn_core.model.args import ModelArgs
from ffn_core.model.convstack import conv_layer_names, model_geometry

REFERENCE_SCOPE = "seed_update"
ARGS_KEY = "model_args/.ATTRIBUTES/VARIABLE_VALUE"
STEP_KEY = "step/.ATTRIBUTES/VARIABLE_VALUE"
_DATA_SUFFIX = re.compile(r"\.(index|meta|data-\d+-of-\d+)$")


@dataclass(frozen=True)
class CheckpointInfo:
    """What a checkpoint file says about itself.

    ``kind`` is ``"reference"`` (TF1, google/ffn or the Windows fork) or ``"workbench"``;
    ``fov_size_zyx`` is None when a reference checkpoint has no ``.meta`` file;
    ``model_args`` is only known for our own checkpoints.
    """

    prefix: str
    kind: str
    step: int
    depth: int
    features: int
    fov_size_zyx: tuple[int, int, int] | None
    model_args: ModelArgs | None


def _step_of(prefix: Path) -> int:
    match = re.search(r"-(\d+)$", prefix.name)
    return int(match.group(1)) if match else -1


def resolve_checkpoint(path: str | Path) -> str:
    """The checkpoint prefix for ``path``: a prefix, one of its files, or a folder (latest).

    A training run folder (``runs/<name>``) means the latest of its ``checkpoints/``.
    """
    path = Path(path)
    if (path / "checkpoints").is_dir():  # a training run folder
        path = path / "checkpoints"
    if path.is_dir():
        latest = tf.train.latest_checkpoint(str(path))
        if latest and Path(latest + ".index").is_file():
            return latest
        indexes = list(path.glob("*.index"))
        if not indexes:
            raise UserError(
                f"No checkpoint in folder {path} (no *.index file).",
                "Choose a checkpoint such as .../model.ckpt-7000000 or a run folder.",
            )
        latest_index = max(indexes, key=lambda p: (_step_of(p.with_suffix("")), p.stat().st_mtime))
        return str(latest_index.with_suffix(""))
    prefix = Path(_DATA_SUFFIX.sub("", str(path)))
    if not Path(str(prefix) + ".index").is_file():
        raise UserError(
            f"Checkpoint {prefix} not found (no {prefix.name}.index beside it).",
            "Give the checkpoint prefix, e.g. .../model.ckpt-7000000 (the .index "
            "and .data-* files must be there), or the folder that holds it.",
        )
    return str(prefix)


def _reader(prefix: str) -> tf.train.CheckpointReader:
    try:
        return tf.train.load_checkpoint(prefix)
    except (tf.errors.OpError, ValueError) as exc:
        raise UserError(
            f"Cannot read checkpoint {prefix}: {exc}.",
            "The files may be damaged or incomplete; copy them again.",
        ) from None


def _meta_fov_zyx(prefix: str) -> tuple[int, int, int] | None:
    """FOV of a reference checkpoint from the ``labels`` placeholder of its ``.meta`` graph."""
    meta = Path(prefix + ".meta")
    if not meta.is_file():
        return None
    from tensorflow.core.protobuf import meta_graph_pb2

    graph = meta_graph_pb2.MetaGraphDef()
    try:
        graph.ParseFromString(meta.read_bytes())
    except Exception:  # noqa: BLE001 - a damaged .meta only loses the FOV check
        return None
    for node in graph.graph_def.node:
        if node.op == "Placeholder" and node.name in ("labels", "loss_weights"):
            dims = [d.size for d in node.attr["shape"].shape.dim]
            if len(dims) == 5:
                return tuple(dims[1:4])  # type: ignore[return-value]
    return None


def checkpoint_info(path: str | Path) -> CheckpointInfo:
    """Kind, step and geometry of the checkpoint at ``path`` (prefix, file or folder)."""
    prefix = resolve_checkpoint(path)
    reader = _reader(prefix)
    shapes = reader.get_variable_to_shape_map()
    if f"{REFERENCE_SCOPE}/conv0_a/weights" in shapes:
        depth = sum(1 for k in shapes if re.fullmatch(rf"{REFERENCE_SCOPE}/conv\d+_a/weights", k))
        step = int(reader.get_tensor("global_step")) if "global_step" in shapes else 0
        return CheckpointInfo(
            prefix,
            "reference",
            step,
            depth,
            shapes[f"{REFERENCE_SCOPE}/conv0_a/weights"][-1],
            _meta_fov_zyx(prefix),
            None,
        )
    if ARGS_KEY in shapes:
        args = ModelArgs.from_reference(reader.get_tensor(ARGS_KEY).decode("utf-8"))
        step = int(reader.get_tensor(STEP_KEY)) if STEP_KEY in shapes else 0
        return CheckpointInfo(
            prefix, "workbench", step, args.depth, args.features, args.fov_size_zyx, args
        )
    raise UserError(
        f"{prefix} is not an FFN checkpoint (no seed_update/conv0_a/weights and no model_args).",
        "Choose a checkpoint of google/ffn, its Windows fork, or FFN Workbench.",
    )


def _check_geometry(model: keras.Model, info: CheckpointInfo) -> None:
    have = model_geometry(model)
    fov_ok = info.fov_size_zyx is None or tuple(info.fov_size_zyx) == have["fov_size_zyx"]
    if info.depth == have["depth"] and info.features == have["features"] and fov_ok:
        return

    def describe(depth, features, fov_zyx) -> str:
        fov = "unknown" if fov_zyx is None else ",".join(str(v) for v in fov_zyx[::-1])
        return f"depth {depth}, {features} features, fov_size {fov} (x,y,z)"

    wanted = describe(have["depth"], have["features"], have["fov_size_zyx"])
    raise UserError(
        f"Checkpoint {info.prefix} has {describe(info.depth, info.features, info.fov_size_zyx)} "
        f"but the model_args say {wanted}.",
        "Use the model_args the checkpoint was trained with (the preset or the model_args line "
        "of its inference request), or choose a checkpoint of this architecture.",
    )


def _import_reference(model: keras.Model, reader: tf.train.CheckpointReader, prefix: str) -> None:
    shapes = reader.get_variable_to_shape_map()
    for name in conv_layer_names(model_geometry(model)["depth"]):
        layer = model.get_layer(name)
        for variable, tf1_name in ((layer.kernel, "weights"), (layer.bias, "biases")):
            key = f"{REFERENCE_SCOPE}/{name}/{tf1_name}"
            if list(shapes.get(key, [])) != list(variable.shape):
                raise UserError(
                    f"Checkpoint {prefix}: {key} has shape {shapes.get(key, 'missing')}, the "
                    f"model needs {list(variable.shape)}.",
                    "Use the model_args the checkpoint was trained with.",
                )
            variable.assign(reader.get_tensor(key))


def make_checkpoint(
    model: keras.Model, args: ModelArgs, optimizer=None, step: tf.Variable | None = None
) -> tf.train.Checkpoint:
    """Our checkpoint object: model, optimizer and step (when given) and the model_args."""
    parts = {"model": model, "model_args": tf.Variable(args.to_json(), trainable=False)}
    if optimizer is not None:
        parts["optimizer"] = optimizer
    if step is not None:
        parts["step"] = step
    return tf.train.Checkpoint(**parts)


def load_weights(model: keras.Model, path: str | Path) -> int:
    """Load a reference or workbench checkpoint into ``model``; returns its training step.

    Raises :class:`UserError` when the checkpoint's depth, features or FOV differ from the
    model's.
    """
    info = checkpoint_info(path)
    _check_geometry(model, info)
    if info.kind == "reference":
        _import_reference(model, _reader(info.prefix), info.prefix)
    else:
        try:
            tf.train.Checkpoint(model=model).read(info.prefix).expect_partial()
        except (tf.errors.OpError, ValueError) as exc:
            raise UserError(
                f"Cannot restore checkpoint {info.prefix}: {exc}.",
                "Use the model_args the checkpoint was trained with.",
            ) from None
    return info.step
