"""An inference run's subvolumes as coloured rectangles on the napari view, and the
segmentation of the finished ones until the run stitches them.

The rectangles are the parts of the subvolumes that own the shown z slice
(:meth:`app.controllers.subvolume_grid.SubvolumeGrid.rectangles`), drawn in a 2-D shapes
layer in voxels scaled by the image's voxel size, like :mod:`app.bbox`'s box; they are
redrawn when the viewer moves to another slice and recoloured as the states change. While
the run goes on, each subvolume that finishes adds its owned part to the labels layer
``segmentation <run>`` (its own IDs, offset to stay apart; boxes of at most
:data:`PREVIEW_MAX_VOXELS`); the stitched result then replaces the layer's data.
"""

from __future__ import annotations

import numpy as np
from napari.components import ViewerModel

from app.controllers.subvolume_grid import STATE_COLOURS, SubvolumeGrid
from ffn_core.infer.plan import STATES, Subvolume
from ffn_core.zyx import box_shape

LAYER_NAME = "subvolumes"
FACE_ALPHA = 0.18
EDGE_SHARE = 0.004  # edge width: this share of the box's y, x extent, at least one voxel
#: the largest box whose finished subvolumes are shown before the stitch (256 MB of IDs)
PREVIEW_MAX_VOXELS = 64 * 2**20


class PlanGridPresenter:
    """Keeps the ``subvolumes`` shapes layer of ``viewer`` in step with a :class:`SubvolumeGrid`."""

    def __init__(self, viewer: ViewerModel) -> None:
        self.viewer = viewer
        self.grid: SubvolumeGrid | None = None
        self.scale_zyx: tuple[float, float, float] = (1.0, 1.0, 1.0)
        self._preview: np.ndarray | None = None
        self._next_id = 0
        self._drawn: tuple | None = None  # what the layer shows: unchanged slices redraw nothing
        viewer.dims.events.current_step.connect(self._on_step)

    @property
    def preview_name(self) -> str:
        """The labels layer of the run's segmentation (as the infer page names it)."""
        return f"segmentation {self.grid.run_dir.name}" if self.grid else ""

    def show(self, grid: SubvolumeGrid, scale_zyx: tuple[float, ...]) -> None:
        """Draw ``grid`` over an image of voxel size ``scale_zyx`` (replacing any grid)."""
        self.grid = grid
        self._drawn = None
        self.scale_zyx = tuple(float(v) for v in scale_zyx[-3:])  # type: ignore[assignment]
        shape = box_shape(grid.plan.box)
        small = int(np.prod(shape)) <= PREVIEW_MAX_VOXELS
        self._preview = np.zeros(shape, np.uint32) if small else None
        self._next_id = 0
        self.refresh()

    def update(self, states: str) -> None:
        """New states from a progress record: recolour, show the subvolumes just finished."""
        if self.grid is not None and states != self.grid.states:
            self._add_finished(self.grid.update(states))
            self.refresh()

    def settle(self) -> None:
        """The job ended: states from the files the run wrote (see :meth:`SubvolumeGrid.settle`);
        the segmentation layer is left as the run left it."""
        if self.grid is not None:
            before = self.grid.states
            self.grid.settle()
            if self.grid.states != before:
                self.refresh()

    def layer(self):
        """The shapes layer (None before a grid was shown)."""
        return self.viewer.layers[LAYER_NAME] if LAYER_NAME in self.viewer.layers else None

    def refresh(self) -> None:
        """Redraw the rectangles of the current slice in the colours of their states."""
        if self.grid is None:
            return
        z = self.viewer.dims.point[0] / self.scale_zyx[0] if self.viewer.dims.ndim >= 3 else 0
        corners, states = self.grid.rectangles(z)
        drawn = (tuple(c.tobytes() for c in corners), tuple(states), self.scale_zyx)
        if drawn == self._drawn and self.layer() is not None:
            return
        self._drawn = drawn
        edges = [(*STATE_COLOURS[s], 1.0) for s in states]
        faces = [(*STATE_COLOURS[s], FACE_ALPHA) for s in states]
        names = [STATES[s] for s in states]
        layer = self.layer()
        if layer is None:
            layer = self.viewer.add_shapes(
                ndim=2,
                name=LAYER_NAME,
                scale=self.scale_zyx[1:],
                features={"state": np.array([], dtype=object)},
                text={"string": "{state}", "color": "white", "size": 9},
            )
            layer.editable = False
        layer.scale = self.scale_zyx[1:]
        layer.current_edge_width = self._edge_width()
        layer.data = []
        if corners:
            layer.add_rectangles(corners, edge_color=edges, face_color=faces)
        layer.features = {"state": names}

    def clear(self) -> None:
        """Forget the grid; its layer stays, empty (napari may crash drawing a shapes layer
        added after one was removed, with llvmpipe at least)."""
        self.grid = None
        self._preview = None
        self._drawn = None
        layer = self.layer()
        if layer is not None:
            layer.data = []
            layer.features = {"state": np.array([], dtype=object)}

    def _add_finished(self, finished: list[Subvolume]) -> None:
        if self._preview is None or not finished:
            return
        for sub in finished:
            try:
                local = self.grid.owned_segmentation(sub).astype(np.uint32)
            except (OSError, KeyError, ValueError):  # not readable (yet): the stitch shows it
                continue
            self._preview[self.grid.owned_slices(sub)] = np.where(
                local > 0, local + self._next_id, 0
            )
            self._next_id += int(local.max(initial=0))
        name = self.preview_name
        start = np.array([begin for begin, _ in self.grid.plan.box], float)
        translate = tuple(start * self.scale_zyx)
        if name not in self.viewer.layers:
            self.viewer.add_labels(
                self._preview, name=name, scale=self.scale_zyx, translate=translate, opacity=0.6
            )
            layers = self.viewer.layers  # the grid stays on top
            layers.move(layers.index(LAYER_NAME), len(layers))
        elif self.viewer.layers[name].data is self._preview:
            self.viewer.layers[name].refresh()
        else:  # the layer of an earlier run: show this run in it (not removed: see clear)
            layer = self.viewer.layers[name]
            layer.data, layer.translate = self._preview, translate

    def _edge_width(self) -> float:
        """Edge width in voxels: a share of the box's y, x extent, at least one voxel."""
        extent = [stop - start for start, stop in self.grid.plan.box[1:]]
        return max(EDGE_SHARE * min(extent), 1.0)

    def _on_step(self, _event=None) -> None:
        if self.grid is not None and self.layer() is not None:
            self.refresh()
