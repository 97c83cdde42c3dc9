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

Every format carries the voxel size (z, y, x, in :data:`VOXEL_UNIT`), so Fiji, napari and
ilastik show physical units: ImageJ TIFFs (8/16-bit and colour, stack or slices) have the
x/y resolution and ``spacing`` (z) and ``unit`` in their ImageJ description; 32-bit TIFFs,
which ImageJ's format cannot hold, the resolution in pixels per centimetre (which ImageJ
reads as microns) and ``spacing``/``unit`` in tifffile's description; PNG slices their
pixels per metre; HDF5 the attributes ``element_size_um`` (z, y, x in µm, as Fiji's HDF5
plugin and ilastik read it), ``voxel_size`` (z, y, x, as our volumes have it) and ``unit``.

Every export is written into a hidden temporary folder next to the destination and
renamed into place at the end, so a failure or a stop leaves nothing behind.

The segmentation is read one chunk layer of slices at a time (:func:`ffn_core.io.blocks.z_planes`)
and written slice by slice, so a run larger than memory exports in bounded memory; a run's
proofreading edits are applied to each block as it is read (:class:`RunSegmentation`).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from functools import reduce
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import tifffile
from PIL import Image

from ffn_core.analysis.proofread import EditList, compose, relabel
from ffn_core.errors import UserError
from ffn_core.io.blocks import z_planes
from ffn_core.project import Project

FORMATS = ("png", "tif", "tiff-stack", "hdf5")
BIT_DEPTHS = (8, 16, 32)
#: the unit of a project's voxel size (EM: the Import page asks for it in nm)
VOXEL_UNIT = "nm"
_NM_PER = {"um": 1e3, "cm": 1e7, "m": 1e9}
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


class RunSegmentation:
    """The segmentation of inference run ``run``, read from its HDF5 file block by block.

    Index it like an array (``run[z0:z1]``, ``run[z, y0:y1, x0:x1]``, ``run[...]``): each
    read opens the file, reads that block and applies the run's proofreading edits
    (``edits.json``, :mod:`ffn_core.analysis.proofread`) to it. Every consumer (export,
    evaluation) takes the labels through here, so none needs the whole volume in memory
    and no file stays open while a job rewrites it.

    Attributes
    ----------
    path : Path
        ``<project>/inference/<run>/segmentation.h5``.
    shape, dtype, chunks
        Those of the stored dataset (z, y, x).
    attrs : dict
        The dataset's attributes (``bbox_start_zyx``, ``bbox_stop_zyx``...).
    mapping : dict
        Old id → new id of the run's edits, composed (empty without edits).
    """

    def __init__(self, project: Project, run: str) -> None:
        self.path = run_segmentation_path(project, run)
        with h5py.File(self.path, "r") as handle:
            if RUN_DATASET not in handle:
                raise UserError(
                    f"{self.path} has no '{RUN_DATASET}' dataset.",
                    "The inference run did not finish; run or resume it again.",
                )
            dataset = handle[RUN_DATASET]
            self.shape, self.dtype, self.chunks = dataset.shape, dataset.dtype, dataset.chunks
            self.attrs = dict(dataset.attrs)
        self.mapping = compose(EditList.for_run(self.path.parent).edits)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __getitem__(self, key: Any) -> np.ndarray:
        with h5py.File(self.path, "r") as handle:
            block = handle[RUN_DATASET][key]
        return relabel(block, self.mapping) if self.mapping else block


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


def fit_ids(
    seg: Any, bits: int, remap: bool, stopped: Callable[[], bool] = lambda: False
) -> np.ndarray | None:
    """How the IDs of ``seg`` are written in ``bits``-bit grey, reading it block by block.

    ``seg`` is a (z, y, x) array or array-like (see :func:`export_segmentation`); it is
    not scanned when its dtype fits. ``stopped()`` is checked per slice read.

    Returns
    -------
    old_ids : ndarray or None
        None when every ID fits unchanged; after a remap, the sorted original IDs with 0
        first: ``old_ids[k]`` is the original ID of new ID ``k``.

    Raises
    ------
    UserError
        When the IDs do not fit and ``remap`` is False (or too many segments even then).
    ExportStopped
        When ``stopped()`` turns true.
    """
    limit = np.iinfo(np.dtype(f"uint{bits}")).max
    if np.dtype(seg.dtype).kind == "u" and np.iinfo(seg.dtype).max <= limit:
        return None
    largest = max((int(plane.max()) for plane in _planes(seg, stopped) if plane.size), default=0)
    if largest <= limit:
        return None
    if not remap:
        raise UserError(
            f"The largest segment ID, {largest}, does not fit in {bits}-bit grey "
            f"(at most {limit}).",
            "Choose a larger --bit-depth (32-bit needs --format tif, tiff-stack or hdf5), "
            "or add --remap to renumber the segments 1..N.",
            "Choose a larger Bit depth (32 bit needs the format tif, tiff-stack or hdf5), or tick "
            "'Renumber IDs 1..N if they do not fit'.",
        )
    planes = (np.unique(plane) for plane in _planes(seg, stopped))
    ids = reduce(np.union1d, planes, np.zeros(1, np.dtype(seg.dtype)))
    if ids.size - 1 > limit:
        raise UserError(
            f"The segmentation has {ids.size - 1} segments; {bits}-bit grey holds at most {limit}.",
            "Choose a larger --bit-depth.",
            "Choose a larger Bit depth.",
        )
    return ids


