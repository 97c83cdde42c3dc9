"""Checkpoints: the reference's TF1 ones, our TensorFlow ones, and portable weights files.

Reference checkpoints (``model.ckpt-7000000``) hold ``global_step`` and
``seed_update/conv{i}_{a|b}/{weights,biases}``, ``seed_update/conv_lom/{weights,biases}``; the
FOV the model was trained with is read from the ``.meta`` graph beside it when present.
Our TensorFlow ones are ``tf.train.Checkpoint(model=, optimizer=, step=, model_args=)`` written
by a ``tf.train.CheckpointManager``; ``model_args`` is the reference JSON, so a checkpoint says
what it is. Portable ones (``*.weights.h5``, :mod:`ffn_core.model.weights_file`) hold the same
variables in HDF5 and load on every backend. :func:`load_weights` reads every kind; on JAX or
PyTorch a TensorFlow checkpoint is converted once into a portable file
(:func:`portable_weights`, in a TensorFlow subprocess).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from ffn_core.errors import UserError
from ffn_core.model.args import ModelArgs
from ffn_core.model.checkpoint_paths import resolve_checkpoint
from ffn_core.model.convstack import conv_layer_names, model_geometry
from ffn_core.model.weights_file import (
    SCOPE,
    SUFFIX,
    WeightsFile,
    is_weights_file,
    read_weights,
    write_weights,
)


def cache_dir() -> Path:
    """Where converted checkpoints are kept: ``$XDG_CACHE_HOME`` (else ``~/.cache``)
    ``/ffn-workbench/weights``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ffn-workbench" / "weights"


REFERENCE_SCOPE = SCOPE
ARGS_KEY = "model_args/.ATTRIBUTES/VARIABLE_VALUE"
STEP_KEY = "step/.ATTRIBUTES/VARIABLE_VALUE"


@dataclass(frozen=True)
class CheckpointInfo:
    """What a checkpoint file says about itself.

    ``kind`` is ``"reference"`` (TF1, google/ffn or the Windows fork), ``"workbench"`` (our
    TensorFlow checkpoint) or ``"portable"`` (a ``*.weights.h5`` file); ``prefix`` is the
    checkpoint prefix, or the weights file; ``fov_size_zyx`` is None when a reference
    checkpoint has no ``.meta`` file; ``model_args`` is only known for our own checkpoints.
    """

    prefix: str
    kind: str
    step: int
    depth: int
    features: int
    fov_size_zyx: tuple[int, int, int] | None
    model_args: ModelArgs | None


def _reader(prefix: str):
    """TensorFlow's reader of a checkpoint (imports TensorFlow)."""
    import tensorflow as tf

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
    """Kind, step and geometry of the checkpoint at ``path`` (prefix, file or folder).

    Reads a portable weights file with h5py; a TensorFlow checkpoint needs TensorFlow.
    """
    prefix = resolve_checkpoint(path)
    if is_weights_file(prefix):
        contents = read_weights(prefix)
        args = contents.model_args
        return CheckpointInfo(
            prefix, "portable", contents.step, args.depth, args.features, args.fov_size_zyx, args
        )
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


def _keys(model: keras.Model):
    """(variable, reference key) of every conv variable of ``model``, input to output."""
    for name in conv_layer_names(model_geometry(model)["depth"]):
        layer = model.get_layer(name)
        yield layer.kernel, f"{REFERENCE_SCOPE}/{name}/weights"
        yield layer.bias, f"{REFERENCE_SCOPE}/{name}/biases"


def model_arrays(model: keras.Model) -> dict[str, np.ndarray]:
    """The model's conv variables as numpy arrays under the reference's names."""
    return {key: keras.ops.convert_to_numpy(variable) for variable, key in _keys(model)}


def _assign(model: keras.Model, arrays, source: str) -> None:
    """Assign ``arrays`` (reference key -> array, a mapping or a TF reader) to ``model``."""
    for variable, key in _keys(model):
        array = arrays.get(key) if isinstance(arrays, dict) else _tensor(arrays, key)
        shape = None if array is None else list(np.shape(array))
        if shape != list(variable.shape):
            raise UserError(
                f"Checkpoint {source}: {key} has shape {shape or 'missing'}, the "
                f"model needs {list(variable.shape)}.",
                "Use the model_args the checkpoint was trained with.",
            )
        variable.assign(array)


def _tensor(reader, key: str) -> np.ndarray | None:
    return reader.get_tensor(key) if reader.has_tensor(key) else None


