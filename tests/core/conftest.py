"""Fixtures of the engine tests: checkpoints of the tiny model whose weights do something known."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.core.stack_files import TINY


def _tiny_checkpoint(folder: Path, set_weights: Callable[[dict[str, np.ndarray]], None]) -> Path:
    """One of our checkpoints of :data:`TINY` with every weight zero but what ``set_weights``
    writes into the ``{layer name: kernel}`` arrays (biases via ``name + "/bias"``)."""
    tf = pytest.importorskip("tensorflow")
    from ffn_core.model.checkpoints import make_checkpoint
    from ffn_core.model.convstack import build_convstack

    model = build_convstack(TINY)
    layers = [layer for layer in model.layers if hasattr(layer, "kernel")]
    arrays = {layer.name: np.zeros(layer.kernel.shape, np.float32) for layer in layers}
    arrays.update(
        {f"{layer.name}/bias": np.zeros(layer.bias.shape, np.float32) for layer in layers}
    )
    set_weights(arrays)
    for layer in layers:
        layer.kernel.assign(arrays[layer.name])
        layer.bias.assign(arrays[f"{layer.name}/bias"])
    tf.train.CheckpointManager(make_checkpoint(model, TINY), str(folder), max_to_keep=1).save(1)
    return folder


@pytest.fixture(scope="session")
def flood_checkpoint(tmp_path_factory) -> Path:
    """A model that adds +6 to every seed logit: objects flood the box."""

    def flood(arrays: dict[str, np.ndarray]) -> None:
        arrays["conv_lom/bias"][:] = 6.0

    return _tiny_checkpoint(tmp_path_factory.mktemp("flood"), flood)


@pytest.fixture(scope="session")
def blob_checkpoint(tmp_path_factory) -> Path:
    """A model whose logits are ``seed + 6 * image``: bright regions between dark walls fill.

    conv0_a splits the image's centre tap into relu(image) and relu(-image), conv0_b passes
    them on, the residual module adds zero and the head weighs them +6 and -6.
    """

    def blobs(arrays: dict[str, np.ndarray]) -> None:
        arrays["conv0_a"][1, 1, 1, 0, :2] = (1.0, -1.0)
        arrays["conv0_b"][1, 1, 1, 0, 0] = arrays["conv0_b"][1, 1, 1, 1, 1] = 1.0
        arrays["conv_lom"][0, 0, 0, :2, 0] = (6.0, -6.0)

    return _tiny_checkpoint(tmp_path_factory.mktemp("blobs"), blobs)
