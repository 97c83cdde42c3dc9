"""Forward/reverse seed-order consensus (issue 13, step 2): split what two seed orders disagree on.

The FFN fills objects first come, first served, so where a flood leaks through a membrane the
merger depends on which object was seeded first. The reference's remedy (its manual:
``PolicyInverseOrigins`` and split consensus, ``consensus.py``) segments the box a second time,
seeded from the first run's object starts in reverse order, and intersects the two results:

1. :func:`reverse_pass` runs the second pass with the first pass's model, options and canvas
   rules (:func:`ffn_core.infer.runner.run_subvolume` with the seed policy
   :class:`~ffn_core.infer.seeds.PolicyInvertOrigins`) into the run's ``reverse/`` folder, in
   the reference layout (``seg-*.npz`` and ``segmentation.h5``).
2. :func:`split_consensus` (the reference's ``CONSENSUS_SPLIT``,
   ``split_segmentation_by_intersection``): both segmentations are first cut into their
   6-connected components, as the reference loads them. Every (first, second) id pair of the
   voxels is a piece; the piece a first-pass object shares most with one second-pass object
   (the empty background counts as one) keeps the first id, the others get new ids; a piece
   of fewer than ``split_min_size`` voxels is emptied, the largest one too; voxels the first
   pass left empty stay empty.

:func:`consensus` does both for one (sub)volume's run folder. Measured on the SNEMI3D crop:
``benchmarks/refine_quality.py``.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np
from skimage.measure import label

from ffn_core.errors import UserError
from ffn_core.events import Emitter
from ffn_core.infer import storage
from ffn_core.infer.runner import PredictFn, RunOutcome, RunSettings, run_subvolume

__all__ = [
    "REVERSE_DIR",
    "ConsensusSettings",
    "ConsensusStats",
    "ModelPass",
    "consensus",
    "load_origins",
    "load_overlaps",
    "reverse_pass",
    "split_consensus",
]

#: the folder of a run that holds its reverse pass
REVERSE_DIR = "reverse"
INVERT_POLICY = "PolicyInvertOrigins"


@dataclass(frozen=True)
class ConsensusSettings:
    """How :func:`split_consensus` intersects the two passes.

    Attributes
    ----------
    split_min_size : int
        Voxels a piece needs to stay segmented (the reference manual recommends 1000).
    split_components : bool
        Cut both passes into their 6-connected components first, as the reference's consensus
        loads them (``split_cc``).
    """

    split_min_size: int = 1000
    split_components: bool = True

    def __post_init__(self) -> None:
        if self.split_min_size < 0:
            raise UserError("The consensus's split_min_size cannot be negative.")


@dataclass(frozen=True)
class ConsensusStats:
    """What :func:`consensus` changed.

    Attributes
    ----------
    reverse_objects : int
        Objects of the reverse pass.
    reverse_fov_evals : int
        FOV evaluations of the reverse pass.
    objects_split : int
        First-pass objects now cut into two or more objects.
    objects_added : int
        Objects with new ids (pieces split off).
    voxels_split_off : int
        Voxels given a new id.
    voxels_emptied : int
        Segmented voxels emptied (pieces smaller than ``split_min_size``).
    seconds : float
        Wall time of the reverse pass and the split.
    """

    reverse_objects: int
    reverse_fov_evals: int
    objects_split: int
    objects_added: int
    voxels_split_off: int
    voxels_emptied: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        """The stats as plain JSON values."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class ModelPass:
    """What another inference pass over a run's box needs: the first pass's settings (box,
    canvas options, geometry, intervals) and its model.

    Attributes
    ----------
    settings : RunSettings
        The first pass's settings.
    predict : callable
        The model, ``predict(images, seeds) -> logits``.
    cancel : CancelToken, optional
        Stops the pass.
    """

    settings: RunSettings
    predict: PredictFn
    cancel: Any = None


