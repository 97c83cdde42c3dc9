"""Error view: scores equal ffn_core.analysis.evaluate's, split/merge layers, edits change
the errors."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from napari.components import ViewerModel

from ffn_core.analysis.evaluate import score_segmentation
from ffn_core.analysis.proofread import Edit
from tests.app.run_files import BOX_SHAPE, BOX_START, boxes_segmentation, write_run

pytestmark = pytest.mark.gui


def _ground_truth_box(run_dir) -> np.ndarray:
    with h5py.File(run_dir.parents[1] / "volumes" / "labels.h5", "r") as handle:
        return handle["raw"][tuple(slice(s, s + n) for s, n in zip(BOX_START, BOX_SHAPE))]


def test_scores_error_lists_and_layers(qtbot, inference_run, artifacts):
    from napari.qt import QtViewer
    from PyQt5.QtWidgets import QHBoxLayout, QWidget

    from app.inspect.error_view import ErrorViewPanel

    viewer = ViewerModel()
    viewer.add_image(np.full((16, 48, 60), 128, np.uint8), name="image")
    window = QWidget()
    qt_viewer = QtViewer(viewer, show_welcome_screen=False)
    panel = ErrorViewPanel(viewer, inference_run)
    row = QHBoxLayout(window)
    row.addWidget(qt_viewer, 1)
    row.addWidget(panel)
    qtbot.addWidget(window)
    try:
        assert panel.compute()
        expected = score_segmentation(boxes_segmentation()[0], _ground_truth_box(inference_run))
        assert panel.scores == expected
        assert panel.values["arand"].text() == f"{expected['arand']:.4f}"
        assert panel.report.splits == {1: [3, 5], 2: [8, 9]}
        assert panel.report.merges == {5: [1, 4]}
        assert set(np.unique(viewer.layers["split errors"].data)) == {0, 3, 5, 8, 9, 12}
        assert set(np.unique(viewer.layers["merge errors"].data)) == {0, 1, 4}
        assert tuple(viewer.layers["merge errors"].translate) == BOX_START
        texts = [panel.errors.item(i).text() for i in range(panel.errors.count())]
        assert texts == ["GT 1 split into 3, 5", "GT 2 split into 8, 9", "segment 5 merges GT 1, 4"]
        panel.errors.setCurrentRow(2)
        assert viewer.layers["segmentation boxes"].selected_label == 5
        viewer.layers["segmentation boxes"].visible = False
        viewer.layers["split errors"].visible = False
        window.resize(900, 420)
        window.show()
        qtbot.waitExposed(window)
        qtbot.wait(200)
        assert window.grab().save(str(artifacts / "inspect_error_view.png"))

        panel.run.add_edit(Edit("merge", (8, 9)))
        assert "again" in panel.status.text()
        panel.min_overlap.setValue(10)
        assert panel.compute()
        assert panel.report.splits == {1: [3, 5], 2: [8, 12]}
        assert panel.scores["recall"] > expected["recall"]
        assert viewer.layers["split errors"].data is not None and len(viewer.layers) == 4
    finally:
        qt_viewer.close()
        qt_viewer.deleteLater()
        qtbot.wait(50)


def test_without_ground_truth_the_button_is_off(qtbot, tmp_path):
    from app.inspect.error_view import ErrorViewPanel

    seg, origins = boxes_segmentation()
    run_dir = write_run(tmp_path / "loose" / "inference" / "run", seg, (0, 0, 0), origins)
    panel = ErrorViewPanel(ViewerModel(), run_dir)
    qtbot.addWidget(panel)
    assert not panel.compute_button.isEnabled()


def test_ground_truth_smaller_than_the_box_is_explained(qtbot, inference_run, tmp_path):
    from app.inspect.error_view import ErrorViewPanel

    small = tmp_path / "small.h5"
    with h5py.File(small, "w") as handle:
        handle["gt"] = np.ones((4, 4, 4), np.uint16)
    panel = ErrorViewPanel(ViewerModel(), inference_run, gt_spec=f"{small}:gt")
    qtbot.addWidget(panel)
    assert not panel.compute()
    assert "shape (4, 4, 4)" in panel.status.text()
