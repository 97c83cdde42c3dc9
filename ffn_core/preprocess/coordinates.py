"""Balanced training coordinates from a partition volume (google/ffn ``build_coordinates``).

Every partition value except 255 (background 0 included) found inside the margin is a
class; each class's voxels are randomly permuted and repeated cyclically up to the size
of the largest class, and all of them are shuffled together. Several volumes are balanced
together, as ``build_coordinates`` does with several ``--partition_volumes``: a class holds
its voxels of every volume, and each volume keeps its share of the shuffled list, in order.

The reference's list is as long as (classes) x (largest class): 50.8 million rows (610 MB)
for the 25 MB SNEMI3D sample, while a training run reads at most :data:`MAX_COORDINATES`
of them. So every class gets ``min(largest class, MAX_COORDINATES // classes)`` entries
drawn by the same rule (its voxels permuted, repeated cyclically only when it has fewer):
the classes stay exactly balanced, each voxel of a class equally likely, and the file stays
a few megabytes whatever the volume's size.

Coordinates are kept as flat numpy indices while sampling and stored as
``<project>/preprocess/coordinates.npy`` (``preprocess/<volume>/`` for a further volume):
an int32 array (N, 3) of z, y, x in full-volume coordinates. Files written before the cap
are read the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ffn_core.errors import UserError
from ffn_core.io.atomic import replacing
from ffn_core.preprocess import check_cancel
from ffn_core.preprocess.partitions import BORDER
from ffn_core.project import MAIN_VOLUME

if TYPE_CHECKING:
    from ffn_core.project import Project

COORDINATES_FILE = "coordinates.npy"
DTYPE = np.int32
# Coordinates stored at most, over all volumes: 25 runs of the reference-sized 10,000 steps x
# batch 4; a training (re)start reads a block of this many per volume.
MAX_COORDINATES = 1_000_000
_CHUNK = 1 << 20


@dataclass(frozen=True)
class BalancedCoordinates:
    """Balanced coordinates kept as flat indices; slicing gives (n, 3) int32 z, y, x.

    ``indices`` index the margin-cropped volume of shape ``crop_shape``; the full-volume
    coordinate adds ``margin_zyx``. ``len()`` is the number of coordinates.
    """

    indices: np.ndarray
    crop_shape: tuple[int, ...]
    margin_zyx: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, item: slice) -> np.ndarray:
        indices = self.indices[item]
        zyx = np.empty((len(indices), 3), dtype=DTYPE)
        for start in range(0, len(indices), _CHUNK):
            part = np.unravel_index(indices[start : start + _CHUNK], self.crop_shape)
            zyx[start : start + _CHUNK] = np.stack(part, axis=1) + np.asarray(self.margin_zyx)
        return zyx


def balanced_coordinates(
    partitions: np.ndarray,
    margin_zyx: Sequence[int],
    seed: int | None = 0,
    limit: int | None = MAX_COORDINATES,
) -> BalancedCoordinates:
    """Shuffled, class-balanced coordinates of ``partitions`` outside ``margin_zyx``.

    Every class gets as many coordinates as the largest one has voxels, or
    ``limit // classes`` when that is fewer (see :func:`joint_balanced_coordinates`).
    """
    return joint_balanced_coordinates([partitions], margin_zyx, seed, limit)[0]


def joint_balanced_coordinates(
    partitions: Sequence[np.ndarray],
    margin_zyx: Sequence[int],
    seed: int | None = 0,
    limit: int | None = MAX_COORDINATES,
) -> list[BalancedCoordinates]:
    """Coordinates of several partition volumes balanced together, one entry per volume.

    A class holds its voxels of all volumes; every class gets as many coordinates as the
    largest one has, and all are shuffled together (``build_coordinates`` with several
    ``--partition_volumes``). Volume k keeps the entries that fall in it, in the shuffled
    order: drawing volumes in proportion to their counts samples them as the reference does.

    Parameters
    ----------
    partitions : sequence of np.ndarray
        The partition volume of each training volume.
    margin_zyx : sequence of int
        Voxels left out at each border (z, y, x).
    seed : int, optional
        Seeds the permutations and the shuffle.
    limit : int, optional
        At most this many coordinates in all: each class then gets ``limit // classes``
        (at least one), a random sample of its voxels drawn by the same rule. None keeps
        the reference's full list.
    """
    crops = [np.ascontiguousarray(p[_inside(p.shape, margin_zyx)]) for p in partitions]
    offsets = np.cumsum([0] + [crop.size for crop in crops])
    counts = sum(np.bincount(crop.ravel(), minlength=256) for crop in crops)
    values = [v for v in np.flatnonzero(counts) if v != BORDER]
    if not values:
        raise ValueError("no partition voxel inside the margin to sample")
    dtype = np.int32 if offsets[-1] < np.iinfo(np.int32).max else np.int64
    rng = np.random.default_rng(seed)
    per_class = [
        np.concatenate(
            [np.flatnonzero(crop.ravel() == v) + start for crop, start in zip(crops, offsets)]
        ).astype(dtype)
        for v in values
    ]
    max_count = max(len(members) for members in per_class)
    if limit is not None:
        max_count = min(max_count, max(limit // len(values), 1))
    indices = np.empty(len(values) * max_count, dtype=dtype)
    for k, members in enumerate(per_class):
        indices[k * max_count : (k + 1) * max_count] = np.resize(
            rng.permutation(members), max_count
        )
    rng.shuffle(indices)
    margin = tuple(int(m) for m in margin_zyx)
    if len(crops) == 1:
        return [BalancedCoordinates(indices, crops[0].shape, margin)]
    volume_of = np.searchsorted(offsets, indices, side="right") - 1
    return [
        BalancedCoordinates(indices[volume_of == k] - dtype(start), crop.shape, margin)
        for k, (crop, start) in enumerate(zip(crops, offsets))
    ]


def sample_coordinates(
    partitions: np.ndarray,
    margin_zyx: Sequence[int],
    seed: int | None = 0,
    limit: int | None = MAX_COORDINATES,
) -> np.ndarray:
    """Balanced (N, 3) int32 z, y, x coordinates; see :func:`balanced_coordinates`."""
    return balanced_coordinates(partitions, margin_zyx, seed, limit)[:]


def save_coordinates(
    path: str | Path,
    coordinates: BalancedCoordinates | np.ndarray,
    cancel: object | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Write (N, 3) z, y, x coordinates to ``path`` (.npy, int32), chunk by chunk, atomically.

    :class:`BalancedCoordinates` are never expanded in memory as a whole; a cancelled
    write leaves ``path`` as it was.
    """
    total = len(coordinates)
    header = {
        "descr": np.lib.format.dtype_to_descr(np.dtype(DTYPE)),
        "fortran_order": False,
        "shape": (total, 3),
    }
    with replacing(path) as tmp, open(tmp, "wb") as handle:
        np.lib.format.write_array_header_2_0(handle, header)
        for start in range(0, total, _CHUNK):
            check_cancel(cancel)
            handle.write(np.asarray(coordinates[start : start + _CHUNK], dtype=DTYPE).tobytes())
            if progress is not None:
                progress(min(start + _CHUNK, total), total)


