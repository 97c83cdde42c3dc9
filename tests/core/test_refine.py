"""Fill (issue 13, step 1) on hand-built volumes: bright cells, dark membranes, a first pass
that stops short of them or leaves a whole cell or slice empty."""

from __future__ import annotations

import io
import json

import h5py
import numpy as np
import pytest

from ffn_core.errors import UserError
from ffn_core.events import Emitter
from ffn_core.infer import storage
from ffn_core.infer.refine import (
    DEFAULT_REFINE,
    REFINE_STEPS,
    STEP_DESCRIPTIONS,
    FillSettings,
    fill,
    parse_refine,
    refine_run,
)

SHAPE = (6, 24, 40)
MEMBRANE_X = 20


def _image() -> np.ndarray:
    """Bright cytoplasm (noisy) with a dark membrane plane at x = ``MEMBRANE_X``."""
    rng = np.random.default_rng(0)
    image = 180 + rng.normal(0, 10, SHAPE)
    image[:, :, MEMBRANE_X] = 30
    return np.clip(image, 0, 255).astype(np.uint8)


def _first_pass(left: bool = True, right: bool = True) -> np.ndarray:
    """Objects 1 (left of the membrane) and 2 (right), each stopping 3 voxels short of it."""
    seg = np.zeros(SHAPE, np.uint32)
    if left:
        seg[:, :, 2 : MEMBRANE_X - 3] = 1
    if right:
        seg[:, :, MEMBRANE_X + 4 : 38] = 2
    return seg


def test_two_objects_fill_their_gaps_and_stay_apart_at_the_membrane() -> None:
    seg = _first_pass()
    filled, stats = fill(seg, _image())
    assert np.array_equal(filled[seg > 0], seg[seg > 0])  # the first pass is kept
    assert set(np.unique(filled[:, :, :MEMBRANE_X])) <= {0, 1}
    assert set(np.unique(filled[:, :, MEMBRANE_X + 1 :])) <= {0, 2}
    assert np.all(filled[:, :, MEMBRANE_X - 3 : MEMBRANE_X - 1] == 1)  # gap up to the membrane
    assert np.all(filled[:, :, MEMBRANE_X + 2 : MEMBRANE_X + 4] == 2)
    changed = int(np.count_nonzero(filled != seg))
    assert stats.voxels_filled == changed > 0
    assert stats.empty_before == int(np.count_nonzero(seg == 0))
    assert stats.empty_after == stats.empty_before - changed
    assert (stats.objects_added, stats.voxels_added) == (0, 0)


@pytest.mark.parametrize("grow_distance", [2.0, 100.0])
def test_an_empty_cell_beyond_a_membrane_is_not_grabbed(grow_distance: float) -> None:
    seg = _first_pass(right=False)
    filled, _ = fill(seg, _image(), FillSettings(grow_distance=grow_distance))
    # even an unlimited grow stops: the empty cell's core competes for it
    assert not np.any(filled[:, :, MEMBRANE_X + 1 :])
    assert np.all(filled[:, :, MEMBRANE_X - 3 : MEMBRANE_X - 1] == 1)


def test_an_empty_cell_becomes_a_new_object_when_large_enough() -> None:
    seg = _first_pass(right=False)
    filled, stats = fill(seg, _image(), FillSettings(new_object_min_size=1000))
    # the next id after the first pass's largest, grown from the cell's core
    assert set(np.unique(filled[:, :, MEMBRANE_X + 1 :])) == {0, 2}
    assert np.all(filled[:, :, MEMBRANE_X + 6 :] == 2)
    assert set(np.unique(filled[:, :, :MEMBRANE_X])) <= {0, 1}
    assert stats.objects_added == 1
    assert stats.voxels_added == int(np.count_nonzero(filled == 2))
    kept, stats = fill(seg, _image(), FillSettings(new_object_min_size=10**6))
    assert stats.objects_added == 0 and not np.any(kept[:, :, MEMBRANE_X + 1 :])


def test_a_slice_the_first_pass_missed_is_filled_from_its_neighbour() -> None:
    seg = _first_pass()
    seg[0] = 0
    filled, _ = fill(seg, _image())
    assert np.all(filled[0, :, 2 : MEMBRANE_X - 3] == 1)
    assert np.all(filled[0, :, MEMBRANE_X + 4 : 38] == 2)
    flat, _ = fill(seg, _image(), FillSettings(z_rounds=0))
    assert not np.any(flat[0])


def test_an_empty_first_pass_gets_one_new_object_per_cell() -> None:
    filled, stats = fill(np.zeros(SHAPE, np.uint32), _image(), FillSettings(new_object_min_size=1))
    left = set(np.unique(filled[:, :, :MEMBRANE_X])) - {0}
    right = set(np.unique(filled[:, :, MEMBRANE_X + 1 :])) - {0}
    assert stats.objects_added == 2
    assert len(left) == len(right) == 1 and left != right


def test_a_normalised_image_fills_the_same() -> None:
    seg = _first_pass(right=False)
    raw, _ = fill(seg, _image())
    normalised, _ = fill(seg, (_image() - 150.0) / 40.0)
    assert np.array_equal(raw, normalised)


