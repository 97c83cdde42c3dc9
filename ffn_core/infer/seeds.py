"""Seed policies of the reference (``seed.py``, reference §2.2): candidate object starts (z, y, x).

Every policy computes its coordinates once per subvolume (on the first request), hands them out
in order, and drops those closer than ``margin`` to the border. Its state ``(coords, idx)`` is
checkpointable. numpy/scipy/scikit-image only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import ndimage
from skimage.feature import peak_local_max

from ffn_core.errors import UserError
from ffn_core.fov import Position


def _noisy(values: np.ndarray) -> np.ndarray:
    """``values + 1e-4 * U(0, 1)`` from RandomState(42), as the reference breaks ties."""
    return values + np.random.RandomState(42).random_sample(values.shape) * 1e-4


class SeedPolicy:
    """Base class: iterate over ``coords`` from index ``idx``, skipping border positions.

    Parameters
    ----------
    image : ndarray
        The normalised image of the subvolume (z, y, x), float32.
    segmentation : ndarray
        The canvas's segmentation (read when the coordinates are computed).
    margin : sequence of int
        Half the FOV (z, y, x); a position needs ``margin`` voxels of context on each side.
    """

    def __init__(
        self, image: np.ndarray, segmentation: np.ndarray, margin: Any, **kwargs: Any
    ) -> None:
        if kwargs:
            raise UserError(
                f"Seed policy {type(self).__name__} got unknown arguments {sorted(kwargs)}.",
                "Remove them from seed_policy_args.",
            )
        self.image = image
        self.segmentation = segmentation
        self.margin = np.asarray(margin, dtype=np.int64)
        self.coords: np.ndarray | None = None
        self.idx = 0

    def compute_coords(self) -> np.ndarray:
        """All candidate positions, (N, 3) int, in processing order."""
        raise NotImplementedError

    def next(self) -> Position | None:
        """The next usable candidate, or None when exhausted."""
        if self.coords is None:
            self.coords = np.asarray(self.compute_coords(), dtype=np.int64).reshape(-1, 3)
        shape = np.array(self.image.shape)
        while self.idx < len(self.coords):
            pos = self.coords[self.idx]
            self.idx += 1
            if np.all(pos - self.margin >= 0) and np.all(pos + self.margin < shape):
                return tuple(int(v) for v in pos)  # type: ignore[return-value]
        return None

    @property
    def total(self) -> int:
        """Number of candidates (computing them if needed)."""
        if self.coords is None:
            self.coords = np.asarray(self.compute_coords(), dtype=np.int64).reshape(-1, 3)
        return len(self.coords)

    def get_state(self) -> tuple[np.ndarray | None, int]:
        return self.coords, self.idx

    def set_state(self, coords: np.ndarray | None, idx: int) -> None:
        self.coords = None if coords is None else np.asarray(coords, dtype=np.int64).reshape(-1, 3)
        self.idx = int(idx)


class PolicyPeaks(SeedPolicy):
    """Points far from edges: peaks of the distance transform of the non-edge voxels.

    Edges are voxels whose 3-D Sobel gradient magnitude exceeds its Gaussian blur
    (sigma 49/6, reflect); peaks (min_distance 3) are sorted ascending by (z, y, x).
    """

    def compute_coords(self) -> np.ndarray:
        edges = ndimage.generic_gradient_magnitude(self.image.astype(np.float32), ndimage.sobel)
        threshold = np.zeros(edges.shape, dtype=np.float32)
        ndimage.gaussian_filter(edges, 49.0 / 6.0, output=threshold, mode="reflect")
        edge_mask = edges > threshold
        del edges, threshold
        dt = ndimage.distance_transform_edt(~edge_mask).astype(np.float32)
        dt[self.segmentation > 0] = -1
        peaks = peak_local_max(_noisy(dt), min_distance=3, threshold_abs=0, threshold_rel=0)
        return np.array(sorted(tuple(int(v) for v in p) for p in peaks), dtype=np.int64)


class PolicyGrid3d(SeedPolicy):
    """For each offset o (in order): every point o + step·k in z, y and x."""

    def __init__(
        self,
        image: np.ndarray,
        segmentation: np.ndarray,
        margin: Any,
        step: int = 16,
        offsets: Any = (0, 8, 4, 12, 2, 10, 14),
    ) -> None:
        super().__init__(image, segmentation, margin)
        self.step = int(step)
        self.offsets = tuple(int(o) for o in offsets)

    def compute_coords(self) -> np.ndarray:
        nz, ny, nx = self.image.shape
        coords = [
            (z, y, x)
            for o in self.offsets
            for z in range(o, nz, self.step)
            for y in range(o, ny, self.step)
            for x in range(o, nx, self.step)
        ]
        return np.array(coords, dtype=np.int64)


class PolicyFillEmptySpace(SeedPolicy):
    """Peaks (min_distance 2, value > 0.5) of the distance transform of the unsegmented region."""

    def compute_coords(self) -> np.ndarray:
        dt = ndimage.distance_transform_edt(self.segmentation == 0).astype(np.float32)
        return peak_local_max(_noisy(dt), min_distance=2, threshold_abs=0.5)


class PolicyInvertOrigins(SeedPolicy):
    """The object starts of an earlier run over the same box, last object first (the second
    run of the reference's forward/reverse consensus; its argument is the earlier run's folder,
    ours the starts themselves, so that the policy reads no files).

    Parameters
    ----------
    origins_zyx : sequence of (int, int, int)
        The earlier run's object starts in the order of their ids, in the box's coordinates.
    """

    def __init__(
        self,
        image: np.ndarray,
        segmentation: np.ndarray,
        margin: Any,
        origins_zyx: Any = None,
    ) -> None:
        super().__init__(image, segmentation, margin)
        if origins_zyx is None:
            raise UserError(
                "Seed policy PolicyInvertOrigins needs the starts of an earlier run (origins_zyx).",
                "Use --refine consensus, which seeds its second pass this way, or another "
                "seed policy.",
                "Tick 'Consensus of two passes' under 'Refine the first pass' on the Infer page, "
                "which seeds its second pass this way, or choose another seed policy.",
            )
        self.origins = np.asarray(origins_zyx, dtype=np.int64).reshape(-1, 3)

    def compute_coords(self) -> np.ndarray:
        return self.origins[::-1]


POLICIES: dict[str, type[SeedPolicy]] = {
    "PolicyPeaks": PolicyPeaks,
    "PolicyGrid3d": PolicyGrid3d,
    "PolicyFillEmptySpace": PolicyFillEmptySpace,
    "PolicyInvertOrigins": PolicyInvertOrigins,
}
#: the policies a run can name on their own (PolicyInvertOrigins needs an earlier run's starts)
STANDALONE_POLICIES = tuple(name for name in POLICIES if name != "PolicyInvertOrigins")


def make_seed_policy(
    name: str,
    image: np.ndarray,
    segmentation: np.ndarray,
    margin: Any,
    args: dict[str, Any] | None = None,
) -> SeedPolicy:
    """The seed policy called ``name`` (reference class name) with JSON ``args``."""
    check_seed_policy(name)
    return POLICIES[name](image, segmentation, margin, **(args or {}))


def check_seed_policy(name: str) -> None:
    """Raise a :class:`UserError` unless ``name`` is one of :data:`POLICIES`."""
    if name not in POLICIES:
        raise UserError(
            f"Seed policy {name!r} is not available.", f"Use one of: {', '.join(sorted(POLICIES))}."
        )
