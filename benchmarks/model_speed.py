"""Speed of the FFN network, measured one way for every benchmark (``backend_speed.py``,
``gpu_check.py``): FOV/s of a forward pass, steps/s of a plain training step, our train stage's
steps/s on a small project, and the projects these need.

The *plain* network is the conv stack written with ``keras.layers.Conv3D`` and nothing else
(same shape as ours: two input channels, 3x3x3 'same' convolutions, residual pairs, a 1x1x1
head): the rate Keras itself reaches with this network on this machine, the ceiling ours is
measured against. Keras is imported by the functions that need it: choose the backend first
(``ffn_core.backend.select``).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import h5py
import numpy as np

from ffn_core.events import Emitter
from ffn_core.model.args import ModelArgs
from ffn_core.project import Project

if TYPE_CHECKING:
    import keras

#: the 7M SNEMI3D model's geometry (the reference's model_args)
SNEMI_MODEL = ModelArgs.from_reference({"depth": 9, "fov_size": [33, 33, 17], "deltas": [8, 8, 4]})
#: Keras dtype policy of the plain network for each of our precisions (inference)
PLAIN_POLICY = {"float32": "float32", "bfloat16": "mixed_bfloat16", "mixed": "mixed_float16"}

Forward = Callable[[np.ndarray, np.ndarray], np.ndarray]


def plain_convstack(args: ModelArgs, policy: str = "float32") -> keras.Model:
    """The plain Keras conv stack of ``args``' shape in dtype ``policy`` (a Keras policy:
    ``float32``, ``mixed_bfloat16``, ``bfloat16``...): inputs image and seed (B, z, y, x, 1),
    float32 logits ``seed + update`` out, as our model."""
    import keras

    def conv(x, relu: bool, size: int = 3, filters: int = args.features):
        activation = "relu" if relu else None
        layer = keras.layers.Conv3D(
            filters, size, padding="same", activation=activation, dtype=policy
        )
        return layer(x)

    shape = (*args.fov_size_zyx, 1)
    image, seed = keras.Input(shape=shape), keras.Input(shape=shape)
    x = conv(keras.layers.Concatenate(dtype=policy)([image, seed]), relu=True)
    x = conv(x, relu=False)
    for _ in range(1, args.depth):
        residual = x
        x = conv(keras.layers.ReLU(dtype=policy)(x), relu=True)
        x = keras.layers.Add(dtype=policy)([conv(x, relu=False), residual])
    update = conv(keras.layers.ReLU(dtype=policy)(x), relu=False, size=1, filters=1)
    update = keras.layers.Activation("linear", dtype="float32")(update)
    logits = keras.layers.Add(dtype="float32")([seed, update])
    return keras.Model([image, seed], logits, name="plain_convstack")


def plain_forward(model: keras.Model) -> Forward:
    """``model``'s forward pass the plain Keras way (``predict_on_batch``), (B, z, y, x) in
    and out."""
    return lambda images, seeds: model.predict_on_batch([images[..., None], seeds[..., None]])


def fov_rate(forward: Forward, batch: int, fov_zyx: tuple[int, int, int], seconds: float) -> float:
    """FOVs per second of ``forward`` at ``batch`` FOVs a call: two untimed calls (compiling),
    then calls for at least ``seconds`` (at least two)."""
    rng = np.random.default_rng(0)
    images = rng.standard_normal((batch, *fov_zyx)).astype(np.float32)
    seeds = np.full((batch, *fov_zyx), -2.2, np.float32)
    return batch * _calls_per_s(lambda: forward(images, seeds), seconds)


def plain_step_rate(args: ModelArgs, policy: str, batch: int, seconds: float) -> float:
    """Steps per second of a plain training step of the plain network in ``policy``: forward,
    sigmoid cross-entropy, backward, SGD update (``train_on_batch``) on ``batch`` FOVs."""
    import keras

    model = plain_convstack(args, policy)
    model.compile(
        optimizer=keras.optimizers.SGD(0.001),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
    )
    rng = np.random.default_rng(0)
    shape = (batch, *args.fov_size_zyx, 1)
    images = rng.standard_normal(shape).astype(np.float32)
    seeds = np.full(shape, -2.2, np.float32)
    labels = (rng.random(shape) > 0.5).astype(np.float32)
    return _calls_per_s(lambda: model.train_on_batch([images, seeds], labels), seconds)


def _calls_per_s(call: Callable[[], object], seconds: float) -> float:
    call()
    call()
    count, started = 0, time.perf_counter()
    while count < 2 or time.perf_counter() - started < seconds:
        call()
        count += 1
    return count / (time.perf_counter() - started)


def write_project(
    root: Path,
    image: np.ndarray,
    labels: np.ndarray | None = None,
    coords: np.ndarray | None = None,
) -> Project:
    """A project at ``root`` holding ``image`` (with its mean and std), ``labels`` and training
    ``coords`` (z, y, x rows) where given: what the infer and train stages read."""
    project = Project.open_or_create(root)
    volumes = {"image": image} if labels is None else {"image": image, "labels": labels}
    for name, data in volumes.items():
        path = project.path("volumes", f"{name}.h5")
        path.parent.mkdir(parents=True, exist_ok=True)
        with h5py.File(path, "w") as handle:
            handle.create_dataset("raw", data=data, chunks=True)
        stats = {"mean": float(image.mean()), "std": float(image.std())} if name == "image" else {}
        project.register_volume(name, path, "raw", **stats)
    if coords is not None:
        from ffn_core.preprocess.coordinates import coordinates_path

        path = coordinates_path(project)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, coords)
    return project


def random_coordinates(
    shape_zyx: tuple[int, ...], args: ModelArgs, count: int = 5000
) -> np.ndarray:
    """``count`` training centres (z, y, x) far enough from the faces of a volume of
    ``shape_zyx`` for an example of ``args`` (a stand-in for the preprocess stage's)."""
    margin = np.array(args.fov_size_zyx) // 2 + np.array(args.deltas_zyx)
    return np.random.default_rng(0).integers(margin, np.array(shape_zyx) - margin, (count, 3))


def train_stage_rate(
    project: Project,
    args: ModelArgs,
    precision: str,
    batch: int,
    steps: int,
    backend: str | None = None,
    device: str = "auto",
) -> dict[str, float]:
    """Our train stage for ``steps`` steps of a new run on ``project``: its reported
    ``steps_per_s`` (the first step, which compiles, not counted) and ``model_busy``."""
    from ffn_core.stages.train import TrainConfig, train

    run = f"speed-{precision}-b{batch}-{time.time_ns()}"
    config = TrainConfig(
        run=run,
        model_args=args,
        batch_size=batch,
        max_steps=steps,
        optimizer="sgd",
        checkpoint_minutes=1e6,
        summary_seconds=1e6,
        precision=precision,
        backend=backend,
        device=device,
    )
    outputs = train(config, project, emit=Emitter("train", stream=io.StringIO())).outputs
    return {"steps_per_s": outputs["steps_per_s"], "model_busy": outputs["model_busy"]}
