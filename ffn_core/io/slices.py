"""Single 2-D slices: finding them in a folder, reading them, making them gray.

A slice is returned as a numpy array of shape (y, x) for gray images or (y, x, c)
with c = 3 or 4 for RGB(A); dtypes keep the file's bit depth in native byte order.
PNG files are read with Pillow, TIFF files with tifffile; both open files through
Python paths, so non-ASCII (e.g. Japanese) names work on every platform.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import tifffile
from PIL import Image

from ffn_core.errors import UserError

PNG_SUFFIXES = (".png",)
TIFF_SUFFIXES = (".tif", ".tiff")
SLICE_SUFFIXES = PNG_SUFFIXES + TIFF_SUFFIXES
# Image formats that are not slices we read: refused by name rather than skipped.
OTHER_IMAGE_SUFFIXES = (
    ".jpg",
    ".jpeg",
    ".bmp",
    ".gif",
    ".webp",
    ".jp2",
    ".j2k",
    ".psd",
    ".tga",
    ".dm3",
    ".dm4",
    ".mrc",
)
_TIFF_DAMAGE_WORDS = ("offset", "truncat", "corrupt")
LUMA_WEIGHTS = (0.299, 0.587, 0.114)  # ITU-R 601-2, as Pillow's "L" conversion

# EM slices are often larger than Pillow's decompression-bomb guard (~89 Mpixel).
Image.MAX_IMAGE_PIXELS = None


def natural_key(name: str) -> tuple:
    """Sort key that orders digit runs by value: ``2.png`` before ``10.png``.

    Examples
    --------
    >>> sorted(["10.png", "2.png", "1.png"], key=natural_key)
    ['1.png', '2.png', '10.png']
    """
    parts = re.split(r"(\d+)", name.lower())
    return tuple(int(part) if part.isdigit() else part for part in parts), name


def list_slice_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """Slice files of ``folder`` in natural order, and the other files that were skipped.

    Files that are not images (``ground_truth.h5``, ``notes.txt``, hidden files) are
    skipped and returned second, so the caller can say so; sub-folders are ignored.

    Raises
    ------
    UserError
        When the folder holds no slices, images of another format mixed in (named),
        or both PNG and TIFF slices.
    """
    slices, skipped, foreign = [], [], []
    for path in folder.iterdir():
        suffix = path.suffix.lower()
        if path.is_dir():
            continue
        if suffix in SLICE_SUFFIXES and not path.name.startswith("."):
            slices.append(path)
        elif suffix in OTHER_IMAGE_SUFFIXES:
            foreign.append(path)
        else:
            skipped.append(path)
    if foreign:
        raise UserError(
            f"{folder} mixes other files in with the slices: "
            f"{_some_names(foreign)}; only PNG or TIFF slices can be imported.",
            "Move those files out of the folder, or convert them to PNG/TIFF "
            "if they belong to the stack.",
        )
    if not slices:
        found = f" (it holds only {_some_names(skipped)})" if skipped else ""
        raise UserError(
            f"{folder} holds no PNG or TIFF slices{found}.",
            "Choose the folder that holds the image slices (*.png, *.tif).",
        )
    if len({path.suffix.lower() in PNG_SUFFIXES for path in slices}) > 1:
        raise UserError(
            f"{folder} mixes PNG and TIFF slices.",
            "Keep one stack per folder, all in the same format.",
        )
    return sorted(slices, key=lambda p: natural_key(p.name)), sorted(skipped)


def _some_names(paths: list[Path], shown: int = 5) -> str:
    names = sorted((path.name for path in paths), key=natural_key)
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def read_slice_file(path: Path, label_ids: bool = False) -> np.ndarray:
    """Read one single-page PNG or TIFF slice.

    With ``label_ids`` a palette PNG gives its indices and a bilevel one 0/1 (label ids);
    otherwise they give colours and 0/255.

    Raises
    ------
    UserError
        When the file cannot be read completely, or is a TIFF with several pages.
    """
    try:
        if path.suffix.lower() in TIFF_SUFFIXES:
            with tifffile.TiffFile(path) as tif, tiff_damage_raises(path):
                if len(tif.pages) > 1:
                    raise UserError(
                        f"{path} holds {len(tif.pages)} pages, but a folder of slices needs "
                        "one page per file.",
                        "Give the multi-page TIFF file itself as the stack, not its folder.",
                    )
                array = tif.pages[0].asarray()
        else:
            with Image.open(path) as image:
                array = pillow_to_array(image, label_ids)
    except UserError:
        raise
    except Exception as exc:  # noqa: BLE001 - any decoder failure means a bad file
        raise unreadable(path, exc) from exc
    return native(array)


@contextmanager
def tiff_damage_raises(path: Path) -> Iterator[None]:
    """Turn tifffile's logged damage warnings (it skips broken pages) into an error."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(level=logging.WARNING)
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("tifffile")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    damage = [
        r.getMessage()
        for r in records
        if any(word in r.getMessage().lower() for word in _TIFF_DAMAGE_WORDS)
    ]
    if damage:
        raise unreadable(path, ValueError(damage[0]))


def pillow_to_array(image: Image.Image, label_ids: bool = False) -> np.ndarray:
    """Pixels of a Pillow image (see :func:`read_slice_file` for ``label_ids``)."""
    if label_ids and image.mode in ("P", "1"):
        return np.asarray(image).astype(np.uint8)
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif image.mode == "1":
        image = image.convert("L")
    elif image.mode == "LA":
        image = image.convert("RGBA")
    return np.asarray(image)


def unreadable(path: Path | str, exc: Exception) -> UserError:
    """The error for a file that is damaged, truncated or not an image at all."""
    return UserError(
        f"Cannot read {path}: {exc}.",
        "The file may be truncated or damaged: export or copy it again, "
        "or remove it from the stack.",
    )


def native(array: np.ndarray) -> np.ndarray:
    """``array`` in native byte order, with a trailing single channel squeezed away."""
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if not array.dtype.isnative:
        array = array.astype(array.dtype.newbyteorder("="))
    return array


def is_color(array: np.ndarray) -> bool:
    """True for (y, x, 3) RGB and (y, x, 4) RGBA slices."""
    return array.ndim == 3 and array.shape[-1] in (3, 4)


def to_gray(array: np.ndarray) -> np.ndarray:
    """RGB(A) to gray with ITU-R 601-2 luma, keeping the dtype; alpha is dropped.

    Examples
    --------
    >>> to_gray(np.array([[[255, 0, 0], [10, 10, 10]]], np.uint8)).tolist()
    [[76, 10]]
    """
    if not is_color(array):
        return array
    gray = array[..., :3].astype(np.float64) @ np.asarray(LUMA_WEIGHTS)
    info = np.iinfo(array.dtype) if array.dtype.kind in "ui" else None
    if info is not None:
        gray = np.clip(np.rint(gray), info.min, info.max)
    return gray.astype(array.dtype)
