"""One training step on the backend Keras runs on: numpy batch in, logits and loss out.

``loss = mean(weights * sigmoid_xent(logits, labels))``; the optimizer clips each gradient
entry (its ``clipvalue``) and updates the model. One small adapter per backend, as in Keras 3's
guides to writing a training loop from scratch: a ``tf.function`` with a fixed signature
(TensorFlow), ``jax.jit`` of a stateless step (JAX: ``stateless_call``, ``value_and_grad``,
``stateless_apply``; the new values go back into the Keras variables after each step), and
``backward`` + ``optimizer.apply`` (PyTorch). The logits are those of the step's forward pass.
On JAX a step runs data parallel over all devices of the process (:func:`distribute`).
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np

# image, seed, labels, weights (B, z, y, x) float32 -> logits (B, z, y, x) float32, loss
TrainStep = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, float]]


def weighted_loss(logits, labels, weights):
    """``mean(weights * sigmoid_xent(logits, labels))`` in backend-neutral Keras ops.

    The cross-entropy is TensorFlow's stable form ``max(x, 0) - x z + log(1 + exp(-|x|))``.
    """
    ops = keras.ops
    xent = ops.relu(logits) - logits * labels + ops.log1p(ops.exp(-ops.abs(logits)))
    return ops.mean(weights * xent)


def _forward(model: keras.Model, image, seed):
    return model([image[..., None], seed[..., None]], training=True)[..., 0]


def _tensorflow_step(
    model: keras.Model, optimizer: keras.optimizers.Optimizer, shape: tuple[int, ...]
) -> TrainStep:
    import tensorflow as tf

    spec = tf.TensorSpec(shape, tf.float32)

    @tf.function(input_signature=[spec] * 4)
    def step(image, seed, labels, weights):
        with tf.GradientTape() as tape:
            logits = _forward(model, image, seed)
            loss = weighted_loss(logits, labels, weights)
        optimizer.apply(tape.gradient(loss, model.trainable_variables))
        return logits, loss

    def run(image, seed, labels, weights):
        logits, loss = step(image, seed, labels, weights)
        return logits.numpy(), float(loss)

    return run


def _jax_step(
    model: keras.Model, optimizer: keras.optimizers.Optimizer, shape: tuple[int, ...]
) -> TrainStep:
    import jax

    def loss_of(trainable, fixed, image, seed, labels, weights):
        outputs, fixed = model.stateless_call(
            trainable, fixed, [image[..., None], seed[..., None]], training=True
        )
        logits = outputs[..., 0]
        return weighted_loss(logits, labels, weights), (logits, fixed)

    gradient = jax.value_and_grad(loss_of, has_aux=True)
    distribution = keras.distribution.distribution()
    sharding = distribution and distribution.get_data_layout(shape).backend_layout

    @jax.jit
    def step(state, image, seed, labels, weights):
        trainable, fixed, slots = state
        (loss, (logits, fixed)), grads = gradient(trainable, fixed, image, seed, labels, weights)
        trainable, slots = optimizer.stateless_apply(slots, grads, trainable)
        return (trainable, fixed, slots), logits, loss

    groups = (model.trainable_variables, model.non_trainable_variables, optimizer.variables)

    def run(*batch):
        state = tuple([v.value for v in group] for group in groups)
        if sharding is not None:  # each device gets its share of the batch
            batch = [jax.device_put(array, sharding) for array in batch]
        state, logits, loss = step(state, *batch)
        for group, values in zip(groups, state):
            for variable, value in zip(group, values):
                variable.assign(value)
        return np.asarray(logits), float(loss)

    return run


def _torch_step(model: keras.Model, optimizer: keras.optimizers.Optimizer) -> TrainStep:
    import torch

    variables = model.trainable_variables

    def run(image, seed, labels, weights):
        image, seed, labels, weights = (
            keras.ops.convert_to_tensor(a) for a in (image, seed, labels, weights)
        )
        logits = _forward(model, image, seed)
        loss = weighted_loss(logits, labels, weights)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            optimizer.apply([v.value.grad for v in variables])
        return keras.ops.convert_to_numpy(logits.detach()), float(loss.detach())

    return run


def distribute(batch_size: int) -> int:
    """Spread each step over the devices of this process where the backend offers it; returns
    how many devices a step runs on.

    On JAX with several devices (GPUs, else CPU devices) that share the batch evenly, sets
    ``keras.distribution.DataParallel`` over them: variables replicated, each device computes
    its share of the batch, the update is that of the whole batch (the same numbers as on one
    device). Call it before the model is built. TensorFlow and PyTorch train on one device.
    """
    if keras.backend.backend() != "jax":
        return 1
    devices = keras.distribution.list_devices()
    if len(devices) < 2 or batch_size % len(devices):
        return 1
    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
    return len(devices)


def make_train_step(
    model: keras.Model, optimizer: keras.optimizers.Optimizer, shape: tuple[int, ...]
) -> TrainStep:
    """The training step of ``model`` with ``optimizer`` (built on the model's trainable
    variables) for batches of ``shape`` (B, z, y, x), on the backend Keras runs on."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        return _tensorflow_step(model, optimizer, shape)
    if backend == "jax":
        return _jax_step(model, optimizer, shape)
    return _torch_step(model, optimizer)
