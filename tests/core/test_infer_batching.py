"""Several canvases share batched model calls and get the results of separate batch-1 runs."""

from __future__ import annotations

import numpy as np

from ffn_core.infer.batching import drive_batched
from ffn_core.infer.canvas import Canvas, CanvasOptions, drive


def _image(shift: int) -> np.ndarray:
    image = -np.ones((16, 48, 48), dtype=np.float32)
    for y in (4, 24):
        for x in (4, 24):
            image[3:13, y + shift : y + shift + 10, x : x + 10] = 1.0
    return image


def _model(images: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    return seeds + np.where(images > 0, 6.0, -6.0).astype(np.float32)


def _canvas(image: np.ndarray) -> Canvas:
    return Canvas(image, CanvasOptions(min_segment_size=100), (5, 9, 9), (2, 4, 4))


def test_batched_canvases_equal_separate_runs() -> None:
    images = [_image(0), _image(3), _image(6)]
    separate = []
    for image in images:
        canvas = _canvas(image)
        assert drive(canvas.segment_all(), lambda r: _model(r.image[None], r.seed[None])[0])
        separate.append(canvas)
    batched = [_canvas(image) for image in images]
    sizes = []

    def model(images: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        sizes.append(len(images))
        return _model(images, seeds)

    calls = drive_batched([c.segment_all() for c in batched], model)
    for alone, together in zip(separate, batched):
        assert np.array_equal(alone.segmentation, together.segmentation)
        assert alone.counters["fov_evals"] == together.counters["fov_evals"]
    assert calls == max(c.counters["fov_evals"] for c in separate) and max(sizes) == 3
    assert sum(sizes) == sum(c.counters["fov_evals"] for c in separate)
