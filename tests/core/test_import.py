"""The import stage: stacks into <project>/volumes/*.h5, bad input refused with nothing written."""

from __future__ import annotations

import io
import json
import os
import stat
import tracemalloc
from pathlib import Path

import h5py
import numpy as np
import pytest
import tifffile
from PIL import Image

from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter
from ffn_core.project import Project
from ffn_core.stages.import_volumes import ImportConfig, import_volumes
from tests.core.stack_files import (
    SOURCE_FORMS,
    CancelAfter,
    leftovers,
    result_outputs,
    run_cli,
    volume,
    write_h5,
    write_multipage_tiff,
    write_pngs,
    write_source,
    write_tiffs,
)


def _import(tmp_path, images, labels=None, **options):
    """import_volumes in-process; returns (result, project, events)."""
    stream = io.StringIO()
    project = Project.open_or_create(tmp_path / "project")
    result = import_volumes(
        ImportConfig(str(images), labels and str(labels), **options),
        project,
        emit=Emitter("import", stream, min_interval=0),
    )
    events = [json.loads(line) for line in stream.getvalue().splitlines()]
    return result, project, events


def _read(spec: str):
    path, dataset = spec.rsplit(":", 1)
    with h5py.File(path, "r") as handle:
        return handle[dataset][...], dict(handle[dataset].attrs), handle[dataset].chunks


def test_png_stacks_round_trip_with_attributes(tmp_path):
    image = volume((5, 12, 16), np.uint8, seed=1)
    labels = volume((5, 12, 16), np.uint16, seed=2, high=900)
    write_pngs(tmp_path / "em", image)
    write_pngs(tmp_path / "gt", labels)
    result, project, events = _import(
        tmp_path, tmp_path / "em", tmp_path / "gt", voxel_size_zyx=(30.0, 6.0, 6.0)
    )
    assert result.status == "completed"
    assert result.outputs == {
        "image": f"{project.path('volumes', 'image.h5')}:raw",
        "labels": f"{project.path('volumes', 'labels.h5')}:raw",
    }
    data, attrs, chunks = _read(result.outputs["image"])
    np.testing.assert_array_equal(data, image)
    assert data.dtype == np.uint8 and chunks is not None
    assert attrs["mean"] == pytest.approx(image.mean(), rel=1e-12)
    assert attrs["std"] == pytest.approx(image.std(), rel=1e-12)
    assert list(attrs["voxel_size"]) == [30.0, 6.0, 6.0]
    assert [Path(f).name for f in attrs["source_files"]] == [f"{z:04d}.png" for z in range(5)]
    label_data, label_attrs, _ = _read(result.outputs["labels"])
    np.testing.assert_array_equal(label_data, labels)
    assert label_data.dtype == np.uint16 and list(label_attrs["voxel_size"]) == [30, 6, 6]
    record = Project.open(project.root).data["volumes"]["image"]
    assert record["file"] == "volumes/image.h5" and record["shape"] == [5, 12, 16]
    assert record["mean"] == pytest.approx(image.mean()) and record["voxel_size"] == [30, 6, 6]
    progress = [e for e in events if e["type"] == "progress"]
    assert progress[-1]["done"] == progress[-1]["total"] == 10
    assert {e["unit"] for e in progress} == {"slices"}
    assert leftovers(project.root) == ["image.h5", "labels.h5"]
    assert project.stage_params("import") == {
        "images": str(tmp_path / "em"),
        "labels": str(tmp_path / "gt"),
        "voxel_size": [30.0, 6.0, 6.0],
        "to_gray": False,
    }