def _planes(seg: Any, stopped: Callable[[], bool]) -> Iterator[np.ndarray]:
    for plane in z_planes(seg):
        if stopped():
            raise ExportStopped
        yield plane


def check_options(fmt: str, bits: int | None, colour: bool) -> int:
    """Validate format, bit depth and colour; returns the bit depth to use."""
    if fmt not in FORMATS:
        raise UserError(f"Unknown export format '{fmt}'.", f"Choose one of {', '.join(FORMATS)}.")
    if colour:
        if fmt == "hdf5":
            raise UserError(
                "HDF5 export keeps the segment IDs; it has no colour mode.",
                "Leave out --colour, or export png, tif or tiff-stack.",
                "Untick '8-bit colour', or export png, tif or tiff-stack.",
            )
        if bits not in (None, 8):
            raise UserError(
                f"Colour exports are 8-bit RGB; --bit-depth {bits} does not apply.",
                "Leave out --bit-depth, or leave out --colour for grey IDs.",
                "Choose the default Bit depth, or untick '8-bit colour' for grey IDs.",
            )
        return 8
    bits = bits or (32 if fmt == "hdf5" else 16)
    if bits not in BIT_DEPTHS:
        raise UserError(f"--bit-depth {bits} is not supported.", "Choose 8, 16 or 32.")
    if fmt == "png" and bits == 32:
        raise UserError(
            "PNG has no 32-bit grey images.",
            "Use --format tif or tiff-stack for 32-bit IDs, or --bit-depth 16.",
            "Choose the format tif or tiff-stack for 32-bit IDs, or a Bit depth of 16 bit.",
        )
    return bits


# -- writing ---------------------------------------------------------------------------
def export_segmentation(
    seg: Any,
    out: Path,
    fmt: str,
    *,
    bits: int | None = None,
    colour: bool = False,
    remap: bool = False,
    overwrite: bool = False,
    attrs: dict | None = None,
    voxel_size_zyx: tuple[float, float, float] = (1.0, 1.0, 1.0),
    progress: Progress | None = None,
    stopped: Callable[[], bool] = lambda: False,
    warn: Callable[[str], None] = lambda message: None,
) -> Path | None:
    """Write ``seg`` (z, y, x) to folder ``out`` in ``fmt``; returns ``out``, or None if stopped.

    ``seg`` is a numpy array or anything with ``shape``, ``dtype`` and z slicing (an h5py
    dataset, a :class:`RunSegmentation`): it is read a chunk layer at a time and written
    slice by slice. ``voxel_size_zyx`` (in :data:`VOXEL_UNIT`) goes into every file's
    metadata. ``progress(done, total)`` is called per slice; ``stopped()`` is checked per
    slice and, when true, the partial export is removed. ``warn`` receives the remap warning.
    """
    bits = check_options(fmt, bits, colour)
    out = Path(out)
    _check_destination(out, overwrite)
    try:
        old_ids = None if colour else fit_ids(seg, bits, remap, stopped)
    except ExportStopped:
        return None
    if old_ids is not None:
        warn(
            f"Segment IDs up to {int(old_ids[-1])} do not fit {bits}-bit grey: renumbered "
            f"1..{old_ids.size - 1}; id_map.csv gives the original IDs."
        )
    dtype = np.dtype(f"uint{bits}")
    frames = _frames(seg, dtype, old_ids, colour, progress, stopped)
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = out.parent / f".{out.name}.partial-{uuid.uuid4().hex[:8]}"
    temp.mkdir()
    try:
        voxel = tuple(float(v) for v in voxel_size_zyx)
        _WRITERS[fmt](temp, tuple(seg.shape), dtype, frames, colour, attrs or {}, voxel)
        if old_ids is not None:
            _write_id_map(temp / "id_map.csv", old_ids)
        _replace(temp, out)
        if progress is not None:
            progress(seg.shape[0], seg.shape[0])
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
            "Choose another Destination, or tick 'Replace a non-empty destination'.",
        )


