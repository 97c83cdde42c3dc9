"""Lazy volumes: a 1000 x 1024 x 1024 chunked HDF5 with mostly empty chunks opens as a
napari image layer backed by dask, reading only the planes napari shows."""

from __future__ import annotations

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
