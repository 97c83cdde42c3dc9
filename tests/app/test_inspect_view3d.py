"""3D view of selected segments: labels and surfaces in a 3D viewer, OBJ/STL export."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from napari.components import ViewerModel

from ffn_core.analysis.meshes import segment_mesh
from tests.app.run_files import BOX_START, boxes_segmentation

pytestmark = pytest.mark.gui


@pytest.fixture
def panel(qtbot, inference_run):
    from app.inspect.view3d import View3DPanel

    widget = View3DPanel(ViewerModel(), inference_run, voxel_size_zyx=(2.0, 1.0, 1.0))
    qtbot.addWidget(widget)
    yield widget
    widget.close_viewer()
    qtbot.wait(50)


def test_selection_shows_only_those_segments_in_3d(qtbot, panel, artifacts):
    assert panel.model.dims.ndisplay == 3
    assert tuple(panel.model.camera.angles) == (0, 35, 60)
    panel.run.set_selected([3, 12])
    layer = panel.model.layers["selected segments"]
    assert set(np.unique(layer.data)) == {0, 3, 12}
    assert layer.data.shape == (12, 34, 48)  # joint box of 3 and 12 only
    assert tuple(layer.scale) == (2, 1, 1)
    assert tuple(layer.translate) == (2 * BOX_START[0], BOX_START[1], BOX_START[2])

    panel.mode.setCurrentText("Surfaces")
    assert [layer.name for layer in panel.model.layers] == ["segment 3", "segment 12"]
    panel.follow.setChecked(False)
    panel.run.set_selected([5])
    assert [layer.name for layer in panel.model.layers] == ["segment 3", "segment 12"]
    panel.follow.setChecked(True)
    assert [layer.name for layer in panel.model.layers] == ["segment 5"]
    panel.run.set_selected([3, 8, 9])
    panel.resize(520, 460)
    panel.show()
    qtbot.waitExposed(panel)
    qtbot.wait(300)
    assert panel.grab().save(str(artifacts / "inspect_view3d.png"))
    panel.mode.setCurrentText("Labels")
    qtbot.wait(300)
    assert panel.grab().save(str(artifacts / "inspect_view3d_labels.png"))


def test_export_writes_meshes_in_volume_coordinates(panel, tmp_path):
    panel.run.set_selected([8, 12])
    paths = panel.export_meshes(tmp_path / "meshes", "obj")
    assert [p.name for p in paths] == ["boxes_segment_8.obj", "boxes_segment_12.obj"]
    full = np.zeros((20, 50, 60), np.uint32)
    full[2:14, 4:44, 6:56] = boxes_segmentation()[0]
    vertices, faces = segment_mesh(full, 12, (2.0, 1.0, 1.0))
    lines = paths[1].read_text().splitlines()
    written = np.array(
        [[float(v) for v in line.split()[1:]] for line in lines if line.startswith("v ")]
    )
    assert np.allclose(written, vertices[:, ::-1], atol=1e-3)  # OBJ is x, y, z
    assert sum(line.startswith("f ") for line in lines) == len(faces)

    stl = panel.export_meshes(tmp_path / "meshes", "STL")[0]
    data = stl.read_bytes()
    count = struct.unpack("<I", data[80:84])[0]
    assert count > 0 and len(data) == 84 + 50 * count
