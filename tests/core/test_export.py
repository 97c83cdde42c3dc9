"""Export of an inference run: round trips per format, colours, bit-depth refusal and
remap, atomic writing and stop, and the ``export`` CLI."""

from __future__ import annotations

import io
from pathlib import Path

import h5py
import numpy as np
import pytest
import tifffile
from PIL import Image

from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter
from ffn_core.io.export import RunSegmentation, colourise, export_segmentation, id_colours
from ffn_core.project import Project
from ffn_core.stages.export import ExportConfig, export
from tests.core.stack_files import result_outputs
from tests.core.stack_files import run_cli as run_stage_cli

SHAPE = (4, 6, 7)


def make_run(root: Path, seg: np.ndarray, run: str = "run1", chunks=None) -> Project:
    """A project with ``inference/<run>/segmentation.h5:segmentation`` as inference writes it."""
    project = Project.open_or_create(root)
    folder = project.path("inference", run)
    folder.mkdir(parents=True)
    with h5py.File(folder / "segmentation.h5", "w") as handle:
        dataset = handle.create_dataset("segmentation", data=seg.astype(np.uint32), chunks=chunks)
        dataset.attrs["bbox_start_zyx"] = [2, 0, 1]
        dataset.attrs["bbox_stop_zyx"] = [2 + seg.shape[0], seg.shape[1], 1 + seg.shape[2]]
    return project


def labels(largest: int) -> np.ndarray:
    seg = np.random.default_rng(1).integers(0, 5, SHAPE).astype(np.uint32)
    return np.where(seg == 4, largest, seg).astype(np.uint32)


def read_slices(folder: Path, suffix: str) -> np.ndarray:
    files = sorted(folder.glob(f"*.{suffix}"))
    if suffix == "png":
        return np.stack([np.asarray(Image.open(f)) for f in files])
    return np.stack([tifffile.imread(f) for f in files])


def original_ids(folder: Path, back: np.ndarray) -> np.ndarray:
    """The IDs of a remapped export ``back`` mapped back through its ``id_map.csv``."""
    rows = (folder / "id_map.csv").read_text().split()[1:]
    old_ids = {int(new): int(old) for new, old in (row.split(",") for row in rows)}
    return np.vectorize(lambda v: old_ids.get(v, 0))(back)


def run_cli(*args):
    """``python -m ffn_core export ...``: (exit code, last event, all events)."""
    code, events = run_stage_cli("export", *args)
    return code, events[-1], events


def test_png_16bit_round_trip_through_the_cli(tmp_path):
    seg = labels(65535)
    make_run(tmp_path / "p", seg)
    code, last, lines = run_cli(
        "--project",
        tmp_path / "p",
        "--run",
        "run1",
        "--format",
        "png",
        "--bit-depth",
        "16",
        "--out",
        tmp_path / "out",
    )
    assert code == 0, last
    assert last["outputs"]["export"] == str((tmp_path / "out").resolve())
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "0000.png",
        "0001.png",
        "0002.png",
        "0003.png",
    ]
    back = read_slices(tmp_path / "out", "png")
    assert back.dtype == np.uint16 and np.array_equal(back, seg)
    assert [line["done"] for line in lines if line["type"] == "progress"][-1] == SHAPE[0]


def test_tif_32bit_slices_keep_large_ids(tmp_path):
    seg = labels(4_000_000_000)
    export_segmentation(seg, tmp_path / "out", "tif", bits=32)
    back = read_slices(tmp_path / "out", "tif")
    assert back.dtype == np.uint32 and np.array_equal(back, seg)


@pytest.mark.parametrize("bits, largest", [(8, 255), (16, 65535), (32, 2**32 - 1)])
def test_tiff_stack_reads_back_zyx_with_its_dtype(tmp_path, bits, largest):
    seg = labels(largest)
    export_segmentation(seg, tmp_path / "out", "tiff-stack", bits=bits)
    with tifffile.TiffFile(tmp_path / "out" / "segmentation.tif") as tif:
        back = tif.asarray()
        assert tif.is_imagej == (bits != 32)  # ImageJ hyperstacks have no uint32
        assert len(tif.pages) == SHAPE[0]
    assert back.shape == SHAPE and back.dtype == np.dtype(f"uint{bits}")
    assert np.array_equal(back, seg)


