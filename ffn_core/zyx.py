"""Text forms of z, y, x triples and boxes, parsed in one place for the CLI, configs and GUI.

A *triple* is three numbers in z, y, x order (``"30,6,6"``); a *box* is three
``start:stop`` ranges (``"0:100,0:256,0:256"``), stops exclusive, as
``((z0, z1), (y0, y1), (x0, x1))``. Parse errors are :class:`~ffn_core.errors.UserError`
naming the option and what to give instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TypeVar

from ffn_core.errors import UserError

__all__ = [
    "Box",
    "box_shape",
    "box_slices",
    "format_box",
    "format_triple",
    "parse_box",
    "parse_triple",
]

Box = tuple[tuple[int, int], tuple[int, int], tuple[int, int]]
Number = TypeVar("Number", int, float)


def parse_triple(
    text: str | Sequence[Number],
    name: str,
    kind: Callable[[str], Number] = int,
    minimum: float = 0,
    order: str = "Z,Y,X",
) -> tuple[Number, Number, Number]:
    """Three numbers of ``kind`` from ``"a,b,c"`` (or a sequence), each ``>= minimum``.

    Parameters
    ----------
    text : str or sequence
        ``"30,6,6"`` or ``(30, 6, 6)``.
    name : str
        The option or field named in the error (``--voxel-size``).
    kind : callable
        ``int`` or ``float``.
    minimum : float
        The smallest value allowed; ``float`` values must also be finite. A minimum of
        ``0`` with ``kind=float`` excludes zero (sizes are positive).
    order : str
        The axis order named in the error message.

    Examples
    --------
    >>> parse_triple("30, 6, 6", "--voxel-size", float)
    (30.0, 6.0, 6.0)
    """
    parts = text.split(",") if isinstance(text, str) else list(text)
    try:
        values = tuple(kind(str(part).strip()) for part in parts)
    except ValueError:
        values = ()
    strict = kind is float and minimum == 0

    def fits(value: float) -> bool:
        return math.isfinite(value) and (value > minimum if strict else value >= minimum)

    if len(values) != 3 or not all(fits(v) for v in values):
        what = "positive" if strict else ("non-negative" if minimum == 0 else f">= {minimum}")
        noun = "integers" if kind is int else "numbers"
        raise UserError(
            f"{name} '{_text(text)}' is not three {what} {noun} {order}.",
            f"Give it as e.g. {_example(kind, minimum)} ({order[0].lower()} first).",
        )
    return values  # type: ignore[return-value]


def format_triple(values: Sequence[float]) -> str:
    """``(30.0, 6.0, 6.0)`` as ``"30,6,6"`` (integral floats without a decimal point)."""
    return ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values)


def parse_box(
    text: str | Sequence[Sequence[int]], name: str = "--bbox", shape: Sequence[int] | None = None
) -> Box:
    """``"z0:z1,y0:y1,x0:x1"`` (or three ``(start, stop)`` pairs) as a box, checked to lie
    inside ``shape`` when given.

    Examples
    --------
    >>> parse_box("0:10,0:20,5:30")
    ((0, 10), (0, 20), (5, 30))
    >>> parse_box([[0, 10], [0, 20], [5, 30]])
    ((0, 10), (0, 20), (5, 30))
    """
    parts = str(text).split(",") if isinstance(text, str) else text
    try:
        pairs = [
            tuple(int(v) for v in (part.split(":") if isinstance(part, str) else part))
            for part in parts
        ]
    except (TypeError, ValueError):
        pairs = []
    if not isinstance(text, str):
        text = ",".join(":".join(map(str, p)) for p in pairs) if pairs else str(text)
    if len(pairs) != 3 or any(len(p) != 2 or p[0] < 0 or p[1] <= p[0] for p in pairs):
        raise UserError(
            f"{name} '{text}' is not z0:z1,y0:y1,x0:x1.",
            "Give three start:stop ranges with start < stop, e.g. 0:100,0:256,0:256.",
        )
    box: Box = tuple(pairs)  # type: ignore[assignment]
    if shape is not None:
        check_box_inside(box, shape, name)
    return box


def check_box_inside(box: Box, shape: Sequence[int], name: str = "--bbox") -> None:
    """Raise a :class:`UserError` when ``box`` is not inside a volume of ``shape`` (z, y, x)."""
    for axis, (start, stop), size in zip("zyx", box, shape):
        if not 0 <= start < stop <= size:
            raise UserError(
                f"{name} '{format_box(box)}': {axis} range {start}:{stop} is outside "
                f"the image (z, y, x size {tuple(int(s) for s in shape)}) or empty.",
                f"Keep every range inside 0:{size} of its axis, start < stop.",
            )


def format_box(box: Box) -> str:
    """The box as ``"z0:z1,y0:y1,x0:x1"``."""
    return ",".join(f"{start}:{stop}" for start, stop in box)


def box_shape(box: Box) -> tuple[int, int, int]:
    """The size (z, y, x) of ``box``."""
    return tuple(stop - start for start, stop in box)  # type: ignore[return-value]


def box_slices(box: Box) -> tuple[slice, slice, slice]:
    """``box`` as numpy slices."""
    return tuple(slice(start, stop) for start, stop in box)  # type: ignore[return-value]


def _text(value: object) -> str:
    return value if isinstance(value, str) else ",".join(map(str, value))  # type: ignore[arg-type]


def _example(kind: Callable, minimum: float) -> str:
    return "30,6,6" if kind is float else ("24,24,24" if minimum <= 0 else "1,1,1")


def relative_box(inner: Box, outer: Box) -> Box:
    """``inner`` (image coordinates) relative to the start of ``outer``: where it lies in an
    array holding ``outer``."""
    return tuple((a - o, b - o) for (a, b), (o, _) in zip(inner, outer))  # type: ignore[return-value]
