"""The inference bounding box as a napari rectangle, kept in step with its text.

Boxes are :data:`ffn_core.zyx.Box` ((z0, z1), (y0, y1), (x0, x1)) in voxels of the image,
stops exclusive; their text form (``z0:z1,y0:y1,x0:x1``) is parsed and written by
:mod:`ffn_core.zyx`. The rectangle lives in a 2-D shapes layer (y, x in voxels, scaled by
the image's voxel size), which napari shows on every z slice; the z range stays in the text.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from napari.components import ViewerModel

from ffn_core.zyx import Box

LAYER_NAME = "bounding box"


class BoxPresenter:
    """Keeps a rectangle on ``viewer`` and a box in step; ``on_drawn(box)`` after edits."""

    def __init__(self, viewer: ViewerModel, on_drawn: Callable[[Box], None]) -> None:
        self.viewer = viewer
        self.on_drawn = on_drawn
        self.shape_zyx: tuple[int, int, int] = (1, 1, 1)
        self.scale_yx: tuple[float, float] = (1.0, 1.0)
        self.z_range: tuple[int, int] = (0, 1)
        self._updating = False

    def set_volume(self, shape_zyx: tuple[int, ...], scale_zyx: tuple[float, ...]) -> None:
        """The image the box lies in (its shape in voxels, its scale)."""
        self.shape_zyx = tuple(int(v) for v in shape_zyx)  # type: ignore[assignment]
        self.scale_yx = (float(scale_zyx[-2]), float(scale_zyx[-1]))
        self.z_range = (0, self.shape_zyx[0])
        layer = self.layer(create=False)
        if layer is not None:
            layer.scale = self.scale_yx

    def layer(self, create: bool = True):
        """The shapes layer of the rectangle (created when missing and ``create``)."""
        if LAYER_NAME in self.viewer.layers:
            return self.viewer.layers[LAYER_NAME]
        if not create:
            return None
        layer = self.viewer.add_shapes(
            ndim=2,
            name=LAYER_NAME,
            scale=self.scale_yx,
            edge_color="yellow",
            face_color="transparent",
            edge_width=2,
        )
        layer.events.data.connect(self._on_layer_data)
        return layer

    def show(self, box: Box | None) -> None:
        """Draw ``box`` (None: the whole image) as the rectangle."""
        box = box or tuple((0, size) for size in self.shape_zyx)
        self.z_range = box[0]
        (y0, y1), (x0, x1) = box[1], box[2]
        corners = np.array([[y0, x0], [y1, x1]], float)
        self._updating = True
        try:
            layer = self.layer()
            layer.data = []
            layer.add_rectangles(corners)
        finally:
            self._updating = False

    def start_drawing(self) -> None:
        """Select the rectangle tool on the shapes layer, so a drag draws the box."""
        layer = self.layer()
        self.viewer.layers.selection.active = layer
        layer.mode = "add_rectangle"

    def box_from_layer(self) -> Box | None:
        """The box of the last rectangle, clipped to the image (None when none drawn)."""
        layer = self.layer(create=False)
        if layer is None or not len(layer.data):
            return None
        corners = np.asarray(layer.data[-1])[:, -2:]
        low = np.clip(np.floor(corners.min(axis=0)), 0, self.shape_zyx[1:]).astype(int)
        high = np.clip(np.ceil(corners.max(axis=0)), 0, self.shape_zyx[1:]).astype(int)
        if np.any(high <= low):
            return None
        return (self.z_range, (int(low[0]), int(high[0])), (int(low[1]), int(high[1])))

    def _on_layer_data(self, event=None) -> None:
        if self._updating or getattr(event, "action", "added") not in ("added", "changed"):
            return
        layer = self.layer(create=False)
        if layer is not None and len(layer.data) > 1:  # one box: the newest replaces the rest
            self._updating = True
            try:
                layer.selected_data = set(range(len(layer.data) - 1))
                layer.remove_selected()
            finally:
                self._updating = False
        box = self.box_from_layer()
        if box is not None:
            self.on_drawn(box)
