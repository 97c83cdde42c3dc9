"""Synthetic EM-like demo volume with known neuron labels, written by our own code.

Cells are Voronoi compartments of random, elongated "neurites" (seed points on random
line segments, so compartments are tube-like), sampled anisotropically (z voxels are
``anisotropy`` times thicker). Membranes between compartments are dark, interiors have
a per-cell grey level and texture, and the whole image gets blur and noise, so a plain
threshold does not separate cells reliably while an FFN can learn the membranes.
All arrays are (z, y, x).
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
    seed: int = 0


def make_demo_volume(spec: DemoSpec = DemoSpec()) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(image uint8, labels uint16)`` of ``spec.shape_zyx``; label 0 is unused."""
    rng = np.random.default_rng(spec.seed)
    labels, distance_to_border = _neurite_compartments(spec, rng)
    image = _render_em(labels, distance_to_border, spec, rng)
    return image, labels


def _neurite_compartments(spec: DemoSpec, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
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
    grid = np.stack(np.meshgrid(*[np.arange(n) * s for n, s in zip(shape, scale)],
                                indexing="ij"), axis=-1).reshape(-1, 3)
    _, nearest = cKDTree(points).query(grid)
    labels = owners[nearest].reshape(shape).astype(np.uint16)
    edt = ndimage.distance_transform_edt(~_boundary_mask(labels), sampling=scale)
    return _relabel_consecutive(labels), edt


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


def _render_em(labels: np.ndarray, distance: np.ndarray, spec: DemoSpec,
               rng: np.random.Generator) -> np.ndarray:
    cell_grey = rng.uniform(*spec.grey_range, size=labels.max() + 1)  # dark and light neurites
    image = cell_grey[labels]
    texture = ndimage.gaussian_filter(rng.normal(size=labels.shape), sigma=(0.5, 1.5, 1.5))
    image += 12 * texture / (texture.std() + 1e-9)
    membrane = np.exp(-((distance / spec.membrane_width) ** 2))
    image = image * (1 - membrane) + 25 * membrane
    image = ndimage.gaussian_filter(image, sigma=(0.3, 0.8, 0.8))
    image += rng.normal(scale=spec.noise, size=labels.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


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
