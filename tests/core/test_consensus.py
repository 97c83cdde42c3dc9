"""Forward/reverse seed-order consensus (issue 13, step 2): the split rule on hand-built
segmentations, the reverse-order seed policy, and the whole step on a hand-built volume where
the model's field of view reaches across thin membranes, so that whichever cell is seeded first
takes a strip of its neighbour."""

from __future__ import annotations

import io
import json
from pathlib import Path

import h5py
import numpy as np
import pytest

from ffn_core.errors import UserError
from ffn_core.events import Emitter
from ffn_core.infer import storage
from ffn_core.infer.canvas import CanvasOptions
from ffn_core.infer.consensus import (
    REVERSE_DIR,
    ConsensusSettings,
    ModelPass,
    load_origins,
    split_consensus,
)
from ffn_core.infer.refine import fill, refine_run
from ffn_core.infer.runner import RunSettings, run_subvolume
from ffn_core.infer.seeds import STANDALONE_POLICIES, make_seed_policy

SHAPE = (7, 24, 56)
MEMBRANE_X = (16, 17)  # two voxels: the FOV cannot move across, but reaches over
LEFT, RIGHT, APART = slice(0, 16), slice(18, 34), slice(40, 56)  # APART: behind a thick band


def _image() -> np.ndarray:
    """Bright cells (noisy) along x: LEFT and RIGHT apart by a thin membrane, APART behind a
    band of six dark voxels that no FOV reaches across."""
    rng = np.random.default_rng(0)
    image = 180 + rng.normal(0, 10, SHAPE)
    image[:, :, MEMBRANE_X[0] : MEMBRANE_X[1] + 1] = 30
    image[:, :, RIGHT.stop : APART.start] = 30
    return np.clip(image, 0, 255).astype(np.uint8)


def _ids(seg: np.ndarray, cell: slice) -> set[int]:
    return set(np.unique(seg[:, :, cell]).tolist()) - {0}


# -- the split rule ---------------------------------------------------------------------------
def _reference_split(a: np.ndarray, b: np.ndarray, min_size: int) -> np.ndarray:
    """The reference's ``split_segmentation_by_intersection``, written out as a loop: pairs in
    the order of (b, a); each a keeps its id on its largest pair (first such on a tie); other
    pairs get max(a) + 1, + 2, ...; pairs under ``min_size`` and pairs of a = 0 become 0."""
    pairs: dict[tuple[int, int], int] = {}
    for key in zip(b.ravel().tolist(), a.ravel().tolist()):
        pairs[key] = pairs.get(key, 0) + 1
    best: dict[int, tuple[int, int]] = {}
    for (label_b, label_a), count in sorted(pairs.items()):
        if label_a not in best or best[label_a][1] < count:
            best[label_a] = (label_b, count)
    new_id, labels = int(a.max()), {}
    for (label_b, label_a), count in sorted(pairs.items()):
        if count < min_size or label_a == 0:
            labels[label_b, label_a] = 0
        elif best[label_a][0] == label_b:
            labels[label_b, label_a] = label_a
        else:
            new_id += 1
            labels[label_b, label_a] = new_id
    return np.array([labels[key] for key in zip(b.ravel().tolist(), a.ravel().tolist())]).reshape(
        a.shape
    )


@pytest.mark.parametrize("seed", range(4))
def test_the_split_is_the_reference_rule(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 5, (3, 6, 7)).astype(np.uint32)
    b = rng.integers(0, 4, (3, 6, 7)).astype(np.uint32)
    for min_size in (0, 3, 6):
        settings = ConsensusSettings(split_min_size=min_size, split_components=False)
        np.testing.assert_array_equal(
            split_consensus(a, b, settings), _reference_split(a, b, min_size)
        )


