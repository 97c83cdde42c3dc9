"""Segment table, small-segment hiding, and mesh export."""

from __future__ import annotations

import struct

import numpy as np

from ffn_core.analysis.meshes import segment_mesh, write_obj, write_stl
from ffn_core.analysis.segments import hide_small, segment_table


def _seg():
    seg = np.zeros((6, 8, 8), np.uint32)
    seg[1:4, 2:6, 2:7] = 70000  # 3*4*5 = 60 voxels, id beyond 16 bits
    seg[5, 0, 0] = 3  # 1 voxel
    return seg


def test_table_counts_boxes_and_seeds_largest_first():
    rows = segment_table(_seg(), origins={70000: (2, 3, 4)})
    assert [(r.id, r.voxels) for r in rows] == [(70000, 60), (3, 1)]
    assert rows[0].bbox_start_zyx == (1, 2, 2) and rows[0].bbox_stop_zyx == (4, 6, 7)
    assert rows[0].seed_zyx == (2, 3, 4) and rows[1].seed_zyx is None


def test_hide_small_removes_only_small_segments():
    out = hide_small(_seg(), 10)
    assert set(np.unique(out)) == {0, 70000}


def test_mesh_encloses_the_box_and_files_are_valid(tmp_path):
    vertices, faces = segment_mesh(_seg(), 70000, voxel_size_zyx=(2.0, 1.0, 1.0))
    assert np.allclose(vertices.min(0), [2 - 1, 1.5, 1.5], atol=0.01)  # half a voxel outside
    assert np.allclose(vertices.max(0), [2 * 3 + 1, 5.5, 6.5], atol=0.01)
    write_obj(tmp_path / "s.obj", vertices, faces)
    lines = (tmp_path / "s.obj").read_text().splitlines()
    assert sum(line.startswith("v ") for line in lines) == len(vertices)
    assert sum(line.startswith("f ") for line in lines) == len(faces)
    write_stl(tmp_path / "s.stl", vertices, faces)
    data = (tmp_path / "s.stl").read_bytes()
    assert struct.unpack("<I", data[80:84])[0] == len(faces)
    assert len(data) == 84 + 50 * len(faces)


def test_table_handles_ids_beyond_24_bits_the_same_way():
    seg = _seg()
    big = np.where(seg == 70000, 2**30, seg).astype(np.uint32)
    rows = segment_table(big)
    assert [(r.id, r.voxels, r.bbox_start_zyx) for r in rows] == [
        (2**30, 60, (1, 2, 2)),
        (3, 1, (5, 0, 0)),
    ]
