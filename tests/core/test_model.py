"""The conv-stack FFN model: geometry, presets, checkpoints (reference TF1 and ours), predictor."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from ffn_core.errors import UserError
from ffn_core.model.args import ModelArgs, list_presets, load_preset

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from ffn_core.model.checkpoints import (  # noqa: E402
    checkpoint_info,
    load_weights,
    make_checkpoint,
    resolve_checkpoint,
)
from ffn_core.model.convstack import build_convstack  # noqa: E402
from ffn_core.model.predictor import Predictor  # noqa: E402

TINY = ModelArgs(depth=2, fov_size_zyx=(5, 7, 9), deltas_zyx=(1, 2, 2), features=4)
CKPT_7M = "models/snemi3d_ffn_windows/model.ckpt-7000000"


def logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


# -- model_args and presets --------------------------------------------------------------
def test_reference_json_is_xyz_and_round_trips():
    args = ModelArgs.from_reference('{"depth": 9, "fov_size": [33, 33, 17], "deltas": [8, 8, 4]}')
    assert args.fov_size_zyx == (17, 33, 33) and args.deltas_zyx == (4, 8, 8)
    assert args.depth == 9 and args.features == 32
    assert args.to_reference() == {"depth": 9, "fov_size": [33, 33, 17], "deltas": [8, 8, 4]}
    assert ModelArgs.from_reference(json.loads(args.to_json())) == args


def test_presets():
    assert {"anisotropic", "isotropic"} <= set(list_presets())
    assert load_preset("anisotropic") == ModelArgs(
        depth=9, fov_size_zyx=(17, 33, 33), deltas_zyx=(4, 8, 8)
    )
    assert load_preset("isotropic") == ModelArgs(
        depth=12, fov_size_zyx=(33, 33, 33), deltas_zyx=(8, 8, 8)
    )
    with pytest.raises(UserError, match="No model preset named 'cubic'"):
        load_preset("cubic")


@pytest.mark.parametrize(
    "text, problem",
    [
        ('{"depth": 9, "fov_size": [33, 33]', "not valid JSON"),
        ('{"depth": 9, "fov_size": [33, 33], "deltas": [8, 8, 4]}', "fov_size must be three"),
        ('{"depth": 0, "fov_size": [33, 33, 17], "deltas": [8, 8, 4]}', "depth must be a positive"),
        ('{"fov_size": [33, 33, 17]}', "missing deltas"),
        ('{"fov": [33, 33, 17], "fov_size": [33, 33, 17], "deltas": [8, 8, 4]}', "unknown key"),
    ],
)
def test_bad_model_args_are_user_errors(text, problem):
    with pytest.raises(UserError, match=problem) as info:
        ModelArgs.from_reference(text)
    assert "x, y, z" in info.value.hint


# -- the network ---------------------------------------------------------------------------
def test_parameter_counts_match_the_reference():
    assert build_convstack(load_preset("anisotropic")).count_params() == 472_353
    assert build_convstack(load_preset("isotropic")).count_params() == 638_433


def test_output_is_seed_plus_update():
    model = build_convstack(TINY)
    head = model.get_layer("conv_lom")
    head.kernel.assign(np.zeros(head.kernel.shape, np.float32))
    head.bias.assign([0.25])
    rng = np.random.default_rng(0)
    images, seeds = (rng.normal(size=(2, *TINY.fov_size_zyx)).astype(np.float32) for _ in "ab")
    logits = Predictor(model, TINY).predict(images, seeds)
    assert logits.shape == (2, 5, 7, 9) and logits.dtype == np.float32
    np.testing.assert_allclose(logits, seeds + 0.25, rtol=0, atol=1e-6)


def test_predictor_traces_once_per_batch_size_and_checks_shapes():
    predictor = Predictor(build_convstack(TINY), TINY)
    x = np.zeros((3, *TINY.fov_size_zyx), np.float32)
    for _ in range(3):
        predictor.predict(x, x)
    assert predictor._forward.functions[3].experimental_get_tracing_count() == 1
    with pytest.raises(ValueError, match="must both be"):
        predictor.predict(x[:, :4], x[:, :4])


# -- our own checkpoints -----------------------------------------------------------------
def test_own_checkpoint_round_trip(tmp_path):
    model = build_convstack(TINY)
    optimizer = keras.optimizers.Adam()
    optimizer.build(model.trainable_variables)
    step = tf.Variable(123, dtype=tf.int64)
    manager = tf.train.CheckpointManager(
        make_checkpoint(model, TINY, optimizer, step), str(tmp_path), max_to_keep=2
    )
    saved = manager.save(checkpoint_number=123)

    info = checkpoint_info(tmp_path)
    assert info.kind == "workbench" and info.step == 123 and info.model_args == TINY
    assert resolve_checkpoint(saved + ".index") == saved
    restored = Predictor.from_checkpoint(tmp_path, TINY)
    assert restored.step == 123
    x = np.random.default_rng(1).normal(size=(1, *TINY.fov_size_zyx)).astype(np.float32)
    np.testing.assert_array_equal(restored.predict(x, x), Predictor(model, TINY).predict(x, x))

    other = ModelArgs(depth=3, fov_size_zyx=(5, 7, 9), deltas_zyx=(1, 2, 2), features=4)
    with pytest.raises(UserError, match="has depth 2, 4 features, fov_size 9,7,5"):
        load_weights(build_convstack(other), saved)


def test_missing_checkpoint_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="not found"):
        resolve_checkpoint(tmp_path / "model.ckpt-5")
    with pytest.raises(UserError, match="No checkpoint in folder"):
        resolve_checkpoint(tmp_path)


# -- the reference's TF1 checkpoint (shared fixture) -------------------------------------
def test_reference_checkpoint_info(shared):
    info = checkpoint_info(shared / "models/snemi3d_ffn_windows")  # folder: the latest
    assert info.prefix.endswith("model.ckpt-7000000")
    assert (info.kind, info.step, info.depth, info.features) == ("reference", 7_000_000, 9, 32)
    assert info.fov_size_zyx == (17, 33, 33)  # from the .meta graph


@pytest.mark.parametrize(
    "args, wrong",
    [
        (load_preset("isotropic"), "depth 12, 32 features, fov_size 33,33,33"),
        (
            ModelArgs(depth=9, fov_size_zyx=(33, 33, 33), deltas_zyx=(8, 8, 8)),
            "depth 9, 32 features, fov_size 33,33,33",
        ),
    ],
)
def test_reference_checkpoint_of_another_architecture(shared, args, wrong):
    with pytest.raises(UserError) as info:
        Predictor.from_checkpoint(shared / CKPT_7M, args)
    message = info.value.message
    assert "model.ckpt-7000000 has depth 9, 32 features, fov_size 33,33,17 (x,y,z)" in message
    assert f"model_args say {wrong}" in message
    assert "model_args" in info.value.hint


def _snemi_fov(shared, z0: int, y: int, x: int) -> tuple[np.ndarray, np.ndarray]:
    """Image (normalised) and labels of the 17x33x33 FOV whose centre is (z0 + 8, y, x)."""

    def stack(folder: str) -> np.ndarray:
        return np.stack(
            [
                np.array(Image.open(shared / f"data/snemi3d/{folder}/{z:04d}.png"))[
                    y - 16 : y + 17, x - 16 : x + 17
                ]
                for z in range(z0, z0 + 17)
            ]
        )

    return (stack("images").astype(np.float32) - 131) / 62, stack("segment")


def test_reference_checkpoint_segments_an_object(shared):
    predictor = Predictor.from_checkpoint(shared / CKPT_7M, load_preset("anisotropic"))
    assert predictor.step == 7_000_000
    image, labels = _snemi_fov(shared, z0=40, y=340, x=195)  # centre deep inside one neurite
    seed = np.full(image.shape, logit(0.05), np.float32)
    seed[8, 16, 16] = logit(0.95)
    prob = 1 / (1 + np.exp(-predictor.predict(image[None], seed[None])[0]))

    assert prob[8, 16, 16] > 0.5
    mask = prob > 0.5
    components, _ = ndimage.label(mask)
    assert (components == components[8, 16, 16]).sum() > 0.95 * mask.sum()  # one blob
    assert 0.05 < mask.mean() < 0.6  # neither a dot nor the whole FOV
    truth = labels == labels[8, 16, 16]
    assert (mask & truth).sum() / (mask | truth).sum() > 0.6  # it is the object under the seed


def test_bfloat16_predictor_agrees_with_float32(shared):
    args = load_preset("anisotropic")
    image, _ = _snemi_fov(shared, z0=40, y=340, x=195)
    seed = np.full(image.shape, logit(0.05), np.float32)
    seed[8, 16, 16] = logit(0.95)
    logits = {
        precision: Predictor.from_checkpoint(shared / CKPT_7M, args, precision).predict(
            image[None], seed[None]
        )[0]
        for precision in ("float32", "bfloat16")
    }
    assert logits["bfloat16"].dtype == np.float32
    masks = {k: v > logit(0.9) for k, v in logits.items()}
    assert np.mean(masks["float32"] == masks["bfloat16"]) > 0.99
    assert np.mean(np.abs(logits["float32"] - logits["bfloat16"])) < 0.1