def test_an_object_the_second_pass_splits_is_split_and_agreeing_ones_stay() -> None:
    first = np.zeros((2, 4, 16), np.uint32)
    first[:, :, 0:9] = 4  # a merger of two cells
    first[:, :, 11:16] = 7  # one cell
    second = np.zeros_like(first)
    second[:, :, 0:6], second[:, :, 6:9], second[:, :, 11:16] = 2, 1, 9
    second[:, 0, 10] = 5  # a second-pass object where the first pass left the voxels empty
    split = split_consensus(first, second, ConsensusSettings(split_min_size=10))
    np.testing.assert_array_equal(split[:, :, 0:6], 4)  # the larger piece keeps the id
    np.testing.assert_array_equal(split[:, :, 6:9], 8)  # the other one: the next free id
    np.testing.assert_array_equal(split[:, :, 11:16], 7)  # agreeing: untouched
    assert not split[:, :, 9:11].any()
    emptied = split_consensus(first, second, ConsensusSettings(split_min_size=25))
    np.testing.assert_array_equal(emptied[:, :, 0:6], 4)
    assert not emptied[:, :, 6:9].any()  # a piece smaller than split_min_size is emptied


def test_pieces_the_second_pass_left_empty_stay_with_their_object() -> None:
    first = np.zeros((1, 4, 12), np.uint32)
    first[:, :, :] = 3
    second = np.zeros_like(first)
    second[:, :, 0:4] = 1  # the rest (8 columns) is empty in the second pass
    split = split_consensus(first, second, ConsensusSettings(split_min_size=1))
    np.testing.assert_array_equal(split[:, :, 4:], 3)  # the largest piece: with the empty
    np.testing.assert_array_equal(split[:, :, :4], 4)


def test_disconnected_parts_are_cut_apart_first() -> None:
    first = np.zeros((1, 3, 12), np.uint32)
    first[:, :, 0:7] = first[:, :, 9:12] = 2  # one id, two components
    agreeing = first.copy()
    split = split_consensus(first, agreeing, ConsensusSettings(split_min_size=1))
    np.testing.assert_array_equal(split[:, :, 0:7], 2)  # the largest component keeps the id
    np.testing.assert_array_equal(split[:, :, 9:12], 3)
    kept = split_consensus(first, agreeing, ConsensusSettings(1, split_components=False))
    np.testing.assert_array_equal(kept, first)
    with pytest.raises(UserError):
        split_consensus(first, agreeing[:, :2])
    assert not split_consensus(np.zeros_like(first), agreeing).any()  # no object: nothing to cut


# -- the reverse-order seeds ------------------------------------------------------------------
def test_invert_origins_hands_out_the_starts_last_first() -> None:
    image = np.zeros((9, 9, 9), np.float32)
    starts = [[4, 4, 4], [0, 4, 4], [5, 5, 5], [4, 6, 3]]  # (0, 4, 4) has no context
    policy = make_seed_policy(
        "PolicyInvertOrigins", image, np.zeros_like(image, np.int32), (2, 2, 2),
        {"origins_zyx": starts},
    )  # fmt: skip
    assert [policy.next() for _ in range(4)] == [(4, 6, 3), (5, 5, 5), (4, 4, 4), None]
    with pytest.raises(UserError, match="origins_zyx"):
        make_seed_policy("PolicyInvertOrigins", image, image, (2, 2, 2))
    assert "PolicyInvertOrigins" not in STANDALONE_POLICIES  # no choice for a run of its own


# -- the whole step ---------------------------------------------------------------------------
def _volume(spec: str) -> np.ndarray:
    file, name = spec.rsplit(":", 1)
    with h5py.File(file, "r") as handle:
        return handle[name][...]


