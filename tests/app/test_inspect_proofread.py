"""Proofreading: merge, delete, relabel, undo through the panel; edits survive reopening;
the stored edit list replayed with ``apply_edits`` equals what the layer shows."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from napari.components import ViewerModel

from ffn_core.analysis.proofread import Edit, EditList, apply_edits
from tests.app.run_files import boxes_segmentation

pytestmark = pytest.mark.gui


def _ids(layer) -> set[int]:
    return set(np.unique(layer.data).tolist())


def test_edits_survive_reopening_and_match_apply_edits(qtbot, inference_run, artifacts):
    from app.inspect.proofread_panel import ProofreadPanel
    from app.inspect.segment_table import SegmentTablePanel

    viewer = ViewerModel()
    table = SegmentTablePanel(viewer, inference_run)
    panel = ProofreadPanel(viewer, inference_run)
    qtbot.addWidget(table)
    qtbot.addWidget(panel)
    layer = viewer.layers["segmentation boxes"]
    assert len(viewer.layers) == 1 and panel.run is table.run

    table.select_ids([3, 5])
    assert panel.ids.text() == "3, 5"
    panel.merge_button.click()
    assert _ids(layer) == {0, 3, 8, 9, 12}
    assert table.model.rowCount() == 4 and table.model.segments[0].voxels == 12_000
    panel.ids.setText("9")
    panel.delete_button.click()
    panel.ids.setText("12")
    panel.target.setValue(40)
    panel.relabel_button.click()
    assert _ids(layer) == {0, 3, 8, 40}
    panel.ids.setText("8")
    panel.target.setValue(77)
    panel.relabel_button.click()
    panel.undo_button.click()
    assert _ids(layer) == {0, 3, 8, 40}
    assert [panel.history.item(i).text() for i in range(panel.history.count())] == [
        "merge 3, 5 → 3",
        "delete 9",
        "relabel 12 → 40",
    ]
    panel.resize(360, 340)
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.grab().save(str(artifacts / "inspect_proofread.png"))
    shown = np.array(layer.data)
    assert np.array_equal(panel.run.original, boxes_segmentation()[0])  # memory copy too

    # close everything, then open the run again in a fresh viewer
    panel.close(), table.close()
    viewer.layers.clear()
    reopened = ProofreadPanel(ViewerModel(), inference_run)
    qtbot.addWidget(reopened)
    stored = EditList.for_run(inference_run).edits
    assert stored == [Edit("merge", (3, 5)), Edit("delete", (9,)), Edit("relabel", (12,), 40)]
    with h5py.File(inference_run / "segmentation.h5", "r") as handle:
        original = handle["segmentation"][...]
    assert np.array_equal(original, boxes_segmentation()[0])  # the inference output is untouched
    assert np.array_equal(reopened.run.layer.data, apply_edits(original, stored))
    assert np.array_equal(reopened.run.layer.data, shown)
    assert reopened.history.count() == 3


def test_refusals_leave_no_edit(qtbot, inference_run):
    from app.inspect.proofread_panel import ProofreadPanel

    panel = ProofreadPanel(ViewerModel(), inference_run)
    qtbot.addWidget(panel)
    panel.ids.setText("3")
    assert not panel.merge()
    assert "two or more" in panel.status.text()
    panel.ids.setText("3, 99")
    assert not panel.delete()
    assert "No segment 99" in panel.status.text()
    panel.ids.setText("3, 5")
    assert not panel.relabel()
    assert not panel.undo() and panel.status.text() == "Nothing to undo."
    assert not (inference_run / "edits.json").exists()


def test_label_picked_on_the_layer_fills_the_ids(qtbot, inference_run):
    from app.inspect.proofread_panel import ProofreadPanel

    panel = ProofreadPanel(ViewerModel(), inference_run)
    qtbot.addWidget(panel)
    panel.run.layer.selected_label = 8
    assert panel.ids.text() == "8"
    assert panel.delete()
    assert 8 not in panel.run.layer.data
