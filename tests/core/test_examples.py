"""Training example generation: geometry, labels, seed, FOV policies, augmentation, metrics."""

from __future__ import annotations

import itertools

import h5py
import numpy as np
import pytest

from ffn_core.logits import logit, sigmoid_cross_entropy
from ffn_core.train.examples import ExampleConfig, ExampleStream, apply_transform, load_patch
from ffn_core.train.metrics import eval_metrics

FOV = (5, 7, 7)
DELTAS = (1, 2, 2)
LOW, HIGH = -5.0, 5.0
PLAIN = dict(permutable_axes=(), reflectable_axes=(), image_mean=0.0, image_stddev=1.0)


def _config(**kwargs) -> ExampleConfig:
    return ExampleConfig(FOV, DELTAS, **{**PLAIN, **kwargs})


def _two_objects() -> np.ndarray:
    labels = np.zeros((20, 30, 30), dtype=np.int32)
    labels[:, 10:20, 10:20] = 3
    labels[:, 10:20, 20:25] = 7
    return labels


def _run_examples(stream: ExampleStream, model, count: int = 1) -> list[list]:
    """FOVs of the first ``count`` examples.

    Each list ends when the stream reports its example finished.
    """
    examples: list[list] = [[]]
    while True:
        fov = stream.next_fov()
        if stream.pop_finished():
            if len(examples) == count:
                return examples
            examples.append([])
        examples[-1].append(fov)
        stream.update(model(fov))


def test_sizes_for_both_policies():
    fixed = ExampleConfig((17, 33, 33), (4, 8, 8))
    assert fixed.load_size_zyx == (25, 49, 49) and fixed.eval_size_zyx == (25, 49, 49)
    maxpred = ExampleConfig((33, 33, 33), (8, 8, 8), policy="max_pred_moves")
    assert maxpred.load_size_zyx == (65, 65, 65) and maxpred.eval_size_zyx == (49, 49, 49)
    two = ExampleConfig((17, 33, 33), (4, 8, 8), policy="max_pred_moves", fov_moves=2)
    assert two.load_size_zyx == (41, 81, 81) and two.eval_size_zyx == (33, 65, 65)
    with pytest.raises(ValueError):
        ExampleConfig((17, 33, 33), (4, 8, 8), permutable_axes=(0, 1))


@pytest.mark.parametrize("policy", ["fixed", "max_pred_moves"])
def test_fov_and_finished_shapes(policy):
    config = _config(policy=policy)
    labels = _two_objects()
    stream = ExampleStream(
        labels.astype(np.uint8), labels, [(10, 15, 15)], config, np.random.default_rng(0)
    )
    fov = stream.next_fov()
    for array in (fov.image, fov.seed, fov.labels, fov.weights):
        assert array.shape == FOV and array.dtype == np.float32
    assert np.all(fov.weights == 1.0)
    stream.update(np.full(FOV, LOW))
    stream.next_fov()
    (finished,) = stream.pop_finished()
    assert finished.labels.shape == finished.logits.shape == config.eval_size_zyx
    assert finished.center_zyx == (10, 15, 15)


def test_labels_are_the_softened_centre_object():
    labels = _two_objects()
    config = _config()
    stream = ExampleStream(
        labels.astype(np.uint8),
        labels,
        [(10, 15, 17), (10, 5, 5)],
        config,
        np.random.default_rng(0),
    )
    fov = stream.next_fov()
    patch = load_patch(labels, (10, 15, 17), FOV)
    assert set(np.unique(patch)) == {3, 7}
    np.testing.assert_array_equal(fov.labels, np.where(patch == 3, 0.95, 0.05).astype(np.float32))
    stream.update(np.full(FOV, LOW))
    background = stream.next_fov()  # fixed policy takes no shift: the next coordinate is background
    assert background.offset_zyx == (0, 0, 0)
    assert np.all(background.labels == np.float32(0.05))


