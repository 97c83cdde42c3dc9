"""Training on several volumes at once, as the reference does with several ``--data_volumes``
and ``--label_volumes``.

Each volume has its own coordinates; the reference reads one shuffled list of (volume,
centre) pairs, so a volume's examples come in proportion to its number of coordinates.
:func:`make_feeder` gives every batch slot a :class:`~ffn_core.train.examples.VolumeSampler`
that draws the volume by those shares and then the volume's next coordinate. With one
volume it is exactly the single-volume training (same streams, same random numbers).
numpy only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ffn_core.errors import UserError
from ffn_core.preprocess.coordinates import MAX_COORDINATES
from ffn_core.train.examples import ExampleConfig, ExampleStream, TrainVolume, VolumeSampler
from ffn_core.train.feeder import BatchFeeder

__all__ = ["COORDINATE_BLOCK", "TrainVolume", "make_feeder", "usable_coordinates"]

# Coordinates of a volume handed to the streams per (re)start: all that preprocess writes
# (files written before its cap may hold more; a block then starts at a random row).
COORDINATE_BLOCK = MAX_COORDINATES


def usable_coordinates(
    coords_zyx: np.ndarray,
    volume_shape,
    load_size_zyx,
    rng: np.random.Generator,
    volume: str = "",
) -> np.ndarray:
    """A block of at most ``COORDINATE_BLOCK`` coordinates, starting at a random row, whose
    example (load size) lies inside the volume (named ``volume`` in the error)."""
    count = len(coords_zyx)
    start = int(rng.integers(count)) if count > COORDINATE_BLOCK else 0
    rows = (start + np.arange(min(count, COORDINATE_BLOCK))) % count
    block = np.asarray(coords_zyx[np.sort(rows)], dtype=np.int64)
    low = (np.asarray(load_size_zyx) - 1) // 2
    high = np.asarray(volume_shape[:3]) - np.asarray(load_size_zyx) + low
    inside = np.all((block >= low) & (block <= high), axis=1)
    if not inside.any():
        named = f" {volume}" if volume else ""
        raise UserError(
            f"None of the {count} training coordinates leaves room for a training example of "
            f"{tuple(load_size_zyx)} voxels (z,y,x) in the volume{named} of "
            f"{tuple(volume_shape)}.",
            "Run preprocess with a margin of at least half the example size (fov//2 + deltas), "
            "or choose a smaller model.",
        )
    return block[inside]


def make_feeder(
    volumes: Sequence[TrainVolume],
    examples: ExampleConfig,
    batch_size: int,
    rng: np.random.Generator,
) -> BatchFeeder:
    """Two groups of ``batch_size`` example streams over ``volumes``, in a :class:`BatchFeeder`.

    Parameters
    ----------
    volumes : sequence of TrainVolume
        Image, labels and coordinates of each volume (arrays, h5py datasets, memory maps).
    examples : ExampleConfig
        The examples' geometry and options.
    batch_size : int
        FOVs per training step.
    rng : numpy.random.Generator
        Picks each volume's block of coordinates and seeds every stream.

    Returns
    -------
    BatchFeeder
        Stream i starts at the fraction i / (2 · batch_size) of each volume's block and
        draws volume k with probability (k's coordinates) / (all coordinates).
    """
    usable = [
        TrainVolume(
            v.name,
            v.image,
            v.labels,
            usable_coordinates(v.coords_zyx, v.image.shape, examples.load_size_zyx, rng, v.name),
        )
        for v in volumes
    ]
    shares = [len(v.coords_zyx) for v in volumes]
    count = 2 * batch_size
    streams = []
    for i in range(count):
        stream_rng = np.random.default_rng(rng.integers(2**63))
        starts = [i * len(v.coords_zyx) // count for v in usable]
        sampler = VolumeSampler(usable, stream_rng, shares=shares, starts=starts)
        streams.append(ExampleStream.over_volumes(sampler, examples, stream_rng))
    return BatchFeeder(streams)
