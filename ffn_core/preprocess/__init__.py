"""Preprocessing for training: partition volume ("af") and balanced training coordinates."""
from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path
from typing import Iterator


class Cancelled(Exception):
    """Raised inside a preprocessing loop when the user asked to stop."""


def check_cancel(cancel: object | None) -> None:
    """Raise :class:`Cancelled` when ``cancel`` (a ``CancelToken``) was cancelled."""
    if cancel is not None and getattr(cancel, "cancelled", False):
        raise Cancelled()


@contextlib.contextmanager
def replacing(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` that replaces it when the block succeeds.

    On any exception (a :class:`Cancelled` included) the temporary file is removed and
    ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
