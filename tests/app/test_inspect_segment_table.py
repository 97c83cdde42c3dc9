"""Segment table: rows, sorting, size filter on table and layer, click-to-jump, only-selected."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest
from PyQt5.QtCore import Qt

pytestmark = pytest.mark.gui


@pytest.fixture
def viewer():
    from napari.components import ViewerModel

    model = ViewerModel()
    model.add_image(np.zeros((16, 48, 60), np.uint8), name="image")
    return model


def _column(panel, column: int) -> list[str]:
    return [panel.proxy.index(r, column).data() for r in range(panel.proxy.rowCount())]


def test_table_rows_sorting_and_size_filter(qtbot, viewer, inference_run, artifacts):
    from app.inspect.segment_table import SegmentTablePanel

    panel = SegmentTablePanel(viewer, inference_run)
    qtbot.addWidget(panel)
    assert _column(panel, 1)[:3] == ["6,000", "6,000", "3,600"]
    row_12 = _column(panel, 0).index("12")
    assert panel.proxy.index(row_12, 2).data() == "8–9, 34–37, 51–53"
    assert panel.proxy.index(row_12, 3).data() == "8, 35, 52"
    panel.table.sortByColumn(0, Qt.AscendingOrder)
    assert _column(panel, 0) == ["3", "5", "8", "9", "12"]
    panel.table.sortByColumn(3, Qt.DescendingOrder)
    assert _column(panel, 0)[0] == "9"

    panel.min_size.setValue(1000)
    assert sorted(_column(panel, 0)) == ["3", "5", "8"]
    assert set(np.unique(viewer.layers["segmentation boxes"].data)) == {0, 3, 5, 8}
    assert "2 hidden" in panel.summary.text()
    panel.min_size.setValue(0)
    assert set(np.unique(viewer.layers["segmentation boxes"].data)) == {0, 3, 5, 8, 9, 12}
    panel.resize(520, 320)
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.grab().save(str(artifacts / "inspect_segment_table.png"))


def test_click_jumps_to_seed_and_selects_label(qtbot, viewer, inference_run):
    from app.inspect.segment_table import SegmentTablePanel

    panel = SegmentTablePanel(viewer, inference_run)
    qtbot.addWidget(panel)
    layer = viewer.layers["segmentation boxes"]
    assert tuple(layer.translate) == (2, 4, 6)
    panel.table.sortByColumn(0, Qt.AscendingOrder)
    panel.table.selectRow(2)  # id 8, seed (3, 20, 30) in the box
    assert panel.selected_ids() == [8]
    assert layer.selected_label == 8
    assert viewer.dims.point[0] == 5
    assert tuple(viewer.camera.center)[-2:] == (24, 36)
    panel.table.selectRow(4)  # id 12
    assert viewer.dims.point[0] == 8


def test_show_only_selected_one_and_several(qtbot, viewer, inference_run):
    from app.inspect.segment_table import SegmentTablePanel

    panel = SegmentTablePanel(viewer, inference_run)
    qtbot.addWidget(panel)
    layer = viewer.layers["segmentation boxes"]
    panel.only_selected.setChecked(True)
    panel.select_ids([9])
    assert layer.show_selected_label and layer.selected_label == 9
    panel.select_ids([3, 12])
    assert not layer.show_selected_label
    assert set(np.unique(layer.data)) == {0, 3, 12}
    panel.only_selected.setChecked(False)
    assert set(np.unique(layer.data)) == {0, 3, 5, 8, 9, 12}


@dataclass
class _Mouse:
    """What napari's drag callbacks read from a vispy mouse event."""

    type: str
    position: tuple[float, float, float]
    is_dragging: bool = False
    modifiers: tuple[str, ...] = ()
    button: int = 1
    view_direction: None = None
    dims_displayed: list[int] = field(default_factory=lambda: [1, 2])
    handled: bool = False


def _click(viewer, position, modifiers=(), drag_to=None) -> None:
    """Click (or drag) at world ``position`` on the plane shown at its z (the canvas sends
    the viewer's callbacks first, then the active layer's)."""
    from napari.utils._proxies import ReadOnlyWrapper  # how napari's own tests send events
    from napari.utils.interactions import (
        mouse_move_callbacks,
        mouse_press_callbacks,
        mouse_release_callbacks,
    )

    def send(callbacks, *args, **kwargs):
        callbacks(viewer, ReadOnlyWrapper(_Mouse(*args, **kwargs), exceptions=("handled",)))

    viewer.dims.set_point(0, position[0])
    send(mouse_press_callbacks, "mouse_press", position, modifiers=modifiers)
    if drag_to is not None:
        send(mouse_move_callbacks, "mouse_move", drag_to, True, modifiers)
    send(mouse_release_callbacks, "mouse_release", drag_to or position, modifiers=modifiers)


def test_clicks_on_the_layer_select_rows(qtbot, viewer, inference_run):
    from app.inspect.segment_table import SegmentTablePanel

    panel = SegmentTablePanel(viewer, inference_run)
    qtbot.addWidget(panel)
    layer = viewer.layers["segmentation boxes"]
    assert not layer.editable  # no brush: changes go through the proofreading edit list
    _click(viewer, (10, 9, 36))  # world position of segment 9
    assert panel.selected_ids() == [9] and layer.selected_label == 9
    _click(viewer, (8, 35, 52), modifiers=("Control",))  # add segment 12
    assert sorted(panel.selected_ids()) == [9, 12]
    _click(viewer, (10, 9, 36), modifiers=("Control",))  # remove 9 again
    assert panel.selected_ids() == [12]
    _click(viewer, (5, 10, 10), drag_to=(5, 30, 30))  # a drag pans: selection stays
    assert panel.selected_ids() == [12]
    _click(viewer, (5, 1, 1))  # outside the run's box: nothing
    assert panel.selected_ids() == [12]


def test_anisotropic_image_run_overlays_it_and_jumps_to_the_right_slice(qtbot, inference_run):
    from napari.components import ViewerModel

    from app.inspect.segment_table import SegmentTablePanel

    viewer = ViewerModel()
    viewer.add_image(np.zeros((16, 48, 60), np.uint8), name="image", scale=(2.0, 1.0, 1.0))
    panel = SegmentTablePanel(viewer, inference_run)
    qtbot.addWidget(panel)
    layer = viewer.layers["segmentation boxes"]
    assert tuple(layer.scale) == (2.0, 1.0, 1.0) and tuple(layer.translate) == (4, 4, 6)
    panel.table.sortByColumn(0, Qt.AscendingOrder)
    panel.table.selectRow(2)  # id 8, seed (3, 20, 30) in the box starting at (2, 4, 6)
    assert viewer.dims.point[0] == 10  # world z = (3 + 2) * 2
    assert viewer.layers["image"].world_to_data(viewer.dims.point)[0] == 5
