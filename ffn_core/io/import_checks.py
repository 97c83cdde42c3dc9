"""What the import stage accepts: 8/16-bit gray images, 8/16/32(/64)-bit integer labels.

Each check raises :class:`~ffn_core.errors.UserError` naming the source and what to do,
so the GUI can call them on a :class:`~ffn_core.io.stacks.SourceInfo` before importing.
Shapes are (z, y, x).
"""

from __future__ import annotations

import numpy as np

from ffn_core.errors import UserError
from ffn_core.io.stacks import SourceInfo

__all__ = ["IMAGE_DTYPES", "check_image_source", "check_label_source", "label_dtype", "as_labels"]

IMAGE_DTYPES = ("uint8", "uint16")


def check_image_source(info: SourceInfo) -> None:
    """Raise unless ``info`` is an 8- or 16-bit gray stack (or colour opened with to_gray)."""
    first = info.name
    if info.is_color and not info.to_gray:
        kind = "RGBA" if info.channels == 4 else "RGB"
        raise UserError(
            f"{first} is a colour ({kind}) image; FFN needs single-channel gray images.",
            "Convert the stack to 8/16-bit gray, or choose 'convert to gray' "
            "(--to-gray), which uses 0.299 R + 0.587 G + 0.114 B and drops alpha.",
            "Convert the stack to 8/16-bit gray, or tick 'Convert colour (RGB) slices to gray', "
            "which uses 0.299 R + 0.587 G + 0.114 B and drops alpha.",
        )
    if info.dtype not in IMAGE_DTYPES:
        raise UserError(
            f"{first} holds {info.dtype} pixels; images must be 8- or 16-bit unsigned.",
            "Convert the stack to 8-bit (or 16-bit) gray, e.g. in Fiji: Image > Type > 8-bit.",
        )


def check_label_source(info: SourceInfo, image_shape_zyx: tuple[int, ...]) -> None:
    """Raise unless ``info`` is a single-channel integer stack of the image's shape."""
    first = info.name
    if info.is_color:
        raise UserError(
            f"Label slice {first} is a colour image; labels must be one integer id per pixel.",
            "Export the labels as 8/16/32-bit gray images whose values are the object ids.",
        )
    kind = np.dtype(info.dtype).kind
    if kind == "f":
        raise UserError(
            f"Labels {first} hold floating-point ({info.dtype}) values; "
            "labels must be integer ids.",
            "Export the labels as 8/16/32-bit integer images (object ids, 0 = background).",
        )
    if kind not in "uib":
        raise UserError(
            f"Labels {first} hold {info.dtype} values, not integer ids.",
            "Export the labels as 8/16/32-bit integer images.",
        )
    if tuple(info.shape_zyx) != tuple(image_shape_zyx):
        raise UserError(
            f"The label stack {info.source} has shape (z, y, x) {tuple(info.shape_zyx)}, "
            f"but the image stack has {tuple(image_shape_zyx)}.",
            "Labels must cover the image voxel for voxel: give the matching label stack, "
            "or crop both to the same region.",
        )


def label_dtype(dtype: str | np.dtype) -> np.dtype:
    """The unsigned dtype labels are stored in: unsigned kept, signed of the same width.

    Examples
    --------
    >>> label_dtype("int32"), label_dtype("uint16"), label_dtype("bool")
    (dtype('uint32'), dtype('uint16'), dtype('uint8'))
    """
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return np.dtype(np.uint8)
    return np.dtype(f"uint{dtype.itemsize * 8}")


def as_labels(array: np.ndarray, name: str) -> np.ndarray:
    """``array`` as :func:`label_dtype`; negative ids raise naming slice ``name``."""
    if array.dtype.kind == "i" and array.size and array.min() < 0:
        raise UserError(
            f"Label slice {name} holds negative ids (down to {array.min()}).",
            "Labels must be ids >= 0 (0 = background): fix the label export.",
        )
    return array.astype(label_dtype(array.dtype), copy=False)
