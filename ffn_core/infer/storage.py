"""Inference files: checkpoints, the reference layout (``seg-*.npz`` + ``.prob``) and HDF5.

Reference layout (§2.5): ``<dir>/<x>/<y>/seg-<x>_<y>_<z>.npz`` for the subvolume corner (z, y, x),
holding ``segmentation`` (smallest unsigned dtype), pickled ``origins`` {id: (start_zyx, iters,
seconds)} and ``overlaps`` {id: [[ids], [counts]]}, ``request`` (text) and ``counters`` (JSON);
``.prob`` holds ``qprob``. A run in subvolumes with refinement steps keeps each subvolume's refined
segmentation beside it (``refined-<x>_<y>_<z>.npz``: ``segmentation``, ``refine`` the steps,
``stats`` JSON). Our checkpoint ``.cpoint`` stores only plain arrays (no pickles), so it
loads with any numpy. Every file is written to a temporary name and renamed.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from ffn_core.errors import UserError
from ffn_core.io.atomic import atomic_write_text, replacing
from ffn_core.io.pickled_fields import read_pickled_field

H5_NAME = "segmentation.h5"


def subvolume_path(run_dir: Path, corner_zyx: Any, suffix: str) -> Path:
    """``run_dir/<x>/<y>/seg-<x>_<y>_<z>.<suffix>`` as the reference names it."""
    z, y, x = (int(v) for v in corner_zyx)
    return Path(run_dir) / str(x) / str(y) / f"seg-{x}_{y}_{z}.{suffix}"


def read_origins(npz: Path) -> dict[int, tuple[Any, ...]]:
    """The ``origins`` ``{id: (start_zyx, iterations, seconds)}`` pickled in the reference
    ``seg-*.npz`` file ``npz``, read as data only ({} when it has none)."""
    return dict(read_pickled_field(npz, "origins") or {})


def read_overlaps(npz: Path) -> dict[int, Any]:
    """The ``overlaps`` ``{id: [[earlier ids], [voxel counts]]}`` pickled in the reference
    ``seg-*.npz`` file ``npz``, read as data only ({} when it has none)."""
    return dict(read_pickled_field(npz, "overlaps") or {})


def load_subvolume_segmentation(run_dir: Path, corner_zyx: Any) -> np.ndarray:
    """The ``segmentation`` of the reference npz of the subvolume at ``corner_zyx``."""
    with np.load(subvolume_path(run_dir, corner_zyx, "npz"), allow_pickle=False) as data:
        return data["segmentation"]


def _savez(path: Path, compressed: bool = False, **arrays: Any) -> None:
    with replacing(path) as tmp, open(tmp, "wb") as handle:
        (np.savez_compressed if compressed else np.savez)(handle, **arrays)
        handle.flush()
        os.fsync(handle.fileno())


def reduce_id_bits(segmentation: np.ndarray) -> np.ndarray:
    """``segmentation`` in the smallest unsigned integer dtype that holds its maximum."""
    top = int(segmentation.max()) if segmentation.size else 0
    for dtype in (np.uint8, np.uint16, np.uint32):
        if top <= np.iinfo(dtype).max:
            return segmentation.astype(dtype)
    return segmentation.astype(np.uint64)


# -- checkpoints --------------------------------------------------------------------------
def _flat_overlaps(overlaps: dict[int, np.ndarray]) -> dict[str, np.ndarray]:
    ids = sorted(overlaps)
    parts = [np.asarray(overlaps[i], dtype=np.int64).reshape(2, -1) for i in ids]
    sizes = [p.shape[1] for p in parts]
    joined = np.concatenate(parts, axis=1) if parts else np.zeros((2, 0), np.int64)
    return {
        "overlap_ids": np.array(ids, dtype=np.int64),
        "overlap_sizes": np.array(sizes, dtype=np.int64),
        "overlap_pairs": joined,
    }


def save_checkpoint(path: Path, state: dict[str, Any], meta: dict[str, Any]) -> None:
    """Write a :meth:`Canvas.get_state` snapshot plus ``meta`` (JSON) atomically, pickle-free."""
    origins = state["origins"]
    ids = sorted(origins)
    coords = state["seed_coords"]
    _savez(
        path,
        segmentation=state["segmentation"],
        seg_prob=state["seg_prob"],
        max_id=np.int64(state["max_id"]),
        seed_idx=np.int64(state["seed_idx"]),
        has_coords=np.bool_(coords is not None),
        seed_coords=np.zeros((0, 3), np.int64) if coords is None else coords,
        origin_ids=np.array(ids, dtype=np.int64),
        origin_pos=np.array([origins[i][0] for i in ids], dtype=np.int64).reshape(-1, 3),
        origin_iters=np.array([origins[i][1] for i in ids], dtype=np.int64),
        origin_seconds=np.array([origins[i][2] for i in ids], dtype=np.float64),
        counters=np.array(json.dumps(state["counters"])),
        meta=np.array(json.dumps(meta)),
        **_flat_overlaps(state["overlaps"]),
    )


@contextmanager
def _damaged_checkpoint(path: Path) -> Iterator[None]:
    """Turns a checkpoint that cannot be read into a :class:`UserError` naming it."""
    try:
        yield
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise UserError(
            f"The inference checkpoint {path} is damaged ({exc}); the run cannot resume.",
            "Choose --on-exists replace (start the run again) or new (keep its files).",
            "Press Replace (start the run again) or New run (keep its files) on the Infer page.",
        ) from None


def read_checkpoint_meta(path: Path) -> dict[str, Any]:
    """The ``meta`` of a checkpoint written by :func:`save_checkpoint` (its arrays unread)."""
    with _damaged_checkpoint(path), np.load(path, allow_pickle=False) as data:
        return json.loads(str(data["meta"]))


def load_checkpoint(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read a checkpoint written by :func:`save_checkpoint`: (state, meta)."""
    with _damaged_checkpoint(path), np.load(path, allow_pickle=False) as data:
        origins = {
            int(i): (tuple(int(v) for v in p), int(n), float(s))
            for i, p, n, s in zip(
                data["origin_ids"], data["origin_pos"], data["origin_iters"], data["origin_seconds"]
            )
        }
        bounds = np.concatenate([[0], np.cumsum(data["overlap_sizes"])])
        pairs = data["overlap_pairs"]
        overlaps = {
            int(i): pairs[:, bounds[k] : bounds[k + 1]] for k, i in enumerate(data["overlap_ids"])
        }
        state = {
            "segmentation": data["segmentation"],
            "seg_prob": data["seg_prob"],
            "origins": origins,
            "overlaps": overlaps,
            "max_id": int(data["max_id"]),
            "seed_coords": data["seed_coords"] if bool(data["has_coords"]) else None,
            "seed_idx": int(data["seed_idx"]),
            "counters": json.loads(str(data["counters"])),
        }
        meta = json.loads(str(data["meta"]))
    return state, meta