def test_the_infer_stage_splits_what_the_reverse_pass_disagrees_on(
    blob_checkpoint, tmp_path
) -> None:
    from ffn_core.project import Project
    from ffn_core.stages.infer import InferConfig, infer
    from tests.core.stack_files import TINY, image_project

    project = Project.open(image_project(tmp_path / "p", _image(), mean=128.0, std=60.0))
    plain = InferConfig(
        checkpoint=str(blob_checkpoint), model_args=TINY, min_segment_size=10,
        seed_policy="PolicyGrid3d", refresh_interval=0.0, run="plain", refine="none",
    )  # fmt: skip
    first = _volume(infer(plain, project).outputs["segmentation"])
    result = infer(plain.replace(run="consensus", refine="consensus"), project)
    np.testing.assert_array_equal(_volume(result.outputs["first_pass"]), first)
    reverse = _volume(result.outputs["reverse_pass"])
    seg = _volume(result.outputs["segmentation"])

    # the first pass: the left cell's object reaches over the membrane into the right cell
    assert _ids(first, LEFT) & _ids(first, RIGHT)
    # the reverse pass: the right cell's object, now first, reaches into the left cell
    run_dir = tmp_path / "p" / "inference" / "consensus"
    forward = load_origins(run_dir, (0, 0, 0))
    backward = load_origins(run_dir / REVERSE_DIR, (0, 0, 0))
    assert backward[1][0] == forward[max(forward)][0]  # seeded last object first
    assert _ids(reverse, LEFT) & _ids(reverse, RIGHT)
    assert _ids(reverse, LEFT) != _ids(first, LEFT)
    # the consensus: no object on both sides; the cell apart is untouched
    assert not _ids(seg, LEFT) & _ids(seg, RIGHT)
    assert _ids(seg, LEFT) and _ids(seg, RIGHT)
    np.testing.assert_array_equal(seg[:, :, APART], first[:, :, APART])
    np.testing.assert_array_equal(seg, split_consensus(first, reverse))
    stats = result.extra["refine"]["consensus"]
    assert stats["reverse_objects"] == len(backward)
    assert stats["voxels_emptied"] == int(np.count_nonzero((first > 0) & (seg == 0))) > 0

    stream = io.StringIO()
    both = infer(plain.replace(run="all", refine="all"), project, emit=Emitter("infer", stream))
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    shown = [  # what the GUI shows: the run's own segmentation, again once refined
        (n, record["path"])
        for n, record in enumerate(records)
        if record["type"] == "artifact" and record["kind"] == "segmentation"
    ]
    filled_at = next(n for n, r in enumerate(records) if r.get("message", "").startswith("Fill:"))
    last, path = shown[-1]
    assert path == both.outputs["segmentation"] and last > filled_at
    assert not any(REVERSE_DIR in Path(path).parts for _, path in shown)
    assert list(both.extra["refine"]) == ["consensus", "agglomerate", "fill"]
    np.testing.assert_array_equal(_volume(both.outputs["first_pass"]), first)
    filled, _ = fill(seg, _image())
    np.testing.assert_array_equal(_volume(both.outputs["segmentation"]), filled)


class _Stopped:
    cancelled = True


def test_a_stopped_reverse_pass_leaves_the_first_pass_unrefined(tmp_path) -> None:
    image = np.where(_image() > 100, 1.0, -1.0).astype(np.float32)

    def predict(images: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        return seeds + 6.0 * images

    settings = RunSettings(
        bbox_start=(0, 0, 0), bbox_stop=SHAPE, options=CanvasOptions(min_segment_size=10),
        fov_size_zyx=(5, 7, 9), deltas_zyx=(1, 2, 2), seed_policy="PolicyGrid3d",
        refresh_interval=0.0,
    )  # fmt: skip
    assert run_subvolume(image, settings, predict, tmp_path).status == "completed"
    with h5py.File(tmp_path / storage.H5_NAME, "r") as handle:
        first = handle["segmentation"][...]
    stream = io.StringIO()
    model = ModelPass(settings, predict, _Stopped())
    stopped = refine_run(tmp_path, image, ("consensus",), Emitter("infer", stream), model=model)
    assert stopped is None
    with h5py.File(tmp_path / storage.H5_NAME, "r") as handle:
        assert list(handle) == ["probabilities", "segmentation"]
        np.testing.assert_array_equal(handle["segmentation"][...], first)
    logs = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert any("Stopped during the consensus" in record.get("message", "") for record in logs)
    refined = refine_run(
        tmp_path, image, ("consensus",), Emitter("infer", stream),
        model=ModelPass(settings, predict), consensus_settings=ConsensusSettings(10),
    )  # fmt: skip
    assert refined is not None
    reverse = _volume(refined["outputs"]["reverse_pass"])
    np.testing.assert_array_equal(
        _volume(refined["outputs"]["segmentation"]),
        split_consensus(first, reverse, ConsensusSettings(10)),
    )
