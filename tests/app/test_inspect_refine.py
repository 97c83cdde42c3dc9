"""Refine view: what refining a run changed (voxels filled and emptied, objects split, merged
and new), the scores of the first pass and the refined volume side by side, and the layers of
the changes, on runs refined by the real consensus split and fill."""

from __future__ import annotations

import io
import json

import h5py
import numpy as np
import pytest
from napari.components import ViewerModel

from ffn_core.analysis import refine_changes
from ffn_core.analysis.evaluate import score_segmentation
from ffn_core.events import Emitter
from ffn_core.infer import storage
from ffn_core.infer.consensus import ConsensusSettings, split_consensus
from ffn_core.infer.plan import PLAN_NAME, plan_subvolumes
from ffn_core.infer.refine import DEFAULT_REFINE, FIRST_PASS, refine_arrays, refine_run
from tests.app.run_files import BOX_SHAPE, BOX_START, boxes_segmentation

pytestmark = pytest.mark.gui


def _image() -> np.ndarray:
    """Bright noisy cells of the box segments, with dark membranes between them."""
    rng = np.random.default_rng(2)
    image = np.clip(180 + rng.normal(0, 10, BOX_SHAPE), 0, 255)
    image[:, :, 25] = image[:, 20, :25] = image[:6, :, 40] = image[6:, 10, 25:40] = 30
    return image.astype(np.uint8)


def _ground_truth_box(run_dir) -> np.ndarray:
    with h5py.File(run_dir.parents[1] / "volumes" / "labels.h5", "r") as handle:
        return handle["raw"][tuple(slice(s, s + n) for s, n in zip(BOX_START, BOX_SHAPE))]


@pytest.fixture
def refined_run(inference_run):
    """The ``inference_run`` refined by consensus and fill: the reverse pass cuts segment 3 at
    z 6 and segment 12 (24 voxels) falls under the split size; written as refine_run writes
    a refined run (``first_pass`` beside ``segmentation``, attribute ``refine``)."""
    first, _ = boxes_segmentation()
    reverse = first.copy()
    reverse[6:][first[6:] == 3] = 30
    consensus = split_consensus(first, reverse, ConsensusSettings(split_min_size=100))
    refined, stats = refine_arrays(consensus, _image(), ("fill",))
    with h5py.File(inference_run / "segmentation.h5", "a") as handle:
        attrs = dict(handle["segmentation"].attrs)
        del handle["segmentation"]
        for name, data in ((FIRST_PASS, first), ("segmentation", refined)):
            handle.create_dataset(name, data=data.astype(np.uint32)).attrs.update(attrs)
        handle["segmentation"].attrs["refine"] = "consensus,fill"
    return inference_run, stats["fill"]


def test_counts_scores_and_layers_of_a_refined_run(qtbot, refined_run, artifacts):
    from napari.qt import QtViewer
    from PyQt5.QtWidgets import QHBoxLayout, QWidget

    from app.i18n import install_language
    from app.inspect.refine_view import RefineViewPanel

    run_dir, fill_stats = refined_run
    first, _ = boxes_segmentation()
    with h5py.File(run_dir / "segmentation.h5", "r") as handle:
        refined = handle["segmentation"][...]
    gt = _ground_truth_box(run_dir)
    viewer = ViewerModel()
    viewer.add_image(np.full((16, 48, 60), 128, np.uint8), name="image")
    qt_viewer = QtViewer(viewer, show_welcome_screen=False)
    panel = RefineViewPanel(viewer, run_dir)
    window = QWidget()
    row = QHBoxLayout(window)
    row.addWidget(qt_viewer, 1)
    row.addWidget(panel)
    qtbot.addWidget(window)
    try:
        assert panel.summary.text() == "Refined by: consensus of two passes, fill empty space."
        assert panel.step_lines.text() == ""  # written before the steps' counts were kept
        assert not panel.layer_boxes["filled by refine"].isEnabled()
        assert panel.compare()
        filled = fill_stats["voxels_filled"] + fill_stats["voxels_added"]
        shown = {key: label.text() for key, label in panel.counts.items()}
        assert shown == {
            "voxels_filled": f"{filled:,} ({filled / first.size:.1%})",
            "voxels_emptied": "24 (0.1%)",  # segment 12, under the split size
            "objects_split": "1",  # segment 3, cut at z 6
            "objects_merged": "0",
            "new_objects": str(fill_stats["objects_added"]),
        }
        assert list(panel.changes.report.splits) == [3]
        for volume, column in ((first, 0), (refined, 1)):
            expected = score_segmentation(volume, gt)
            assert panel.scores["arand"][column].text() == f"{expected['arand']:.4f}"
            assert panel.scores["voi_merge"][column].text() == f"{expected['voi_merge']:.4f}"
            empty = np.mean(volume == 0)
            assert panel.scores["unsegmented"][column].text() == f"{empty:.1%}"

        for box in panel.layer_boxes.values():
            box.setChecked(True)
        layers = {name: viewer.layers[name] for name in panel.layer_boxes}
        assert np.array_equal(
            layers["filled by refine"].data, refine_changes.filled_map(first, refined)
        )
        assert int(layers["filled by refine"].data.sum()) == filled > 0
        pieces = layers["split by refine"].data
        assert set(np.unique(pieces)) == {0, *panel.changes.report.splits[3]}
        assert np.array_equal(pieces != 0, first == 3)
        assert not layers["merged by refine"].data.any()
        assert all(tuple(layer.translate) == BOX_START for layer in layers.values())
        viewer.layers["segmentation boxes"].visible = False
        layers["merged by refine"].visible = False
        viewer.dims.set_point(0, BOX_START[0] + 8)
        window.resize(1000, 560)
        window.show()
        qtbot.waitExposed(window)
        qtbot.wait(200)
        assert window.grab().save(str(artifacts / "inspect_refine.png"))

        install_language("ja")
        japanese = RefineViewPanel(viewer, run_dir)
        row.addWidget(japanese)
        panel.hide()
        assert japanese.compare()
        assert japanese.summary.text() == "仕上げの手順: 2 回のパスの合意、空き領域の穴埋め。"
        qtbot.wait(200)
        assert window.grab().save(str(artifacts / "inspect_refine_ja.png"))

        panel.layer_boxes["split by refine"].setChecked(False)
        assert "split by refine" not in viewer.layers and "filled by refine" in viewer.layers
    finally:
        install_language("en")
        qt_viewer.close()
        qt_viewer.deleteLater()
        qtbot.wait(50)