def test_seed_is_pad_with_confident_centre():
    labels = _two_objects()
    stream = ExampleStream(labels, labels, [(10, 15, 15)], _config(), np.random.default_rng(0))
    seed = stream.next_fov().seed
    centre = tuple(np.asarray(FOV) // 2)
    assert seed[centre] == np.float32(logit(0.95))
    rest = np.delete(seed.ravel(), np.ravel_multi_index(centre, FOV))
    assert np.all(rest == np.float32(logit(0.05)))


def test_fixed_policy_visits_every_shift_once_in_a_fixed_shuffled_order():
    labels = _two_objects()
    stream = ExampleStream(
        labels, labels, [(10, 15, 15), (10, 14, 14)], _config(), np.random.default_rng(5)
    )
    always = lambda fov: np.full(FOV, HIGH)  # noqa: E731
    first, second = ([fov.offset_zyx for fov in fovs] for fovs in _run_examples(stream, always, 2))
    everything = {s for s in itertools.product((-1, 0, 1), (-2, 0, 2), (-2, 0, 2)) if any(s)}
    assert first[0] == (0, 0, 0) and len(first) == 27
    assert set(first[1:]) == everything
    assert second == first == [(0, 0, 0)] + stream.shifts_zyx
    other = ExampleStream(labels, labels, [(10, 15, 15)], _config(), np.random.default_rng(6))
    assert other.shifts_zyx != stream.shifts_zyx and set(other.shifts_zyx) == everything
    unshuffled = ExampleStream(
        labels, labels, [(10, 15, 15)], _config(shuffle_moves=False), np.random.default_rng(5)
    )
    assert unshuffled.shifts_zyx == sorted(everything)


def test_fixed_policy_takes_a_shift_only_where_the_canvas_reaches_the_threshold():
    labels = _two_objects()
    stream = ExampleStream(labels, labels, [(10, 15, 15)], _config(), np.random.default_rng(1))
    taken, skipped = stream.shifts_zyx[7], stream.shifts_zyx[3]
    centre = np.asarray(FOV) // 2
    first = np.full(FOV, LOW, dtype=np.float32)
    first[tuple(centre + taken)] = logit(0.9) + 0.01
    first[tuple(centre + skipped)] = logit(0.9) - 0.01
    assert stream.next_fov().offset_zyx == (0, 0, 0)
    stream.update(first)
    assert stream.next_fov().offset_zyx == taken
    stream.update(np.full(FOV, LOW))
    assert stream.next_fov().offset_zyx == (0, 0, 0)  # next example: the skipped shift never came
    assert len(stream.pop_finished()) == 1


def test_seed_write_back_between_moves():
    labels = _two_objects()
    stream = ExampleStream(labels, labels, [(10, 15, 15)], _config(), np.random.default_rng(2))
    stream.next_fov()
    logits = np.random.default_rng(3).uniform(3.0, 6.0, FOV).astype(np.float32)
    stream.update(logits)
    second = stream.next_fov()
    shift = np.asarray(second.offset_zyx)
    assert shift.tolist() == list(stream.shifts_zyx[0])
    # Voxel p of the second FOV is voxel p + shift of the first one.
    expected = np.full(FOV, logit(0.05), dtype=np.float32)
    dst = tuple(slice(max(0, -s), n - max(0, s)) for s, n in zip(shift, FOV))
    src = tuple(slice(max(0, s), n - max(0, -s)) for s, n in zip(shift, FOV))
    expected[dst] = logits[src]
    np.testing.assert_array_equal(second.seed, expected)
    with pytest.raises(RuntimeError):
        stream.next_fov()


def test_augmentation_is_applied_equally_to_image_and_labels():
    labels = _two_objects()
    labels[:, 12:14, 11:19] = 9  # break the symmetry so that every transform differs
    labels[7] = 0  # first z plane of the loaded patch
    config = _config(permutable_axes=(1, 2), reflectable_axes=(0, 1, 2))
    raw = load_patch(labels, (10, 15, 15), config.load_size_zyx)
    transforms = {}
    for order in ([0, 1, 2], [0, 2, 1]):
        for flips in itertools.chain.from_iterable(
            itertools.combinations(range(3), k) for k in range(4)
        ):
            transforms[(tuple(order), flips)] = apply_transform(raw, order, flips)
    seen = set()
    for seed in range(40):
        stream = ExampleStream(
            labels.astype(np.uint8), labels, [(10, 15, 15)], config, np.random.default_rng(seed)
        )
        image = stream._image
        matches = [key for key, volume in transforms.items() if np.array_equal(volume, image)]
        assert len(matches) == 1
        seen.add(matches[0])
        np.testing.assert_array_equal(stream._labels == np.float32(0.95), image == 3)
        fov = stream.next_fov()
        np.testing.assert_array_equal(fov.labels == np.float32(0.95), fov.image == 3)
    assert len(seen) >= 10  # both permutations and many flip combinations occur


def test_image_is_normalised_after_loading_from_hdf5(tmp_path):
    labels = _two_objects()
    image = np.random.default_rng(0).integers(0, 256, labels.shape).astype(np.uint8)
    with h5py.File(tmp_path / "v.h5", "w") as handle:
        handle["image"], handle["labels"] = image, labels
    with h5py.File(tmp_path / "v.h5", "r") as handle:
        config = ExampleConfig(
            FOV,
            DELTAS,
            permutable_axes=(),
            reflectable_axes=(),
            image_mean=100.0,
            image_stddev=20.0,
        )
        fov = ExampleStream(
            handle["image"], handle["labels"], [(10, 15, 15)], config, np.random.default_rng(0)
        ).next_fov()
    expected = (load_patch(image, (10, 15, 15), FOV).astype(np.float32) - 100.0) / 20.0
    np.testing.assert_allclose(fov.image, expected, rtol=1e-6)
    with pytest.raises(ValueError, match="leaves the volume"):
        ExampleStream(image, labels, [(1, 15, 15)], config, np.random.default_rng(0))


def test_max_pred_moves_follows_a_hand_built_object():
    # An x-bar (score 3) from the centre towards +x and a y-branch (score 4) towards -y.
    image = np.zeros((20, 40, 40), dtype=np.float32)
    image[10, 20, 20:36] = 3.0
    image[10, 4:20, 20] = 4.0
    labels = (image > 0).astype(np.int32)
    config = _config(policy="max_pred_moves")
    stream = ExampleStream(image, labels, [(10, 20, 20)], config, np.random.default_rng(0))
    oracle = lambda fov: np.where(fov.image > 0, fov.image, -3.0)  # noqa: E731
    offsets = [fov.offset_zyx for fov in _run_examples(stream, oracle)[0]]
    assert offsets == [(0, 0, 0), (0, -2, 0), (0, 0, 2), (0, -4, 0), (0, 0, 4)]


def test_max_pred_moves_stays_put_without_confident_faces():
    labels = _two_objects()
    stream = ExampleStream(
        labels, labels, [(10, 15, 15)], _config(policy="max_pred_moves"), np.random.default_rng(0)
    )
    (fovs,) = _run_examples(stream, lambda fov: np.full(FOV, LOW))
    assert [fov.offset_zyx for fov in fovs] == [(0, 0, 0)]


def test_eval_metrics_by_hand():
    labels = np.array([0.95, 0.95, 0.95, 0.05, 0.05, 0.05, 0.05, 0.05], dtype=np.float32)
    logits = np.array([3.0, 3.0, -3.0, 3.0, -3.0, -3.0, -3.0, 2.0])
    metrics = eval_metrics(labels, logits)  # tp 2, fn 1, fp 1, tn 4 (2.0 < logit(0.9))
    assert metrics["precision"] == pytest.approx(2 / 3)
    assert metrics["recall"] == pytest.approx(2 / 3)
    assert metrics["f1"] == pytest.approx(2 / 3)
    assert metrics["accuracy"] == pytest.approx(6 / 8)
    assert metrics["specificity"] == pytest.approx(4 / 5)

    def xent(x, z):
        return -(z * np.log(1 / (1 + np.exp(-x))) + (1 - z) * np.log(1 - 1 / (1 + np.exp(-x))))

    assert metrics["patch_loss"] == pytest.approx(
        np.mean([xent(x, z) for x, z in zip(logits, labels)])
    )
    np.testing.assert_allclose(
        sigmoid_cross_entropy([100.0, -100.0], [1.0, 0.0]), [0.0, 0.0], atol=1e-12
    )
    empty = eval_metrics(np.full(4, 0.05), np.full(4, -3.0))
    assert empty["precision"] == empty["recall"] == empty["f1"] == 0.0 and empty["accuracy"] == 1.0
