"""Preprocessing for training: partition volume ("af") and balanced training coordinates."""

from __future__ import annotations


class Cancelled(Exception):
    """Raised inside a preprocessing loop when the user asked to stop."""


def check_cancel(cancel: object | None) -> None:
    """Raise :class:`Cancelled` when ``cancel`` (a ``CancelToken``) was cancelled."""
    if cancel is not None and getattr(cancel, "cancelled", False):
        raise Cancelled()
