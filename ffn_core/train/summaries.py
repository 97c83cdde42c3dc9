"""Preview images of finished training examples (numpy + Pillow; no TensorFlow).

Each plane (xy, xz, yz) shows the central slice of the labels beside sigmoid(prediction),
grey 0–255, as the reference's ``final_xy/xz/yz`` summaries do (document §4.3).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
from PIL import Image

from ffn_core.io.atomic import replacing
from ffn_core.logits import sigmoid

PLANES = ("xy", "xz", "yz")
_GAP = 2  # columns/rows of mid-grey between panels


def central_slices(volume: np.ndarray) -> dict[str, np.ndarray]:
    """The xy (y, x), xz (z, x) and yz (z, y) planes through the centre of a (z, y, x) volume."""
    cz, cy, cx = (np.asarray(volume.shape) // 2).tolist()
    return {"xy": volume[cz], "xz": volume[:, cy, :], "yz": volume[:, :, cx]}


def plane_pairs(labels: np.ndarray, logits: np.ndarray) -> dict[str, np.ndarray]:
    """Per plane, a uint8 image ``labels | sigmoid(logits)`` side by side.

    ``labels`` are probabilities (soft labels) and ``logits`` the canvas, both (z, y, x).
    """
    if labels.shape != logits.shape:
        raise ValueError(f"labels {labels.shape} and logits {logits.shape} differ in shape")
    label_planes = central_slices(np.asarray(labels, dtype=np.float64))
    prob_planes = central_slices(sigmoid(logits))
    pairs = {}
    for name in PLANES:
        left, right = label_planes[name], prob_planes[name]
        gap = np.full((left.shape[0], _GAP), 0.5)
        pairs[name] = _to_uint8(np.concatenate([left, gap, right], axis=1))
    return pairs


def preview_image(labels: np.ndarray, logits: np.ndarray) -> np.ndarray:
    """One uint8 image: the xy, xz and yz pairs of :func:`plane_pairs` stacked top to bottom."""
    pairs = [plane_pairs(labels, logits)[name] for name in PLANES]
    width = max(pair.shape[1] for pair in pairs)
    rows = []
    for index, pair in enumerate(pairs):
        if index:
            rows.append(np.full((_GAP, width), 128, dtype=np.uint8))
        rows.append(np.pad(pair, ((0, 0), (0, width - pair.shape[1])), constant_values=128))
    return np.concatenate(rows, axis=0)


def encode_png(image: np.ndarray, scale: int = 1) -> bytes:
    """A uint8 image (grey or RGB) as PNG bytes; ``scale`` enlarges it (nearest neighbour)."""
    picture = Image.fromarray(np.ascontiguousarray(image, dtype=np.uint8))
    if scale > 1:
        picture = picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST)
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def save_png(image: np.ndarray, path: str | os.PathLike, scale: int = 1) -> Path:
    """Write a uint8 image as PNG atomically (readers never see half a file).

    ``scale`` enlarges it (nearest neighbour); returns ``path``.
    """
    path = Path(path)
    with replacing(path) as temporary:
        temporary.write_bytes(encode_png(image, scale))
    return path


def _to_uint8(values: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(values * 255.0), 0, 255).astype(np.uint8)