# -- results ------------------------------------------------------------------------------
def save_reference_npz(
    run_dir: Path,
    corner_zyx: Any,
    segmentation: np.ndarray,
    qprob: np.ndarray,
    origins: dict[int, Any],
    overlaps: dict[int, Any],
    request_text: str,
    counters: dict[str, Any],
) -> Path:
    """Write ``seg-*.npz`` and ``seg-*.prob`` of the reference layout; returns the npz path."""
    npz = subvolume_path(run_dir, corner_zyx, "npz")
    _savez(
        npz,
        compressed=True,
        segmentation=reduce_id_bits(segmentation),
        origins=_object(origins),
        overlaps=_object(overlaps),
        request=np.array(request_text),
        counters=np.array(json.dumps(counters)),
    )
    _savez(subvolume_path(run_dir, corner_zyx, "prob"), compressed=True, qprob=qprob)
    return npz


def _object(value: Any) -> np.ndarray:
    holder = np.empty((), dtype=object)
    holder[()] = value
    return holder


def write_h5(
    path: Path,
    segmentation: np.ndarray,
    qprob: np.ndarray,
    start_zyx: Any,
    stop_zyx: Any,
    complete: bool,
) -> None:
    """``segmentation`` (uint32, bbox-sized) and ``probabilities`` (uint8) in one HDF5 file."""
    with replacing(path) as tmp:
        with h5py.File(tmp, "w") as handle:
            dset = handle.create_dataset(
                "segmentation",
                data=segmentation.astype(np.uint32),
                compression="gzip",
                compression_opts=1,
            )
            dset.attrs["bbox_start_zyx"] = np.asarray(start_zyx, dtype=np.int64)
            dset.attrs["bbox_stop_zyx"] = np.asarray(stop_zyx, dtype=np.int64)
            dset.attrs["complete"] = bool(complete)
            handle.create_dataset(
                "probabilities", data=qprob.astype(np.uint8), compression="gzip", compression_opts=1
            )


