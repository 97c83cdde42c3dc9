"""Refining a first-pass segmentation (issue 13): split mergers by seed-order consensus, merge
what the model's own floods joined, fill the space the model left empty.

**Consensus** (:mod:`ffn_core.infer.consensus`) runs the model a second time over the box,
seeded from the first pass's object starts in reverse order, and splits objects where the two
passes disagree (the reference's forward/reverse split consensus).

**Agglomerate** (:func:`agglomerate`) merges objects the first pass itself joined: when the
model, flooding a later object from its seed, reached most of an earlier object above the
segment threshold (the voxels stay the earlier object's; the first pass records the count as
``overlaps``), the two are one neuron that the seed order cut in two. No model runs again.

The FFN stops each object short of its membrane and never reaches some regions at all, so a
first pass leaves a third of the SNEMI3D crop unsegmented. :func:`fill` assigns empty voxels
near a segment to it by a seeded watershed on the smoothed image's darkness (membranes are
dark, so they are the ridges where neighbouring floods meet), working on one subvolume's arrays
(numpy, SciPy and scikit-image; no model; a raw or a normalised image gives the same result):

1. **In-plane grow**: markers are the first pass's segments plus *cores*, the centres of empty,
   bright (non-membrane) regions far from any segment (:attr:`FillSettings.core_radius`,
   :attr:`FillSettings.core_distance`). A core competes for its own region, so a segment does
   not leak through a membrane gap into a neighbouring neuron that the first pass left empty.
   The flood runs in each z slice (membranes are sharp in-plane; in z they shift between slices)
   and only over voxels within :attr:`FillSettings.grow_distance` of a marker.
2. **z grow** (:attr:`FillSettings.z_rounds` rounds): labels of the slice above or below are
   copied as seeds onto empty voxels where they lie well inside their segment there
   (:attr:`FillSettings.z_interior`), and the in-plane grow runs again from every label (so each
   round also widens every segment by up to ``grow_distance``; measured better than growing
   only the seeds). This reaches the first and last slices, which the model hardly segments, and
   profiles the model skipped in one slice.
3. Core regions (linked across slices where their cores touch) become new objects when they hold
   at least :attr:`FillSettings.new_object_min_size` voxels, else they are emptied again.

:func:`refine_run` applies the chosen steps to an inference run, consensus first (it needs
the model's own first pass), then agglomerate, then fill (:func:`refine_arrays`: the steps
that need one subvolume's arrays only, so a run in subvolumes refines each one). The
untouched first pass is kept as the ``first_pass`` dataset of ``segmentation.h5`` and
``segmentation`` is the refined volume. Measured on the
SNEMI3D crop: ``benchmarks/refine_quality.py``.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np
from scipy import ndimage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from skimage.filters import gaussian
from skimage.segmentation import watershed

from ffn_core.errors import UserError
from ffn_core.events import Emitter
from ffn_core.infer.consensus import (
    REVERSE_DIR,
    ConsensusSettings,
    ModelPass,
    consensus,
    load_overlaps,
)
from ffn_core.infer.storage import H5_NAME
from ffn_core.io.atomic import replacing

__all__ = [
    "DEFAULT_REFINE",
    "FIRST_PASS",
    "REFINE_STEPS",
    "STEP_DESCRIPTIONS",
    "AgglomerateSettings",
    "AgglomerateStats",
    "FillSettings",
    "FillStats",
    "agglomerate",
    "fill",
    "parse_refine",
    "refine_arrays",
    "refine_run",
    "refined_attrs",
]

#: the refinement steps in the order they run (``--refine``); consensus first, as it needs the
#: model's own first pass
REFINE_STEPS = ("consensus", "agglomerate", "fill")
#: the steps that need only one (sub)volume's arrays and the first pass's overlaps (no model):
#: :func:`refine_arrays`
ARRAY_STEPS = ("agglomerate", "fill")
#: the steps an inference runs unless told otherwise: measured best on the SNEMI3D crop
#: (adapted Rand 0.176 -> 0.097 with the 7M checkpoint; ``benchmarks/refine_quality.py``);
#: consensus is off as it doubles the time and did not help there
DEFAULT_REFINE = ("agglomerate", "fill")
#: one plain sentence per built step, for option lists (the GUI translates them)
STEP_DESCRIPTIONS = {
    "consensus": "Segment the volume a second time with the seeds in reverse order and split "
    "objects where the two passes disagree, which removes mergers (about doubles the time).",
    "agglomerate": "Merge two objects where the model, flooding the later one, spread over at "
    "least half of the earlier one (or half of its flood lies inside the earlier one).",
    "fill": "Grow each object into the empty voxels next to it, up to the membranes, so that "
    "less of the volume stays unsegmented.",
}
#: the dataset of ``segmentation.h5`` that keeps the untouched first pass
FIRST_PASS = "first_pass"
_IN_PLANE = np.zeros((3, 3, 3), dtype=bool)
_IN_PLANE[1] = ndimage.generate_binary_structure(2, 1)


@dataclass(frozen=True)
class FillSettings:
    """How :func:`fill` grows segments into empty space (defaults measured on SNEMI3D).

    Attributes
    ----------
    smooth_sigma_zyx : tuple of float
        Gaussian sigma (voxels, z, y, x) of the image whose darkness is the flood's elevation.
    grow_distance : float
        Largest in-plane distance (voxels) from the first pass (or a core) that the in-plane
        grow fills.
    z_rounds : int
        Rounds of the z grow; each reaches one more slice (0: in-plane only).
    z_interior : int
        Least in-plane distance (voxels) of a voxel from its segment's edge for its label to be
        copied to the next slice as a seed.
    membrane_level : float
        Where a voxel counts as membrane (never filled, and no core lies near it): darker than
        this fraction of the way from the smoothed image's 1st to its 99th percentile (the
        brightness scale, on which the flood's elevation is measured too). SNEMI3D crop, 7M
        first pass: 0.4 gives adapted Rand 0.135 (precision 0.974), 0.2 0.120 (0.959), 0.1
        0.118 (0.959).
    core_radius : float
        Least in-plane distance (voxels) of a core voxel from any segment or membrane voxel.
    core_distance : float
        Least in-plane distance (voxels) of a core voxel from any segment (a core nearer would
        take space from the segment's own cell).
    new_object_min_size : int
        Voxels a core region needs to stay as a new object (0: cores only compete). Off by
        default: on SNEMI3D 1000 leaves arand as it is (0.1351 against 0.1353, with membrane
        level 0.4) and a core can span neurites whose thin membranes the threshold misses, so
        new objects can merge them.
    compactness : float
        scikit-image watershed compactness on the brightness scale (0: plain watershed; more:
        rounder floods).
    """

    smooth_sigma_zyx: tuple[float, float, float] = (0.5, 1.0, 1.0)
    grow_distance: float = 2.0
    z_rounds: int = 1
    z_interior: int = 4
    membrane_level: float = 0.2
    core_radius: float = 4.0
    core_distance: float = 8.0
    new_object_min_size: int = 0
    compactness: float = 0.0005

    def __post_init__(self) -> None:
        if (
            self.grow_distance < 0
            or min(self.z_rounds, self.z_interior) < 0
            or self.new_object_min_size < 0
        ):
            raise UserError("Fill distances, slices and sizes cannot be negative.")
        if not 0 <= self.membrane_level <= 1:
            raise UserError("The fill's membrane level must lie in 0..1.")


@dataclass(frozen=True)
class FillStats:
    """What :func:`fill` changed.

    Attributes
    ----------
    voxels_filled : int
        Empty voxels given to an existing segment.
    objects_added : int
        New objects (core regions kept).
    voxels_added : int
        Voxels of the new objects.
    empty_before, empty_after : int
        Unsegmented voxels before and after.
    seconds : float
        Wall time.
    """

    voxels_filled: int
    objects_added: int
    voxels_added: int
    empty_before: int
    empty_after: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        """The stats as plain JSON values."""
        return dataclasses.asdict(self)


def fill(
    segmentation: np.ndarray, image: np.ndarray, settings: FillSettings | None = None
) -> tuple[np.ndarray, FillStats]:
    """Fill empty voxels of one (sub)volume's ``segmentation`` from the ``image``.

    Parameters
    ----------
    segmentation : ndarray of unsigned int, (z, y, x)
        The first pass; 0 is empty. Not modified.
    image : ndarray, (z, y, x)
        The image of the same voxels (raw or normalised; membranes dark).
    settings : FillSettings, optional
        Defaults: :class:`FillSettings`.

    Returns
    -------
    filled : ndarray
        The segmentation with empty voxels assigned; first-pass voxels unchanged. New objects
        get ids above the first pass's largest one; the dtype widens when they need it.
    stats : FillStats
    """
    settings = settings or FillSettings()
    if segmentation.shape != image.shape or segmentation.ndim != 3:
        raise UserError(
            f"Segmentation {segmentation.shape} and image {image.shape} must be the same "
            "(z, y, x) volume."
        )
    started = time.perf_counter()
    empty = segmentation == 0
    top = int(segmentation.max()) if segmentation.size else 0
    smooth = _brightness(image, settings.smooth_sigma_zyx)
    membrane = smooth < settings.membrane_level
    labels = _grow(segmentation.astype(np.int64), smooth, membrane, top, settings)
    for _ in range(settings.z_rounds):
        grown = np.where(labels > top, 0, labels)
        seeds = np.where(membrane, 0, _z_seeds(grown, settings.z_interior))
        labels = _grow(np.where(grown > 0, grown, seeds), smooth, membrane, top, settings)
    filled, added = _new_objects(labels, top, settings.new_object_min_size)
    filled = filled.astype(np.promote_types(segmentation.dtype, np.min_scalar_type(filled.max())))
    new = filled > top
    stats = FillStats(
        voxels_filled=int(np.count_nonzero(empty & (filled > 0) & ~new)),
        objects_added=added,
        voxels_added=int(np.count_nonzero(new)),
        empty_before=int(np.count_nonzero(empty)),
        empty_after=int(np.count_nonzero(filled == 0)),
        seconds=round(time.perf_counter() - started, 2),
    )
    return filled, stats


def _brightness(image: np.ndarray, sigma_zyx: tuple[float, float, float]) -> np.ndarray:
    """The smoothed image scaled so that its 1st percentile is 0 and its 99th is 1 (the same
    for a raw or a normalised image)."""
    smooth = gaussian(image.astype(np.float32), sigma=sigma_zyx)
    low, high = np.percentile(smooth, [1, 99])
    return (smooth - low) / max(float(high - low), 1e-6)


def _grow(
    markers: np.ndarray, smooth: np.ndarray, membrane: np.ndarray, top: int, settings: FillSettings
) -> np.ndarray:
    """The in-plane watershed of ``markers`` (0: empty) on the darkness of ``smooth``, with
    cores of the empty space (ids above ``top``) competing; only voxels within
    ``grow_distance`` of a marker or core are filled, and no empty membrane voxel, so that no
    flood crosses a membrane even where nothing competes on its other side."""
    empty = markers == 0
    cores = (_in_plane_distance(empty & ~membrane) >= settings.core_radius) & (
        _in_plane_distance(empty) >= settings.core_distance
    )
    core_labels, _ = ndimage.label(cores)
    markers = np.where(cores, core_labels + top, markers)
    reach = _in_plane_distance(markers == 0) <= settings.grow_distance
    return watershed(
        -smooth,
        markers,
        mask=reach & ~(membrane & (markers == 0)),  # a flood never passes a membrane voxel
        connectivity=_IN_PLANE,
        compactness=settings.compactness,
    )


def _z_seeds(labels: np.ndarray, interior: int) -> np.ndarray:
    """Labels copied onto empty voxels from the slice above or below, where the voxel there is
    at least ``interior`` voxels in-plane from any other label or empty voxel (0 where the two
    slices offer different labels)."""
    radius = np.arange(-interior, interior + 1)
    footprint = (radius[:, None] ** 2 + radius[None, :] ** 2 <= interior**2)[None]
    low = ndimage.minimum_filter(labels, footprint=footprint)
    high = ndimage.maximum_filter(labels, footprint=footprint)
    inner = np.where((low == labels) & (high == labels), labels, 0)
    below, above = np.zeros_like(inner), np.zeros_like(inner)
    below[1:], above[:-1] = inner[:-1], inner[1:]
    seeds = np.where(below > 0, below, above)
    seeds[(below > 0) & (above > 0) & (below != above)] = 0
    return np.where(labels == 0, seeds, 0)


def _in_plane_distance(inside: np.ndarray) -> np.ndarray:
    """Per z slice: each voxel's distance to the nearest voxel outside ``inside`` (infinite in
    a slice that has none)."""
    return np.stack(
        [
            np.full(plane.shape, np.inf) if plane.all() else ndimage.distance_transform_edt(plane)
            for plane in inside
        ]
    )


def _new_objects(labels: np.ndarray, top: int, min_size: int) -> tuple[np.ndarray, int]:
    """``labels`` with core regions above ``top`` renumbered from ``top + 1`` when they hold
    ``min_size`` voxels (when ``min_size`` > 0), else emptied; and how many were kept."""
    core = labels > top
    offsets = np.where(core, labels - top, 0)
    sizes = np.bincount(offsets.ravel())
    keep = (sizes >= min_size) if min_size else np.zeros_like(sizes, dtype=bool)
    keep[0] = False
    renumber = np.zeros(sizes.size, dtype=np.int64)
    renumber[keep] = np.arange(top + 1, top + 1 + int(keep.sum()))
    out = labels.copy()
    out[core] = renumber[offsets[core]]
    return out, int(keep.sum())


@dataclass(frozen=True)
class AgglomerateSettings:
    """When :func:`agglomerate` merges two objects (defaults measured on SNEMI3D).

    Object B's flood fill covered ``n`` voxels of an earlier object A (the first pass's
    ``overlaps``: the model, started in B, reached A above the segment threshold; the voxels
    stayed A's). A and B merge when ``n >= min_overlap`` and ``n >= min_share`` times the
    smaller of A's size and B's whole flood (B's voxels plus all it overlapped).

    Attributes
    ----------
    min_overlap : int
        Least overlap (voxels).
    min_share : float
        Least overlap as a share of the smaller object. SNEMI3D crop, 7M first pass, filled
        afterwards: 0.5 gives adapted Rand 0.097 (precision 0.956), 0.6 0.101, 0.7 0.108,
        0.9 0.114 (fill alone 0.116); 0.3 merges neurons (0.115, precision 0.908).
    """

    min_overlap: int = 1000
    min_share: float = 0.5

    def __post_init__(self) -> None:
        if self.min_overlap < 0 or not 0 <= self.min_share <= 1:
            raise UserError("Agglomeration needs an overlap >= 0 and a share in 0..1.")


@dataclass(frozen=True)
class AgglomerateStats:
    """What :func:`agglomerate` changed.

    Attributes
    ----------
    pairs_merged : int
        Pairs of objects that met the rule.
    objects_before, objects_after : int
        Objects in the volume before and after.
    voxels_relabelled : int
        Voxels that took another object's id.
    seconds : float
        Wall time.
    """

    pairs_merged: int
    objects_before: int
    objects_after: int
    voxels_relabelled: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        """The stats as plain JSON values."""
        return dataclasses.asdict(self)


def agglomerate(
    segmentation: np.ndarray,
    overlaps: Mapping[int, Any],
    settings: AgglomerateSettings | None = None,
    first_pass: np.ndarray | None = None,
) -> tuple[np.ndarray, AgglomerateStats]:
    """Merge the objects of ``segmentation`` that the model's floods joined.

    Parameters
    ----------
    segmentation : ndarray of unsigned int, (z, y, x)
        The first pass (or its consensus, whose largest pieces keep the first pass's ids);
        0 is empty. Not modified.
    overlaps : mapping
        The first pass's ``overlaps``: object id -> ``[[earlier ids], [voxel counts]]``
        (the canvas's, or a reference ``seg-*.npz``'s).
    settings : AgglomerateSettings, optional
        Defaults: :class:`AgglomerateSettings`.
    first_pass : ndarray, optional
        The first pass the overlaps describe, whose object sizes the rule compares (default:
        ``segmentation``, which is the first pass unless consensus ran before).

    Returns
    -------
    merged : ndarray
        Each merged group takes its smallest id; dtype as ``segmentation``.
    stats : AgglomerateStats
    """
    settings = settings or AgglomerateSettings()
    started = time.perf_counter()
    measured = segmentation if first_pass is None else first_pass
    top = max(int(segmentation.max(initial=0)), int(measured.max(initial=0)))
    sizes = np.bincount(measured.ravel(), minlength=top + 1)
    pairs = _joined_pairs(overlaps, sizes, settings)
    lut = np.arange(sizes.size)
    if pairs:
        graph = coo_matrix(
            (np.ones(len(pairs)), tuple(np.array(pairs).T)), shape=(sizes.size, sizes.size)
        )
        _, group = connected_components(graph, directed=False)
        smallest = np.full(group.max() + 1, sizes.size)
        np.minimum.at(smallest, group, lut)
        lut = smallest[group]
    merged = lut[segmentation].astype(segmentation.dtype)
    present = np.flatnonzero(np.bincount(segmentation.ravel(), minlength=top + 1)[1:]) + 1
    stats = AgglomerateStats(
        pairs_merged=len(pairs),
        objects_before=int(present.size),
        objects_after=int(np.unique(lut[present]).size),
        voxels_relabelled=int(np.count_nonzero(merged != segmentation)),
        seconds=round(time.perf_counter() - started, 2),
    )
    return merged, stats


def _joined_pairs(
    overlaps: Mapping[int, Any], sizes: np.ndarray, settings: AgglomerateSettings
) -> list[tuple[int, int]]:
    """The ``(earlier, later)`` object pairs whose overlap meets the rule of ``settings``
    (objects of ``sizes`` voxels; ids no longer there are left out)."""
    pairs = []
    for later, table in overlaps.items():
        earlier, counts = np.asarray(table, dtype=np.int64).reshape(2, -1)
        if not 0 < int(later) < sizes.size:
            continue
        flood = sizes[later] + int(counts.sum())  # the later object's whole flood
        pairs += [
            (int(a), int(later))
            for a, n in zip(earlier, counts)
            if 0 < a < sizes.size
            and n >= settings.min_overlap
            and n >= settings.min_share * min(sizes[a], flood)
        ]
    return pairs


def refine_arrays(
    segmentation: np.ndarray,
    image: np.ndarray,
    steps: tuple[str, ...],
    fill_settings: FillSettings | None = None,
    *,
    overlaps: Mapping[int, Any] | None = None,
    agglomerate_settings: AgglomerateSettings | None = None,
    first_pass: np.ndarray | None = None,
) -> tuple[np.ndarray, dict[str, dict[str, Any]]]:
    """The steps of :data:`ARRAY_STEPS` among ``steps`` on one (sub)volume's arrays, in order.

    Parameters
    ----------
    segmentation : ndarray of unsigned int, (z, y, x)
        The first pass (or the consensus); 0 is empty. Not modified.
    image : ndarray, (z, y, x)
        The image of the same voxels.
    steps : tuple of str
        Refinement steps (:func:`parse_refine`); those not in :data:`ARRAY_STEPS` are skipped.
    fill_settings : FillSettings, optional
        Defaults: :class:`FillSettings`.
    overlaps : mapping, optional
        The first pass's ``overlaps`` (:func:`agglomerate`); ``agglomerate`` needs them.
    agglomerate_settings : AgglomerateSettings, optional
        Defaults: :class:`AgglomerateSettings`.
    first_pass : ndarray, optional
        The first pass, when ``segmentation`` is its consensus (:func:`agglomerate`).

    Returns
    -------
    refined : ndarray
    stats : dict
        Each step's statistics (``to_dict()``) by name.
    """
    refined, stats = segmentation, {}
    if "agglomerate" in steps:
        if overlaps is None:
            raise ValueError("Agglomeration needs the first pass's overlaps.")
        refined, agglomerate_stats = agglomerate(
            refined, overlaps, agglomerate_settings, first_pass
        )
        stats["agglomerate"] = agglomerate_stats.to_dict()
    if "fill" in steps:
        refined, fill_stats = fill(refined, image, fill_settings)
        stats["fill"] = fill_stats.to_dict()
    return refined, stats


def parse_refine(text: str) -> tuple[str, ...]:
    """The steps of a ``--refine`` value: a comma list of :data:`REFINE_STEPS`, ``all`` or
    ``none``; returned in the order they run."""
    words = {word.strip() for word in text.split(",") if word.strip()}
    if words in ({"all"}, {"none"}):
        return REFINE_STEPS if words == {"all"} else ()
    unknown = sorted(words - set(REFINE_STEPS))
    if unknown or not words:
        raise UserError(
            f"Unknown refinement step(s) {unknown or [text]}.",
            f"Give a comma list of {', '.join(REFINE_STEPS)}, or all, or none.",
        )
    return tuple(step for step in REFINE_STEPS if step in words)


def refine_run(
    run_dir: Path,
    image: np.ndarray,
    steps: tuple[str, ...],
    emit: Emitter,
    *,
    model: ModelPass | None = None,
    fill_settings: FillSettings | None = None,
    consensus_settings: ConsensusSettings | None = None,
) -> dict[str, Any] | None:
    """Refine the segmentation of an inference run in place, keeping its first pass.

    ``segmentation.h5`` gets a ``first_pass`` dataset (the untouched result, with its
    attributes) and ``segmentation`` becomes the refined volume (attribute ``refine`` names the
    steps). Run again, it refines the kept first pass, not an earlier refinement. The file is
    replaced atomically. The steps run in the order of :data:`REFINE_STEPS`, each on the
    result of the one before.

    Parameters
    ----------
    run_dir : Path
        The run folder holding ``segmentation.h5`` (and, for ``consensus``, the ``seg-*.npz``
        of the box's corner).
    image : ndarray, (z, y, x)
        The image of the run's box (normalised as the model saw it, for ``consensus``).
    steps : tuple of str
        Steps of :data:`REFINE_STEPS` (:func:`parse_refine`).
    emit : Emitter
        Logs one line per step (the consensus's second pass reports its progress) and
        reports the refined ``segmentation`` as an artifact.
    model : ModelPass, optional
        The first pass's settings and model; ``consensus`` needs them.
    fill_settings, consensus_settings : optional
        The steps' settings (defaults: :class:`FillSettings`, :class:`ConsensusSettings`).

    Returns
    -------
    dict or None
        ``outputs`` (``segmentation`` and ``first_pass`` volume specs, and ``reverse_pass``
        with consensus) and ``extra`` (``refine``: the steps' stats by name); None when the
        consensus's second pass was stopped (the run keeps its first pass unrefined).
    """
    path = Path(run_dir) / H5_NAME
    with h5py.File(path, "r") as handle:
        source = handle[FIRST_PASS if FIRST_PASS in handle else "segmentation"]
        first_pass, attrs = source[...], dict(source.attrs)
    refined, stats = first_pass, {}
    spec = str(path.resolve())
    outputs = {"segmentation": f"{spec}:segmentation", "first_pass": f"{spec}:{FIRST_PASS}"}
    if "consensus" in steps:
        if model is None:
            raise ValueError("The consensus step needs the first pass's model.")
        done = consensus(
            first_pass, image, run_dir, attrs["bbox_start_zyx"], model, emit, consensus_settings
        )
        if done is None:
            emit.log(
                "Stopped during the consensus's second pass: the segmentation is the first "
                "pass, unrefined.",
                level="warning",
            )
            return None
        refined, consensus_stats = done
        stats["consensus"] = consensus_stats.to_dict()
        reverse = (Path(run_dir) / REVERSE_DIR / H5_NAME).resolve()
        outputs["reverse_pass"] = f"{reverse}:segmentation"
        emit.log(
            f"Consensus: the reverse pass made {consensus_stats.reverse_objects} objects; "
            f"{consensus_stats.objects_split} objects split ({consensus_stats.objects_added} "
            f"added), {consensus_stats.voxels_emptied} voxels emptied "
            f"({consensus_stats.seconds:.1f} s)."
        )
    overlaps = load_overlaps(run_dir, attrs["bbox_start_zyx"]) if "agglomerate" in steps else None
    refined, array_stats = refine_arrays(
        refined, image, steps, fill_settings, overlaps=overlaps, first_pass=first_pass
    )
    stats.update(array_stats)
    if "agglomerate" in array_stats:
        merged = AgglomerateStats(**array_stats["agglomerate"])
        emit.log(
            f"Agglomerate: {merged.pairs_merged} pairs joined by the model's floods; objects "
            f"{merged.objects_before} -> {merged.objects_after} ({merged.seconds:.1f} s)."
        )
    if "fill" in array_stats:
        fill_stats = FillStats(**array_stats["fill"])
        emit.log(
            f"Fill: {fill_stats.voxels_filled} voxels given to their neighbouring segment, "
            f"{fill_stats.objects_added} objects added; unsegmented "
            f"{fill_stats.empty_before / first_pass.size:.1%} -> "
            f"{fill_stats.empty_after / first_pass.size:.1%} ({fill_stats.seconds:.1f} s)."
        )
    _write_refined(path, first_pass, refined, attrs, refined_attrs(steps, stats))
    emit.artifact("segmentation", outputs["segmentation"])  # the refined volume replaces it
    return {"outputs": outputs, "extra": {"refine": stats}}


def refined_attrs(steps: tuple[str, ...], stats: dict[str, dict[str, Any]]) -> dict[str, str]:
    """The attributes a refined ``segmentation`` dataset carries: ``refine`` (the steps, comma
    separated) and ``refine_stats`` (each step's statistics, JSON)."""
    return {"refine": ",".join(steps), "refine_stats": json.dumps(stats)}


def _write_refined(
    path: Path,
    first_pass: np.ndarray,
    refined: np.ndarray,
    attrs: dict[str, Any],
    extra_attrs: dict[str, str],
) -> None:
    """Replace ``path`` with a copy holding ``first_pass`` and ``refined`` as ``segmentation``
    (its other datasets copied as they are; ``extra_attrs`` on ``segmentation``)."""
    with replacing(path) as tmp:
        with h5py.File(path, "r") as source, h5py.File(tmp, "w") as handle:
            for name in source:
                if name not in (FIRST_PASS, "segmentation"):
                    source.copy(name, handle)
            for name, data in ((FIRST_PASS, first_pass), ("segmentation", refined)):
                dset = handle.create_dataset(
                    name, data=data.astype(np.uint32), compression="gzip", compression_opts=1
                )
                dset.attrs.update(attrs)
            handle["segmentation"].attrs.update(extra_attrs)
