"""Training on several volumes of one project: import, joint coordinates, examples by share."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import h5py
import numpy as np
import pytest

from ffn_core.cli import train_options
from ffn_core.demo_data import DemoSpec, make_demo_volume
from ffn_core.errors import UserError
from ffn_core.events import Emitter
from ffn_core.preprocess.coordinates import (
    balanced_coordinates,
    joint_balanced_coordinates,
    load_coordinates,
)
from ffn_core.preprocess.partitions import compute_partitions
from ffn_core.project import Project, parse_volume_names
from ffn_core.stages.import_volumes import ImportConfig, import_volumes
from ffn_core.stages.preprocess import PreprocessConfig, preprocess
from ffn_core.stages.train import TrainConfig
from ffn_core.train.examples import (
    ExampleConfig,
    ExampleStream,
    TrainVolume,
    VolumeSampler,
    object_mask,
)
from ffn_core.train.volumes import make_feeder, usable_coordinates
from tests.core.stack_files import result_outputs, run_cli, write_h5

SHAPES = {"main": (20, 40, 40), "stack2": (16, 56, 48)}
RADIUS_XYZ = (4, 4, 3)
THRESHOLDS = (0.2, 0.5, 0.8)
EXAMPLES = ExampleConfig(
    (5, 7, 7), (1, 2, 2), permutable_axes=(), reflectable_axes=(), image_mean=0.0
)


def _quiet() -> Emitter:
    return Emitter(stream=io.StringIO())


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    """A project with two imported stacks ("main" and "stack2"), preprocessed together."""
    root = tmp_path_factory.mktemp("volumes")
    project = Project.create(root / "project")
    for seed, (name, shape) in enumerate(SHAPES.items()):
        image, labels = make_demo_volume(DemoSpec(shape_zyx=shape, n_cells=6, seed=seed))
        source = write_h5(root / f"{name}.h5", image, "image")
        write_h5(source, labels, "labels")
        config = ImportConfig(f"{source}:image", f"{source}:labels", volume=name)
        assert import_volumes(config, project, emit=_quiet()).status == "completed"
    config = PreprocessConfig(
        thresholds=THRESHOLDS, lom_radius_xyz=RADIUS_XYZ, min_size=20, volumes=tuple(SHAPES)
    )
    assert preprocess(config, project, emit=_quiet()).status == "completed"
    return Project.open(project.root)


def _labels(project: Project, name: str) -> np.ndarray:
    key = "labels" if name == "main" else f"{name}/labels"
    with h5py.File(project.path(project.volume(key)["file"]), "r") as handle:
        return handle["raw"][...]


def test_a_second_stack_is_imported_beside_the_first(project):
    volumes = project.data["volumes"]
    assert sorted(volumes) == ["image", "labels", "stack2/image", "stack2/labels"]
    assert volumes["stack2/image"]["file"] == "volumes/stack2/image.h5"
    assert volumes["labels"]["shape"] == list(SHAPES["main"])
    assert volumes["stack2/labels"]["shape"] == list(SHAPES["stack2"])
    assert project.stage_params("import")["images"].endswith("main.h5:image")  # main's only


def test_coordinates_are_balanced_over_both_volumes_together(project):
    margin = RADIUS_XYZ[::-1]
    partitions = [
        compute_partitions(_labels(project, name), THRESHOLDS, RADIUS_XYZ, 20) for name in SHAPES
    ]
    stored = [load_coordinates(project, volume=name) for name in SHAPES]
    expected = joint_balanced_coordinates(partitions, margin, seed=0)
    for coords, joint, shape in zip(stored, expected, SHAPES.values()):
        np.testing.assert_array_equal(coords, joint[:])
        assert np.all(coords >= margin) and np.all(coords < np.subtract(shape, margin))
    classes = np.concatenate(
        [part[tuple(coords.T)] for part, coords in zip(partitions, stored)]
    )  # the class of every coordinate, over both volumes
    counts = np.bincount(classes)
    assert set(counts[counts > 0]) == {counts.max()}  # every class equally often
    crops = [
        part[tuple(slice(m, n - m) for m, n in zip(margin, part.shape))] for part in partitions
    ]
    voxels = sum(np.bincount(crop.ravel(), minlength=256) for crop in crops)
    largest = voxels[:255].argmax()  # its coordinates: each of its voxels once
    assert counts.max() == voxels[largest]
    for part, crop, coords in zip(partitions, crops, stored):
        assert np.sum(part[tuple(coords.T)] == largest) == np.sum(crop == largest)
    one = joint_balanced_coordinates(partitions[:1], margin, seed=3)[0]
    np.testing.assert_array_equal(one[:], balanced_coordinates(partitions[0], margin, 3)[:])


def test_preprocess_writes_each_volume_beside_its_own_files(project):
    files = sorted(
        p.relative_to(project.path("preprocess")).as_posix()
        for p in project.path("preprocess").rglob("*")
        if p.is_file()
    )
    assert files == [
        "coordinates.npy",
        "partitions.h5",
        "stack2/coordinates.npy",
        "stack2/partitions.h5",
    ]
    params = project.stage_params("preprocess")
    assert params["volumes"] == ["main", "stack2"]
    assert params["coordinates_count"] == sum(
        len(load_coordinates(project, volume=name)) for name in SHAPES
    )


def test_the_cli_preprocesses_several_volumes(project, tmp_path):
    code, events = run_cli(
        "preprocess",
        "--project",
        project.root,
        "--thresholds",
        ",".join(map(str, THRESHOLDS)),
        "--lom-radius",
        ",".join(map(str, RADIUS_XYZ)),
        "--min-size",
        "20",
        "--volumes",
        "main,stack2",
    )
    assert code == 0, events[-3:]
    outputs = result_outputs(events, project.root)
    assert outputs["stack2/coordinates"] == str(
        project.path("preprocess", "stack2", "coordinates.npy")
    )
    assert outputs["coordinates"] == str(project.path("preprocess", "coordinates.npy"))
    assert events[-1]["volume_coordinates"] == {
        name: len(load_coordinates(project, volume=name)) for name in SHAPES
    }


def _volumes(project: Project, handles: list) -> list[TrainVolume]:
    """Both volumes as the train stage opens them: h5py datasets and mapped coordinates."""
    volumes = []
    for name in SHAPES:
        prefix = "" if name == "main" else f"{name}/"
        opened = [
            h5py.File(project.path(project.volume(prefix + k)["file"]), "r")
            for k in ("image", "labels")
        ]
        handles += opened
        coords = load_coordinates(project, volume=name)
        volumes.append(TrainVolume(name, opened[0]["raw"], opened[1]["raw"], coords))
    return volumes


def test_examples_come_from_both_volumes_by_their_share_and_stay_inside_them(project):
    handles: list = []
    try:
        volumes = _volumes(project, handles)
        feeder = make_feeder(volumes, EXAMPLES, 4, np.random.default_rng(5))
        finished = []
        try:
            while len(finished) < 1600:
                batch = feeder.next_batch()
                # logits below the move threshold: every example is one FOV
                feeder.give_back(batch, np.full_like(batch.seed, -5.0))
                finished += feeder.pop_finished()
        finally:
            feeder.close()
        labels = {name: _labels(project, name) for name in SHAPES}
        coords = {v.name: {tuple(c) for c in np.asarray(v.coords_zyx)} for v in volumes}
        for example in finished:
            assert example.center_zyx in coords[example.volume]
            patch = labels[example.volume][
                tuple(
                    slice(c - (s - 1) // 2, c - (s - 1) // 2 + s)
                    for c, s in zip(example.center_zyx, EXAMPLES.load_size_zyx)
                )
            ]
            assert (example.labels > 0.5).tolist() == object_mask(patch).tolist()
        counts = {v.name: len(v.coords_zyx) for v in volumes}
        share = counts["stack2"] / sum(counts.values())
        drawn = sum(example.volume == "stack2" for example in finished) / len(finished)
        assert abs(drawn - share) < 4 * np.sqrt(share * (1 - share) / len(finished))
    finally:
        for handle in handles:
            handle.close()


def test_the_sampler_draws_by_share_and_reads_each_volume_in_order():
    volumes = [
        TrainVolume("a", None, None, np.arange(30).reshape(10, 3)),
        TrainVolume("b", None, None, 100 + np.arange(12).reshape(4, 3)),
    ]
    sampler = VolumeSampler(volumes, np.random.default_rng(0), shares=(1, 3), starts=(2, 1))
    draws = [sampler.next() for _ in range(20000)]
    names = [volume.name for volume, _ in draws]
    assert abs(names.count("b") / len(names) - 0.75) < 0.015
    b_centres = [centre for volume, centre in draws if volume.name == "b"]
    assert b_centres[:5] == [
        (103, 104, 105),
        (106, 107, 108),
        (109, 110, 111),
        (100, 101, 102),
        (103, 104, 105),
    ]
    even = VolumeSampler(volumes, np.random.default_rng(1))  # default shares: the counts
    names = [even.next()[0].name for _ in range(14000)]
    assert abs(names.count("a") / len(names) - 10 / 14) < 0.015
    with pytest.raises(ValueError, match="at least one coordinate"):
        VolumeSampler([TrainVolume("c", None, None, np.zeros((0, 3)))], np.random.default_rng())


def test_one_volume_feeds_exactly_as_before(project):
    """make_feeder of one volume gives the FOVs of the single-volume streams it replaces."""
    image, labels = (_labels(project, "main"),) * 2
    coords = np.asarray(load_coordinates(project))
    volume = TrainVolume("main", image, labels, coords)
    feeder = make_feeder([volume], EXAMPLES, 2, np.random.default_rng([7, 0]))
    rng = np.random.default_rng([7, 0])  # what the Trainer built before
    block = usable_coordinates(coords, image.shape, EXAMPLES.load_size_zyx, rng)
    streams = [
        ExampleStream(
            image,
            labels,
            block,
            EXAMPLES,
            np.random.default_rng(rng.integers(2**63)),
            start=i * len(block) // 4,
        )
        for i in range(4)
    ]
    try:
        for _ in range(6):
            batch = feeder.next_batch()
            group = streams[:2] if batch.group == 0 else streams[2:]
            fovs = [stream.next_fov() for stream in group]
            np.testing.assert_array_equal(batch.image, np.stack([f.image for f in fovs]))
            np.testing.assert_array_equal(batch.labels, np.stack([f.labels for f in fovs]))
            logits = np.where(batch.labels > 0.5, 3.0, -3.0).astype(np.float32)
            for stream, prediction in zip(group, logits):
                stream.update(prediction)
            feeder.give_back(batch, logits)
    finally:
        feeder.close()


def test_a_volume_without_room_for_an_example_is_named(project):
    small = TrainVolume("tiny", np.zeros((6, 6, 6)), np.zeros((6, 6, 6)), np.full((3, 3), 3))
    with pytest.raises(UserError, match="in the volume tiny of"):
        make_feeder([small], EXAMPLES, 1, np.random.default_rng())


def test_volume_names_in_the_config_and_the_cli():
    assert TrainConfig().volumes == ("main",)
    assert TrainConfig(volumes="main, stack2").volumes == ("main", "stack2")
    assert TrainConfig.from_dict(TrainConfig(volumes=("a", "b")).to_dict()).volumes == ("a", "b")
    parser = argparse.ArgumentParser()
    train_options.add_arguments(parser)
    args = parser.parse_args(["--project", "p", "--volumes", "main,stack2"])
    assert train_options.to_config(args).volumes == ("main", "stack2")
    assert train_options.to_config(parser.parse_args(["--project", "p"])).volumes == ("main",)
    for bad, message in (("main,main", "name a volume twice"), ("a/b", "cannot name a volume")):
        with pytest.raises(UserError, match=message):
            parse_volume_names(bad)
    with pytest.raises(UserError, match="TFRecord options take one volume"):
        PreprocessConfig(volumes=("main", "b"), coordinates_tfrecord="c.gz")
    with pytest.raises(UserError, match="cannot name a volume"):
        ImportConfig("x.h5:raw", volume="..")


def test_a_missing_volume_says_to_import_it(project, tmp_path):
    with pytest.raises(UserError, match="no 'other/labels' volume"):
        preprocess(PreprocessConfig(volumes=("main", "other")), project, emit=_quiet())
    assert Path(project.path("preprocess", "coordinates.npy")).is_file()