def write_counters(run_dir: Path, counters: dict[str, Any]) -> None:
    """``counters.txt``: one ``name: value`` line per counter, sorted."""
    text = "".join(f"{name}: {counters[name]}\n" for name in sorted(counters))
    atomic_write_text(Path(run_dir) / "counters.txt", text)


def run_state(run_dir: Path, corner_zyx: Any) -> str:
    """``absent`` (nothing there), ``checkpoint`` (resumable), ``complete`` or ``partial``."""
    run_dir = Path(run_dir)
    if subvolume_path(run_dir, corner_zyx, "cpoint").is_file():
        return "checkpoint"
    if subvolume_path(run_dir, corner_zyx, "npz").is_file():
        return "complete"
    return "partial" if holds_results(run_dir) else "absent"


def holds_results(run_dir: Path) -> bool:
    """Whether ``run_dir`` holds anything but the hidden temporary files a killed write
    leaves (``.name.<id>.tmp``: never results)."""
    run_dir = Path(run_dir)
    return run_dir.is_dir() and any(not path.name.startswith(".") for path in run_dir.iterdir())


# -- refined subvolumes (a run in subvolumes with --refine) ----------------------------------
def refined_path(run_dir: Path, corner_zyx: Any) -> Path:
    """``run_dir/<x>/<y>/refined-<x>_<y>_<z>.npz``: the refined segmentation of the subvolume
    whose first pass is ``seg-<x>_<y>_<z>.npz``."""
    npz = subvolume_path(run_dir, corner_zyx, "npz")
    return npz.with_name(npz.name.replace("seg-", "refined-", 1))


def save_refined_npz(
    run_dir: Path,
    corner_zyx: Any,
    segmentation: np.ndarray,
    steps: tuple[str, ...],
    stats: dict[str, Any],
) -> Path:
    """Write a subvolume's refined segmentation with the ``steps`` that made it (``refine``,
    comma-joined) and their statistics (``stats``, JSON); returns the path."""
    path = refined_path(run_dir, corner_zyx)
    _savez(
        path,
        compressed=True,
        segmentation=reduce_id_bits(segmentation),
        refine=np.array(",".join(steps)),
        stats=np.array(json.dumps(stats)),
    )
    return path


def read_refined_meta(
    run_dir: Path, corner_zyx: Any
) -> tuple[tuple[str, ...], dict[str, Any]] | None:
    """The steps and statistics of the subvolume's refined npz (None when it has none)."""
    path = refined_path(run_dir, corner_zyx)
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as data:
        steps = tuple(step for step in str(data["refine"]).split(",") if step)
        return steps, json.loads(str(data["stats"]))


def load_refined_segmentation(run_dir: Path, corner_zyx: Any) -> np.ndarray:
    """The ``segmentation`` of the subvolume's refined npz."""
    with np.load(refined_path(run_dir, corner_zyx), allow_pickle=False) as data:
        return data["segmentation"]
