"""The synthetic demo volume: labelled compartments with dark membranes between them."""
from __future__ import annotations

import numpy as np
from PIL import Image
from skimage.segmentation import find_boundaries

from ffn_core.demo_data import DemoSpec, make_demo_volume, write_demo_stacks

SMALL = DemoSpec(shape_zyx=(12, 40, 40), n_cells=8)


def test_volume_is_reproducible_and_fully_labelled():
    image, labels = make_demo_volume(SMALL)
    again, _ = make_demo_volume(SMALL)
    assert image.shape == labels.shape == SMALL.shape_zyx
    assert image.dtype == np.uint8 and labels.dtype == np.uint16
    assert np.array_equal(image, again)
    assert labels.min() >= 1 and len(np.unique(labels)) > 3


def test_membranes_are_darker_than_interiors():
    image, labels = make_demo_volume(SMALL)
    boundary = find_boundaries(labels, mode="thick")
    assert image[boundary].mean() < image[~boundary].mean() - 20


def test_written_stacks_read_back(tmp_path):
    images, labels = write_demo_stacks(tmp_path, SMALL)
    _, expected = make_demo_volume(SMALL)
    files = sorted(labels.glob("*.png"))
    assert len(files) == SMALL.shape_zyx[0] == len(list(images.glob("*.png")))
    assert np.array_equal(np.asarray(Image.open(files[3])), expected[3])