def split_consensus(
    first: np.ndarray, second: np.ndarray, settings: ConsensusSettings | None = None
) -> np.ndarray:
    """Split ``first`` where ``second`` disagrees (the reference's split consensus).

    Parameters
    ----------
    first, second : ndarray of unsigned int, (z, y, x)
        Two segmentations of the same voxels (0: empty); not modified.
    settings : ConsensusSettings, optional
        Defaults: :class:`ConsensusSettings`.

    Returns
    -------
    ndarray of uint32
        ``first`` split: each first-pass object keeps its id on its largest piece (of its
        largest connected component); other pieces get ids above the largest one in use.
    """
    settings = settings or ConsensusSettings()
    if first.shape != second.shape:
        raise UserError(f"Segmentations {first.shape} and {second.shape} differ in shape.")
    a, b = first.astype(np.int64), second.astype(np.int64)
    if settings.split_components:
        a, b = _split_components(a), _split_components(b)
    width = int(a.max()) + 1 if a.size else 1
    pairs, inverse, counts = np.unique(
        b.ravel() * width + a.ravel(), return_inverse=True, return_counts=True
    )  # sorted by (second id, first id), the reference's order
    ids_a, ids_b = pairs % width, pairs // width
    best = np.lexsort((ids_b, -counts, ids_a))  # per first id: largest piece first
    keeps = np.zeros(pairs.size, dtype=bool)
    keeps[best[np.r_[True, ids_a[best][1:] != ids_a[best][:-1]]]] = True
    kept = (counts >= settings.split_min_size) & (ids_a > 0)
    new = kept & ~keeps
    labels = np.where(kept & keeps, ids_a, 0)
    labels[new] = width + np.arange(int(new.sum()))
    return labels[inverse.ravel()].reshape(first.shape).astype(np.uint32)


def _split_components(seg: np.ndarray) -> np.ndarray:
    """``seg`` with each object's 6-connected components apart: the largest keeps the id, the
    others get ids above the largest one."""
    components = label(seg, background=0, connectivity=1)
    count = int(components.max())
    if count == 0:
        return seg
    owner = np.zeros(count + 1, dtype=np.int64)
    owner[components.ravel()] = seg.ravel()
    sizes = np.bincount(components.ravel(), minlength=count + 1)
    order = np.lexsort((-sizes[1:], owner[1:])) + 1  # per object: largest component first
    largest = np.r_[True, owner[order][1:] != owner[order][:-1]]
    ids = np.zeros(count + 1, dtype=np.int64)
    ids[order[largest]] = owner[order[largest]]
    extra = order[~largest]
    ids[extra] = int(seg.max()) + 1 + np.arange(extra.size)
    return ids[components]


def load_origins(run_dir: Path, corner_zyx: Any) -> dict[int, tuple[Any, ...]]:
    """The origins ``{id: (start_zyx, iterations, seconds)}`` of a finished run's subvolume at
    ``corner_zyx`` (its ``seg-*.npz``, which pickles them as the reference does)."""
    return storage.read_origins(_first_pass_npz(run_dir, corner_zyx, "object starts"))


def load_overlaps(run_dir: Path, corner_zyx: Any) -> dict[int, Any]:
    """The overlaps ``{id: [[earlier ids], [voxel counts]]}`` of a finished run's subvolume at
    ``corner_zyx`` (its ``seg-*.npz``)."""
    return storage.read_overlaps(_first_pass_npz(run_dir, corner_zyx, "object overlaps"))


def _first_pass_npz(run_dir: Path, corner_zyx: Any, what: str) -> Path:
    """The ``seg-*.npz`` of the subvolume at ``corner_zyx``, refused when missing."""
    path = storage.subvolume_path(run_dir, corner_zyx, "npz")
    if not path.is_file():
        raise UserError(
            f"The first pass's {what} ({path}) are missing.",
            "Run the inference again with --on-exists replace.",
            "Run the inference again: press Replace on the Infer page.",
        )
    return path


