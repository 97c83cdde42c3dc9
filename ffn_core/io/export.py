"""Export a segmentation as PNG/TIFF slices, one multi-page TIFF, or HDF5.

Formats (all open in Fiji as plain 2-D/3-D stacks of uint8, uint16 or uint32):

``png``, ``tif``
    One file per z slice, zero-padded names (``0000.png``).
``tiff-stack``
    One multi-page TIFF ``segmentation.tif``; ImageJ-style for 8/16-bit and colour,
    a plain multi-page TIFF for 32-bit (ImageJ hyperstacks have no uint32).
``hdf5``
    ``segmentation.h5`` with dataset ``segmentation`` (and the run's attributes).

Grey exports keep segment IDs exactly. When the largest ID does not fit the bit
depth the export is refused, or with ``remap`` the IDs are relabelled 1..N in
increasing order and ``id_map.csv`` (new_id,old_id) is written beside the stack;
IDs never wrap (the reference's ``npz_to_png`` truncated them to 8 bits).
Colour exports are 8-bit RGB with a stable colour per ID (a hash of the ID; 0 is black).

Every export is written into a hidden temporary folder next to the destination and
renamed into place at the end, so a failure or a stop leaves nothing behind.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import h5py
import numpy as np
import tifffile
from PIL import Image

from ffn_core.analysis.proofread import EditList, apply_edits
from ffn_core.errors import UserError
from ffn_core.project import Project

FORMATS = ("png", "tif", "tiff-stack", "hdf5")
BIT_DEPTHS = (8, 16, 32)
RUN_FILE, RUN_DATASET = "segmentation.h5", "segmentation"
Progress = Callable[[int, int], None]


class ExportStopped(Exception):
    """Raised inside the writers when the user stops the export."""


# -- the run's segmentation ------------------------------------------------------------
def run_segmentation_path(project: Project, run: str) -> Path:
    """``<project>/inference/<run>/segmentation.h5``; a clear error when it is missing."""
    path = project.path("inference", run, RUN_FILE)
    if not path.is_file():
        runs = sorted(p.parent.name for p in project.path("inference").glob(f"*/{RUN_FILE}"))
        raise UserError(
            f"Project {project.root} has no inference run '{run}' ({path} is missing).",
            f"Choose one of: {', '.join(runs)}." if runs else "Run inference first.",
        )
    return path


def run_segmentation_attrs(project: Project, run: str) -> dict:
    """Attributes of the run's segmentation dataset (``bbox_start_zyx``, ``bbox_stop_zyx``...)."""
    with h5py.File(run_segmentation_path(project, run), "r") as handle:
        return dict(handle[RUN_DATASET].attrs)


def load_run_segmentation(project: Project, run: str) -> np.ndarray:
    """The segmentation of inference run ``run`` as a (z, y, x) uint32 array.

    Proofreading edits of the run (``edits.json``, :mod:`ffn_core.analysis.proofread`) are
    applied; every consumer (export, evaluation) takes the labels through here.
    """
    path = run_segmentation_path(project, run)
    with h5py.File(path, "r") as handle:
        if RUN_DATASET not in handle:
            raise UserError(
                f"{path} has no '{RUN_DATASET}' dataset.",
                "The inference run did not finish; run or resume it again.",
            )
        segmentation = handle[RUN_DATASET][...]
    edits = EditList.for_run(path.parent).edits
    return apply_edits(segmentation, edits) if edits else segmentation


