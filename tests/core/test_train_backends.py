"""Training on JAX and PyTorch, and runs that move between backends with their optimizer state.

This process runs Keras on TensorFlow, so JAX and PyTorch train in ``python -m ffn_core train
--backend ...`` processes, on a tiny project; what they write is checked here, on TensorFlow.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from ffn_core.events import CancelToken
from ffn_core.model.weights_file import read_weights
from ffn_core.project import Project
from ffn_core.stages.train import TrainConfig, train
from ffn_core.train.run_config import read_history, read_run_config
from tests.core.test_train import (
    REPO,
    TINY,
    StopAt,
    eval_examples,
    one_volume,
    tiny_config,
    train_volume,
    write_project,
)

tf = pytest.importorskip("tensorflow")

from ffn_core.model.checkpoints import make_checkpoint, model_arrays  # noqa: E402
from ffn_core.model.convstack import build_convstack  # noqa: E402
from ffn_core.model.predictor import Predictor  # noqa: E402
from ffn_core.train.checkpointing import RunCheckpoints  # noqa: E402
from ffn_core.train.trainer import Trainer, make_optimizer  # noqa: E402

EVAL_EXAMPLES = 30  # the volume's last coordinates: left out of training, used for eval


def _needs(*backends: str):
    missing = [name for name in backends if importlib.util.find_spec(name) is None]
    return pytest.mark.skipif(bool(missing), reason=f"{', '.join(missing)} not installed")


@pytest.fixture(scope="module")
def volume():
    return train_volume()


def run_train(project: Path, backend: str, *extra: str, env: dict | None = None) -> list[dict]:
    """The records of ``ffn_core train --backend backend`` on ``project`` (the tiny model),
    with ``env`` added to the environment."""
    command = [
        sys.executable, "-m", "ffn_core", "train", "--project", str(project),
        "--backend", backend, "--model-args", json.dumps(TINY.to_reference()),
        "--optimizer", "adam", "--summary-seconds", "1", *extra,
    ]  # fmt: skip
    done = subprocess.run(
        command,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=dict(os.environ, **(env or {})),
    )
    records = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert records, done.stderr[-2000:]
    return records


def _logs(records: list[dict]) -> str:
    return " ".join(r["message"] for r in records if r["type"] == "log")


@pytest.mark.parametrize("backend", [pytest.param("jax", marks=_needs("jax")),
                                     pytest.param("torch", marks=_needs("torch"))])  # fmt: skip
def test_training_learns_on(backend, tmp_path, volume):
    image, labels, coords = volume
    write_project(tmp_path, image, labels, coords[:-EVAL_EXAMPLES])
    records = run_train(tmp_path, backend, "--max-steps", "600", "--learning-rate", "0.003")
    result = records[-1]
    assert result["type"] == "result" and result["status"] == "completed", result
    assert result["backend"] == backend and result["outputs"]["step"] == 600

    run = tmp_path / "runs" / "default"
    losses = [h["loss"] for h in read_history(run) if "loss" in h]
    assert np.mean(losses[-10:]) < 0.6 * losses[0], losses  # last 100 steps against the first 10
    config = read_run_config(run)
    untrained = eval_examples(Predictor(build_convstack(TINY), TINY), volume, config)
    checkpoint = Predictor.from_checkpoint(tmp_path / result["outputs"]["checkpoint"], TINY)
    trained = eval_examples(checkpoint, volume, config)  # evaluated here, on TensorFlow
    assert trained["patch_loss"] < 0.75 * untrained["patch_loss"], (untrained, trained)
    assert trained["f1"] > untrained["f1"], (untrained, trained)
    assert any(p.name.startswith("events.out.tfevents") for p in run.iterdir())


@_needs("jax", "torch")
def test_a_run_moves_between_backends_with_its_optimizer_state(tmp_path, volume):
    image, labels, coords = volume
    write_project(tmp_path, image, labels, coords)
    run = tmp_path / "runs" / "default"
    first = run_train(tmp_path, "jax", "--max-steps", "30")
    assert first[-1]["backend"] == "jax" and first[-1]["outputs"]["step"] == 30

    second = run_train(tmp_path, "torch", "--max-steps", "40")
    assert second[-1]["backend"] == "torch" and second[-1]["outputs"]["step"] == 40
    assert "ckpt-30.weights.h5 at step 30" in _logs(second)
    saved = read_weights(run / "checkpoints" / "ckpt-40.weights.h5", optimizer=True)
    assert saved.step == 40 and int(saved.optimizer[0]) == 40  # Adam counted on from JAX's 30

    config = tiny_config(image, max_steps=50)
    resumed = Trainer(config, run, one_volume(*volume), StopAt(CancelToken()))
    assert "ckpt-40.weights.h5 at step 40" in resumed.restore_or_initialize()
    for variable, array in zip(resumed.optimizer.variables, saved.optimizer, strict=True):
        np.testing.assert_array_equal(variable.numpy(), array)
    for key, array in model_arrays(resumed.model).items():
        np.testing.assert_array_equal(array, saved.arrays[key])
    assert resumed.train().step == 50
    steps = [record["step"] for record in read_history(run)]
    assert steps == sorted(steps) and steps[-1] == 50


@_needs("jax")
def test_an_older_run_with_tensorflow_checkpoints_resumes_on_tensorflow(tmp_path, volume):
    write_project(tmp_path, *volume)
    project = Project.open(tmp_path)
    config = TrainConfig(run="old", model_args=TINY, optimizer="adam", max_steps=10)
    train(config, project, emit=StopAt(CancelToken()))
    # The same run as FFN Workbench wrote it before portable checkpoints.
    folder = tmp_path / "runs" / "old" / "checkpoints"
    settings = read_run_config(folder.parent)
    trainer = Trainer(settings, folder.parent, one_volume(*volume), StopAt(CancelToken()))
    trainer.restore_or_initialize()
    step = tf.Variable(10, dtype=tf.int64)
    checkpoint = make_checkpoint(trainer.model, TINY, trainer.optimizer, step)
    tf.train.CheckpointManager(checkpoint, str(folder), 1, checkpoint_name="ckpt").save(10)
    (folder / "ckpt-10.weights.h5").unlink()

    refused = run_train(tmp_path, "jax", "--run", "old", "--max-steps", "15")[-1]
    assert refused["type"] == "error" and "resumes on TensorFlow only" in refused["message"]

    emit = StopAt(CancelToken())
    result = train(TrainConfig(run="old", max_steps=15), project, emit=emit)
    assert "ckpt-10 at step 10" in " ".join(emit.stream.getvalue().splitlines())
    assert result.outputs["step"] == 15 and result.outputs["checkpoint"].endswith(
        "ckpt-15.weights.h5"
    )
    saved = read_weights(result.outputs["checkpoint"], optimizer=True)
    assert int(saved.optimizer[0]) == 15  # the optimizer's count came from the TF checkpoint


def test_checkpoints_keep_the_latest_and_the_first_of_each_period(tmp_path):
    model = build_convstack(TINY)
    optimizer = make_optimizer(tiny_config(np.arange(4.0)))
    optimizer.build(model.trainable_variables)
    checkpoints = RunCheckpoints(tmp_path, TINY, keep=2, keep_every_hours=1.0)
    hour_start = (time.time() // 3600 - 10) * 3600
    for step, age_s in ((1, 0), (2, 600), (3, 3700), (4, 3800), (5, 7300), (6, 7400)):
        path = checkpoints.save(model, optimizer, step)
        os.utime(path, (hour_start + age_s, hour_start + age_s))
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert kept == [f"ckpt-{s}.weights.h5" for s in (1, 3, 5, 6)]
    assert checkpoints.latest() == str(tmp_path / "ckpt-6.weights.h5")


@_needs("jax")
def test_jax_trains_data_parallel_on_several_devices(tmp_path, volume):
    losses = {}
    for count in (1, 2):  # CPU devices stand in for GPUs
        write_project(tmp_path / str(count), *volume)
        flags = {"XLA_FLAGS": f"--xla_force_host_platform_device_count={count}"}
        records = run_train(tmp_path / str(count), "jax", "--max-steps", "20", env=flags)
        assert records[-1]["type"] == "result" and records[-1]["outputs"]["step"] == 20
        assert ("on 2 devices (data parallel)" in _logs(records)) == (count == 2)
        run = tmp_path / str(count) / "runs" / "default"
        losses[count] = [h["loss"] for h in read_history(run) if "loss" in h]
        losses[count].append(records[-1]["outputs"]["loss"])
    np.testing.assert_allclose(losses[2], losses[1], rtol=1e-4)  # the same steps, shared out