def test_each_step_of_a_run_refined_by_the_default_steps(qtbot, inference_run):
    """Agglomerate joins 8 and 9 (one cell cut at z 6: the flood of 9 spread over 8), then
    fill grows the segments; a line each says what the step changed."""
    from app.i18n import install_language
    from app.inspect.refine_view import RefineViewPanel

    first, _ = boxes_segmentation()
    overlaps = {9: np.array([[8], [1000]])}
    storage.save_reference_npz(
        inference_run, BOX_START, first, np.zeros(BOX_SHAPE, np.uint8), {}, overlaps, "", {}
    )
    refine_run(inference_run, _image(), DEFAULT_REFINE, Emitter("infer", io.StringIO()))
    with h5py.File(inference_run / "segmentation.h5", "r") as handle:
        refined = handle["segmentation"][...]
    filled = np.count_nonzero((first == 0) & (refined != 0))
    viewer = ViewerModel()
    panel = RefineViewPanel(viewer, inference_run)
    qtbot.addWidget(panel)
    assert panel.summary.text() == "Refined by: agglomerate, fill empty space."
    assert panel.step_lines.text().splitlines() == [
        "Agglomerate: pairs merged 1, objects 5 → 4.",
        f"Fill: voxels filled {filled:,} ({filled / first.size:.1%} of the box), unsegmented "
        f"{np.mean(first == 0):.1%} → {np.mean(refined == 0):.1%}.",
    ]
    assert panel.compare()
    assert panel.counts["voxels_filled"].text().startswith(f"{filled:,} (")
    assert panel.counts["objects_merged"].text() == "1"  # 8 and 9, as the line says
    panel.layer_boxes["filled by refine"].setChecked(True)
    assert viewer.layers["filled by refine"].data.sum() == filled > 0

    plan = plan_subvolumes(((2, 14), (4, 44), (6, 56)), (12, 40, 30), (0, 0, 10))
    (inference_run / PLAN_NAME).write_text(json.dumps(plan.to_dict()))  # as if run on Dask
    try:
        install_language("ja")
        japanese = RefineViewPanel(viewer, inference_run)
        qtbot.addWidget(japanese)
        lines = japanese.step_lines.text().splitlines()
        assert lines[0] == "凝集（統合）: 結合したペア 1、オブジェクト 5 → 4。"
        summed = 2 * 12 * 40 * 30
        assert f"{filled:,}（ボックスの {filled / summed:.1%}）" in lines[1]
        note = "2 個のサブボリュームそれぞれで数えた合計です"
        assert lines[2] == note + "（重なりのボクセルはそれぞれで数えます）。"
    finally:
        install_language("en")


def test_an_unrefined_run_says_so(qtbot, inference_run):
    from app.inspect.refine_view import RefineViewPanel

    panel = RefineViewPanel(ViewerModel(), inference_run)
    qtbot.addWidget(panel)
    assert panel.summary.text() == "This run was not refined: it is the first pass."
    assert not hasattr(panel, "compare_button")
