"""Preprocess: partitions against a simple version and the reference file, coordinates, CLI."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view
from PIL import Image

from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter
from ffn_core.preprocess.coordinates import (
    balanced_coordinates,
    load_coordinates,
    sample_coordinates,
    save_coordinates,
)
from ffn_core.preprocess.partitions import class_lookup, compute_partitions
from ffn_core.project import Project
from ffn_core.stages.preprocess import PreprocessConfig, preprocess
from tests.core.stack_files import CancelAfter, result_outputs

THRESHOLDS = (0.025, 0.05, 0.075, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


# -- the simple, obviously correct version ---------------------------------------------
def clear_dust(labels: np.ndarray, min_size: int) -> np.ndarray:
    """IDs with fewer than ``min_size`` voxels in the whole volume become 0."""
    ids, sizes = np.unique(labels, return_counts=True)
    return np.where(np.isin(labels, ids[sizes < min_size]), 0, labels)


def simple_object_classes(labels: np.ndarray, label: int, thresholds, radius_zyx) -> np.ndarray:
    """Class of every valid voxel of object ``label`` (0 elsewhere), over the whole volume.

    The window count is a box sum over full windows only (``sliding_window_view``), taken
    one axis at a time; the class is the first threshold the fraction is below, + 1.
    """
    diam = [2 * r + 1 for r in radius_zyx]
    counts = (labels == label).astype(np.int64)
    for axis, d in enumerate(diam):
        counts = sliding_window_view(counts, d, axis=axis).sum(axis=-1)
    inside = labels[tuple(slice(r, n - r) for r, n in zip(radius_zyx, labels.shape))] == label
    fraction = counts[inside] / np.prod(diam)
    below = fraction[:, None] < np.asarray(thresholds)[None, :]
    classes = np.zeros(inside.shape, np.uint8)
    classes[inside] = np.where(below.any(axis=1), below.argmax(axis=1) + 1, len(thresholds) + 1)
    return classes


def simple_partitions(labels: np.ndarray, thresholds, radius_zyx, min_size: int) -> np.ndarray:
    labels = clear_dust(labels, min_size)
    out = np.full(labels.shape, 255, np.uint8)
    valid = tuple(slice(r, n - r) for r, n in zip(radius_zyx, labels.shape))
    out[valid] = 0
    for label in np.unique(labels[labels != 0]):
        out[valid] += simple_object_classes(labels, label, thresholds, radius_zyx)
    return out


def synthetic_labels(seed: int, shape=(40, 60, 60)) -> np.ndarray:
    """Voronoi cells of random seeds, some background, some tiny (dust) objects."""
    rng = np.random.default_rng(seed)
    points = rng.uniform(0, 1, (30, 3)) * shape
    grid = np.indices(shape, dtype=float)
    distances = [sum((g - p) ** 2 for g, p in zip(grid, point)) for point in points]
    nearest = np.argmin(distances, axis=0)
    labels = (rng.permutation(1000)[:30] + 1)[nearest]
    labels[rng.random(shape) < 0.05] = 0
    for _ in range(20):
        z, y, x = (rng.integers(0, n - 3) for n in shape)
        labels[z : z + 2, y : y + 3, x : x + 3] = rng.integers(2000, 3000)
    return labels.astype(np.uint16)


def read_snemi_labels(shared: Path) -> np.ndarray:
    files = sorted((shared / "data" / "snemi3d" / "segment").glob("*.png"))
    return np.stack([np.array(Image.open(name)) for name in files])


@pytest.fixture(scope="module")
def snemi_labels(shared) -> np.ndarray:
    return read_snemi_labels(shared)


# -- partitions ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "seed, radius_xyz, min_size",
    [(0, (2, 2, 2), 300), (1, (3, 2, 1), 100), (2, (1, 4, 3), 1000), (3, (0, 2, 2), 50)],
)
def test_partitions_equal_the_simple_version_on_synthetic_labels(seed, radius_xyz, min_size):
    labels = synthetic_labels(seed)
    diam = np.prod([2 * r + 1 for r in radius_xyz])
    thresholds = THRESHOLDS + (1.0,) if seed % 2 else (0.2, 0.1 + 0.2, 9 / diam, 0.5, 0.9)
    ours = compute_partitions(labels, thresholds, radius_xyz, min_size)
    expected = simple_partitions(labels, thresholds, radius_xyz[::-1], min_size)
    assert ours.dtype == np.uint8 and len(np.unique(expected)) > 4
    np.testing.assert_array_equal(ours, expected)


def test_partitions_equal_the_simple_version_on_snemi_crops(snemi_labels):
    rng = np.random.default_rng(7)
    for radius_xyz in [(3, 3, 3), (4, 4, 2), (2, 5, 3)]:
        z, y, x = (rng.integers(0, n - c) for n, c in zip(snemi_labels.shape, (40, 60, 60)))
        crop = snemi_labels[z : z + 40, y : y + 60, x : x + 60]
        np.testing.assert_array_equal(
            compute_partitions(crop, THRESHOLDS, radius_xyz, 500),
            simple_partitions(crop, THRESHOLDS, radius_xyz[::-1], 500),
        )


def test_partitions_are_bit_identical_to_the_reference_file(shared, snemi_labels):
    with h5py.File(shared / "reference" / "snemi_partitions_af.h5", "r") as handle:
        reference = handle["af"][...]
        counts = handle["af"].attrs["partition_counts"]
    ours = compute_partitions(snemi_labels, THRESHOLDS, (24, 24, 24), 10000)
    assert ours.shape == reference.shape == (100, 512, 512)
    assert np.array_equal(ours, reference), f"{np.count_nonzero(ours != reference)} voxels differ"
    from ffn_core.preprocess.partitions import partition_counts

    np.testing.assert_array_equal(partition_counts(ours, (24, 24, 24)), counts)


@pytest.mark.parametrize("dtype, offset", [(np.uint64, 2**40), (np.int64, -500), (np.int32, 0)])
def test_any_integer_ids_give_the_same_partitions(dtype, offset):
    labels = synthetic_labels(4, (20, 30, 30)).astype(np.int64)
    shifted = np.where(labels != 0, labels + offset, 0).astype(dtype)
    np.testing.assert_array_equal(
        compute_partitions(shifted, THRESHOLDS, (2, 2, 1), 100),
        simple_partitions(labels, THRESHOLDS, (1, 2, 2), 100),
    )


def test_threshold_boundaries_follow_the_float_division():
    lookup = class_lookup((0.2, 0.1 + 0.2, 0.4), 75)
    assert lookup[14] == 1 and lookup[15] == 2  # 15/75 == 0.2 is not below 0.2
    assert lookup[22] == 2 and lookup[23] == 3  # 22/75 = 0.293.. < 0.30000000000000004
    assert lookup[29] == 3 and lookup[30] == 4 and lookup[75] == 4


# -- coordinates -----------------------------------------------------------------------------
def small_partitions() -> np.ndarray:
    partitions = compute_partitions(synthetic_labels(5, (20, 40, 40)), THRESHOLDS, (3, 3, 2), 100)
    assert len(np.unique(partitions)) > 6
    return partitions


def test_coordinates_are_balanced_and_outside_the_margin():
    partitions, margin = small_partitions(), (3, 5, 4)
    zyx = sample_coordinates(partitions, margin, seed=3)
    inside = partitions[3:-3, 5:-5, 4:-4]
    classes = [v for v in np.unique(inside) if v != 255]
    per_class = np.bincount(partitions[tuple(zyx.T)], minlength=256)
    assert 0 in classes and per_class[255] == 0
    assert set(np.flatnonzero(per_class)) == set(classes)
    assert np.all(per_class[classes] == np.max(np.bincount(inside.ravel())[classes]))
    assert zyx.dtype == np.int32 and zyx.shape == (len(classes) * per_class[classes[0]], 3)
    assert np.all(zyx >= margin) and np.all(zyx < np.array(partitions.shape) - margin)
    hits = np.zeros(partitions.shape, np.int64)
    np.add.at(hits, tuple(zyx.T), 1)
    for value in classes:  # cyclic oversampling: every voxel of a class, evenly
        repeats = hits[3:-3, 5:-5, 4:-4][inside == value]
        assert repeats.min() >= 1 and repeats.max() - repeats.min() <= 1
        extra = np.flatnonzero(repeats > repeats.min())  # the repeated ones: random, not
        assert extra.size == 0 or extra[-1] >= extra.size  # the first ones in raster order
    assert not np.all(np.diff(partitions[tuple(zyx.T)].astype(int)) >= 0)  # shuffled


def test_coordinates_are_reproducible_from_the_seed(tmp_path):
    partitions = small_partitions()
    first = sample_coordinates(partitions, (2, 3, 3), seed=11)
    np.testing.assert_array_equal(first, sample_coordinates(partitions, (2, 3, 3), seed=11))
    assert not np.array_equal(first, sample_coordinates(partitions, (2, 3, 3), seed=12))
    save_coordinates(tmp_path / "c.npy", balanced_coordinates(partitions, (2, 3, 3), seed=11))
    np.testing.assert_array_equal(np.load(tmp_path / "c.npy"), first)
    save_coordinates(tmp_path / "plain.npy", first[::-1])
    np.testing.assert_array_equal(np.load(tmp_path / "plain.npy"), first[::-1])


def class_shares(partitions: np.ndarray, zyx: np.ndarray) -> dict[int, float]:
    """The fraction of the coordinates that falls in each class."""
    counts = np.bincount(partitions[tuple(np.asarray(zyx).T)], minlength=256)
    return {int(v): counts[v] / len(zyx) for v in np.flatnonzero(counts)}


def test_a_capped_list_keeps_the_class_balance_in_a_fraction_of_the_size(tmp_path):
    partitions, margin = small_partitions(), (3, 5, 4)
    full = sample_coordinates(partitions, margin, seed=3, limit=None)
    capped = sample_coordinates(partitions, margin, seed=3, limit=len(full) // 20)
    classes = len(class_shares(partitions, full))
    assert len(capped) == (len(full) // 20 // classes) * classes
    assert class_shares(partitions, capped) == pytest.approx(class_shares(partitions, full))
    assert class_shares(partitions, capped) == pytest.approx(
        dict.fromkeys(class_shares(partitions, full), 1 / classes)
    )
    inside = partitions[3:-3, 5:-5, 4:-4]
    sizes = np.bincount(inside.ravel(), minlength=256)
    quota = len(capped) // classes
    for value in class_shares(partitions, capped):  # a sample of each class: no voxel twice
        members = capped[partitions[tuple(capped.T)] == value]  # unless it has fewer voxels
        distinct = len(np.unique(members, axis=0))
        assert distinct == min(quota, sizes[value])
    assert np.all(capped >= margin) and np.all(capped < np.array(partitions.shape) - margin)
    save_coordinates(tmp_path / "full.npy", full)
    save_coordinates(tmp_path / "capped.npy", capped)
    ratio = (tmp_path / "full.npy").stat().st_size / (tmp_path / "capped.npy").stat().st_size
    assert ratio > 15
    assert len(sample_coordinates(partitions, margin, 3)) == len(full)  # under the default cap


def test_the_stage_stores_at_most_max_coordinates(tmp_path):
    labels = synthetic_labels(10, (20, 40, 40))
    shares, sizes = [], []
    for limit in (None, 2000):
        project = make_project(tmp_path / f"p{limit}", labels)
        config = PreprocessConfig(lom_radius_xyz=(3, 3, 2), min_size=50, max_coordinates=limit)
        result = preprocess(config, project, emit=Emitter("preprocess", io.StringIO()))
        coordinates = load_coordinates(project)
        assert result.extra["coordinates_count"] == len(coordinates)
        partitions = compute_partitions(labels, THRESHOLDS, (3, 3, 2), 50)
        shares.append(class_shares(partitions, coordinates))
        sizes.append(project.path("preprocess", "coordinates.npy").stat().st_size)
    assert len(load_coordinates(project)) <= 2000
    assert shares[1] == pytest.approx(shares[0])
    assert sizes[0] / sizes[1] > 10
    with pytest.raises(UserError, match="leaves none"):
        PreprocessConfig(max_coordinates=0)


def test_tfrecord_round_trip(tmp_path):
    import tensorflow as tf

    from ffn_core.preprocess.tfrecord import (
        expand_pattern,
        read_coordinates_tfrecord,
        write_coordinates_tfrecord,
    )

    zyx = np.random.default_rng(0).integers(0, 70000, (3000, 3))
    zyx[0] = (1, 2, 3)
    write_coordinates_tfrecord(tmp_path / "c-00000-of-00002", zyx[:1000], "validation1")
    write_coordinates_tfrecord(tmp_path / "c-00001-of-00002", zyx[1000:], "validation1")
    back, names = read_coordinates_tfrecord(f"{tmp_path / 'c'}@2")
    np.testing.assert_array_equal(back, zyx)
    assert set(names) == {b"validation1"} and len(names) == 3000
    assert expand_pattern(str(tmp_path / "c-*")) == expand_pattern(f"{tmp_path / 'c'}@2")
    record = next(
        iter(tf.data.TFRecordDataset(str(tmp_path / "c-00000-of-00002"), compression_type="GZIP"))
    )
    example = tf.train.Example.FromString(record.numpy())
    assert list(example.features.feature["center"].int64_list.value) == [3, 2, 1]  # x, y, z
    assert list(example.features.feature["label_volume_name"].bytes_list.value) == [b"validation1"]


# -- stage and CLI ----------------------------------------------------------------------------
def make_project(root: Path, labels: np.ndarray) -> Project:
    project = Project.create(root)
    path = project.path("volumes", "labels.h5")
    path.parent.mkdir(parents=True)
    with h5py.File(path, "w") as handle:
        handle.create_dataset("raw", data=labels, chunks=True, compression="gzip")
    project.register_volume("labels", path, "raw")
    return project


def test_cli_writes_partitions_coordinates_and_tfrecord(tmp_path):
    labels = synthetic_labels(6, (20, 40, 40))
    project = make_project(tmp_path / "p", labels)
    command = [
        sys.executable,
        "-m",
        "ffn_core",
        "preprocess",
        "--project",
        str(project.root),
        "--lom-radius",
        "3,3,2",
        "--min-size",
        "50",
        "--margin",
        "2,3,4",
        "--seed",
        "5",
        "--coordinates-tfrecord",
        str(tmp_path / "coords.gz"),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 0, done.stdout + done.stderr
    assert any(line["type"] == "progress" and line["unit"] == "objects" for line in lines)
    outputs = result_outputs(lines, project.root)
    partitions = compute_partitions(labels, THRESHOLDS, (3, 3, 2), 50)
    assert outputs["partitions"] == f"{project.path('preprocess', 'partitions.h5')}:af"
    with h5py.File(project.path("preprocess", "partitions.h5"), "r") as handle:
        np.testing.assert_array_equal(handle["af"][...], partitions)
        np.testing.assert_array_equal(
            handle["af"].attrs["bounding_boxes"], [[[3, 3, 2], [34, 34, 16]]]
        )
    coordinates = load_coordinates(Project.open(project.root))
    assert outputs["coordinates"] == str(project.path("preprocess", "coordinates.npy"))
    np.testing.assert_array_equal(coordinates, sample_coordinates(partitions, (2, 3, 4), 5))
    from ffn_core.preprocess.tfrecord import read_coordinates_tfrecord

    np.testing.assert_array_equal(
        read_coordinates_tfrecord(outputs["coordinates_tfrecord"])[0], coordinates
    )
    params = Project.open(project.root).stage_params("preprocess")
    assert params["lom_radius_xyz"] == [3, 3, 2] and params["margin_zyx"] == [2, 3, 4]
    assert sorted(p.name for p in project.path("preprocess").iterdir()) == [
        "coordinates.npy",
        "partitions.h5",
    ]


def test_the_engine_function_runs_from_plain_python(tmp_path):
    labels = synthetic_labels(10, (20, 40, 40))
    project = make_project(tmp_path / "p", labels)
    config = PreprocessConfig(lom_radius_xyz=(3, 3, 2), min_size=50, seed=4)
    stream = io.StringIO()
    result = preprocess(config, project, emit=Emitter("preprocess", stream), cancel=CancelToken())
    partitions = compute_partitions(labels, THRESHOLDS, (3, 3, 2), 50)
    expected = sample_coordinates(partitions, (2, 3, 3), 4)  # margin: the radius, z first
    assert result.status == "completed"
    assert result.outputs == {
        "partitions": f"{project.path('preprocess', 'partitions.h5')}:af",
        "coordinates": str(project.path("preprocess", "coordinates.npy")),
    }
    assert result.extra == {"coordinates_count": len(expected)}
    np.testing.assert_array_equal(load_coordinates(project), expected)
    params = Project.open(project.root).stage_params("preprocess")
    assert params == {
        **config.to_dict(),
        "margin_zyx": [2, 3, 3],
        "coordinates_count": len(expected),
    }
    assert '"unit": "objects"' in stream.getvalue()


def test_config_round_trips_and_refuses_bad_values():
    config = PreprocessConfig(
        thresholds=(0.1, 0.5),
        lom_radius_xyz=(8, 8, 3),
        min_size=5,
        margin_zyx=(1, 2, 3),
        seed=7,
        coordinates_tfrecord="c.gz",
    )
    data = config.to_dict()
    assert data["thresholds"] == [0.1, 0.5] and data["margin_zyx"] == [1, 2, 3]
    assert PreprocessConfig.from_dict(data) == config
    assert PreprocessConfig().margin == (24, 24, 24)
    assert PreprocessConfig(lom_radius_xyz=(4, 5, 6)).margin == (6, 5, 4)
    for changes, message in (
        ({"thresholds": (0.5, 0.2)}, "Thresholds '0.5,0.2' are not increasing"),
        ({"lom_radius_xyz": (3, 3)}, "--lom-radius '3,3' is not three non-negative integers X,Y,Z"),
        ({"margin_zyx": (1, -1, 1)}, "--margin '1,-1,1' is not three non-negative"),
        ({"min_size": -3}, "--min-size -3 is negative"),
    ):
        with pytest.raises(UserError, match=message):
            PreprocessConfig(**changes)


def test_a_stop_at_any_point_leaves_the_previous_outputs(tmp_path):
    project = make_project(tmp_path / "p", synthetic_labels(7, (20, 40, 40)))
    config = PreprocessConfig(
        lom_radius_xyz=(3, 3, 2), min_size=50, seed=1, coordinates_tfrecord=str(tmp_path / "c.gz")
    )
    counter = CancelAfter(10**9)
    quiet = Emitter(stream=io.StringIO())
    assert preprocess(config, project, emit=quiet, cancel=counter).status == "completed"
    files = sorted(project.path("preprocess").iterdir()) + [tmp_path / "c.gz"]
    before = [path.read_bytes() for path in files]
    other = PreprocessConfig(
        lom_radius_xyz=(2, 2, 2), min_size=50, seed=2, coordinates_tfrecord=str(tmp_path / "c.gz")
    )
    for checks in range(counter.asked):
        result = preprocess(
            other, project, emit=Emitter(stream=io.StringIO()), cancel=CancelAfter(checks)
        )
        assert result.status == "stopped" and result.outputs == {}
        assert sorted(project.path("preprocess").iterdir()) + [tmp_path / "c.gz"] == files
        assert [path.read_bytes() for path in files] == before
    assert sorted(tmp_path.iterdir()) == [tmp_path / "c.gz", tmp_path / "p"]


def test_user_errors_name_the_value_and_say_what_to_do(tmp_path):
    project = make_project(tmp_path / "p", synthetic_labels(8, (10, 40, 40)))
    with pytest.raises(UserError, match="lom-radius") as info:
        preprocess(
            PreprocessConfig(lom_radius_xyz=(3, 3, 5)), project, emit=Emitter(stream=io.StringIO())
        )
    assert "fov_size//2 + deltas" in info.value.hint
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ffn_core",
            "preprocess",
            "--project",
            str(project.root),
            "--thresholds",
            "0.5,0.2",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    error = json.loads(done.stdout.splitlines()[-1])
    assert done.returncode == 2 and error["type"] == "error" and "0.5,0.2" in error["message"]
    with pytest.raises(UserError, match="no 'labels' volume"):
        preprocess(
            PreprocessConfig(),
            Project.create(tmp_path / "empty"),
            emit=Emitter(stream=io.StringIO()),
        )


def test_coordinates_a_user_brings_as_tfrecord_are_stored_and_checked(tmp_path):
    from ffn_core.preprocess.tfrecord import write_coordinates_tfrecord

    project = make_project(tmp_path / "p", synthetic_labels(9, (20, 40, 40)))
    zyx = np.array([[5, 6, 7], [19, 39, 39], [0, 0, 0]])
    write_coordinates_tfrecord(tmp_path / "mine.gz", zyx, "validation1")
    config = PreprocessConfig(
        lom_radius_xyz=(3, 3, 2), min_size=50, coordinates_from_tfrecord=str(tmp_path / "mine.gz")
    )
    quiet = Emitter(stream=io.StringIO())
    assert preprocess(config, project, emit=quiet).status == "completed"
    np.testing.assert_array_equal(load_coordinates(project), zyx)
    write_coordinates_tfrecord(tmp_path / "other.gz", zyx + [0, 1, 0], "validation1")
    (tmp_path / "text.gz").write_text("not a tfrecord")
    for name, message in (
        ("other.gz", "outside the labels"),
        ("text.gz", "Cannot read"),
        ("missing@2", "Cannot read"),
    ):
        bad = PreprocessConfig(
            lom_radius_xyz=(3, 3, 2), min_size=50, coordinates_from_tfrecord=str(tmp_path / name)
        )
        with pytest.raises(UserError, match=message):
            preprocess(bad, project, emit=quiet)
    np.testing.assert_array_equal(load_coordinates(project), zyx)