# -- IDs and colours ---------------------------------------------------------------
def id_colours(ids: np.ndarray) -> np.ndarray:
    """A stable RGB colour per segment ID, shape ``ids.shape + (3,)``, uint8.

    The colour is a 64-bit integer hash of the ID, so it is the same in every slice,
    export and session; ID 0 is black and no other ID is (channels stay >= 48).
    """
    h = np.asarray(ids).astype(np.uint64)
    with np.errstate(over="ignore"):
        h = (h + np.uint64(0x9E3779B97F4A7C15)) * np.uint64(0xBF58476D1CE4E5B9)
        h = (h ^ (h >> np.uint64(31))) * np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(29)
    channels = [(h >> np.uint64(shift)) & np.uint64(0xFF) for shift in (0, 8, 16)]
    rgb = np.stack([48 + (c * 208) // 256 for c in channels], axis=-1).astype(np.uint8)
    rgb[np.asarray(ids) == 0] = 0
    return rgb


def colourise(labels: np.ndarray) -> np.ndarray:
    """Labels to RGB with :func:`id_colours`; shape ``labels.shape + (3,)``."""
    ids, inverse = np.unique(labels, return_inverse=True)
    return id_colours(ids)[inverse.reshape(labels.shape)]


def fit_ids(seg: np.ndarray, bits: int, remap: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """``seg`` as unsigned ``bits``-bit integers, IDs unchanged when they fit.

    Returns
    -------
    (labels, old_ids) : tuple
        ``old_ids[k]`` is the original ID of new ID ``k`` after a remap, else None.

    Raises
    ------
    UserError
        When the IDs do not fit and ``remap`` is False (or too many segments even then).
    """
    dtype = np.dtype(f"uint{bits}")
    limit = np.iinfo(dtype).max
    largest = int(seg.max()) if seg.size else 0
    if largest <= limit:
        return seg.astype(dtype, copy=False), None
    if not remap:
        raise UserError(
            f"The largest segment ID, {largest}, does not fit in {bits}-bit grey "
            f"(at most {limit}).",
            "Choose a larger --bit-depth (32-bit needs --format tif, tiff-stack or hdf5), "
            "or add --remap to renumber the segments 1..N.",
        )
    ids, inverse = np.unique(seg, return_inverse=True)
    if ids[0] != 0:
        ids, inverse = np.concatenate([[0], ids]), inverse + 1
    if ids.size - 1 > limit:
        raise UserError(
            f"The segmentation has {ids.size - 1} segments; {bits}-bit grey holds at most {limit}.",
            "Choose a larger --bit-depth.",
        )
    return inverse.reshape(seg.shape).astype(dtype), ids


def check_options(fmt: str, bits: int | None, colour: bool) -> int:
    """Validate format, bit depth and colour; returns the bit depth to use."""
    if fmt not in FORMATS:
        raise UserError(f"Unknown export format '{fmt}'.", f"Choose one of {', '.join(FORMATS)}.")
    if colour:
        if fmt == "hdf5":
            raise UserError(
                "HDF5 export keeps the segment IDs; it has no colour mode.",
                "Leave out --colour, or export png, tif or tiff-stack.",
            )
        if bits not in (None, 8):
            raise UserError(
                f"Colour exports are 8-bit RGB; --bit-depth {bits} does not apply.",
                "Leave out --bit-depth, or leave out --colour for grey IDs.",
            )
        return 8
    bits = bits or (32 if fmt == "hdf5" else 16)
    if bits not in BIT_DEPTHS:
        raise UserError(f"--bit-depth {bits} is not supported.", "Choose 8, 16 or 32.")
    if fmt == "png" and bits == 32:
        raise UserError(
            "PNG has no 32-bit grey images.",
            "Use --format tif or tiff-stack for 32-bit IDs, or --bit-depth 16.",
        )
    return bits


# -- writing ---------------------------------------------------------------------------
def export_segmentation(
    seg: np.ndarray,
    out: Path,
    fmt: str,
    *,
    bits: int | None = None,
    colour: bool = False,
    remap: bool = False,
    overwrite: bool = False,
    attrs: dict | None = None,
    progress: Progress | None = None,
    stopped: Callable[[], bool] = lambda: False,
    warn: Callable[[str], None] = lambda message: None,
) -> Path | None:
    """Write ``seg`` (z, y, x) to folder ``out`` in ``fmt``; returns ``out``, or None if stopped.

    ``progress(done, total)`` is called per slice; ``stopped()`` is checked per slice
    and, when true, the partial export is removed. ``warn`` receives the remap warning.
    """
    bits = check_options(fmt, bits, colour)
    out = Path(out)
    _check_destination(out, overwrite)
    labels, old_ids = (seg, None) if colour else fit_ids(seg, bits, remap)
    if old_ids is not None:
        warn(
            f"Segment IDs up to {int(seg.max())} do not fit {bits}-bit grey: renumbered "
            f"1..{old_ids.size - 1}; id_map.csv gives the original IDs."
        )
    frames = _frames(labels, colour, progress, stopped)
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = out.parent / f".{out.name}.partial-{uuid.uuid4().hex[:8]}"
    temp.mkdir()
    try:
        _WRITERS[fmt](temp, labels, frames, colour, attrs or {})
        if old_ids is not None:
            _write_id_map(temp / "id_map.csv", old_ids)
        _replace(temp, out)
        if progress is not None:
            progress(labels.shape[0], labels.shape[0])
    except ExportStopped:
        shutil.rmtree(temp, ignore_errors=True)
        return None
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return out


def _check_destination(out: Path, overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} exists and is not a folder.", "Choose a folder for the export.")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise UserError(
            f"{out} already exists and is not empty.",
            "Choose another folder, or replace it with --overwrite.",
        )


def _replace(temp: Path, out: Path) -> None:
    old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
    if out.exists():
        out.rename(old)
    temp.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def _frames(
    labels: np.ndarray, colour: bool, progress: Progress | None, stopped: Callable[[], bool]
) -> Iterator[np.ndarray]:
    total = labels.shape[0]
    for z in range(total):
        if stopped():
            raise ExportStopped
        if progress is not None:
            progress(z, total)
        yield colourise(labels[z]) if colour else labels[z]


def _slice_names(count: int, suffix: str) -> list[str]:
    width = max(4, len(str(count - 1)))
    return [f"{z:0{width}d}.{suffix}" for z in range(count)]


def _write_png(folder: Path, labels: np.ndarray, frames, colour: bool, attrs: dict) -> None:
    for name, frame in zip(_slice_names(labels.shape[0], "png"), frames):
        Image.fromarray(frame).save(folder / name)


def _write_tif(folder: Path, labels: np.ndarray, frames, colour: bool, attrs: dict) -> None:
    photometric = "rgb" if colour else "minisblack"
    for name, frame in zip(_slice_names(labels.shape[0], "tif"), frames):
        tifffile.imwrite(folder / name, frame, photometric=photometric)


def _write_tiff_stack(folder: Path, labels: np.ndarray, frames, colour: bool, attrs: dict) -> None:
    shape = labels.shape + ((3,) if colour else ())
    dtype = np.uint8 if colour else labels.dtype
    imagej = colour or dtype != np.uint32
    axes = "ZYXS" if colour else "ZYX"
    big = not imagej and int(np.prod(shape)) * np.dtype(dtype).itemsize > 2**32 - 2**25
    tifffile.imwrite(
        folder / "segmentation.tif",
        data=frames,
        shape=shape,
        dtype=dtype,
        imagej=imagej,
        bigtiff=big,
        photometric="rgb" if colour else "minisblack",
        metadata={"axes": axes},
    )


def _write_hdf5(folder: Path, labels: np.ndarray, frames, colour: bool, attrs: dict) -> None:
    with h5py.File(folder / RUN_FILE, "w") as handle:
        chunks = (1,) + tuple(min(s, 256) for s in labels.shape[1:])
        dataset = handle.create_dataset(
            RUN_DATASET, shape=labels.shape, dtype=labels.dtype, chunks=chunks, compression="gzip"
        )
        dataset.attrs.update(attrs)
        for z, frame in enumerate(frames):
            dataset[z] = frame


def _write_id_map(path: Path, old_ids: np.ndarray) -> None:
    rows = [f"{new},{int(old)}" for new, old in enumerate(old_ids) if new]
    path.write_text("new_id,old_id\n" + "\n".join(rows) + "\n", encoding="utf-8")


_WRITERS = {
    "png": _write_png,
    "tif": _write_tif,
    "tiff-stack": _write_tiff_stack,
    "hdf5": _write_hdf5,
}