def test_hdf5_export_equal_with_attributes(tmp_path):
    seg = labels(123_456_789)
    project = make_run(tmp_path / "p", seg)
    code, last, _ = run_cli("--project", project.root, "--run", "run1", "--format", "hdf5")
    assert code == 0, last
    default = project.path("exports", "run1-hdf5-32bit", "segmentation.h5")
    assert last["outputs"]["segmentation"] == "exports/run1-hdf5-32bit/segmentation.h5:segmentation"
    assert result_outputs([last], project.root)["segmentation"] == f"{default}:segmentation"
    with h5py.File(default, "r") as handle:
        assert np.array_equal(handle["segmentation"][...], seg)
        assert handle["segmentation"].dtype == np.uint32
        assert list(handle["segmentation"].attrs["bbox_start_zyx"]) == [2, 0, 1]


def test_colour_is_stable_per_id_and_zero_is_black(tmp_path):
    seg = np.zeros((3, 4, 4), np.uint32)
    seg[0, 0, 0] = seg[2, 3, 3] = 70_000
    seg[1, 1:3, 1:3] = 5
    export_segmentation(seg, tmp_path / "a", "png", colour=True)
    export_segmentation(seg, tmp_path / "b", "tiff-stack", colour=True)
    rgb = read_slices(tmp_path / "a", "png")
    assert rgb.shape == seg.shape + (3,) and rgb.dtype == np.uint8
    assert np.array_equal(rgb, tifffile.imread(tmp_path / "b" / "segmentation.tif"))
    assert np.array_equal(rgb[0, 0, 0], rgb[2, 3, 3])
    assert np.array_equal(rgb[0, 0, 0], id_colours(np.array([70_000]))[0])
    assert not rgb[seg == 0].any() and (rgb[seg != 0].max(axis=-1) >= 48).all()
    colours = id_colours(np.arange(1, 2001))
    assert len({tuple(c) for c in colours}) > 1990  # distinct IDs look distinct
    assert np.array_equal(colourise(seg[1]), id_colours(seg[1]))


def test_ids_too_large_for_16bit_are_refused_then_remapped(tmp_path):
    seg = labels(70_000)
    make_run(tmp_path / "p", seg)
    args = (
        "--project",
        tmp_path / "p",
        "--run",
        "run1",
        "--format",
        "png",
        "--out",
        tmp_path / "out",
    )
    code, last, _ = run_cli(*args)
    assert code == 2 and last["type"] == "error"
    assert "70000" in last["message"] and "16-bit" in last["message"]
    assert "--remap" in last["hint"]
    assert list(tmp_path.iterdir()) == [tmp_path / "p"]  # nothing written
    code, last, lines = run_cli(*args, "--remap")
    assert code == 0, last
    assert any(
        line["type"] == "log" and line["level"] == "warning" and "renumbered" in line["message"]
        for line in lines
    )
    back = read_slices(tmp_path / "out", "png")
    assert back.dtype == np.uint16 and back.max() == 4
    assert np.array_equal(original_ids(tmp_path / "out", back), seg)


def test_png_has_no_32bit_grey():
    with pytest.raises(UserError, match="PNG has no 32-bit") as info:
        export_segmentation(labels(5), Path("unused"), "png", bits=32)
    assert "tif" in info.value.hint