def test_the_engine_function_runs_from_plain_python(tmp_path):
    image = volume((3, 8, 10), np.uint16, seed=4)
    write_multipage_tiff(tmp_path / "em.tif", image)
    config = ImportConfig(images=str(tmp_path / "em.tif"), voxel_size_zyx=(40, 4, 4))
    assert config.voxel_size_zyx == (40.0, 4.0, 4.0)
    stream = io.StringIO()
    result = import_volumes(
        config, Project.create(tmp_path / "p"), emit=Emitter("import", stream), cancel=CancelToken()
    )
    assert result.status == "completed" and list(result.outputs) == ["image"]
    data, attrs, _ = _read(result.outputs["image"])
    np.testing.assert_array_equal(data, image)
    assert list(attrs["voxel_size"]) == [40.0, 4.0, 4.0]
    assert '"type": "artifact"' in stream.getvalue()


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_volumes_get_the_permissions_of_any_new_file(tmp_path):
    write_pngs(tmp_path / "em", volume((2, 4, 4)))
    _, project, _ = _import(tmp_path, tmp_path / "em")
    (tmp_path / "plain").write_bytes(b"")
    expected = stat.S_IMODE((tmp_path / "plain").stat().st_mode)
    for path in (project.path("volumes", "image.h5"), project.path("project.json")):
        assert stat.S_IMODE(path.stat().st_mode) == expected, path


def test_config_round_trips_and_refuses_bad_values():
    config = ImportConfig("em/", labels="gt.h5:seg", voxel_size_zyx=(30, 6, 6), to_gray=True)
    assert config.to_dict() == {
        "images": "em/",
        "labels": "gt.h5:seg",
        "voxel_size_zyx": [30.0, 6.0, 6.0],
        "to_gray": True,
        "volume": "main",
    }
    assert ImportConfig.from_dict(config.to_dict()) == config
    with pytest.raises(UserError, match=r"--voxel-size '30,0,6' is not three positive"):
        ImportConfig("em/", voxel_size_zyx=(30, 0, 6))
    with pytest.raises(UserError, match="No image stack"):
        ImportConfig("")


@pytest.mark.parametrize("form", SOURCE_FORMS)
def test_image_forms_and_bit_depths(tmp_path, form):
    dtype = np.uint8 if form == "tiff-folder" else np.uint16
    image = volume((6, 9, 11), dtype, seed=5)
    source = write_source(form, tmp_path, image)
    result, _, _ = _import(tmp_path, source)
    data, attrs, _ = _read(result.outputs["image"])
    assert data.dtype == dtype
    np.testing.assert_array_equal(data, image)
    assert (attrs["mean"], attrs["std"]) == pytest.approx((image.mean(), image.std()))


@pytest.mark.parametrize(
    "source_dtype, stored",
    [
        ("uint8", "uint8"),
        ("uint16", "uint16"),
        ("uint32", "uint32"),
        ("int32", "uint32"),
        ("int64", "uint64"),
    ],
)
def test_label_bit_depths_keep_their_values(tmp_path, source_dtype, stored):
    image = volume((3, 8, 10), np.uint8)
    labels = volume((3, 8, 10), np.dtype(source_dtype).type, seed=7, high=200)
    labels[1, 2, 3] = np.iinfo(source_dtype).max  # the widest id survives
    write_pngs(tmp_path / "em", image)
    if source_dtype in ("uint8", "uint16"):
        source = write_pngs(tmp_path / "gt", labels)[0].parent
    elif source_dtype == "int64":
        source = f"{write_h5(tmp_path / 'gt.h5', labels, 'seg')}:seg"
    else:
        source = write_tiffs(tmp_path / "gt", labels)[0].parent
    result, _, _ = _import(tmp_path, tmp_path / "em", source)
    data, _, _ = _read(result.outputs["labels"])
    assert data.dtype == np.dtype(stored)
    np.testing.assert_array_equal(data, labels.astype(stored))


def test_colour_needs_to_gray_and_says_so_when_converting(tmp_path, monkeypatch):
    rgb = volume((3, 8, 9, 4))  # RGBA
    write_pngs(tmp_path / "em", rgb)
    with pytest.raises(UserError, match=r"colour \(RGBA\)") as info:
        _import(tmp_path, tmp_path / "em")
    assert "--to-gray" in info.value.hint and leftovers(tmp_path / "project") == []
    result, _, events = _import(tmp_path, tmp_path / "em", to_gray=True)
    data, _, _ = _read(result.outputs["image"])
    expected = np.rint(rgb[..., :3].astype(float) @ [0.299, 0.587, 0.114]).astype(np.uint8)
    np.testing.assert_array_equal(data, expected)
    assert any("to gray" in e.get("message", "") for e in events if e["type"] == "log")


