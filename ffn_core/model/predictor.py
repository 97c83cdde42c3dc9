"""Fast forward passes of the FFN model for inference: numpy in, numpy out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ffn_core.model.args import ModelArgs
from ffn_core.model.checkpoints import load_weights
from ffn_core.model.convstack import build_convstack


def limit_threads(threads: int) -> bool:
    """Limit TensorFlow's thread pools to ``threads`` (a Dask worker's share of the cores).

    Must run before TensorFlow's first operation in the process; returns False (pools
    unchanged) when it is too late.
    """
    try:
        tf.config.threading.set_intra_op_parallelism_threads(int(threads))
        tf.config.threading.set_inter_op_parallelism_threads(int(threads))
    except RuntimeError:
        return False
    return True


class Predictor:
    """Runs the model on batches of FOVs.

    One ``tf.function`` is traced per batch size (fixed input signature, float32), so repeated
    calls with the same batch size never retrace.

    Parameters
    ----------
    model : keras.Model
        A model built by :func:`~ffn_core.model.convstack.build_convstack`.
    args : ModelArgs
        Its geometry.
    step : int
        Training step of the loaded weights (for display).
    """

    def __init__(self, model: keras.Model, args: ModelArgs, step: int = 0) -> None:
        self.model = model
        self.args = args
        self.step = step
        self._functions: dict[int, Callable] = {}

    @classmethod
    def from_checkpoint(
        cls, path: str | Path, args: ModelArgs, precision: str = "float32"
    ) -> Predictor:
        """Build the model of ``args`` and load a reference or workbench checkpoint into it.

        ``precision="bfloat16"`` computes the convolutions in bfloat16 (about 1.7x faster on
        CPUs with AVX512-BF16; logits differ from float32 by ~0.01 on average).
        """
        model = build_convstack(args, precision)
        step = load_weights(model, path)
        return cls(model, args, step)

    @classmethod
    def from_weights(
        cls, args: ModelArgs, weights: list[np.ndarray], step: int = 0, precision: str = "float32"
    ) -> Predictor:
        """Build the model of ``args`` with ``weights`` as :meth:`weights` gave them.

        How a Dask worker that shares no disk with the project gets the model: the weights
        travel as numpy arrays, the checkpoint stays with the client.
        """
        model = build_convstack(args, precision)
        model.set_weights(weights)
        return cls(model, args, step)

    def weights(self) -> list[np.ndarray]:
        """The model's weights as numpy arrays, in the order :meth:`from_weights` takes them."""
        return [np.asarray(weight) for weight in self.model.get_weights()]

    def _function(self, batch: int) -> Callable:
        if batch not in self._functions:
            spec = tf.TensorSpec((batch, *self.args.fov_size_zyx), tf.float32)

            def forward(images: tf.Tensor, seeds: tf.Tensor) -> tf.Tensor:
                logits = self.model([images[..., None], seeds[..., None]], training=False)
                return logits[..., 0]

            self._functions[batch] = tf.function(forward, input_signature=[spec, spec])
        return self._functions[batch]

    def predict(self, images: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        """Logits (B, z, y, x) float32 for normalised ``images`` and seed logits ``seeds``.

        Both inputs are (B, z, y, x) with (z, y, x) = the model's FOV.
        """
        images = np.asarray(images, dtype=np.float32)
        seeds = np.asarray(seeds, dtype=np.float32)
        expected = self.args.fov_size_zyx
        if images.shape != seeds.shape or images.ndim != 4 or images.shape[1:] != expected:
            raise ValueError(
                f"images {images.shape} and seeds {seeds.shape} must both be "
                f"(B, {', '.join(map(str, expected))})"
            )
        return self._function(images.shape[0])(images, seeds).numpy()
