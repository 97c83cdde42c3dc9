"""What Start does with the results a run already has, said on a wizard's review step, with
a Resume button when the run can continue: :class:`ResumeOffer`."""

from __future__ import annotations

from collections.abc import Callable

from PyQt5.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget


class ResumeOffer(QWidget):
    """A sentence about the run's results and a Resume button that calls ``resume``; hidden
    while there is nothing to say (a hidden row takes no room on the review step)."""

    def __init__(self, tip: str, resume: Callable[[], object], parent: QWidget | None = None):
        super().__init__(parent)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.button = QPushButton(self.tr("Resume"))
        self.button.setToolTip(tip)
        self.button.clicked.connect(lambda _checked=False: resume())
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.note, 1)
        row.addWidget(self.button)
        self.hide()

    def offer(self, text: str, resumable: bool, running: bool) -> None:
        """Say ``text`` (empty: hide the row); show Resume when ``resumable``, enabled while
        no job is ``running``."""
        self.note.setText(text)
        self.setVisible(bool(text))
        self.button.setVisible(resumable)
        self.button.setEnabled(resumable and not running)