def test_skipped_files_are_logged_not_imported(tmp_path):
    write_pngs(tmp_path / "em", volume((2, 4, 4)))
    (tmp_path / "em" / "ground_truth.h5").write_bytes(b"not a slice")
    result, _, events = _import(tmp_path, tmp_path / "em")
    warnings = [e["message"] for e in events if e.get("level") == "warning"]
    assert any("ground_truth.h5" in message for message in warnings)
    assert _read(result.outputs["image"])[0].shape == (2, 4, 4)


def test_reimport_replaces_volumes_and_drops_labels_that_no_longer_fit(tmp_path):
    write_pngs(tmp_path / "a", volume((3, 8, 8), seed=1))
    write_pngs(tmp_path / "gt", volume((3, 8, 8), seed=2))
    _import(tmp_path, tmp_path / "a", tmp_path / "gt")
    second = volume((4, 6, 6), seed=3)
    write_pngs(tmp_path / "b", second)
    result, project, events = _import(tmp_path, tmp_path / "b")
    np.testing.assert_array_equal(_read(result.outputs["image"])[0], second)
    assert "labels" not in result.outputs and "labels" not in project.data["volumes"]
    assert leftovers(project.root) == ["image.h5"]
    assert any("Removed the labels" in e.get("message", "") for e in events)


def test_failed_reimport_leaves_the_previous_volumes(tmp_path):
    first = volume((3, 8, 8), seed=1)
    write_pngs(tmp_path / "a", first)
    _import(tmp_path, tmp_path / "a")
    before = (tmp_path / "project" / "volumes" / "image.h5").read_bytes()
    paths = write_pngs(tmp_path / "b", volume((3, 8, 8), seed=2))
    paths[2].write_bytes(paths[2].read_bytes()[:60])  # truncated last slice
    with pytest.raises(UserError, match="Cannot read"):
        _import(tmp_path, tmp_path / "b")
    assert (tmp_path / "project" / "volumes" / "image.h5").read_bytes() == before
    assert leftovers(tmp_path / "project") == ["image.h5"]


def test_memory_stays_within_one_chunk_layer_whatever_the_depth(tmp_path):
    peaks = {}
    for depth in (20, 60):
        stack = volume((depth, 256, 384), np.uint8, seed=depth)
        write_pngs(tmp_path / f"em{depth}", stack)
        write_pngs(tmp_path / f"gt{depth}", stack.astype(np.uint16))
        project = Project.create(tmp_path / f"p{depth}")
        config = ImportConfig(str(tmp_path / f"em{depth}"), str(tmp_path / f"gt{depth}"))
        with open(os.devnull, "w", encoding="utf-8") as sink:
            tracemalloc.start()
            try:
                import_volumes(config, project, emit=Emitter("import", sink))
                peaks[depth] = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
    plane = 256 * 384
    label_layer = 16 * plane * 2  # one chunk layer of uint16 labels
    assert peaks[60] < peaks[20] + 2 * plane  # does not grow with the number of slices
    assert peaks[60] < label_layer + 4 * plane * 8 + 4 * plane * 2  # + float64 statistics


def test_cancel_leaves_nothing(tmp_path):
    write_pngs(tmp_path / "em", volume((4, 8, 8)))
    cancel = CancelToken()
    cancel.cancel()
    project = Project.open_or_create(tmp_path / "project")
    result = import_volumes(
        ImportConfig(str(tmp_path / "em")),
        project,
        emit=Emitter("import", io.StringIO()),
        cancel=cancel,
    )
    assert result.status == "stopped" and result.outputs == {}
    assert leftovers(project.root) == [] and project.data["volumes"] == {}


def test_a_stop_while_writing_the_labels_leaves_the_previous_volumes(tmp_path):
    write_pngs(tmp_path / "a", volume((3, 8, 8), seed=1))
    write_pngs(tmp_path / "gt", volume((3, 8, 8), seed=2))
    _, project, _ = _import(tmp_path, tmp_path / "a", tmp_path / "gt")
    before = [(project.root / "volumes" / name).read_bytes() for name in ("image.h5", "labels.h5")]
    write_pngs(tmp_path / "b", volume((3, 8, 8), seed=3))
    result = import_volumes(
        ImportConfig(str(tmp_path / "b"), str(tmp_path / "gt")),
        project,
        emit=Emitter("import", io.StringIO()),
        cancel=CancelAfter(5),
    )
    assert result.status == "stopped"  # the image was complete, the labels were not
    assert [
        (project.root / "volumes" / name).read_bytes() for name in ("image.h5", "labels.h5")
    ] == before
    assert leftovers(project.root) == ["image.h5", "labels.h5"]


