"""Training preview images: central label | prediction slices per plane, PNG output."""

from __future__ import annotations

import numpy as np
from PIL import Image

from ffn_core.logits import logit
from ffn_core.train.summaries import central_slices, plane_pairs, preview_image, save_png


def _example() -> tuple[np.ndarray, np.ndarray]:
    zz, yy, xx = np.mgrid[:9, :15, :21]
    inside = (zz - 4) ** 2 / 9 + (yy - 7) ** 2 / 25 + (xx - 10) ** 2 / 49 <= 1
    labels = np.where(inside, 0.95, 0.05).astype(np.float32)
    logits = np.where(inside & (xx >= 10), logit(0.9), logit(0.2)).astype(np.float32)
    return labels, logits


def test_central_slices_are_the_planes_through_the_centre():
    volume = np.arange(3 * 5 * 7).reshape(3, 5, 7)
    planes = central_slices(volume)
    np.testing.assert_array_equal(planes["xy"], volume[1])
    np.testing.assert_array_equal(planes["xz"], volume[:, 2, :])
    np.testing.assert_array_equal(planes["yz"], volume[:, :, 3])


def test_plane_pairs_put_labels_left_and_probabilities_right():
    labels, logits = _example()
    pairs = plane_pairs(labels, logits)
    assert pairs["xy"].shape == (15, 21 + 2 + 21) and pairs["xy"].dtype == np.uint8
    assert pairs["xz"].shape == (9, 44) and pairs["yz"].shape == (9, 15 + 2 + 15)
    xy = pairs["xy"]
    assert xy[7, 10] == 242 and xy[0, 0] == 13  # 0.95 and 0.05 of 255, rounded
    assert xy[7, 23 + 10] == 230 and xy[7, 23 + 9] == 51  # sigmoid(logit(0.9)) and (0.2)
    assert np.all(xy[:, 21:23] == 128)


def test_preview_image_stacks_planes_and_saves_png(tmp_path, artifacts):
    labels, logits = _example()
    image = preview_image(labels, logits)
    assert image.shape == (15 + 2 + 9 + 2 + 9, 44)
    np.testing.assert_array_equal(image[:15], plane_pairs(labels, logits)["xy"])
    assert np.all(image[28:, 32:] == 128)  # yz row padded to the full width
    path = save_png(image, tmp_path / "preview.png")
    with Image.open(path) as saved:
        np.testing.assert_array_equal(np.asarray(saved), image)
    assert not list(tmp_path.glob(".*tmp"))
    big = save_png(image, artifacts / "train_preview_example.png", scale=8)
    with Image.open(big) as saved:
        assert saved.size == (44 * 8, 37 * 8)
