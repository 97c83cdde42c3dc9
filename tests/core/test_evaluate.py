"""Segmentation scores: hand-computed SNEMI3D adapted Rand and VOI cases, the reference's
figure on the shared SNEMI3D crop, scoring slab by slab (same numbers, bounded reads), and
the ``evaluate`` CLI."""

from __future__ import annotations

import io
from math import log2

import h5py
import numpy as np
import pytest
from PIL import Image
from skimage.metrics import adapted_rand_error

from ffn_core.analysis.evaluate import (
    PIECE_VOXELS,
    ContingencyBuilder,
    adapted_rand,
    contingency,
    score_segmentation,
    voi,
)
from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter
from ffn_core.io.label_sources import open_source, scored_box, scoring_slabs
from ffn_core.project import Project
from ffn_core.stages.evaluate import EvaluateConfig, evaluate
from tests.core.stack_files import run_cli as run_stage_cli


def scores(seg, gt):
    return score_segmentation(np.asarray(seg), np.asarray(gt))


def assert_scores(result, arand, precision, recall, voi_split, voi_merge):
    expected = dict(
        arand=arand, precision=precision, recall=recall, voi_split=voi_split, voi_merge=voi_merge
    )
    assert result == pytest.approx(expected, abs=1e-12)


# Pairs are ordered and include a voxel with itself: a segment of size s gives s**2.
def test_perfect_match_scores_zero_whatever_the_ids():
    assert_scores(scores([5, 5, 7, 7], [1, 1, 2, 2]), 0.0, 1.0, 1.0, 0.0, 0.0)


def test_all_merged():
    # n_ij = 2, 2 -> 8 pairs together; seg 4**2 = 16; gt 2**2 + 2**2 = 8.
    # precision 8/16, recall 8/8, F = 2*.5/1.5 = 2/3; VOI merge = H(gt) = 1 bit.
    assert_scores(scores([3, 3, 3, 3], [1, 1, 2, 2]), 1 / 3, 0.5, 1.0, 0.0, 1.0)


def test_all_split():
    # four singletons: 4 together; seg 4; gt 16 -> recall 1/4, F = 0.5/1.25 = 0.4.
    assert_scores(scores([1, 2, 3, 4], [1, 1, 1, 1]), 0.6, 1.0, 0.25, 2.0, 0.0)


def test_prediction_zero_is_unassigned_singletons_not_one_segment():
    # All 0 = four singletons, exactly like the all-split case.
    assert_scores(scores([0, 0, 0, 0], [1, 1, 1, 1]), 0.6, 1.0, 0.25, 2.0, 0.0)
    # [0, 0, 5, 5]: together 2**2 + 1 + 1 = 6; seg 4 + 1 + 1 = 6; gt 16 -> recall 3/8,
    # F = 0.75/1.375 = 6/11. Joint p = 1/2, 1/4, 1/4 -> H = 1.5 bits = split; merge 0.
    assert_scores(scores([0, 0, 5, 5], [1, 1, 1, 1]), 5 / 11, 1.0, 0.375, 1.5, 0.0)


def test_ground_truth_zero_is_ignored():
    assert_scores(scores([7, 7, 7, 7], [0, 0, 1, 1]), 0.0, 1.0, 1.0, 0.0, 0.0)
    assert_scores(scores([0, 9, 7, 7], [0, 0, 1, 1]), 0.0, 1.0, 1.0, 0.0, 0.0)


def test_mixed_2d_case():
    gt = [[1, 1, 2], [1, 2, 2]]
    seg = [[1, 1, 1], [0, 2, 2]]
    # n(1,1) = 2, n(2,1) = 1, n(2,2) = 2, one unassigned voxel in GT 1.
    # together 4 + 1 + 4 + 1 = 10; seg sizes 3, 2 (+1 singleton) -> 9 + 4 + 1 = 14;
    # gt sizes 3, 3 -> 18. precision 5/7, recall 5/9, F = (50/63) / (80/63) = 5/8.
    h_joint = 2 * (2 / 6) * log2(3) + 2 * (1 / 6) * log2(6)
    h_seg = 0.5 * 1 + (2 / 6) * log2(3) + (1 / 6) * log2(6)
    assert_scores(scores(seg, gt), 3 / 8, 5 / 7, 5 / 9, h_joint - 1.0, h_joint - h_seg)