def test_stop_leaves_nothing_and_existing_folders_are_kept(tmp_path):
    seg = labels(9)
    calls = []
    result = export_segmentation(
        seg,
        tmp_path / "out",
        "tif",
        bits=16,
        stopped=lambda: len(calls) >= 2,
        progress=lambda done, total: calls.append(done),
    )
    assert result is None and calls == [0, 1]
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old.txt").write_text("keep me")
    with pytest.raises(UserError, match="not empty") as info:
        export_segmentation(seg, tmp_path / "out", "tif")
    assert "--overwrite" in info.value.hint
    export_segmentation(seg, tmp_path / "out", "tif", overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert not (tmp_path / "out" / "old.txt").exists()


def test_missing_run_names_the_runs_there_are(tmp_path):
    project = make_run(tmp_path / "p", labels(3), run="good")
    with pytest.raises(UserError, match="no inference run 'bad'") as info:
        RunSegmentation(project, "bad")
    assert "good" in info.value.hint
    assert np.array_equal(RunSegmentation(project, "good")[...], labels(3))


def test_evaluate_reads_a_run_through_the_same_loader(tmp_path):
    seg = labels(7)
    project = make_run(tmp_path / "p", seg)
    gt = np.zeros((8,) + SHAPE[1:-1] + (SHAPE[2] + 1,), np.uint16)
    gt[2:6, :, 1:] = seg
    with h5py.File(tmp_path / "gt.h5", "w") as handle:
        handle["labels"] = gt
    code, events = run_stage_cli(
        "evaluate",
        "--project",
        project.root,
        "--run",
        "run1",
        "--gt",
        f"{tmp_path / 'gt.h5'}:labels",
    )
    last = events[-1]
    assert code == 0, last
    assert last["box_zyx"] == [[2, 6], [0, 6], [1, 8]]
    assert last["outputs"]["arand"] == pytest.approx(0.0)


def test_the_engine_function_runs_from_plain_python(tmp_path):
    seg = labels(300)
    project = make_run(tmp_path / "p", seg)
    config = ExportConfig(run="run1", format="tiff-stack")
    assert config.bits == 16
    stream = io.StringIO()
    result = export(config, project, emit=Emitter("export", stream), cancel=CancelToken())
    folder = project.path("exports", "run1-tiff-stack-16bit")
    assert result.status == "completed" and result.extra == {"slices": SHAPE[0]}
    assert result.outputs == {"export": str(folder), "tiff": str(folder / "segmentation.tif")}
    back = tifffile.imread(folder / "segmentation.tif")
    assert back.dtype == np.uint16 and np.array_equal(back, seg)
    assert "box start (z, y, x) [2, 0, 1]" in stream.getvalue()


def test_stage_stopped_before_the_end_reports_stopped_and_writes_nothing(tmp_path):
    project = make_run(tmp_path / "p", labels(9))
    cancel = CancelToken()
    cancel.cancel()
    stream = io.StringIO()
    config = ExportConfig(run="run1", format="tiff-stack", out=str(tmp_path / "out"))
    result = export(config, project, emit=Emitter("export", stream=stream), cancel=cancel)
    assert result.status == "stopped" and result.outputs == {}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]
    assert "nothing was written" in stream.getvalue()


def test_config_round_trips_and_refuses_bad_values():
    config = ExportConfig(run="run1", format="png", out="/somewhere", bit_depth=8, remap=True)
    assert config.to_dict() == {
        "run": "run1",
        "format": "png",
        "out": "/somewhere",
        "bit_depth": 8,
        "colour": False,
        "remap": True,
        "overwrite": False,
    }
    assert ExportConfig.from_dict(config.to_dict()) == config
    assert ExportConfig(run="r", format="hdf5").bits == 32
    assert ExportConfig(run="r", format="png", colour=True).bits == 8
    for changes, message in (
        ({"format": "jpeg"}, "Unknown export format 'jpeg'"),
        ({"bit_depth": 32}, "PNG has no 32-bit"),
        ({"format": "hdf5", "colour": True}, "no colour mode"),
        ({"bit_depth": 12}, "--bit-depth 12 is not supported"),
        ({"run": ""}, "No inference run"),
    ):
        with pytest.raises(UserError, match=message):
            ExportConfig(**{"run": "run1", "format": "png", **changes})


def test_proofreading_edits_reach_the_export(tmp_path):
    from ffn_core.analysis.proofread import Edit, EditList

    seg = labels(9)
    project = make_run(tmp_path / "p", seg)
    edits = EditList.for_run(project.path("inference", "run1"))
    edits.add(Edit("merge", (1, 2)))
    edits.add(Edit("delete", (9,)))
    export_segmentation(RunSegmentation(project, "run1"), tmp_path / "out", "tif")
    expected = np.where(seg == 2, 1, np.where(seg == 9, 0, seg))
    assert np.array_equal(read_slices(tmp_path / "out", "tif"), expected)


def test_a_run_is_read_one_chunk_layer_at_a_time(tmp_path, monkeypatch):
    """Export (with a remap scan) and evaluation never read more than one HDF5 chunk
    layer of the run at once, edits applied to each block."""
    from ffn_core.analysis.proofread import Edit, EditList

    seg = labels(70_000)
    project = make_run(tmp_path / "p", seg, chunks=(2, 3, 7))
    EditList.for_run(project.path("inference", "run1")).add(Edit("merge", (1, 2)))
    reads = []
    original = h5py.Dataset.__getitem__

    def recording(self, key):
        block = original(self, key)
        reads.append(block.shape)
        return block

    monkeypatch.setattr(h5py.Dataset, "__getitem__", recording)
    export_segmentation(RunSegmentation(project, "run1"), tmp_path / "out", "png", remap=True)
    assert reads and all(shape[0] <= 2 for shape in reads), reads
    back = read_slices(tmp_path / "out", "png")
    assert np.array_equal(original_ids(tmp_path / "out", back), np.where(seg == 2, 1, seg))