# -- bad input through the real CLI: an error line with a hint, exit 2, nothing written ------


def _bad_folder_mixed_image(tmp_path):
    write_pngs(tmp_path / "em", volume((3, 8, 8)))
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(tmp_path / "em" / "overview.jpg")
    return ["--images", tmp_path / "em"], ["overview.jpg", "PNG or TIFF"]


def _bad_not_an_image(tmp_path):
    write_pngs(tmp_path / "em", volume((3, 8, 8)))
    (tmp_path / "em" / "0001.png").write_text("these are my notes, not a slice")
    return ["--images", tmp_path / "em"], ["Cannot read", "0001.png"]


def _bad_empty_folder(tmp_path):
    (tmp_path / "em").mkdir()
    return ["--images", tmp_path / "em"], ["holds no PNG or TIFF slices", str(tmp_path / "em")]


def _bad_sizes(tmp_path):
    paths = write_pngs(tmp_path / "em", volume((4, 8, 10)))
    Image.fromarray(np.zeros((8, 12), np.uint8)).save(paths[2])
    return ["--images", tmp_path / "em"], [str(paths[2]), "12×8", "10×8", str(paths[0])]


def _bad_rgb(tmp_path):
    write_pngs(tmp_path / "em", volume((3, 8, 8, 3)))
    return ["--images", tmp_path / "em"], ["colour (RGB)", "0000.png"]


def _bad_float_labels(tmp_path):
    write_pngs(tmp_path / "em", volume((3, 8, 8)))
    tifffile.imwrite(tmp_path / "gt.tif", np.zeros((3, 8, 8), np.float32), photometric="minisblack")
    return (
        ["--images", tmp_path / "em", "--labels", tmp_path / "gt.tif"],
        ["floating-point (float32)", "gt.tif"],
    )


def _bad_label_shape(tmp_path):
    write_pngs(tmp_path / "em", volume((3, 8, 8)))
    write_pngs(tmp_path / "gt", volume((4, 8, 8)))
    return (
        ["--images", tmp_path / "em", "--labels", tmp_path / "gt"],
        ["(4, 8, 8)", "(3, 8, 8)", str(tmp_path / "gt")],
    )


def _bad_truncated_png(tmp_path):
    paths = write_pngs(tmp_path / "em", volume((3, 32, 32)))
    paths[1].write_bytes(paths[1].read_bytes()[:100])
    return ["--images", tmp_path / "em"], ["Cannot read", str(paths[1])]


def _bad_truncated_tiff(tmp_path):
    path = write_multipage_tiff(tmp_path / "em.tif", volume((3, 32, 32)))
    path.write_bytes(path.read_bytes()[:2000])
    return ["--images", path], ["Cannot read", "em.tif"]


def _bad_negative_labels(tmp_path):
    write_pngs(tmp_path / "em", volume((3, 8, 8)))
    labels = np.zeros((3, 8, 8), np.int16)
    labels[2, 1, 1] = -5
    write_h5(tmp_path / "gt.h5", labels, "seg")
    return (
        ["--images", tmp_path / "em", "--labels", f"{tmp_path / 'gt.h5'}:seg"],
        ["negative", "z=2"],
    )


def _bad_dataset_name(tmp_path):
    write_h5(tmp_path / "em.h5", volume((3, 8, 8)), "raw")
    return ["--images", f"{tmp_path / 'em.h5'}:image"], ["no dataset 'image'", "raw"]


@pytest.mark.parametrize(
    "make",
    [
        _bad_empty_folder,
        _bad_folder_mixed_image,
        _bad_not_an_image,
        _bad_sizes,
        _bad_rgb,
        _bad_float_labels,
        _bad_label_shape,
        _bad_truncated_png,
        _bad_truncated_tiff,
        _bad_negative_labels,
        _bad_dataset_name,
    ],
    ids=lambda make: make.__name__[5:],
)
def test_bad_input_is_refused_by_name_and_nothing_is_written(tmp_path, make):
    args, expected = make(tmp_path)
    code, events = run_cli("import", "--project", tmp_path / "project", *args)
    assert code == 2
    last = events[-1]
    assert last["type"] == "error" and last["hint"], last
    for text in expected:
        assert text in last["message"], (text, last["message"])
    assert leftovers(tmp_path / "project") == []
    project = Project.open(tmp_path / "project")
    assert project.data["volumes"] == {} and project.data["runs"][-1]["status"] == "failed"


