"""One model on TensorFlow, JAX and PyTorch: same logits, same segmentation, clear refusals.

This pytest process runs Keras on TensorFlow; JAX and PyTorch run in subprocesses (Keras
fixes its backend when first imported), skipped with a reason where they are not installed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

from ffn_core.backend import active, installed_backends, select
from ffn_core.errors import UserError
from ffn_core.model.args import ModelArgs
from ffn_core.model.checkpoints import checkpoint_info
from ffn_core.model.predictor import Predictor
from ffn_core.model.weights_file import WeightsFile, read_weights, write_weights
from ffn_core.project import Project
from ffn_core.stages.infer import InferConfig, infer
from tests.core.stack_files import REPO, TINY, image_project, result_outputs, run_cli

SNEMI_ARGS = ModelArgs.from_reference('{"depth": 9, "fov_size": [33, 33, 17], "deltas": [8, 8, 4]}')
OTHER_BACKENDS = [
    pytest.param(
        name,
        marks=pytest.mark.skipif(
            name not in installed_backends(),
            reason=f"{name} is not installed (pip install -e '.[{name}]')",
        ),
    )
    for name in ("jax", "torch")
]
# Logits of the model at ``weights`` on fixed inputs, in a process running ``backend``.
LOGITS = """
import sys, numpy as np
from ffn_core.backend import select
select(sys.argv[1], "cpu")
from ffn_core.model.args import ModelArgs
from ffn_core.model.predictor import Predictor
args = ModelArgs.from_reference(sys.argv[3])
inputs = np.load(sys.argv[4])
predictor = Predictor.from_checkpoint(sys.argv[2], args)
np.save(sys.argv[5], predictor.predict(inputs["images"], inputs["seeds"]))
"""


def _fixed_inputs(fov_zyx, batch: int = 2) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    images = rng.normal(size=(batch, *fov_zyx)).astype(np.float32)
    seeds = np.full((batch, *fov_zyx), -0.95, np.float32)
    seeds[(slice(None), *(s // 2 for s in fov_zyx))] = 0.95
    return {"images": images, "seeds": seeds}


def _env(tmp_path: Path) -> dict[str, str]:
    """A private cache for converted checkpoints."""
    return {"XDG_CACHE_HOME": str(tmp_path / "cache")}


@pytest.fixture(scope="module")
def snemi_weights(shared, tmp_path_factory) -> Path:
    """The 7M reference checkpoint converted once into a portable weights file."""
    out = tmp_path_factory.mktemp("weights") / "snemi-7M.weights.h5"
    checkpoint = shared / "models/snemi3d_ffn_windows/model.ckpt-7000000"
    code, events = run_cli(
        "convert", "--checkpoint", checkpoint, "--out", out, "--model-args", SNEMI_ARGS.to_json()
    )
    assert code == 0, events
    assert events[-1]["outputs"]["step"] == 7_000_000
    return out


def test_portable_weights_load_as_the_tensorflow_checkpoint_did(shared, snemi_weights) -> None:
    info = checkpoint_info(snemi_weights)
    assert (info.kind, info.step, info.model_args) == ("portable", 7_000_000, SNEMI_ARGS)
    inputs = _fixed_inputs(SNEMI_ARGS.fov_size_zyx)
    checkpoint = shared / "models/snemi3d_ffn_windows/model.ckpt-7000000"
    original = Predictor.from_checkpoint(checkpoint, SNEMI_ARGS).predict(**inputs)
    portable = Predictor.from_checkpoint(snemi_weights, SNEMI_ARGS).predict(**inputs)
    np.testing.assert_array_equal(portable, original)


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_logits_agree_with_tensorflow(backend, shared, snemi_weights, tmp_path) -> None:
    inputs = _fixed_inputs(SNEMI_ARGS.fov_size_zyx)
    np.savez(tmp_path / "inputs.npz", **inputs)
    out = tmp_path / "logits.npy"
    done = subprocess.run(
        [sys.executable, "-c", LOGITS, backend, str(snemi_weights), SNEMI_ARGS.to_json(),
         str(tmp_path / "inputs.npz"), str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    expected = Predictor.from_checkpoint(snemi_weights, SNEMI_ARGS).predict(**inputs)
    np.testing.assert_allclose(np.load(out), expected, rtol=0, atol=1e-4)
    assert np.ptp(expected) > 1.0  # the model does something on these inputs


def _segmentation(spec: str) -> np.ndarray:
    file, dataset = spec.rsplit(":", 1)
    with h5py.File(file, "r") as handle:
        return handle[dataset][...]


@pytest.fixture(scope="module")
def blob_project(tmp_path_factory) -> Path:
    """A small image of bright blobs between dark walls (what the blob model fills)."""
    image = np.full((9, 24, 30), 32, np.int64)
    image[1:8, 2:10, 3:12] = image[1:8, 13:22, 15:27] = 224
    noise = np.random.default_rng(0).integers(-20, 20, image.shape)
    image = np.clip(image + noise, 0, 255).astype(np.uint8)
    root = tmp_path_factory.mktemp("blobs") / "project"
    return image_project(root, image, mean=128.0, std=60.0)


@pytest.mark.parametrize("backend", OTHER_BACKENDS)
def test_a_small_inference_segments_the_same_on_every_backend(
    backend, blob_project, blob_checkpoint, tmp_path
) -> None:
    config = InferConfig(
        checkpoint=str(blob_checkpoint),
        model_args=TINY,
        run=f"tf-{backend}",
        min_segment_size=50,
        refresh_interval=0.0,
    )
    on_tensorflow = infer(config, Project.open(blob_project))
    assert on_tensorflow.extra["backend"] == "tensorflow"
    code, events = run_cli(
        "infer", "--project", blob_project, "--checkpoint", blob_checkpoint, "--model-args",
        TINY.to_json(), "--min-segment-size", "50", "--refresh-interval", "0",
        "--backend", backend, "--device", "cpu", "--run", backend, env=_env(tmp_path),
        timeout=300,
    )  # fmt: skip
    assert code == 0, events[-3:]
    computes = [event for event in events if event["type"] == "compute"]
    assert [(c["backend"], c["device"]) for c in computes] == [(backend, "cpu")]
    assert (events[-1]["backend"], events[-1]["device"]) == (backend, "cpu")
    assert events[-1]["fov_evals"] == on_tensorflow.extra["fov_evals"] > 0
    seg = _segmentation(result_outputs(events, blob_project)["segmentation"])
    expected = _segmentation(on_tensorflow.outputs["segmentation"])
    assert len(np.unique(expected)) >= 3  # background and both blobs
    np.testing.assert_array_equal(seg, expected)


def test_a_job_asking_for_a_gpu_that_is_not_there_is_refused(blob_project, flood_checkpoint):
    if active().device == "gpu":
        pytest.skip("this machine has a GPU")
    config = InferConfig(checkpoint=str(flood_checkpoint), model_args=TINY, device="gpu")
    with pytest.raises(UserError, match="asks for a GPU, but tensorflow sees none"):
        infer(config, Project.open(blob_project))
    with pytest.raises(UserError, match="'mixed' \\(float16\\) needs a GPU"):
        infer(config.replace(device="auto", precision="mixed"), Project.open(blob_project))
    assert not Project.open(blob_project).path("inference", "default").exists()


def test_another_backend_cannot_be_selected_once_keras_runs() -> None:
    select("tensorflow")  # the backend this process runs: accepted
    with pytest.raises(UserError, match="already computes with tensorflow; jax was asked"):
        select("jax")
    with pytest.raises(UserError, match="Unknown backend 'mxnet'"):
        InferConfig(checkpoint="x", backend="mxnet")
    with pytest.raises(UserError, match="Unknown device 'tpu'"):
        InferConfig(checkpoint="x", device="tpu")


def test_a_foreign_or_newer_weights_file_is_refused(tmp_path) -> None:
    arrays = {"seed_update/conv0_a/weights": np.ones((1, 1, 1, 2, 4), np.float32)}
    path = write_weights(tmp_path / "m.weights.h5", WeightsFile(TINY, 12, arrays, [np.ones(3)]))
    back = read_weights(path, optimizer=True)
    assert (back.model_args, back.step, list(back.arrays)) == (TINY, 12, list(arrays))
    np.testing.assert_array_equal(back.optimizer[0], np.ones(3))
    assert read_weights(path).optimizer == []
    with h5py.File(path, "a") as handle:
        handle.attrs["version"] = 99
    with pytest.raises(UserError, match="newer FFN Workbench"):
        read_weights(path)
    foreign = tmp_path / "other.weights.h5"
    with h5py.File(foreign, "w") as handle:
        handle["x"] = 1
    with pytest.raises(UserError, match="not an FFN Workbench weights file"):
        checkpoint_info(foreign)
