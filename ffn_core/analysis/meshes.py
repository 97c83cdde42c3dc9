"""Surface meshes of segments (marching cubes) and their export as OBJ or STL."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
from skimage.measure import marching_cubes

from ffn_core.errors import UserError


def segment_mesh(
    segmentation: np.ndarray,
    segment_id: int,
    voxel_size_zyx: tuple[float, float, float] = (1, 1, 1),
) -> tuple[np.ndarray, np.ndarray]:
    """Vertices (z, y, x in physical units) and triangle faces of one segment's surface."""
    mask = segmentation == segment_id
    if not mask.any():
        raise UserError(f"Segment {segment_id} does not exist.", "Pick an id from the table.")
    padded = np.pad(mask, 1).astype(np.float32)
    vertices, faces, _, _ = marching_cubes(padded, level=0.5, spacing=tuple(voxel_size_zyx))
    return vertices - np.asarray(voxel_size_zyx, dtype=np.float32), faces


def write_obj(path: Path, vertices: np.ndarray, faces: np.ndarray) -> None:
    """Wavefront OBJ with x, y, z vertex order (what mesh viewers expect)."""
    with open(path, "w", encoding="ascii") as handle:
        for z, y, x in vertices:
            handle.write(f"v {x:.4f} {y:.4f} {z:.4f}\n")
        for a, b, c in faces + 1:
            handle.write(f"f {a} {b} {c}\n")


def write_stl(path: Path, vertices: np.ndarray, faces: np.ndarray) -> None:
    """Binary STL with x, y, z vertex order."""
    xyz = vertices[:, ::-1].astype(np.float32)
    triangles = xyz[faces]
    normals = np.cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0])
    lengths = np.linalg.norm(normals, axis=1, keepdims=True)
    normals = np.divide(normals, lengths, out=np.zeros_like(normals), where=lengths > 0)
    records = np.zeros(len(faces), dtype=[("n", "<f4", 3), ("v", "<f4", (3, 3)), ("a", "<u2")])
    records["n"], records["v"] = normals, triangles
    with open(path, "wb") as handle:
        handle.write(b"FFN Workbench segment mesh".ljust(80, b" "))
        handle.write(struct.pack("<I", len(faces)))
        handle.write(records.tobytes())
