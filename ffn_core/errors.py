"""Errors a user can act on: each carries a message and a hint saying what to do.

A hint that names command-line flags (``--on-exists resume``) also has a GUI wording naming
the buttons and fields instead ("press Resume"): the CLI shows ``hint``, the GUI ``gui_hint``.
"""

from __future__ import annotations

import errno
import os


class UserError(Exception):
    """A problem with the user's input or project, reported without a traceback.

    Parameters
    ----------
    message : str
        What is wrong, naming the file or value involved.
    hint : str
        What the user should do about it, at the command line.
    gui_hint : str
        The same in the GUI's words (buttons, fields); by default ``hint``.
    """

    def __init__(self, message: str, hint: str = "", gui_hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.gui_hint = gui_hint or hint


#: errno values of a folder that cannot take a file, and what the user can do about each.
_WRITE_FAILURES = {
    errno.EROFS: (
        "is on a read-only disk",
        "Copy the project to a writable folder (File > Open it from there), or mount the disk "
        "writable; results can still be viewed and exported to another folder.",
    ),
    errno.EACCES: (
        "is not writable by you",
        "Ask for write permission to the project folder, or copy the project to your own folder.",
    ),
    errno.ENOSPC: (
        "is on a full disk",
        "Free some space on that disk, or move the project to a disk with more room, then "
        "run again.",
    ),
    errno.EDQUOT: (
        "is on a disk where your quota is used up",
        "Free some of your files on that disk, or move the project elsewhere, then run again.",
    ),
}


def write_failure(exc: OSError) -> UserError | None:
    """The :class:`UserError` for a file that could not be written because of its disk or
    folder (read-only, permissions, full, quota); None for other errors.

    Examples
    --------
    >>> write_failure(OSError(errno.EROFS, "Read-only file system", "/p/x.json")).message
    'Cannot write /p/x.json: the folder /p is on a read-only disk.'
    """
    if exc.errno not in _WRITE_FAILURES:
        return None
    what, hint = _WRITE_FAILURES[exc.errno]
    name = exc.filename or "a file"
    folder = os.path.dirname(str(exc.filename)) if exc.filename else "the output folder"
    return UserError(f"Cannot write {name}: the folder {folder} {what}.", hint)