def test_bad_options_are_refused_before_anything_is_created(tmp_path):
    write_pngs(tmp_path / "em", volume((3, 8, 8)))
    code, events = run_cli(
        "import",
        "--project",
        tmp_path / "project",
        "--images",
        tmp_path / "em",
        "--voxel-size",
        "30,6",
    )
    assert code == 2 and events[-1]["type"] == "error"
    assert "--voxel-size '30,6'" in events[-1]["message"] and "z first" in events[-1]["hint"]
    assert not (tmp_path / "project").exists()


def test_unsupported_pixel_types_are_refused_in_process(tmp_path):
    write_h5(tmp_path / "em.h5", np.zeros((3, 8, 8), np.float32), "raw")
    with pytest.raises(UserError, match=r"em.h5:raw holds float32 pixels.*8- or 16-bit"):
        _import(tmp_path, f"{tmp_path / 'em.h5'}:raw")
    write_pngs(tmp_path / "em", volume((3, 8, 8)))
    write_pngs(tmp_path / "rgb", volume((3, 8, 8, 3)))
    with pytest.raises(UserError, match="Label slice .*0000.png is a colour image"):
        _import(tmp_path, tmp_path / "em", tmp_path / "rgb")
    assert leftovers(tmp_path / "project") == []


def test_japanese_paths_simply_work(tmp_path):
    root = tmp_path / "電子顕微鏡データ"
    image = volume((3, 8, 8), np.uint8)
    write_pngs(root / "画像", image, [f"スライス{z}.png" for z in range(3)])
    write_multipage_tiff(root / "ラベル.tif", volume((3, 8, 8), np.uint16, high=50))
    # A Windows pipe's ANSI code page cannot encode Japanese; the worker writes UTF-8 anyway.
    code, events = run_cli(
        "import",
        "--project",
        root / "プロジェクト",
        "--images",
        root / "画像",
        "--labels",
        root / "ラベル.tif",
        env={"PYTHONIOENCODING": "cp1252"},
    )
    assert code == 0, events[-1]
    assert any("スライス0.png" in e.get("message", "") for e in events)
    outputs = result_outputs(events, root / "プロジェクト")
    assert outputs["image"] == f"{root / 'プロジェクト' / 'volumes' / 'image.h5'}:raw"
    data, attrs, _ = _read(outputs["image"])
    np.testing.assert_array_equal(data, image)
    assert Path(attrs["source_files"][0]).name == "スライス0.png"


def test_snemi3d_import_matches_the_reference_tutorial(tmp_path, shared):
    data = shared / "data" / "snemi3d"
    code, events = run_cli(
        "import",
        "--project",
        tmp_path / "snemi",
        "--images",
        data / "images",
        "--labels",
        data / "segment",
        "--voxel-size",
        "30,6,6",
    )
    assert code == 0, events[-1]
    outputs = result_outputs(events, tmp_path / "snemi")
    image, attrs, _ = _read(outputs["image"])
    assert image.shape == (100, 512, 512) and image.dtype == np.uint8
    assert attrs["mean"] == pytest.approx(131, abs=1) and attrs["std"] == pytest.approx(62, abs=1)
    assert (attrs["mean"], attrs["std"]) == pytest.approx((image.mean(), image.std()))
    labels, _, _ = _read(outputs["labels"])
    assert labels.shape == (100, 512, 512) and labels.dtype.kind == "u"
    for z in (0, 57, 99):
        png = np.asarray(Image.open(data / "segment" / f"{z:04d}.png"))
        np.testing.assert_array_equal(labels[z], png)
    logs = " ".join(e["message"] for e in events if e["type"] == "log")
    assert "0000.png, 0001.png, 0002.png, …, 0097.png, 0098.png, 0099.png" in logs