def reverse_pass(
    image: np.ndarray,
    model: ModelPass,
    origins: dict[int, tuple[Any, ...]],
    out_dir: Path,
    emit: Emitter | None = None,
) -> RunOutcome:
    """Segment ``image`` again, seeded from the ``origins`` of its first pass in reverse order.

    Parameters
    ----------
    image : ndarray, (z, y, x)
        The normalised image of the box, as the first pass saw it.
    model : ModelPass
        The first pass's settings and model.
    origins : dict
        The first pass's ``{id: (start_zyx, ...)}`` (:func:`load_origins`).
    out_dir : Path
        Where the pass writes its results (reference layout and ``segmentation.h5``).
    emit : Emitter, optional
        Progress and log lines of the pass (its segmentation is not reported as an artifact).

    Returns
    -------
    RunOutcome
        Of :func:`~ffn_core.infer.runner.run_subvolume` (status ``stopped`` when cancelled).
    """
    args = {"origins_zyx": [[int(v) for v in origins[i][0]] for i in sorted(origins)]}
    first = model.settings
    settings = dataclasses.replace(
        first,
        seed_policy=INVERT_POLICY,
        seed_policy_args=args,
        refresh_interval=0.0,  # the first pass stays the live view
        fingerprint={**first.fingerprint, "seed_policy": [INVERT_POLICY, args]},
    )
    quiet = None if emit is None else _WithoutArtifacts(emit)
    return run_subvolume(image, settings, model.predict, out_dir, quiet, model.cancel)


class _WithoutArtifacts:
    """An emitter's progress and log lines without its artifacts: the reverse pass's
    segmentation is no result to show (the run's own one is, once refined)."""

    def __init__(self, emit: Emitter) -> None:
        self._emit = emit

    def __getattr__(self, name: str) -> Any:
        return getattr(self._emit, name)

    def artifact(self, kind: str, path: str) -> None:
        """Drop the artifact."""


def consensus(
    first_pass: np.ndarray,
    image: np.ndarray,
    run_dir: Path,
    corner_zyx: Any,
    model: ModelPass,
    emit: Emitter,
    settings: ConsensusSettings | None = None,
) -> tuple[np.ndarray, ConsensusStats] | None:
    """The forward/reverse consensus of a finished first pass (one subvolume).

    Parameters
    ----------
    first_pass : ndarray, (z, y, x)
        The first pass's segmentation of the box.
    image : ndarray, (z, y, x)
        The normalised image of the box.
    run_dir : Path
        The run folder (its ``seg-*.npz`` at ``corner_zyx`` holds the origins); the reverse
        pass goes to its ``reverse/`` folder.
    corner_zyx : sequence of int
        The box's corner in the image.
    model : ModelPass
        The first pass's settings and model.
    emit : Emitter
        Log lines; the reverse pass reports its progress on a child (its own rate and ETA).
    settings : ConsensusSettings, optional
        Defaults: :class:`ConsensusSettings`.

    Returns
    -------
    (ndarray, ConsensusStats) or None
        The split segmentation and what changed; None when the reverse pass was stopped.
    """
    started = time.perf_counter()
    origins = load_origins(run_dir, corner_zyx)
    emit.log(f"Consensus: second pass seeded from the {len(origins)} objects in reverse order.")
    outcome = reverse_pass(image, model, origins, Path(run_dir) / REVERSE_DIR, emit.child())
    if outcome.status != "completed":
        return None
    with h5py.File(outcome.h5, "r") as handle:
        second = handle["segmentation"][...]
    split = split_consensus(first_pass, second, settings)
    return split, _stats(first_pass, split, outcome, time.perf_counter() - started)


def _stats(
    first: np.ndarray, split: np.ndarray, outcome: RunOutcome, seconds: float
) -> ConsensusStats:
    """What the consensus changed in ``first``."""
    owners, ids = first.ravel().astype(np.int64), split.ravel().astype(np.int64)
    width = int(ids.max()) + 1 if ids.size else 1
    pairs = np.unique(owners[ids > 0] * width + ids[ids > 0])  # (first id, split id)
    _, pieces = np.unique(pairs // width, return_counts=True)
    top = int(owners.max()) if owners.size else 0
    return ConsensusStats(
        reverse_objects=outcome.segments,
        reverse_fov_evals=int(outcome.counters.get("fov_evals", 0)),
        objects_split=int(np.count_nonzero(pieces > 1)),
        objects_added=int(np.count_nonzero(np.unique(ids) > top)),
        voxels_split_off=int(np.count_nonzero(ids > top)),
        voxels_emptied=int(np.count_nonzero((owners > 0) & (ids == 0))),
        seconds=round(seconds, 2),
    )