def coordinates_path(project: Project, volume: str = MAIN_VOLUME) -> Path:
    """Where the project keeps the coordinates of ``volume``:
    ``<project>/preprocess/coordinates.npy`` (``preprocess/<volume>/`` for a further one)."""
    return project.volume_folder("preprocess", volume) / COORDINATES_FILE


def load_coordinates(project: Project, mmap: bool = True, volume: str = MAIN_VOLUME) -> np.ndarray:
    """The project's training coordinates, (N, 3) int32 z, y, x in full-volume voxels.

    Parameters
    ----------
    project : ffn_core.project.Project
        The project whose preprocess stage has run.
    mmap : bool
        Map the file read-only instead of reading it (it can hold tens of millions of rows).
    volume : str
        The training volume whose coordinates to load.
    """
    path = coordinates_path(project, volume)
    if not path.is_file():
        raise UserError(f"{path} does not exist.", "Run the preprocess stage first.")
    return np.load(path, mmap_mode="r" if mmap else None)


def _inside(shape: Sequence[int], margin_zyx: Sequence[int]) -> tuple[slice, ...]:
    margin = [int(m) for m in margin_zyx]
    if len(margin) != 3 or any(m < 0 for m in margin):
        raise ValueError(f"margin must be three non-negative ints (z, y, x), got {margin_zyx}")
    if any(2 * m >= n for m, n in zip(margin, shape)):
        raise ValueError(f"margin (z,y,x) {tuple(margin)} leaves nothing of shape {tuple(shape)}")
    return tuple(slice(m, n - m) for m, n in zip(margin, shape))
