"""The conv-stack FFN of the reference (``convstack_3d.ConvStack3DFFNModel``, §3) in Keras.

Layer names follow the reference's TF1 variables: layer ``conv{i}_{a|b}`` holds
``seed_update/conv{i}_{a|b}/{weights,biases}`` and ``conv_lom`` the 1x1x1 head, so a reference
checkpoint loads by name (:mod:`ffn_core.model.checkpoints`).
"""
from __future__ import annotations

import keras
import tensorflow as tf

from ffn_core.model.args import ModelArgs


def conv_layer_names(depth: int) -> list[str]:
    """Names of the convolution layers of a model of ``depth``, input to output."""
    names = ["conv0_a", "conv0_b"]
    for i in range(1, depth):
        names += [f"conv{i}_a", f"conv{i}_b"]
    return names + ["conv_lom"]


class FFNConv3D(keras.layers.Layer):
    """3-D convolution, stride 1, 'SAME', with bias and optional ReLU (TF-slim defaults).

    Variables ``weights`` (kz, ky, kx, in, out) and ``biases`` as in the reference. Written
    with ``tf.nn.conv3d`` + ``tf.nn.bias_add`` so that grappler fuses conv, bias and ReLU on
    CPU (twice as fast as ``keras.layers.Conv3D`` here).
    """

    def __init__(self, filters: int, kernel_size: int, relu: bool, **kwargs) -> None:
        super().__init__(**kwargs)
        self.filters, self.kernel_size, self.relu = filters, kernel_size, relu

    def build(self, input_shape) -> None:
        self.kernel = self.add_weight(
            name="weights", shape=(self.kernel_size,) * 3 + (input_shape[-1], self.filters),
            initializer="glorot_uniform")
        self.bias = self.add_weight(name="biases", shape=(self.filters,), initializer="zeros")

    def call(self, x):
        y = tf.nn.bias_add(tf.nn.conv3d(x, self.kernel, [1] * 5, "SAME"), self.bias)
        return tf.nn.relu(y) if self.relu else y

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "relu": self.relu}


def _conv(features: int, name: str, relu: bool) -> FFNConv3D:
    return FFNConv3D(features, 3, relu, name=name)


def build_convstack(args: ModelArgs) -> keras.Model:
    """The FFN model: inputs ``image`` and ``seed`` (B, z, y, x, 1), output logits (B, z, y, x, 1).

    ``logits = seed + update``: the network predicts an additive update of the seed logits.
    """
    shape = (*args.fov_size_zyx, 1)
    image = keras.Input(shape=shape, name="image")
    seed = keras.Input(shape=shape, name="seed")
    x = keras.layers.Concatenate(axis=-1, name="image_seed")([image, seed])
    x = _conv(args.features, "conv0_a", relu=True)(x)
    x = _conv(args.features, "conv0_b", relu=False)(x)
    for i in range(1, args.depth):
        residual = x
        x = keras.layers.ReLU(name=f"relu{i}")(x)
        x = _conv(args.features, f"conv{i}_a", relu=True)(x)
        x = _conv(args.features, f"conv{i}_b", relu=False)(x)
        x = keras.layers.Add(name=f"residual{i}")([x, residual])
    x = keras.layers.ReLU(name="relu_out")(x)
    update = FFNConv3D(1, 1, relu=False, name="conv_lom")(x)
    logits = keras.layers.Add(name="logits")([seed, update])
    return keras.Model(inputs=[image, seed], outputs=logits, name="seed_update")


def model_geometry(model: keras.Model) -> dict[str, object]:
    """What a built model fixes: ``depth``, ``features`` and ``fov_size_zyx``."""
    depth = sum(1 for layer in model.layers if layer.name.endswith("_a"))
    return {"depth": depth, "features": model.get_layer("conv0_a").filters,
            "fov_size_zyx": tuple(int(d) for d in model.inputs[0].shape[1:4])}
