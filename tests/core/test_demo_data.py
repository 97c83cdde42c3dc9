"""The synthetic demo volume: labelled compartments with dark membranes between them."""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy import ndimage
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


def test_faint_membranes_and_dark_organelles_follow_the_spec():
    spec = DemoSpec(
        shape_zyx=(16, 64, 64), n_cells=16, faint_membrane_fraction=0.15, organelles_per_cell=1.5
    )
    plain = DemoSpec(
        shape_zyx=(16, 64, 64), n_cells=16, faint_membrane_fraction=0.0, organelles_per_cell=0.0
    )
    shares = []
    for each in (spec, plain):
        image, labels = make_demo_volume(each)
        boundary = find_boundaries(labels, mode="inner")
        interior = ndimage.distance_transform_edt(~find_boundaries(labels, mode="thick")) > 3
        shares.append(((image[boundary] > 150).mean(), (image[interior] < 70).mean()))
    (faint, dark), (faint_plain, dark_plain) = shares
    assert faint > 0.08 and faint_plain < 0.04  # stretches of membrane as bright as a cell
    assert dark > 0.001 > dark_plain  # mitochondria inside cells