def test_contingency_counts_and_large_ids():
    table = contingency(np.array([2**40, 2**40, 0, 3], np.uint64), np.array([9, 9, 9, 0]))
    assert table.unassigned == 1 and table.voxels == 3
    assert table.table.toarray().tolist() == [[2]]  # ID 3 lies on GT 0: not scored
    assert table.gt_sizes.tolist() == [3]


def test_split_functions_agree_with_the_combined_one():
    rng = np.random.default_rng(0)
    gt, seg = rng.integers(0, 4, (5, 6, 7)), rng.integers(0, 5, (5, 6, 7))
    assert {**adapted_rand(seg, gt), **voi(seg, gt)} == pytest.approx(scores(seg, gt))


def test_skimage_differs_so_it_is_not_our_reference():
    # skimage counts pairs as s*(s-1), keeps predicted 0 as a segment, and its
    # "precision" is our recall (scikit-image #6485): the all-merged case shows both.
    gt, seg = np.array([1, 1, 2, 2]), np.array([3, 3, 3, 3])
    _, sk_precision, sk_recall = adapted_rand_error(gt, seg)
    ours = scores(seg, gt)
    assert ours["precision"] == 0.5 and sk_precision == 1.0
    assert sk_recall == pytest.approx(1 / 3)
    assert adapted_rand_error(np.ones(4, int), np.array([0, 0, 5, 5]))[0] != pytest.approx(
        scores([0, 0, 5, 5], [1, 1, 1, 1])["arand"]
    )


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="shape"):
        contingency(np.zeros((2, 2)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="no labelled"):
        contingency(np.ones(3), np.zeros(3))
    for seg in (np.array([1, -2]), np.array([1.0, 2.5])):
        with pytest.raises(ValueError, match="non-negative integers"):
            contingency(seg, np.ones(2, int))


def table_of_blocks(seg, gt, boxes):
    builder = ContingencyBuilder()
    for box in boxes:
        builder.add(seg[box], gt[box])
    return builder.build()


def test_blocks_in_any_order_give_the_whole_volume_table_to_the_last_bit():
    # Enough voxels for several pieces, enough distinct pairs to merge counts in batches,
    # and IDs above 2**32 (counted through np.unique rather than packed in one key).
    rng = np.random.default_rng(3)
    gt = rng.integers(0, 3000, (40, 256, 256), dtype=np.uint16)
    small = rng.integers(0, 5000, gt.shape).astype(np.uint32)
    seg = small.astype(np.uint64) * 2**40
    assert gt.size > PIECE_VOXELS
    whole = contingency(seg, gt)
    assert np.array_equal(contingency(small, gt).table.data, whole.table.data)
    boxes = [np.s_[z : z + 3, y : y + 100] for z in range(0, 40, 3) for y in range(0, 256, 100)]
    rng.shuffle(boxes)
    table = table_of_blocks(seg, gt, boxes)
    assert table.unassigned == whole.unassigned and table.voxels == gt.astype(bool).sum()
    assert np.array_equal(table.gt_sizes, whole.gt_sizes)
    assert (table.table != whole.table).nnz == 0
    assert np.array_equal(table.table.data, whole.table.data)  # same order: same sums
    expected = {**adapted_rand(table=whole), **voi(table=whole)}
    assert {**adapted_rand(table=table), **voi(table=table)} == expected


def test_reference_crop_scored_slab_by_slab_reads_each_slab_once(shared):
    """The reference's 0.178, in slabs of at most 2**19 voxels per volume (16 slabs of
    13 planes, the HDF5 chunk depth, by 128 rows): every voxel read exactly once, no read
    larger than the slab limit, and the same numbers as the whole volume to the last bit."""
    seg = open_source(f"{shared / 'reference' / 'snemi_train_crop_7M_seg.h5'}:segmentation")
    gt = open_source(str(shared / "data" / "snemi3d" / "segment"))
    box, locals_ = scored_box(seg, gt, ((0, 100), (0, 256), (0, 256)))
    limit = 2**19
    slabs = scoring_slabs(seg, gt, locals_, max_voxels=limit)
    assert len(slabs) == 16 and slabs[1][0] == ((0, 13), (128, 256), (0, 256))
    read = np.zeros((100, 256, 256), np.uint8)
    builder = ContingencyBuilder()
    for seg_box, gt_box in slabs:
        assert seg_box == gt_box and np.prod([b - a for a, b in seg_box]) <= limit
        read[tuple(slice(a, b) for a, b in seg_box)] += 1
        builder.add(seg.read(seg_box), gt.read(gt_box))
    assert (read == 1).all()
    table = builder.build()
    streamed = {**adapted_rand(table=table), **voi(table=table)}
    assert streamed == score_segmentation(seg.read(locals_[0]), gt.read(locals_[1]))
    assert streamed["arand"] == pytest.approx(0.178, abs=0.001)


def test_reference_segmentation_scores_as_the_reference_says(shared):
    with h5py.File(shared / "reference" / "snemi_train_crop_7M_seg.h5", "r") as handle:
        seg = handle["segmentation"][...]
    folder = shared / "data" / "snemi3d" / "segment"
    gt = np.stack([np.asarray(Image.open(folder / f"{z:04d}.png"))[:256, :256] for z in range(100)])
    assert seg.shape == gt.shape == (100, 256, 256)
    result = score_segmentation(seg, gt)
    assert result["arand"] == pytest.approx(0.178, abs=0.001)
    assert result["precision"] == pytest.approx(0.994, abs=0.001)
    assert result["recall"] == pytest.approx(0.701, abs=0.001)


def run_cli(*args):
    """``python -m ffn_core evaluate ...``: (exit code, last event, all events)."""
    code, events = run_stage_cli("evaluate", *args)
    return code, events[-1], events


def test_cli_on_the_reference_crop(shared):
    reference = shared / "reference" / "snemi_train_crop_7M_seg.h5"
    code, last, _ = run_cli(
        "--seg",
        f"{reference}@segmentation",
        "--gt",
        shared / "data" / "snemi3d" / "segment",
        "--crop",
        "0:100,0:256,0:256",
    )
    assert code == 0, last
    assert last["type"] == "result"
    assert last["outputs"]["arand"] == pytest.approx(0.178, abs=0.001)
    assert set(last["outputs"]) == {"arand", "precision", "recall", "voi_split", "voi_merge"}


@pytest.fixture
def volumes(tmp_path):
    """A 3x4x5 GT as PNG slices and a segmentation in HDF5 that merges two objects."""
    gt = np.zeros((3, 4, 5), np.uint16)
    gt[:, :2], gt[:, 2:] = 1, 2
    gt[:, :, 0] = 0
    folder = tmp_path / "gt"
    folder.mkdir()
    for z, plane in enumerate(gt):
        Image.fromarray(plane).save(folder / f"{z:04d}.png")
    (folder / "notes.txt").write_text("not a slice")
    with h5py.File(tmp_path / "seg.h5", "w") as handle:
        handle["seg"] = np.full(gt.shape, 4, np.uint32)
        handle["part"] = np.full((2, 4, 5), 4, np.uint32)
        handle["part"].attrs["bbox_start_zyx"] = [1, 0, 0]
    return tmp_path, folder


def test_cli_scores_hdf5_against_png_slices(volumes):
    tmp, folder = volumes
    code, last, lines = run_cli("--seg", f"{tmp / 'seg.h5'}:seg", "--gt", folder)
    assert code == 0, last
    assert last["outputs"] == pytest.approx(
        dict(arand=1 / 3, precision=0.5, recall=1.0, voi_split=0.0, voi_merge=1.0)
    )
    assert any(line["type"] == "progress" for line in lines)


def test_cli_places_a_box_sized_segmentation_by_its_attributes(volumes):
    tmp, folder = volumes
    code, last, _ = run_cli("--seg", f"{tmp / 'seg.h5'}:part", "--gt", folder)
    assert code == 0, last
    assert last["box_zyx"] == [[1, 3], [0, 4], [0, 5]]
    assert last["outputs"]["precision"] == pytest.approx(0.5)


def test_cli_clear_errors(volumes, tmp_path):
    tmp, folder = volumes
    with h5py.File(tmp / "small.h5", "w") as handle:
        handle["seg"] = np.ones((3, 4, 4), np.uint32)
    code, last, _ = run_cli("--seg", f"{tmp / 'small.h5'}:seg", "--gt", folder)
    assert code == 2 and last["type"] == "error"
    assert "(3, 4, 4)" in last["message"] and "(3, 4, 5)" in last["message"]
    assert "--crop" in last["hint"]
    code, last, _ = run_cli(
        "--seg", f"{tmp / 'small.h5'}:seg", "--gt", folder, "--crop", "0:3,0:4,0:5"
    )
    assert code == 2 and "not inside" in last["message"]
    code, last, _ = run_cli("--seg", f"{tmp / 'seg.h5'}:seg", "--gt", folder, "--crop", "0:3")
    assert code == 2 and "z0:z1,y0:y1,x0:x1" in last["message"]
    code, last, _ = run_cli("--seg", f"{tmp / 'seg.h5'}:nope", "--gt", folder)
    assert code == 2 and "no dataset 'nope'" in last["message"]


def test_the_engine_function_runs_from_plain_python(volumes):
    tmp, folder = volumes
    config = EvaluateConfig(
        seg=f"{tmp / 'seg.h5'}:seg", gt=str(folder), crop=((1, 3), (0, 4), (0, 5))
    )
    stream = io.StringIO()
    result = evaluate(config, None, emit=Emitter("evaluate", stream), cancel=CancelToken())
    assert result.status == "completed"
    assert result.outputs == pytest.approx(
        dict(arand=1 / 3, precision=0.5, recall=1.0, voi_split=0.0, voi_merge=1.0)
    )
    assert result.extra == {"voxels": 2 * 4 * 4, "box_zyx": [[1, 3], [0, 4], [0, 5]]}
    assert "box 1:3,0:4,0:5" in stream.getvalue()
    stopped = CancelToken()
    stopped.cancel()
    assert (
        evaluate(config, None, emit=Emitter("evaluate", stream), cancel=stopped).status == "stopped"
    )


def test_the_project_gives_runs_and_the_default_ground_truth(volumes):
    tmp, folder = volumes
    with pytest.raises(UserError, match="need --project"):
        evaluate(
            EvaluateConfig(seg=f"{tmp / 'seg.h5'}:seg"),
            None,
            emit=Emitter("evaluate", io.StringIO()),
        )
    project = Project.create(tmp / "p")
    project.register_volume("labels", tmp / "seg.h5", "seg")  # scored against itself
    result = evaluate(
        EvaluateConfig(seg=f"{tmp / 'seg.h5'}:part"),
        project,
        emit=Emitter("evaluate", io.StringIO()),
    )
    assert result.outputs["arand"] == pytest.approx(0.0)
    assert result.extra["box_zyx"] == [[1, 3], [0, 4], [0, 5]]


def test_config_round_trips_and_refuses_bad_values():
    config = EvaluateConfig(run="run1", gt="gt.h5:labels", crop="0:10,0:20,5:30")
    assert config.crop == ((0, 10), (0, 20), (5, 30))
    assert config.to_dict() == {
        "seg": None,
        "run": "run1",
        "gt": "gt.h5:labels",
        "crop": [[0, 10], [0, 20], [5, 30]],
    }
    assert EvaluateConfig.from_dict(config.to_dict()) == config
    with pytest.raises(UserError, match="--seg SPEC or --run NAME"):
        EvaluateConfig(seg="a.h5:seg", run="run1")
    with pytest.raises(UserError, match="--seg SPEC or --run NAME"):
        EvaluateConfig()
    for crop in ("0:3", ((0, 3), (0, 4)), ((0, 3), (4, 2), (0, 5))):
        with pytest.raises(UserError, match="--crop .* is not z0:z1,y0:y1,x0:x1"):
            EvaluateConfig(seg="a.h5:seg", crop=crop)
