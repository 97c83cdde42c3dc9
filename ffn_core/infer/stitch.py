"""Stitch a plan's subvolume segmentations into one segmentation with one global ID space.

Each subvolume numbers its objects on its own. Where two subvolumes overlap (face, edge and
corner neighbours alike), a local object of one *agrees* with a local object of the other when
they share at least ``min_voxels`` voxels there and the shared voxels are at least ``min_share``
of the smaller one's voxels in the overlap. Agreeing objects are the same object; a union-find
over all agreements (:func:`scipy.sparse.csgraph.connected_components`) gives one global ID per
object, and each subvolume's owned part (:mod:`ffn_core.infer.plan`) is relabelled and written.

An object that agrees with two or more objects of the other side is a *conflict*: merging them
all would join objects that one subvolume keeps apart. A conflict is reported, and only a pair
whose members are each other's best match (most shared voxels, ties to the lower local ID)
merges: so of a conflict's matches at most the best one merges, and none when that best match
prefers another object. A wrong split costs less to proofread than a wrong merge. Conflicts are
judged per overlap; agreements in different overlaps still chain through the union-find.

Defaults: :data:`DEFAULT_MIN_VOXELS` = 100 voxels (a 4×5×5 block, a tenth of the smallest segment
inference keeps by default, ``min_segment_size`` 1000) ignores objects that only graze the
overlap; :data:`DEFAULT_MIN_SHARE` = 0.5 asks that at least half of the smaller object's part in
the overlap lie in the other, so two objects that merely touch there (sharing a thin boundary
layer where the two subvolumes disagree by a voxel or two) stay apart.

:func:`stitch_datasets` writes several segmentations of the same subvolumes (a first pass and
its refinement) into one file, a dataset each, each stitched on its own as above.

Memory: subvolumes are read only through ``load``, at most two at a time, so the stitch never
holds more than two subvolumes and the equivalence lists (objects, not voxels).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Any

import h5py
import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ffn_core.errors import UserError
from ffn_core.infer.plan import Plan, Subvolume
from ffn_core.io.atomic import replacing
from ffn_core.zyx import box_shape, box_slices, format_triple, relative_box

__all__ = [
    "DEFAULT_CHUNKS",
    "DEFAULT_MIN_SHARE",
    "DEFAULT_MIN_VOXELS",
    "Conflict",
    "Key",
    "StitchReport",
    "find_equivalences",
    "stitch",
    "stitch_datasets",
]

Key = tuple[int, int]
"""A local object: (subvolume index, local ID)."""
Loader = Callable[[Subvolume], np.ndarray]

DEFAULT_MIN_VOXELS = 100
DEFAULT_MIN_SHARE = 0.5
DEFAULT_CHUNKS = (16, 256, 256)


@dataclass(frozen=True)
class Conflict:
    """An object that agrees with several objects of a neighbouring subvolume.

    Attributes
    ----------
    object : Key
        The object (subvolume index, local ID).
    matches : tuple of (Key, int)
        The objects of the neighbour it agrees with and their shared voxels, best first.
    merged_with : Key or None
        The match it merged with (its best, when that one's best is this object), or ``None``.
    """

    object: Key
    matches: tuple[tuple[Key, int], ...]
    merged_with: Key | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"object": [s, id], "matches": [[s, id, shared], ...],
        "merged_with": [s, id] or None}``."""
        return {
            "object": list(self.object),
            "matches": [[*key, shared] for key, shared in self.matches],
            "merged_with": None if self.merged_with is None else list(self.merged_with),
        }


@dataclass
class StitchReport:
    """What a stitch did.

    Attributes
    ----------
    merges : int
        Local objects joined to another one (local objects minus the groups they form).
    conflicts : list of Conflict
        Objects matching several objects of a neighbour (see the module docstring).
    segments : int
        Global objects in the stitched volume (IDs 1..segments).
    empty : int
        Voxels of the stitched volume left unsegmented (0).
    """

    merges: int
    conflicts: list[Conflict]
    segments: int
    empty: int


def find_equivalences(
    plan: Plan,
    load: Loader,
    min_voxels: int = DEFAULT_MIN_VOXELS,
    min_share: float = DEFAULT_MIN_SHARE,
) -> tuple[list[tuple[Key, Key]], list[Conflict]]:
    """The pairs of local objects that are one object, from the subvolumes' overlaps.

    Parameters
    ----------
    plan : Plan
        The plan the subvolumes were segmented by.
    load : callable
        ``load(subvolume)`` -> its segmentation (unsigned integers, the shape of its box, 0 for
        background). Called once per subvolume plus once per overlapping pair.
    min_voxels : int
        Shared voxels two objects need to agree.
    min_share : float
        Share of the smaller object's voxels in the overlap that must be shared.

    Returns
    -------
    pairs : list of (Key, Key)
        Agreeing pairs that merge, the lower subvolume first, in plan order.
    conflicts : list of Conflict
        In plan order.
    """
    pairs, conflicts, _ = _scan(plan, load, min_voxels, min_share)
    return pairs, conflicts


def stitch(
    plan: Plan,
    load: Loader,
    out_h5: Path,
    dataset: str = "segmentation",
    chunks: tuple[int, int, int] = DEFAULT_CHUNKS,
    min_voxels: int = DEFAULT_MIN_VOXELS,
    min_share: float = DEFAULT_MIN_SHARE,
) -> StitchReport:
    """Write the plan's subvolumes as one segmentation of the plan's box into ``out_h5``.

    Global IDs are 1..N, numbered in the order of each object's first local object (subvolume
    index, then local ID) among those with owned voxels: the same inputs always give the same
    file, however many workers computed them and in which order.

    Parameters
    ----------
    plan : Plan
        The plan the subvolumes were segmented by.
    load : callable
        ``load(subvolume)`` -> its segmentation, as for :func:`find_equivalences`; each
        subvolume is loaded once more to be written.
    out_h5 : Path
        The HDF5 file to write (replaced atomically).
    dataset : str
        The dataset's name.
    chunks : tuple of int
        HDF5 chunk shape (z, y, x), clipped to the box.
    min_voxels, min_share
        As for :func:`find_equivalences`.

    Returns
    -------
    StitchReport
        Merges, conflicts, the number of global objects and the voxels left empty.

    Notes
    -----
    The dataset is ``uint32`` (``uint64`` beyond 2**32 - 1 objects), the box's shape, chunked
    and gzip-compressed, with attributes ``bbox_start_zyx``, ``bbox_stop_zyx`` and ``complete``
    as the single-box ``segmentation.h5`` has. It is written one owned block at a time.
    """
    reports = stitch_datasets(plan, {dataset: load}, out_h5, chunks, min_voxels, min_share)
    return reports[dataset]


def stitch_datasets(
    plan: Plan,
    loads: Mapping[str, Loader],
    out_h5: Path,
    chunks: tuple[int, int, int] = DEFAULT_CHUNKS,
    min_voxels: int = DEFAULT_MIN_VOXELS,
    min_share: float = DEFAULT_MIN_SHARE,
    attrs: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, StitchReport]:
    """Several segmentations of the same plan's subvolumes (a first pass and its refinement)
    into one HDF5 file, a dataset each, one after the other, each stitched on its own (its own
    equivalences and IDs) as :func:`stitch` stitches one.

    Parameters
    ----------
    plan : Plan
        The plan the subvolumes were segmented by.
    loads : mapping of str to callable
        Each dataset's name and the loader of its subvolumes (see :func:`stitch`).
    out_h5 : Path
        The HDF5 file to write (replaced atomically, once every dataset is written).
    chunks, min_voxels, min_share
        As for :func:`stitch`.
    attrs : mapping, optional
        More attributes of some datasets, by name.

    Returns
    -------
    dict of str to StitchReport
        Each dataset's report.
    """
    with replacing(out_h5) as tmp, h5py.File(tmp, "w", rdcc_nbytes=64 * 2**20) as handle:
        reports = {
            name: _write(handle, name, plan, load, chunks, min_voxels, min_share)
            for name, load in loads.items()
        }
        for name, more in (attrs or {}).items():
            handle[name].attrs.update(more)
    return reports


def _write(
    handle: h5py.File,
    dataset: str,
    plan: Plan,
    load: Loader,
    chunks: tuple[int, int, int],
    min_voxels: int,
    min_share: float,
) -> StitchReport:
    """Stitch one segmentation into ``handle[dataset]`` (see :func:`stitch`)."""
    pairs, conflicts, owned_ids = _scan(plan, load, min_voxels, min_share)
    tables, segments, merges = _global_ids(owned_ids, pairs)
    shape = box_shape(plan.box)
    dtype = np.uint32 if segments <= np.iinfo(np.uint32).max else np.uint64
    dset = handle.create_dataset(
        dataset,
        shape=shape,
        dtype=dtype,
        chunks=tuple(min(c, s) for c, s in zip(chunks, shape)),
        compression="gzip",
        compression_opts=1,
    )
    dset.attrs["bbox_start_zyx"] = np.array([start for start, _ in plan.box], np.int64)
    dset.attrs["bbox_stop_zyx"] = np.array([stop for _, stop in plan.box], np.int64)
    dset.attrs["complete"] = True
    empty = 0
    for sub in plan.subvolumes:
        local_ids, global_ids = tables[sub.index]
        owned = _checked_load(load, sub)[box_slices(relative_box(sub.owned, sub.box))]
        values, inverse = np.unique(owned, return_inverse=True)
        mapped = np.zeros(values.shape, dtype)
        found = values != 0
        mapped[found] = global_ids[np.searchsorted(local_ids, values[found])]
        dset[box_slices(relative_box(sub.owned, plan.box))] = mapped[inverse].reshape(owned.shape)
        empty += int(np.count_nonzero(owned == 0))
    return StitchReport(merges=merges, conflicts=conflicts, segments=segments, empty=empty)


def _scan(
    plan: Plan, load: Loader, min_voxels: int, min_share: float
) -> tuple[list[tuple[Key, Key]], list[Conflict], dict[int, np.ndarray]]:
    """Equivalences, conflicts and each subvolume's local IDs in its owned part (sorted)."""
    pairs: list[tuple[Key, Key]] = []
    conflicts: list[Conflict] = []
    owned_ids: dict[int, np.ndarray] = {}
    for sub, later in _neighbours(plan):
        seg = _checked_load(load, sub)
        ids = np.unique(seg[box_slices(relative_box(sub.owned, sub.box))])
        owned_ids[sub.index] = ids[ids != 0]
        for other in later:
            merged, refused = _match(
                sub, seg, other, _checked_load(load, other), min_voxels, min_share
            )
            pairs.extend(merged)
            conflicts.extend(refused)
    return pairs, conflicts, owned_ids


def _neighbours(plan: Plan) -> Iterator[tuple[Subvolume, list[Subvolume]]]:
    """Each subvolume with the later ones (in plan order) whose boxes overlap it."""
    by_grid = {sub.grid: sub for sub in plan.subvolumes}
    ranges: list[dict[int, tuple[int, int]]] = [{}, {}, {}]
    for sub in plan.subvolumes:
        for axis in range(3):
            ranges[axis][sub.grid[axis]] = sub.box[axis]
    near = [
        {i: [j for j, (c, d) in axis.items() if c < b and a < d] for i, (a, b) in axis.items()}
        for axis in ranges
    ]
    for sub in plan.subvolumes:
        grids = product(*(near[axis][sub.grid[axis]] for axis in range(3)))
        later = sorted(
            (by_grid[g] for g in grids if by_grid[g].index > sub.index), key=lambda s: s.index
        )
        yield sub, later


def _match(
    sub_a: Subvolume,
    seg_a: np.ndarray,
    sub_b: Subvolume,
    seg_b: np.ndarray,
    min_voxels: int,
    min_share: float,
) -> tuple[list[tuple[Key, Key]], list[Conflict]]:
    """The agreeing pairs of two overlapping subvolumes that merge, and the conflicts."""
    region = tuple((max(a0, b0), min(a1, b1)) for (a0, a1), (b0, b1) in zip(sub_a.box, sub_b.box))
    ids_a, inv_a = np.unique(
        seg_a[box_slices(relative_box(region, sub_a.box))], return_inverse=True
    )
    ids_b, inv_b = np.unique(
        seg_b[box_slices(relative_box(region, sub_b.box))], return_inverse=True
    )
    inv_a, inv_b = inv_a.ravel(), inv_b.ravel()
    size_a = np.bincount(inv_a, minlength=len(ids_a))
    size_b = np.bincount(inv_b, minlength=len(ids_b))
    both = (ids_a[inv_a] != 0) & (ids_b[inv_b] != 0)
    codes, shared = np.unique(inv_a[both] * len(ids_b) + inv_b[both], return_counts=True)
    ia, ib = np.divmod(codes, len(ids_b))
    agree = (shared >= min_voxels) & (shared >= min_share * np.minimum(size_a[ia], size_b[ib]))
    found = [
        ((sub_a.index, int(ids_a[i])), (sub_b.index, int(ids_b[j])), int(n))
        for i, j, n in zip(ia[agree], ib[agree], shared[agree])
    ]
    matches_of = _matches_of(found)
    best = {key: listed[0][0] for key, listed in matches_of.items()}
    merged = [(a, b) for a, b, _ in found if best[a] == b and best[b] == a]
    conflicts = []
    for key, matches in sorted(matches_of.items()):
        if len(matches) > 1:
            partner = best[key]
            conflicts.append(
                Conflict(key, tuple(matches), partner if best[partner] == key else None)
            )
    return merged, conflicts


def _matches_of(found: list[tuple[Key, Key, int]]) -> dict[Key, list[tuple[Key, int]]]:
    """Each object's agreeing objects with shared voxels, best first (ties: lower key)."""
    matches: dict[Key, list[tuple[Key, int]]] = {}
    for a, b, shared in found:
        matches.setdefault(a, []).append((b, shared))
        matches.setdefault(b, []).append((a, shared))
    for listed in matches.values():
        listed.sort(key=lambda match: (-match[1], match[0]))
    return matches


def _global_ids(
    owned_ids: dict[int, np.ndarray], pairs: list[tuple[Key, Key]]
) -> tuple[dict[int, tuple[np.ndarray, np.ndarray]], int, int]:
    """Per subvolume (sorted local IDs, their global IDs); the number of objects; merges."""
    owned = [(s, int(i)) for s in sorted(owned_ids) for i in owned_ids[s]]
    nodes = sorted(set(owned).union(key for pair in pairs for key in pair))
    index = {key: n for n, key in enumerate(nodes)}
    rows = [index[a] for a, _ in pairs]
    cols = [index[b] for _, b in pairs]
    graph = coo_matrix((np.ones(len(pairs), np.int8), (rows, cols)), shape=(len(nodes),) * 2)
    count, component = connected_components(graph, directed=False)
    numbering: dict[int, int] = {}
    for key in owned:  # sorted by (subvolume, local ID): first appearance numbers the object
        numbering.setdefault(int(component[index[key]]), len(numbering) + 1)
    tables = {
        s: (ids, np.array([numbering[int(component[index[(s, int(i))]])] for i in ids], np.uint64))
        for s, ids in owned_ids.items()
    }
    return tables, len(numbering), len(nodes) - count


def _checked_load(load: Loader, sub: Subvolume) -> np.ndarray:
    seg = np.asarray(load(sub))
    if seg.shape != box_shape(sub.box):
        raise UserError(
            f"The segmentation of the subvolume at {format_triple(sub.corner)} (z, y, x) has "
            f"shape {seg.shape}, not its box's {box_shape(sub.box)}.",
            "Delete that subvolume's seg-*.npz and resume the run to compute it again.",
        )
    return seg
