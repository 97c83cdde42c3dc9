"""The conv-stack FFN of the reference (``convstack_3d.ConvStack3DFFNModel``, §3) in Keras.

Layer names follow the reference's TF1 variables: layer ``conv{i}_{a|b}`` holds
``seed_update/conv{i}_{a|b}/{weights,biases}`` and ``conv_lom`` the 1x1x1 head, so a reference
checkpoint loads by name (:mod:`ffn_core.model.checkpoints`).
"""

from __future__ import annotations

import keras

from ffn_core.model.args import PRECISIONS, ModelArgs, compute_dtype

if keras.backend.backend() == "tensorflow":
    import tensorflow as tf

    # Grappler's remapper tries to fuse conv + bias + residual add + ReLU, fails on the
    # residual add that feeds two nodes, logs an error on every trace and keeps the graph
    # unchanged; switching it off gives the same graph (same numbers) without the error.
    tf.config.optimizer.set_experimental_options({"remapping": False})


def conv_layer_names(depth: int) -> list[str]:
    """Names of the convolution layers of a model of ``depth``, input to output."""
    names = ["conv0_a", "conv0_b"]
    for i in range(1, depth):
        names += [f"conv{i}_a", f"conv{i}_b"]
    return names + ["conv_lom"]


class FFNConv3D(keras.layers.Layer):
    """3-D convolution, stride 1, 'SAME', with bias and optional ReLU (TF-slim defaults).

    Variables ``weights`` (kz, ky, kx, in, out) and ``biases`` as in the reference, always
    float32; ``compute`` is the dtype of the arithmetic (``bfloat16``: about twice as fast on
    CPUs with AVX512-BF16), ``output`` the dtype returned. On TensorFlow written with
    ``tf.nn.conv3d`` + ``tf.nn.bias_add`` so that grappler fuses conv, bias and ReLU on CPU
    (twice as fast as ``keras.layers.Conv3D`` there); on JAX and PyTorch with ``keras.ops``.
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int,
        relu: bool,
        compute: str = "float32",
        output: str | None = None,
        **kwargs,
    ) -> None:
        super().__init__(autocast=False, **kwargs)
        self.filters, self.kernel_size, self.relu = filters, kernel_size, relu
        self.compute, self.output_dtype = compute, output or compute

    def build(self, input_shape) -> None:
        self.kernel = self.add_weight(
            name="weights",
            shape=(self.kernel_size,) * 3 + (input_shape[-1], self.filters),
            initializer="glorot_uniform",
        )
        self.bias = self.add_weight(name="biases", shape=(self.filters,), initializer="zeros")

    def call(self, x):
        if keras.backend.backend() == "tensorflow":
            dtype = tf.as_dtype(self.compute)
            kernel, bias = tf.cast(self.kernel, dtype), tf.cast(self.bias, dtype)
            y = tf.nn.bias_add(tf.nn.conv3d(tf.cast(x, dtype), kernel, [1] * 5, "SAME"), bias)
            return tf.cast(tf.nn.relu(y) if self.relu else y, self.output_dtype)
        ops = keras.ops
        kernel = ops.cast(self.kernel, self.compute)
        y = ops.conv(ops.cast(x, self.compute), kernel, padding="same") + ops.cast(
            self.bias, self.compute
        )
        return ops.cast(ops.relu(y) if self.relu else y, self.output_dtype)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "relu": self.relu,
            "compute": self.compute,
            "output": self.output_dtype,
        }


def build_convstack(args: ModelArgs, precision: str = "float32") -> keras.Model:
    """The FFN model: inputs ``image`` and ``seed`` (B, z, y, x, 1), output logits (B, z, y, x, 1).

    ``logits = seed + update``: the network predicts an additive update of the seed logits.
    ``precision`` ``bfloat16`` computes the stack in bfloat16, ``mixed`` in float16 (GPUs);
    weights, inputs and logits stay float32. The reference computes in float32.
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    compute = compute_dtype(precision)

    def conv(name: str, relu: bool) -> FFNConv3D:
        return FFNConv3D(args.features, 3, relu, compute=compute, name=name)

    shape = (*args.fov_size_zyx, 1)
    image = keras.Input(shape=shape, name="image")
    seed = keras.Input(shape=shape, name="seed")
    x = keras.layers.Concatenate(axis=-1, name="image_seed")([image, seed])
    x = conv("conv0_a", relu=True)(x)
    x = conv("conv0_b", relu=False)(x)
    for i in range(1, args.depth):
        residual = x
        x = keras.layers.ReLU(name=f"relu{i}", dtype=compute)(x)
        x = conv(f"conv{i}_a", relu=True)(x)
        x = conv(f"conv{i}_b", relu=False)(x)
        x = keras.layers.Add(name=f"residual{i}", dtype=compute)([x, residual])
    x = keras.layers.ReLU(name="relu_out", dtype=compute)(x)
    update = FFNConv3D(1, 1, relu=False, compute=compute, output="float32", name="conv_lom")(x)
    logits = keras.layers.Add(name="logits")([seed, update])
    return keras.Model(inputs=[image, seed], outputs=logits, name="seed_update")


def model_geometry(model: keras.Model) -> dict[str, object]:
    """What a built model fixes: ``depth``, ``features`` and ``fov_size_zyx``."""
    depth = sum(1 for layer in model.layers if layer.name.endswith("_a"))
    return {
        "depth": depth,
        "features": model.get_layer("conv0_a").filters,
        "fov_size_zyx": tuple(int(d) for d in model.inputs[0].shape[1:4]),
    }
