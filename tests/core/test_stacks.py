"""Reading stacks lazily: natural order, formats, bit depths, colour, statistics, chunks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ffn_core.errors import UserError
from ffn_core.io.slices import natural_key, to_gray
from ffn_core.io.stacks import describe_source, open_stack
from ffn_core.io.volume_writer import RunningStats, chunk_shape
from tests.core.stack_files import SOURCE_FORMS, volume, write_h5, write_pngs, write_source


def test_natural_order_puts_2_before_10(tmp_path):
    stack = volume((12, 4, 6))
    names = [f"{z + 1}.png" for z in range(12)]  # 1.png .. 12.png, listed in any order
    write_pngs(tmp_path / "s", stack, names)
    info = describe_source(tmp_path / "s")
    assert [Path(f).name for f in info.files[:3]] == ["1.png", "2.png", "3.png"]
    assert [Path(f).name for f in info.files[-3:]] == ["10.png", "11.png", "12.png"]
    with open_stack(tmp_path / "s") as opened:
        np.testing.assert_array_equal(np.stack(list(opened)), stack)
    assert "1.png, 2.png, 3.png, …, 10.png, 11.png, 12.png" in info.order_summary()


def test_natural_key_orders_mixed_names():
    names = ["img10.tif", "img2.tif", "IMG1.tif", "img2b.tif"]
    assert sorted(names, key=natural_key) == ["IMG1.tif", "img2.tif", "img2b.tif", "img10.tif"]


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
@pytest.mark.parametrize("form", SOURCE_FORMS)
def test_every_form_reads_back_exactly(tmp_path, form, dtype):
    stack = volume((4, 10, 14), dtype)
    source = write_source(form, tmp_path, stack)
    info = describe_source(source)
    assert info.shape_zyx == (4, 10, 14) and info.dtype == np.dtype(dtype).name
    np.testing.assert_array_equal(info.first_slice(), stack[0])
    np.testing.assert_array_equal(info.read_slice(3), stack[3])
    with open_stack(source) as opened:
        np.testing.assert_array_equal(np.stack(list(opened)), stack)


def test_rgb_is_reported_and_converted_only_on_request(tmp_path):
    rgb = volume((3, 8, 9, 3))
    write_pngs(tmp_path / "s", rgb)
    plain = describe_source(tmp_path / "s")
    assert plain.is_color and plain.channels == 3 and plain.first_slice().shape == (8, 9, 3)
    gray = describe_source(tmp_path / "s", to_gray=True)
    assert gray.shape_zyx == (3, 8, 9) and gray.dtype == "uint8"
    expected = np.rint(rgb[1].astype(float) @ [0.299, 0.587, 0.114]).astype(np.uint8)
    np.testing.assert_array_equal(gray.read_slice(1), expected)


def test_hdf5_colour_stack_converts_to_gray(tmp_path):
    rgb = volume((3, 5, 6, 3), np.uint16)
    spec = f"{write_h5(tmp_path / 'rgb.h5', rgb)}:raw"
    assert describe_source(spec).channels == 3
    with open_stack(spec, to_gray=True) as opened:
        np.testing.assert_array_equal(np.stack(list(opened)), np.stack([to_gray(a) for a in rgb]))


def test_to_gray_matches_pillow_luma():
    rgb = volume((1, 20, 20, 3))[0]
    pillow = np.asarray(Image.fromarray(rgb).convert("L")).astype(int)
    assert np.abs(to_gray(rgb).astype(int) - pillow).max() <= 1


def test_palette_and_bilevel_labels_give_ids(tmp_path):
    ids = np.array([[0, 1, 2], [7, 7, 0]], np.uint8)
    (tmp_path / "l").mkdir()
    Image.fromarray(ids).save(tmp_path / "l" / "0.png")  # plain gray, for the shape
    paletted = Image.fromarray(ids, mode="P")
    paletted.putpalette([v for i in range(256) for v in (i, 255 - i, 9)])
    paletted.save(tmp_path / "l" / "1.png")
    Image.fromarray(ids > 1).save(tmp_path / "l" / "2.png")  # bilevel mask
    labels = describe_source(tmp_path / "l", labels=True)
    np.testing.assert_array_equal(labels.read_slice(1), ids)
    np.testing.assert_array_equal(labels.read_slice(2), (ids > 1).astype(np.uint8))
    assert describe_source(tmp_path / "l").read_slice(1).shape == (2, 3, 3)
    assert describe_source(tmp_path / "l").read_slice(2).max() == 255


def test_skipped_files_are_reported(tmp_path):
    write_pngs(tmp_path / "s", volume((2, 4, 4)))
    (tmp_path / "s" / "ground_truth.h5").write_bytes(b"x")
    (tmp_path / "s" / "notes.txt").write_text("microscope settings")
    info = describe_source(tmp_path / "s")
    assert [Path(f).name for f in info.skipped] == ["ground_truth.h5", "notes.txt"]
    assert info.shape_zyx == (2, 4, 4)


def test_size_mismatch_names_first_offending_file(tmp_path):
    paths = write_pngs(tmp_path / "s", volume((4, 6, 8)))
    Image.fromarray(np.zeros((6, 9), np.uint8)).save(paths[2])
    Image.fromarray(np.zeros((5, 5), np.uint8)).save(paths[3])
    with open_stack(tmp_path / "s") as opened, pytest.raises(UserError) as info:
        list(opened)
    assert str(paths[2]) in info.value.message and "9×6" in info.value.message
    assert "8×6" in info.value.message and str(paths[0]) in info.value.message


def test_single_png_and_missing_paths_are_explained(tmp_path):
    paths = write_pngs(tmp_path / "s", volume((2, 4, 4)))
    with pytest.raises(UserError, match="single PNG slice") as info:
        describe_source(paths[0])
    assert str(tmp_path / "s") in info.value.hint
    with pytest.raises(UserError, match="does not exist"):
        describe_source(tmp_path / "nothing")


def test_running_stats_equal_numpy():
    stack = volume((7, 33, 65), np.uint16, seed=3)
    stats = RunningStats()
    for array in stack:
        stats.add(array)
    assert stats.count == stack.size
    assert stats.mean == pytest.approx(stack.mean(), rel=1e-12)
    assert stats.std == pytest.approx(stack.std(), rel=1e-12)


def test_running_stats_split_large_slices(monkeypatch):
    monkeypatch.setattr("ffn_core.io.volume_writer._STATS_PIECE", 1000)
    stack = volume((2, 100, 77), np.uint8, seed=4)
    stats = RunningStats()
    for array in stack:
        stats.add(array)
    assert (stats.mean, stats.std) == pytest.approx((stack.mean(), stack.std()), rel=1e-12)


def test_chunks_stay_within_one_layer_budget():
    assert chunk_shape((100, 512, 512), 1) == (16, 128, 128)
    assert chunk_shape((4, 10, 14), 2) == (4, 10, 14)
    assert chunk_shape((500, 4096, 4096), 2) == (4, 128, 128)  # 4 slices of 32 MiB
    assert chunk_shape((500, 16384, 16384), 2)[0] == 1
