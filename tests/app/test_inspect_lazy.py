"""Lazy volumes: a 1000 x 1024 x 1024 chunked HDF5 with mostly empty chunks opens as a
napari image layer backed by dask, reading only the planes napari shows."""

from __future__ import annotations

import tracemalloc

import dask.array as da
import h5py
import numpy as np
import pytest
from napari.components import ViewerModel

SHAPE = (1000, 1024, 1024)


@pytest.fixture
def sparse_volume(tmp_path):
    path = tmp_path / "big.h5"
    with h5py.File(path, "w") as handle:
        dataset = handle.create_dataset(
            "raw", shape=SHAPE, dtype=np.uint8, chunks=(64, 64, 64), fillvalue=0, compression="gzip"
        )
        dataset[500:564, 128:192, 256:320] = 200  # one chunk on the middle plane
        dataset[0:64, 0:64, 0:64] = 50
    return path


@pytest.fixture
def read_planes(monkeypatch):
    """Record every non-empty h5py read as the z range it asked for (dask's 0-size probe
    for the dtype is left out)."""
    reads: list[tuple[int, int]] = []
    original = h5py.Dataset.__getitem__

    def counting(self, key):
        z = key[0] if isinstance(key, tuple) else key
        span = (z.start, z.stop) if isinstance(z, slice) else (z, z + 1)
        if span[1] != span[0]:
            reads.append(span)
        return original(self, key)

    monkeypatch.setattr(h5py.Dataset, "__getitem__", counting)
    return reads


def test_big_sparse_volume_opens_lazily_as_a_layer(sparse_volume, read_planes):
    from app.inspect.lazy import open_lazy

    assert sparse_volume.stat().st_size < 2_000_000  # a gigabyte volume, tiny on disk
    data = open_lazy(sparse_volume, "raw")
    assert isinstance(data, da.Array) and data.shape == SHAPE and data.chunksize == (1, 1024, 1024)
    assert read_planes == []

    viewer = ViewerModel()
    layer = viewer.add_image(data, name="big", contrast_limits=(0, 255))
    assert layer.data is data
    viewer.dims.set_point(0, 530)
    shown = np.asarray(layer._slice.image.view)
    assert shown.shape == (1024, 1024) and shown[150, 300] == 200 and shown[0, 0] == 0
    planes = {z for start, stop in read_planes for z in range(start, stop)}
    assert 530 in planes and len(planes) <= 4, sorted(planes)


def test_spec_string_and_missing_dataset(sparse_volume):
    from app.inspect.lazy import open_lazy
    from ffn_core.errors import UserError

    assert open_lazy(f"{sparse_volume}:raw")[10, 10:12, 10:12].compute().tolist() == [
        [50, 50],
        [50, 50],
    ]
    with pytest.raises(UserError, match="no dataset 'nope'"):
        open_lazy(sparse_volume, "nope")


def test_presenter_shows_a_large_volume_as_a_strided_pyramid(sparse_volume, monkeypatch):
    """Above PYRAMID_BYTES the layer is multiscale: levels keep every 2nd, 4th voxel in y
    and x (z kept), read a chunk row at a time, and the 3-D view holds only the coarsest
    level, never the volume."""
    from app.inspect.lazy import LOWEST_LEVEL_BYTES
    from app.viewer_panel import LayerPresenter

    presenter = LayerPresenter(ViewerModel())
    layer = presenter.show_image("big", f"{sparse_volume}:raw")
    assert layer.multiscale
    assert [tuple(shape) for shape in layer.level_shapes] == [
        (1000, 1024, 1024),
        (1000, 512, 512),
        (1000, 256, 256),
    ]
    assert layer.data[-1].nbytes <= LOWEST_LEVEL_BYTES
    assert layer.data[0][530, 150, 300].compute() == 200
    assert layer.data[2][530, 150 // 4, 300 // 4].compute() == 200  # voxel (530, 148, 300)
    assert layer.data[1][10, :32, :32].compute().tolist() == np.full((32, 32), 50).tolist()
    assert presenter.show_labels("as labels", f"{sparse_volume}:raw").multiscale
    presenter.release("as labels")

    reads = []
    original = h5py.Dataset.__getitem__

    def recording(self, key):
        block = original(self, key)
        reads.append(((key[0].start, key[0].stop), (key[1].start, key[1].stop), block.shape))
        return block

    monkeypatch.setattr(h5py.Dataset, "__getitem__", recording)
    tracemalloc.start()
    presenter.viewer.dims.ndisplay = 3
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    shown = np.asarray(layer._slice.image.view)
    assert shown.shape == (1000, 256, 256) and shown[530, 37, 75] == 200
    # one HDF5 chunk layer by one chunk row (64 x 64 x 1024 voxels) at a time, each read
    # once (but those napari's cache holds already), and a few times the coarsest level in
    # memory, not the 1 GB volume
    assert {shape for *_, shape in reads} == {(64, 64, 1024), (40, 64, 1024)}
    assert len({(z, y) for z, y, _ in reads}) == len(reads) > 16 * 16 - 3 * 16
    assert peak < 4 * LOWEST_LEVEL_BYTES, peak / 2**20  # the level, its pieces, a copy
    presenter.release_all()
