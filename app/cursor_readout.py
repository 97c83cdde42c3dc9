"""The readout under the canvas: the voxel under the mouse (z, y, x in voxels and in nm), the
grey value of each image layer and the label ID of each labels layer there.

Our window embeds napari's canvas without napari's status bar, so :class:`CursorReadout`
follows the viewer's cursor itself (``viewer.cursor.position``, ``layer.get_value``).
Layers whose metadata holds :data:`OVERLAY_KEY` (drawing aids such as the selection
outline) are left out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from napari.components import ViewerModel
from napari.layers import Image, Labels
from PyQt5.QtCore import QEvent, Qt, QTimer
from PyQt5.QtWidgets import QLabel, QSizePolicy, QWidget

OVERLAY_KEY = "ffn_overlay"  # layer metadata: a drawing aid, not data to read out
REFRESH_MS = 30  # mouse moves are read out at most this often
SEPARATOR = "   ·   "  # between parts; a narrow view wraps the line only here
READOUT_LINES = 2


def readout_layers(viewer: ViewerModel) -> list[Image | Labels]:
    """The visible image and labels layers of ``viewer``, top first, without overlays."""
    return [
        layer
        for layer in reversed(viewer.layers)
        if isinstance(layer, (Image, Labels))
        and layer.visible
        and not layer.metadata.get(OVERLAY_KEY)
    ]


def position_text(viewer: ViewerModel, reference: Image | Labels) -> str:
    """``z 2, y 12, x 20 (60, 72, 120 nm)``: the voxel of ``reference`` under the cursor;
    the physical position only when the layer has a voxel size (a scale other than 1)."""
    voxel = np.round(reference.world_to_data(np.asarray(viewer.cursor.position))).astype(int)
    labels = viewer.dims.axis_labels[-reference.ndim :]
    text = ", ".join(f"{axis} {index}" for axis, index in zip(labels, voxel))
    if np.allclose(reference.scale, 1.0):
        return text
    physical = reference.data_to_world(voxel)
    return f"{text} ({', '.join(f'{value:g}' for value in physical)} nm)"


def layer_value(viewer: ViewerModel, layer: Image | Labels) -> Any:
    """The value of ``layer`` under the cursor, None outside the layer."""
    value = layer.get_value(
        viewer.cursor.position,
        view_direction=viewer.cursor._view_direction,  # napari's own status reads it here
        dims_displayed=list(viewer.dims.displayed),
        world=True,
    )
    if layer.multiscale and isinstance(value, tuple):
        value = value[1]  # (level, value)
    return value


def cursor_text(viewer: ViewerModel) -> str:
    """The readout for the cursor's position: position, then ``name: value`` per layer."""
    layers = readout_layers(viewer)
    if not layers:
        return ""
    reference = viewer.layers["image"] if "image" in viewer.layers else layers[-1]
    parts = [position_text(viewer, reference)]
    for layer in layers:
        value = layer_value(viewer, layer)
        if value is not None:
            number = value.item() if isinstance(value, np.generic) else value
            shown = f"{number:g}" if isinstance(number, float) else str(number)
            parts.append(f"{layer.name}: {shown}")
    return SEPARATOR.join(part.replace(" ", "\u00a0") for part in parts)


class CursorReadout(QLabel):
    """:func:`cursor_text` under the canvas (two lines high, so that the canvas does not
    move when the text wraps), updated as the mouse moves and as the slice changes; empty
    while the mouse is off the canvas."""

    def __init__(self, viewer: ViewerModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.viewer = viewer
        self.setObjectName("cursorReadout")
        self.setTextFormat(Qt.PlainText)
        self.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.setWordWrap(True)
        self.setContentsMargins(6, 2, 6, 2)
        self._fit_height()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        viewer.cursor.events.position.connect(self._schedule)
        viewer.dims.events.current_step.connect(self._schedule)
        viewer.events.mouse_over_canvas.connect(self._schedule)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        """Refit the height when the window's style sheet changes the font."""
        super().changeEvent(event)
        if event.type() in (QEvent.FontChange, QEvent.StyleChange):
            self._fit_height()

    def _fit_height(self) -> None:
        margins = self.contentsMargins()
        lines = READOUT_LINES * self.fontMetrics().lineSpacing()
        self.setFixedHeight(lines + margins.top() + margins.bottom() + 2 * self.margin() + 2)

    def _schedule(self, _event: object = None) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def refresh(self) -> None:
        """Read the values under the cursor now."""
        over = self.viewer.mouse_over_canvas
        self.setText(cursor_text(self.viewer) if over else "")
