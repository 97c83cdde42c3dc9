"""Synthetic EM-like demo volume with known neuron labels, written by our own code.

Cells are Voronoi compartments of random, elongated "neurites" (seed points on random
line segments, so compartments are tube-like), sampled anisotropically (z voxels are
``anisotropy`` times thicker). Membranes between compartments are dark, interiors have
a per-cell grey level and texture, and the whole image gets blur and noise. Two things
make real EM hard for a threshold, and the demo has both: membrane staining varies, with
faint stretches where a threshold lets neighbouring cells run together, and cells hold
dark organelles (mitochondria) that a threshold cuts out of them. An FFN learns from the
labels that a faint stretch in a membrane is still a boundary and a dark blob inside a cell
is still the cell. All arrays are (z, y, x).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage
from scipy.spatial import cKDTree


@dataclass(frozen=True)
class DemoSpec:
    """Size and look of the demo volume."""

    shape_zyx: tuple[int, int, int] = (32, 96, 96)
    n_cells: int = 56
    anisotropy: float = 2.0
    membrane_width: float = 1.2
    noise: float = 6.0
    grey_range: tuple[float, float] = (110.0, 215.0)
    faint_membrane_fraction: float = 0.04  # share of the volume where membranes fade out
    organelles_per_cell: float = 0.5
    seed: int = 0


def make_demo_volume(spec: DemoSpec = DemoSpec()) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(image uint8, labels uint16)`` of ``spec.shape_zyx``; label 0 is unused."""
    rng = np.random.default_rng(spec.seed)
    labels, distance_to_border = _neurite_compartments(spec, rng)
    image = _render_em(labels, distance_to_border, spec, rng)
    return image, labels


def _neurite_compartments(
    spec: DemoSpec, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    shape = np.array(spec.shape_zyx)
    scale = np.array([spec.anisotropy, 1.0, 1.0])
    extent = shape * scale
    points, owners = [], []
    for cell in range(spec.n_cells):
        start = rng.uniform(0, extent)
        direction = rng.normal(size=3)
        direction /= np.linalg.norm(direction)
        length = rng.uniform(0.3, 0.8) * extent.max()
        for t in np.linspace(-0.5, 0.5, 12):
            points.append(start + t * length * direction)
            owners.append(cell + 1)
    points, owners = np.array(points), np.array(owners)
    grid = _physical_grid(spec).reshape(-1, 3)
    _, nearest = cKDTree(points).query(grid)
    labels = owners[nearest].reshape(shape).astype(np.uint16)
    edt = ndimage.distance_transform_edt(~_boundary_mask(labels), sampling=scale)
    return _relabel_consecutive(labels), edt


def _physical_grid(spec: DemoSpec) -> np.ndarray:
    """(z, y, x, 3) coordinates of every voxel centre in xy-pixel units (z scaled)."""
    scale = (spec.anisotropy, 1.0, 1.0)
    axes = [np.arange(n) * step for n, step in zip(spec.shape_zyx, scale)]
    return np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1)


def _boundary_mask(labels: np.ndarray) -> np.ndarray:
    boundary = np.zeros(labels.shape, bool)
    for axis in range(3):
        diff = np.diff(labels, axis=axis) != 0
        lo = [slice(None)] * 3
        lo[axis] = slice(0, -1)
        boundary[tuple(lo)] |= diff
    return boundary


def _relabel_consecutive(labels: np.ndarray) -> np.ndarray:
    _, inverse = np.unique(labels, return_inverse=True)
    return (inverse.reshape(labels.shape) + 1).astype(np.uint16)


def _render_em(
    labels: np.ndarray, distance: np.ndarray, spec: DemoSpec, rng: np.random.Generator
) -> np.ndarray:
    cell_grey = rng.uniform(*spec.grey_range, size=labels.max() + 1)  # dark and light neurites
    image = cell_grey[labels]
    texture = ndimage.gaussian_filter(rng.normal(size=labels.shape), sigma=(0.5, 1.5, 1.5))
    image += 12 * texture / (texture.std() + 1e-9)
    staining = _staining(labels.shape, spec, rng)
    membrane = np.exp(-((distance / spec.membrane_width) ** 2)) * staining
    image = image * (1 - membrane) + 25 * membrane
    organelles = _organelles(labels, distance, spec, rng)
    image[organelles] = 45 + 10 * rng.normal(size=int(organelles.sum()))
    image = ndimage.gaussian_filter(image, sigma=(0.3, 0.8, 0.8))
    image += rng.normal(scale=spec.noise, size=labels.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def _staining(shape: tuple[int, ...], spec: DemoSpec, rng: np.random.Generator) -> np.ndarray:
    """Membrane contrast in [0, 1]: a smooth random field, 0 on ``faint_membrane_fraction``
    of the volume (the faint stretches), rising to 1 over the next 15 %."""
    field = ndimage.gaussian_filter(rng.normal(size=shape), sigma=(1.5, 3.0, 3.0))
    low, high = np.quantile(
        field, [spec.faint_membrane_fraction, min(spec.faint_membrane_fraction + 0.15, 1.0)]
    )
    return np.clip((field - low) / max(high - low, 1e-9), 0.0, 1.0)


def _organelles(
    labels: np.ndarray, distance: np.ndarray, spec: DemoSpec, rng: np.random.Generator
) -> np.ndarray:
    """Dark elongated blobs (mitochondria) inside cells, clear of their membranes."""
    scale = np.array([spec.anisotropy, 1.0, 1.0])
    grid = _physical_grid(spec)
    inside = np.argwhere(distance > 3.5)
    mask = np.zeros(labels.shape, bool)
    count = int(spec.organelles_per_cell * labels.max())
    centres = inside[rng.choice(len(inside), size=min(count, len(inside)), replace=False)]
    for centre_index in centres:
        axis = rng.normal(size=3)
        axis /= np.linalg.norm(axis)
        offset = grid - centre_index * scale
        along = offset @ axis
        across = np.linalg.norm(offset - along[..., None] * axis, axis=-1)
        blob = (along / rng.uniform(2.5, 4.5)) ** 2 + (across / rng.uniform(1.2, 1.8)) ** 2 < 1
        mask |= blob & (labels == labels[tuple(centre_index)]) & (distance > 1.5)
    return mask


def write_demo_stacks(out: Path, spec: DemoSpec = DemoSpec()) -> tuple[Path, Path]:
    """Write the demo as PNG slice folders ``out/images`` (8-bit) and ``out/labels`` (16-bit)."""
    image, labels = make_demo_volume(spec)
    image_dir, label_dir = Path(out) / "images", Path(out) / "labels"
    image_dir.mkdir(parents=True, exist_ok=True)
    label_dir.mkdir(parents=True, exist_ok=True)
    for z in range(image.shape[0]):
        Image.fromarray(image[z]).save(image_dir / f"{z:04d}.png")
        Image.fromarray(labels[z]).save(label_dir / f"{z:04d}.png")
    return image_dir, label_dir
