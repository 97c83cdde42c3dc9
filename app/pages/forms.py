"""Small form pieces shared by the stage pages."""
from __future__ import annotations

from typing import Callable

from PyQt5.QtWidgets import QHBoxLayout, QPushButton, QWidget

from ffn_core.project import Project


def path_row(field: QWidget, pick: Callable[[], None], text: str = "Browse...") -> QHBoxLayout:
    """``field`` with a button beside it that calls ``pick`` (a file dialog)."""
    row = QHBoxLayout()
    button = QPushButton(text)
    button.clicked.connect(lambda _checked=False: pick())
    row.addWidget(field, 1)
    row.addWidget(button)
    return row


def project_checkpoints(project: Project | None) -> list[str]:
    """Training runs (their latest checkpoint) and each checkpoint in them, newest first."""
    if project is None:
        return []
    entries: list[str] = []
    for run in sorted(project.path("runs").glob("*/")):
        indexes = sorted(run.rglob("*.index"), key=lambda p: p.stat().st_mtime, reverse=True)
        if indexes:
            entries.append(str(run))
            entries += [str(p.with_suffix("")) for p in indexes]
    return entries
