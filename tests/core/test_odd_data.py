"""Odd data through the real stages: each case is either handled right or refused with a message
that names the file or value and what to do, leaving nothing half-written."""

from __future__ import annotations

import io

import h5py
import numpy as np
import pytest
import tifffile

from ffn_core.errors import UserError
from ffn_core.events import Emitter
from ffn_core.project import Project
from ffn_core.stages.evaluate import EvaluateConfig, evaluate
from ffn_core.stages.import_volumes import ImportConfig, import_volumes
from ffn_core.stages.infer import InferConfig, infer
from ffn_core.stages.preprocess import PreprocessConfig, preprocess
from tests.core.stack_files import leftovers, volume, write_h5, write_pngs, write_tiffs


def _emit() -> Emitter:
    return Emitter(stream=io.StringIO(), min_interval=0)


def _import(tmp_path, images, labels=None) -> Project:
    project = Project.open_or_create(tmp_path / "project")
    import_volumes(ImportConfig(str(images), labels and str(labels)), project, emit=_emit())
    return project


def _blocks(shape, ids) -> np.ndarray:
    """Labels of four blocks side by side in x with the given ids."""
    labels = np.zeros(shape, dtype=np.asarray(ids).dtype)
    width = shape[2] // len(ids)
    for i, label in enumerate(ids):
        labels[:, :, i * width : (i + 1) * width] = label
    return labels


def _small_preprocess() -> PreprocessConfig:
    return PreprocessConfig(lom_radius_xyz=(4, 3, 2), min_size=10)


@pytest.mark.parametrize("dtype", [np.uint64, np.int64])
def test_labels_with_huge_ids_import_and_preprocess(tmp_path, dtype):
    ids = np.array([2**40 + 3, 7, 2**40 + 9, 2**33], dtype=dtype)
    labels = _blocks((8, 20, 40), ids)
    write_h5(tmp_path / "gt.h5", labels)
    write_h5(tmp_path / "em.h5", volume((8, 20, 40), np.uint8))
    project = _import(tmp_path, f"{tmp_path / 'em.h5'}:raw", f"{tmp_path / 'gt.h5'}:raw")
    with h5py.File(project.path("volumes", "labels.h5"), "r") as handle:
        stored = next(iter(handle.values()))[...]
    assert stored.dtype == np.uint64 and sorted(np.unique(stored)) == sorted(ids.astype(np.uint64))
    result = preprocess(_small_preprocess(), project, emit=_emit())
    assert result.status == "completed" and result.extra["coordinates_count"] > 0


def test_negative_label_ids_are_refused_by_slice_and_nothing_is_written(tmp_path):
    labels = _blocks((4, 12, 16), np.array([1, -5], dtype=np.int16))
    write_tiffs(tmp_path / "gt", labels)
    write_pngs(tmp_path / "em", volume((4, 12, 16), np.uint8))
    with pytest.raises(UserError, match="negative ids") as caught:
        _import(tmp_path, tmp_path / "em", tmp_path / "gt")
    assert "slice_0.tif" in caught.value.message
    assert not list((tmp_path / "project").glob("volumes/*.h5"))
    assert not leftovers(tmp_path / "project")


def test_an_empty_label_volume_is_explained_at_preprocess(tmp_path):
    write_h5(tmp_path / "gt.h5", np.zeros((8, 20, 40), np.uint16))
    write_h5(tmp_path / "em.h5", volume((8, 20, 40), np.uint8))
    project = _import(tmp_path, f"{tmp_path / 'em.h5'}:raw", f"{tmp_path / 'gt.h5'}:raw")
    with pytest.raises(UserError, match="holds no object") as caught:
        preprocess(_small_preprocess(), project, emit=_emit())
    assert "labels.h5" in caught.value.message
    assert not project.path("preprocess").exists() or not any(project.path("preprocess").iterdir())


def test_a_float_image_with_nan_is_refused_naming_the_file(tmp_path):
    image = volume((5, 12, 16), np.uint8).astype(np.float32)
    image[1, 2, 3], image[2, 3, 4] = np.nan, np.inf
    tifffile.imwrite(tmp_path / "em.tif", image)
    with pytest.raises(UserError, match="float32") as caught:
        _import(tmp_path, tmp_path / "em.tif")
    assert "em.tif" in caught.value.message and "8-bit" in caught.value.hint


@pytest.mark.parametrize("odd", ["size", "dtype"])
def test_slices_of_different_sizes_or_dtypes_are_refused_by_name(tmp_path, odd):
    stack = volume((4, 12, 16), np.uint8)
    write_pngs(tmp_path / "em", stack)
    other = volume((12, 18), np.uint8) if odd == "size" else volume((12, 16), np.uint16)
    write_pngs(tmp_path / "em", other[None], names=["0002.png"])
    with pytest.raises(UserError) as caught:
        _import(tmp_path, tmp_path / "em")
    assert "0002.png" in caught.value.message
    assert not list((tmp_path / "project").glob("volumes/*.h5"))


def test_a_constant_image_is_explained_before_inference(tmp_path, flood_checkpoint):
    write_h5(tmp_path / "em.h5", np.full((10, 24, 24), 128, np.uint8))
    project = _import(tmp_path, f"{tmp_path / 'em.h5'}:raw")
    with pytest.raises(UserError, match="single grey value") as caught:
        infer(InferConfig(checkpoint=str(flood_checkpoint)), project, emit=_emit())
    assert "image.h5" in caught.value.message and "--image-std" in caught.value.hint
    assert not project.path("inference", "default").exists()


def test_a_volume_thinner_than_the_fov_is_refused_before_any_work(tmp_path, flood_checkpoint):
    write_h5(tmp_path / "em.h5", volume((3, 24, 24), np.uint8))  # the tiny model's FOV z is 5
    project = _import(tmp_path, f"{tmp_path / 'em.h5'}:raw")
    with pytest.raises(UserError) as caught:
        infer(InferConfig(checkpoint=str(flood_checkpoint)), project, emit=_emit())
    assert "3" in caught.value.message and "5" in caught.value.message
    assert not project.path("inference", "default", "segmentation.h5").exists()


def test_ground_truth_of_another_shape_is_refused_with_both_shapes(tmp_path):
    write_h5(tmp_path / "seg.h5", np.ones((6, 10, 12), np.uint32))
    write_h5(tmp_path / "gt.h5", np.ones((6, 10, 14), np.uint16))
    config = EvaluateConfig(seg=f"{tmp_path / 'seg.h5'}:raw", gt=f"{tmp_path / 'gt.h5'}:raw")
    with pytest.raises(UserError) as caught:
        evaluate(config, None, emit=_emit())
    assert "(6, 10, 12)" in caught.value.message and "(6, 10, 14)" in caught.value.message