def make_checkpoint(model: keras.Model, args: ModelArgs, optimizer=None, step=None):
    """Our TensorFlow checkpoint object: model, optimizer and step (when given), model_args."""
    import tensorflow as tf

    parts = {"model": model, "model_args": tf.Variable(args.to_json(), trainable=False)}
    if optimizer is not None:
        parts["optimizer"] = optimizer
    if step is not None:
        parts["step"] = step
    return tf.train.Checkpoint(**parts)


def _restore_tensorflow(model: keras.Model, info: CheckpointInfo) -> None:
    """Load a TensorFlow checkpoint (reference or ours) into a model on TensorFlow."""
    import tensorflow as tf

    try:
        if info.kind == "reference":
            _assign(model, _reader(info.prefix), info.prefix)
        else:
            tf.train.Checkpoint(model=model).read(info.prefix).expect_partial()
    except (tf.errors.OpError, ValueError, IndexError) as exc:
        raise UserError(
            f"Cannot restore checkpoint {info.prefix}: {exc}.",
            "Its files may be damaged or incomplete (copy the .index and .data-* files "
            "again), or the model_args differ from those it was trained with.",
        ) from None


def load_weights(model: keras.Model, path: str | Path, args: ModelArgs | None = None) -> int:
    """Load a checkpoint of any kind into ``model``; returns its training step.

    On JAX or PyTorch a TensorFlow checkpoint is first converted into a portable file
    (:func:`portable_weights`, which records ``args``: the model's, when known). Raises
    :class:`UserError` when the checkpoint's depth, features or FOV differ from the model's.
    """
    info = checkpoint_info(path)
    _check_geometry(model, info)
    if info.kind == "portable":
        _assign(model, read_weights(info.prefix).arrays, info.prefix)
    elif keras.backend.backend() == "tensorflow":
        _restore_tensorflow(model, info)
    else:
        args = (
            args
            or info.model_args
            or ModelArgs(
                depth=info.depth,
                features=info.features,
                fov_size_zyx=model_geometry(model)["fov_size_zyx"],
                deltas_zyx=(0, 0, 0),
            )
        )
        _assign(model, read_weights(portable_weights(info.prefix, args)).arrays, info.prefix)
    return info.step


def portable_path(prefix: str | Path) -> Path:
    """Where the portable copy of the TensorFlow checkpoint ``prefix`` lives: in the user's
    cache (:func:`cache_dir`), named after the checkpoint's path (the checkpoint's own folder
    is never written to)."""
    prefix = Path(prefix).resolve()
    digest = hashlib.sha256(str(prefix).encode()).hexdigest()[:12]
    return cache_dir() / f"{prefix.name}-{digest}{SUFFIX}"


def convert_checkpoint(path: str | Path, args: ModelArgs, out: str | Path) -> Path:
    """Write the TensorFlow checkpoint at ``path`` as a portable weights file ``out``.

    Needs TensorFlow as the Keras backend of this process (the ``convert`` command).
    """
    from ffn_core.model.convstack import build_convstack

    info = checkpoint_info(path)
    model = build_convstack(args)
    _check_geometry(model, info)
    _restore_tensorflow(model, info)
    return write_weights(out, WeightsFile(args, info.step, model_arrays(model)))


def portable_weights(prefix: str | Path, args: ModelArgs) -> Path:
    """The portable copy of a TensorFlow checkpoint, converted once in a TensorFlow process.

    Raises
    ------
    UserError
        TensorFlow is not installed, or the conversion failed.
    """
    out = portable_path(prefix)
    index = Path(str(prefix) + ".index")
    if out.is_file() and out.stat().st_mtime >= index.stat().st_mtime:
        return out
    command = [
        sys.executable, "-m", "ffn_core", "convert", "--text", "--checkpoint", str(prefix),
        "--model-args", args.to_json(), "--out", str(out),
    ]  # fmt: skip
    env = dict(os.environ, KERAS_BACKEND="tensorflow", CUDA_VISIBLE_DEVICES="-1")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not out.is_file():
        lines = (done.stdout + done.stderr).strip().splitlines()
        raise UserError(
            f"Cannot convert the TensorFlow checkpoint {prefix} for this backend: "
            f"{lines[-1] if lines else 'no output'}.",
            "Install TensorFlow once (pip install tensorflow) and run "
            f"'ffn-core convert --checkpoint {prefix} --out FILE.weights.h5', then choose "
            "that file.",
            "Install TensorFlow once (pip install tensorflow) and run "
            f"'ffn-core convert --checkpoint {prefix} --out FILE.weights.h5' in a terminal, "
            "then choose that file as the Checkpoint.",
        )
    return out