def _replace(temp: Path, out: Path) -> None:
    old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
    if out.exists():
        out.rename(old)
    temp.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def _frames(
    seg: Any,
    dtype: np.dtype,
    old_ids: np.ndarray | None,
    colour: bool,
    progress: Progress | None,
    stopped: Callable[[], bool],
) -> Iterator[np.ndarray]:
    """The slices to write, in order: colour, or IDs as ``dtype`` (renumbered by ``old_ids``)."""
    total = seg.shape[0]
    for z, plane in enumerate(_planes(seg, stopped)):
        if progress is not None:
            progress(z, total)
        if colour:
            yield colourise(plane)
        elif old_ids is not None:
            yield np.searchsorted(old_ids, plane).astype(dtype)
        else:
            yield plane.astype(dtype, copy=False)


def _slice_names(count: int, suffix: str) -> list[str]:
    width = max(4, len(str(count - 1)))
    return [f"{z:0{width}d}.{suffix}" for z in range(count)]


Shape = tuple[int, ...]
Voxel = tuple[float, float, float]


def tiff_calibration(voxel_zyx: Voxel, imagej: bool) -> dict[str, Any]:
    """``tifffile.imwrite`` keywords that give a TIFF the voxel size ``voxel_zyx`` (nm).

    ImageJ TIFFs: x/y pixels per nm and ``spacing``/``unit`` in the ImageJ description.
    Other TIFFs (32-bit): pixels per centimetre, the only metric unit of the TIFF tags, with
    ``spacing``/``unit`` in tifffile's JSON description.
    """
    z, y, x = voxel_zyx
    per_unit = 1.0 if imagej else _NM_PER["cm"]
    keywords: dict[str, Any] = {
        "resolution": (per_unit / x, per_unit / y),
        "metadata": {"spacing": z, "unit": VOXEL_UNIT},
    }
    if not imagej:
        keywords["resolutionunit"] = "CENTIMETER"
    return keywords


def _write_png(
    folder: Path, shape: Shape, dtype: np.dtype, frames, colour: bool, attrs, voxel: Voxel
) -> None:
    _, y, x = voxel
    dpi = (_NM_PER["m"] * 0.0254 / x, _NM_PER["m"] * 0.0254 / y)  # PNG stores pixels per metre
    for name, frame in zip(_slice_names(shape[0], "png"), frames):
        Image.fromarray(frame).save(folder / name, dpi=dpi)


def _write_tif(
    folder: Path, shape: Shape, dtype: np.dtype, frames, colour: bool, attrs, voxel: Voxel
) -> None:
    imagej = colour or dtype != np.uint32
    calibration = tiff_calibration(voxel, imagej)
    photometric = "rgb" if colour else "minisblack"
    for name, frame in zip(_slice_names(shape[0], "tif"), frames):
        tifffile.imwrite(
            folder / name, frame, photometric=photometric, imagej=imagej, **calibration
        )


def _write_tiff_stack(
    folder: Path, shape: Shape, dtype: np.dtype, frames, colour: bool, attrs, voxel: Voxel
) -> None:
    shape = shape + ((3,) if colour else ())
    dtype = np.dtype(np.uint8) if colour else dtype
    imagej = colour or dtype != np.uint32
    calibration = tiff_calibration(voxel, imagej)
    calibration["metadata"]["axes"] = "ZYXS" if colour else "ZYX"
    big = not imagej and int(np.prod(shape)) * dtype.itemsize > 2**32 - 2**25
    tifffile.imwrite(
        folder / "segmentation.tif",
        data=frames,
        shape=shape,
        dtype=dtype,
        imagej=imagej,
        bigtiff=big,
        photometric="rgb" if colour else "minisblack",
        **calibration,
    )


def _write_hdf5(
    folder: Path, shape: Shape, dtype: np.dtype, frames, colour: bool, attrs, voxel: Voxel
) -> None:
    with h5py.File(folder / RUN_FILE, "w") as handle:
        chunks = (1,) + tuple(min(s, 256) for s in shape[1:])
        dataset = handle.create_dataset(
            RUN_DATASET, shape=shape, dtype=dtype, chunks=chunks, compression="gzip"
        )
        dataset.attrs.update(attrs)
        dataset.attrs["voxel_size"] = np.asarray(voxel, np.float64)
        dataset.attrs["element_size_um"] = np.asarray(voxel, np.float64) / _NM_PER["um"]
        dataset.attrs["unit"] = VOXEL_UNIT
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