def test_fill_checks_its_inputs() -> None:
    with pytest.raises(UserError, match="same"):
        fill(np.zeros((2, 3, 4), np.uint32), np.zeros((2, 3, 5)))
    with pytest.raises(UserError):
        FillSettings(grow_distance=-1)


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        ("fill", ("fill",)),
        ("fill, agglomerate", ("agglomerate", "fill")),  # in the order they run
        ("fill,consensus", ("consensus", "fill")),
        ("consensus", ("consensus",)),
        ("all", ("consensus", "agglomerate", "fill")),
        ("none", ()),
    ],
)
def test_parse_refine(text: str, steps: tuple[str, ...]) -> None:
    assert parse_refine(text) == steps


@pytest.mark.parametrize(
    ("text", "steps"),
    [("consensus,fill", ("consensus", "fill")), ("all", ("consensus", "agglomerate", "fill"))],
)
def test_the_cli_refines_with_several_steps(text: str, steps: tuple[str, ...]) -> None:
    import argparse

    from ffn_core.cli import infer_options

    parser = argparse.ArgumentParser()
    infer_options.add_arguments(parser)
    args = parser.parse_args(["--project", "p", "--checkpoint", "c", "--refine", text])
    assert infer_options.to_config(args).refine == steps
    shown = " ".join(parser.format_help().split())
    assert all(f"{step}: {STEP_DESCRIPTIONS[step]}" in shown for step in steps)


def test_every_step_has_one_plain_sentence() -> None:
    assert list(STEP_DESCRIPTIONS) == list(REFINE_STEPS)
    for text in STEP_DESCRIPTIONS.values():
        assert text.endswith(".") and text.count(". ") == 0 and len(text) < 200


@pytest.mark.parametrize("text", ["", "fil", "all,fill"])
def test_parse_refine_refuses(text: str) -> None:
    with pytest.raises(UserError):
        parse_refine(text)


def test_refine_run_keeps_the_first_pass_beside_the_refined_one(tmp_path) -> None:
    seg = _first_pass()
    qprob = np.full(SHAPE, 7, np.uint8)
    storage.write_h5(tmp_path / storage.H5_NAME, seg, qprob, (2, 0, 0), (8, 24, 40), True)
    stream = io.StringIO()
    for _ in range(2):  # a second run refines the kept first pass again
        result = refine_run(tmp_path, _image(), ("fill",), Emitter("infer", stream))
    path = tmp_path / storage.H5_NAME
    assert result["outputs"] == {
        "segmentation": f"{path.resolve()}:segmentation",
        "first_pass": f"{path.resolve()}:first_pass",
    }
    expected, stats = fill(seg, _image())
    assert result["extra"]["refine"]["fill"]["voxels_filled"] == stats.voxels_filled
    with h5py.File(path, "r") as handle:
        assert np.array_equal(handle["first_pass"][...], seg)
        assert np.array_equal(handle["segmentation"][...], expected)
        assert handle["segmentation"].attrs["refine"] == "fill"
        assert list(handle["first_pass"].attrs["bbox_start_zyx"]) == [2, 0, 0]
        assert np.array_equal(handle["probabilities"][...], qprob)
    logs = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert any("Fill:" in record.get("message", "") for record in logs)


def test_the_infer_stage_refines_and_keeps_the_first_pass(blob_checkpoint, tmp_path) -> None:
    from ffn_core.project import Project
    from ffn_core.stages.infer import InferConfig, infer
    from tests.core.stack_files import TINY, image_project

    image = _image()  # the blob model fills bright voxels only: the grey rims stay empty
    image[:, :, MEMBRANE_X - 2 : MEMBRANE_X] = image[:, :, MEMBRANE_X + 1 : MEMBRANE_X + 3] = 110
    project = Project.open(image_project(tmp_path / "p", image, mean=128.0, std=60.0))
    plain = InferConfig(
        checkpoint=str(blob_checkpoint), model_args=TINY, min_segment_size=10,
        seed_policy="PolicyGrid3d", refresh_interval=0.0, run="plain", refine="none",
    )  # fmt: skip
    first = infer(plain, project)
    refined = infer(plain.replace(run="refined", refine=DEFAULT_REFINE), project)
    assert InferConfig(checkpoint="c").refine == DEFAULT_REFINE == ("agglomerate", "fill")
    assert "first_pass" not in first.outputs and "refine" not in first.extra
    assert refined.extra["refine"]["fill"]["voxels_filled"] > 0
    assert refined.extra["refine"]["agglomerate"]["objects_before"] > 0

    def volume(spec: str) -> np.ndarray:
        file, name = spec.rsplit(":", 1)
        with h5py.File(file, "r") as handle:
            return handle[name][...]

    np.testing.assert_array_equal(
        volume(refined.outputs["first_pass"]), volume(first.outputs["segmentation"])
    )
    seg = volume(refined.outputs["segmentation"])
    assert np.count_nonzero(seg) > np.count_nonzero(volume(refined.outputs["first_pass"]))
    for label in np.unique(seg[seg > 0]):  # no object crosses the membrane
        sides = np.unique(np.sign(np.nonzero(seg == label)[2] - MEMBRANE_X))
        assert len(sides) == 1 and sides[0] != 0, label
    with pytest.raises(UserError, match="consensus step runs on one box for now"):
        plain.replace(refine=("consensus",), workers=1)
    assert plain.replace(refine=("fill",), workers=1).refine == ("fill",)  # fill in subvolumes
