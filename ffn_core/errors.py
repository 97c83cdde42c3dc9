"""Errors a user can act on: each carries a message and a hint saying what to do."""

from __future__ import annotations


class UserError(Exception):
    """A problem with the user's input or project, reported without a traceback.

    Parameters
    ----------
    message : str
        What is wrong, naming the file or value involved.
    hint : str
        What the user should do about it.
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
