"""``convert --checkpoint P --out F.weights.h5``: a TensorFlow checkpoint as portable weights.

The portable file (:mod:`ffn_core.model.weights_file`) loads on TensorFlow, JAX and PyTorch
without TensorFlow installed, e.g. on a GPU machine that has only PyTorch.
"""

from __future__ import annotations

import argparse

from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter
from ffn_core.model.weights_file import SUFFIX
from ffn_core.stages import StageResult


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``convert`` command's options."""
    parser.add_argument(
        "--checkpoint", required=True, help="TensorFlow checkpoint prefix or folder"
    )
    parser.add_argument("--out", required=True, help=f"portable weights file to write (*{SUFFIX})")
    parser.add_argument(
        "--model-args",
        help="the model's model_args JSON (default: what the checkpoint says; needed for a "
        "reference checkpoint without its .meta file)",
    )


def command(args: argparse.Namespace, emit: Emitter, cancel: CancelToken) -> StageResult:
    """Convert the checkpoint (in a process whose Keras backend is TensorFlow)."""
    from ffn_core import backend

    backend.select("tensorflow", "cpu")
    from ffn_core.model.args import ModelArgs
    from ffn_core.model.checkpoints import checkpoint_info, convert_checkpoint

    if not args.out.endswith(SUFFIX):
        raise UserError(f"--out {args.out} does not end with {SUFFIX}.", f"Name it *{SUFFIX}.")
    info = checkpoint_info(args.checkpoint)
    model_args = ModelArgs.from_reference(args.model_args) if args.model_args else info.model_args
    if model_args is None:
        if info.fov_size_zyx is None:
            raise UserError(
                f"Checkpoint {info.prefix} does not say its FOV (no .meta file).",
                'Give --model-args, e.g. \'{"depth": 9, "fov_size": [33, 33, 17], '
                '"deltas": [8, 8, 4]}\'.',
            )
        model_args = ModelArgs(
            depth=info.depth,
            features=info.features,
            fov_size_zyx=info.fov_size_zyx,
            deltas_zyx=(0, 0, 0),
        )
    out = convert_checkpoint(info.prefix, model_args, args.out)
    emit.log(f"Wrote {out} (step {info.step}, model_args {model_args.to_json()}).")
    return StageResult(outputs={"weights": str(out), "step": info.step})