def _calibrated_run(root: Path, seg: np.ndarray) -> Project:
    """A run of a project whose image was imported with voxel size 30, 6, 5 (z, y, x)."""
    project = make_run(root, seg)
    image = project.path("volumes", "image.h5")
    image.parent.mkdir()
    with h5py.File(image, "w") as handle:
        handle.create_dataset("raw", data=np.zeros(SHAPE, np.uint8))
    project.register_volume("image", image, "raw", voxel_size=[30.0, 6.0, 5.0])
    return project


@pytest.mark.parametrize("bits", [16, 32])
def test_tiff_exports_carry_the_voxel_size(tmp_path, bits):
    project = _calibrated_run(tmp_path / "p", labels(300))
    for fmt in ("tiff-stack", "tif"):
        config = ExportConfig(run="run1", format=fmt, bit_depth=bits)
        assert export(config, project, emit=Emitter("export", io.StringIO())).status == "completed"
    stack = project.path("exports", f"run1-tiff-stack-{bits}bit", "segmentation.tif")
    first = project.path("exports", f"run1-tif-{bits}bit", "0000.tif")
    for path in (stack, first):
        with tifffile.TiffFile(path) as tif:
            page = tif.pages[0]
            x_res, y_res = (num / den for num, den in (page.tags[t].value for t in (282, 283)))
            if bits == 16:  # ImageJ: pixels per nm, spacing and unit in its description
                assert tif.is_imagej and tif.imagej_metadata["unit"] == "nm"
                assert tif.imagej_metadata["spacing"] == pytest.approx(30.0)
                assert (1 / x_res, 1 / y_res) == pytest.approx((5.0, 6.0))
            else:  # plain TIFF: pixels per centimetre (ImageJ shows microns)
                assert page.tags["ResolutionUnit"].value == tifffile.RESUNIT.CENTIMETER
                assert (1e7 / x_res, 1e7 / y_res) == pytest.approx((5.0, 6.0))
                assert tif.shaped_metadata[0]["spacing"] == 30.0
                assert tif.shaped_metadata[0]["unit"] == "nm"


def test_png_and_hdf5_exports_carry_the_voxel_size(tmp_path):
    project = _calibrated_run(tmp_path / "p", labels(300))
    for fmt in ("png", "hdf5"):
        config = ExportConfig(run="run1", format=fmt)
        assert export(config, project, emit=Emitter("export", io.StringIO())).status == "completed"
    with Image.open(project.path("exports", "run1-png-16bit", "0000.png")) as png:
        dpi_x, dpi_y = png.info["dpi"]
    assert (0.0254e9 / dpi_x, 0.0254e9 / dpi_y) == pytest.approx((5.0, 6.0), rel=1e-3)
    with h5py.File(project.path("exports", "run1-hdf5-32bit", "segmentation.h5"), "r") as handle:
        attrs = handle["segmentation"].attrs
        assert list(attrs["element_size_um"]) == pytest.approx([0.030, 0.006, 0.005])
        assert list(attrs["voxel_size"]) == [30.0, 6.0, 5.0] and attrs["unit"] == "nm"
        assert list(attrs["bbox_start_zyx"]) == [2, 0, 1]


def test_a_refusal_reads_in_the_guis_words_and_the_cli_keeps_its_flag(tmp_path, capsys):
    project = make_run(tmp_path / "p", labels(9))
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("keep")
    args = ("--project", project.root, "--run", "run1", "--format", "tif", "--out", taken)
    code, last, _ = run_cli(*args)
    assert code == 2 and last["type"] == "error"
    assert "--overwrite" in last["hint"] and "--" not in last["gui_hint"]
    assert "Replace a non-empty destination" in last["gui_hint"]
    from ffn_core.cli import main

    assert main(["export", "--text", *map(str, args)]) == 2
    text = capsys.readouterr().out
    assert "hint: Choose another folder, or replace it with --overwrite." in text
