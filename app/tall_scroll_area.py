"""A scroll area for docks and tabs: up and down only, as wide as its widget needs."""

from __future__ import annotations

from PyQt5.QtCore import QEvent, QSize, Qt
from PyQt5.QtWidgets import QScrollArea, QWidget


class TallScrollArea(QScrollArea):
    """``widget`` in a frameless area that scrolls up and down as needed, never sideways: as
    wide as the widget needs, as short as the window needs (a tall dock would make the
    window taller than the screen)."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setWidget(widget)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        width = self.widget().minimumSizeHint().width()
        return QSize(width + self.verticalScrollBar().sizeHint().width(), 80)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        if watched is self.widget() and event.type() == QEvent.LayoutRequest:
            self.updateGeometry()  # the widget's needs changed: so did ours
        return super().eventFilter(watched, event)
