"""Fast forward passes of the FFN model for inference: numpy in, numpy out, on any backend.

One small adapter per Keras backend compiles the forward pass once per batch size: a
``tf.function`` with a fixed signature (TensorFlow), ``jax.jit`` of ``stateless_call`` (JAX),
the model under ``torch.no_grad`` (PyTorch). The model itself is the same Keras model.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np

from ffn_core.model.args import ModelArgs
from ffn_core.model.checkpoints import load_weights
from ffn_core.model.convstack import build_convstack

Forward = Callable[[np.ndarray, np.ndarray], np.ndarray]


def limit_threads(threads: int) -> bool:
    """Limit the backend's CPU thread pools to ``threads`` (a Dask worker's share of the cores).

    Must run before the backend's first operation in the process; returns False (pools
    unchanged) when it is too late or the backend (JAX) fixes them at start-up.
    """
    backend = keras.backend.backend()
    if backend == "torch":
        import torch

        torch.set_num_threads(int(threads))
        return True
    if backend != "tensorflow":
        return False
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(int(threads))
        tf.config.threading.set_inter_op_parallelism_threads(int(threads))
    except RuntimeError:
        return False
    return True


def _tensorflow_forward(model: keras.Model, fov_zyx: tuple[int, int, int]) -> Forward:
    import tensorflow as tf

    functions: dict[int, Callable] = {}

    def forward(images: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        batch = images.shape[0]
        if batch not in functions:
            spec = tf.TensorSpec((batch, *fov_zyx), tf.float32)

            def call(images: tf.Tensor, seeds: tf.Tensor) -> tf.Tensor:
                return model([images[..., None], seeds[..., None]], training=False)[..., 0]

            functions[batch] = tf.function(call, input_signature=[spec, spec])
        return functions[batch](images, seeds).numpy()

    forward.functions = functions  # type: ignore[attr-defined]  # one per batch size
    return forward


def _jax_forward(model: keras.Model) -> Forward:
    import jax

    trainable = [v.value for v in model.trainable_variables]
    fixed = [v.value for v in model.non_trainable_variables]

    @jax.jit
    def call(trainable, fixed, images, seeds):
        logits, _ = model.stateless_call(
            trainable, fixed, [images[..., None], seeds[..., None]], training=False
        )
        return logits[..., 0]

    return lambda images, seeds: np.asarray(call(trainable, fixed, images, seeds))


def _torch_forward(model: keras.Model) -> Forward:
    import torch

    def forward(images: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            images_t = keras.ops.convert_to_tensor(images[..., None])
            seeds_t = keras.ops.convert_to_tensor(seeds[..., None])
            return keras.ops.convert_to_numpy(model([images_t, seeds_t], training=False)[..., 0])

    return forward


def compiled_forward(model: keras.Model, fov_zyx: tuple[int, int, int]) -> Forward:
    """``model``'s forward pass, logits (B, z, y, x) for images and seeds (B, z, y, x), on the
    backend Keras runs on, compiled once per batch size."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        return _tensorflow_forward(model, fov_zyx)
    if backend == "jax":
        return _jax_forward(model)
    return _torch_forward(model)


class Predictor:
    """Runs the model on batches of FOVs (:func:`compiled_forward`: no retracing for a batch
    size already seen).

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
        self._forward = compiled_forward(model, args.fov_size_zyx)

    @classmethod
    def from_checkpoint(
        cls, path: str | Path, args: ModelArgs, precision: str = "float32"
    ) -> Predictor:
        """Build the model of ``args`` and load a reference or workbench checkpoint into it.

        ``precision="bfloat16"`` computes the convolutions in bfloat16 (about 1.7x faster on
        CPUs with AVX512-BF16; logits differ from float32 by ~0.01 on average), ``mixed`` in
        float16 (GPUs).
        """
        model = build_convstack(args, precision)
        step = load_weights(model, path, args)
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
        return self._forward(images, seeds)
