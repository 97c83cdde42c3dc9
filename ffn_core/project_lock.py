"""One window per project: a lock file ``<project>/.lock`` that names the process holding it.

The GUI takes the lock when it opens a project and gives it back when it closes or switches
projects, so a second window (or a second user on a shared disk) is told who has it instead of
both writing ``project.json``. A lock whose process is gone (a crash, a kill) is taken over.
"""

from __future__ import annotations

import errno
import json
import os
import socket
from pathlib import Path

import psutil

from ffn_core.errors import UserError

LOCK_FILE = ".lock"
_UNWRITABLE = (errno.EROFS, errno.EACCES, errno.EPERM)


def _holder(path: Path) -> dict | None:
    """The lock's record, or None when it is unreadable (a write cut short)."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _alive(record: dict) -> bool:
    """Whether the process named by ``record`` still runs (on another host: assumed so)."""
    if record.get("host") != socket.gethostname():
        return True
    try:
        process = psutil.Process(int(record.get("pid", -1)))
        return process.create_time() <= float(record.get("started", 0)) + 1
    except (psutil.Error, ValueError, TypeError):
        return False


class ProjectLock:
    """The lock of the project folder ``root``, held by this process once :meth:`acquire`
    returned; :meth:`release` gives it back (also as a context manager)."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.path = Path(root) / LOCK_FILE
        self.held = False

    def acquire(self) -> ProjectLock:
        """Take the lock, or take over a dead process's.

        Raises
        ------
        UserError
            Another running process (another window) holds it.
        """
        me = psutil.Process()
        record = {"pid": me.pid, "host": socket.gethostname(), "started": me.create_time()}
        for _ in range(2):
            try:
                descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                self._refuse_unless_stale()
                continue
            except OSError as exc:
                if exc.errno in _UNWRITABLE:
                    return self  # a read-only project: nobody can write it, nothing to guard
                raise
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(record, handle)
            self.held = True
            return self
        raise UserError(f"Cannot take the lock {self.path}.", "Open the project again.")

    def _refuse_unless_stale(self) -> None:
        """Raise when a running process holds the lock; remove a dead process's lock."""
        holder = _holder(self.path)
        if holder is not None and _alive(holder):
            raise UserError(
                f"The project {self.path.parent} is already open in another FFN Workbench "
                f"window (process {holder.get('pid')} on {holder.get('host')}).",
                "Switch to that window, or close the project there first. If that window is "
                f"gone for good, delete {self.path} and open again.",
            )
        self.path.unlink(missing_ok=True)

    def release(self) -> None:
        """Give the lock back (nothing when it is not held)."""
        if self.held:
            self.path.unlink(missing_ok=True)
            self.held = False

    def __enter__(self) -> ProjectLock:
        return self.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self.release()
