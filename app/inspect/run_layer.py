"""An inference run shown as a napari labels layer, shared by the inspection panels.

The run's ``segmentation.h5`` is never modified: the layer shows the original with the
run's proofreading edits (``edits.json``, :class:`ffn_core.analysis.proofread.EditList`) applied,
then the display filters (hide small segments, show only the selected ones).

A run has one layer (:func:`app.viewer_panel.run_layer_name`): a layer the Infer or Export page
showed is taken over, not doubled. A click on the view selects the segment under it whatever
layer is active, and the selected segments are outlined on every slice by an overlay layer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import h5py
import numpy as np
from napari.components import ViewerModel
from napari.layers import Labels
from napari.utils.colormaps import DirectLabelColormap
from PyQt5.QtCore import QObject, pyqtSignal

from app.cursor_readout import OVERLAY_KEY
from app.inspect.label_ops import PlaneOutlines, apply_one, keep_only, replay, update_rows
from app.viewer_panel import RUN_LAYER_KEY, layer_scale, run_layer_name, viewer_camera
from ffn_core.analysis.proofread import Edit, EditList
from ffn_core.analysis.segments import SegmentRow, segment_table
from ffn_core.errors import UserError
from ffn_core.infer.storage import read_origins
from ffn_core.project import Project

RUN_FILE = "segmentation.h5"
RUN_DATASET = "segmentation"
OUTLINE_COLOUR = (1.0, 1.0, 0.0, 1.0)  # the selected segments' outline: yellow
OUTLINE_VOXELS = 2  # its width


def run_project(run_dir: Path) -> Project | None:
    """The project holding ``<project>/inference/<run>``, or None when it is not in one."""
    try:
        return Project.open(Path(run_dir).parents[1])
    except (UserError, IndexError):
        return None


def load_origins(run_dir: Path) -> dict[int, tuple[int, int, int]]:
    """Seed position (z, y, x, in the run's box) of every segment, from ``seg-*.npz``."""
    origins: dict[int, tuple[int, int, int]] = {}
    for npz in sorted(Path(run_dir).glob("*/*/seg-*.npz")):
        for seg_id, info in read_origins(npz).items():
            origins[int(seg_id)] = tuple(int(v) for v in info[0])
    return origins


def load_run(run_dir: Path) -> tuple[np.ndarray, tuple[int, int, int]]:
    """The run's segmentation (uint32, box-sized) and the box start (z, y, x) in the volume."""
    path = Path(run_dir) / RUN_FILE
    if not path.is_file():
        raise UserError(f"{path} does not exist.", "Run inference first, or pick another run.")
    with h5py.File(path, "r") as handle:
        if RUN_DATASET not in handle:
            raise UserError(
                f"{path} has no '{RUN_DATASET}' dataset.",
                "The inference run did not finish; run or resume it again.",
            )
        dataset = handle[RUN_DATASET]
        start = tuple(int(v) for v in dataset.attrs.get("bbox_start_zyx", (0, 0, 0)))
        return dataset[...], start


class RunLayer(QObject):
    """One inference run on a viewer: original, edits, display filters and selection.

    Use :meth:`attach` so that all panels of a run share one instance (it is kept in the
    layer's metadata).
    """

    data_changed = pyqtSignal()  # the edited segmentation changed (edit, undo or reload)
    selection_changed = pyqtSignal(list)

    def __init__(self, viewer: ViewerModel, run_dir: Path) -> None:
        super().__init__()
        self.viewer, self.run_dir = viewer, Path(run_dir)
        self._read()
        self.min_voxels = 0
        self.only_selected = False
        self.selected_ids: list[int] = []
        self.scale_zyx = layer_scale(viewer, run_project(self.run_dir))
        self.layer = self._take_layer()
        self.outline: Labels | None = None  # the selection's overlay, added on first use
        viewer.mouse_drag_callbacks.append(self._on_click)
        viewer.layers.events.removed.connect(self._on_layer_removed)

    @classmethod
    def attach(cls, viewer: ViewerModel, run_dir: Path) -> RunLayer:
        """The run's existing layer on ``viewer``, or a new one."""
        name = run_layer_name(Path(run_dir).name)
        run = viewer.layers[name].metadata.get(RUN_LAYER_KEY) if name in viewer.layers else None
        if isinstance(run, cls) and run.run_dir == Path(run_dir):
            return run
        return cls(viewer, run_dir)

    def _read(self) -> None:
        """Read the run's segmentation, seeds and edit list from disk."""
        self.original, self.start_zyx = load_run(self.run_dir)
        self.origins = load_origins(self.run_dir)
        self.edit_list = EditList.for_run(self.run_dir)
        self._original_top = int(self.original.max(initial=0))
        self.edited = replay(self.original, self.edit_list.edits, self._original_top)
        self._rows: list[SegmentRow] | None = None
        self._row_history: list[list[SegmentRow]] = []  # tables before each edit of this session

    def _translate(self, start_zyx: Iterable[int]) -> tuple[float, ...]:
        """World position of the run's voxel ``start_zyx`` (box coordinates)."""
        return tuple(s * (v + o) for s, v, o in zip(self.scale_zyx, start_zyx, self.start_zyx))

    def _take_layer(self) -> Labels:
        """The run's layer: the one another page shows under the run's name, else a new one."""
        name = run_layer_name(self.run_dir.name)
        if name in self.viewer.layers and isinstance(self.viewer.layers[name], Labels):
            layer = self.viewer.layers[name]
            layer.data, layer.scale = self.edited, self.scale_zyx
            layer.translate = self._translate((0, 0, 0))
            layer.metadata[RUN_LAYER_KEY] = self
        else:
            layer = self.viewer.add_labels(
                self.edited,
                name=name,
                opacity=0.6,
                scale=self.scale_zyx,
                translate=self._translate((0, 0, 0)),
                metadata={RUN_LAYER_KEY: self},
            )
        layer.editable = False  # changes go through the edit list, not the brush
        return layer

    def reload(self) -> None:
        """Re-read the run from disk (the worker rewrote it); the edits stay applied."""
        self._read()
        self.layer.translate = self._translate((0, 0, 0))
        self._edits_changed()

    def _on_layer_removed(self, event: Any) -> None:
        if event.value is self.outline:
            self.outline = None
        elif event.value is self.layer:
            self.viewer.mouse_drag_callbacks.remove(self._on_click)
            self.viewer.layers.events.removed.disconnect(self._on_layer_removed)
            if self.outline is not None:
                self.viewer.layers.remove(self.outline)

    # -- segments -------------------------------------------------------------------
    def rows(self) -> list[SegmentRow]:
        """Segment table of the edited segmentation (cached until the next edit)."""
        if self._rows is None:
            self._rows = segment_table(self.edited, self.origins)
        return self._rows

    def world_position(self, seg_id: int) -> tuple[float, float, float]:
        """Where to look at segment ``seg_id`` (world units): its seed, else its box centre."""
        row = next((r for r in self.rows() if r.id == seg_id), None)
        if row is None:
            raise UserError(f"Segment {seg_id} does not exist.", "Pick an id from the table.")
        if row.seed_zyx is not None and self.edited[row.seed_zyx] == seg_id:
            local = np.asarray(row.seed_zyx, float)
        else:
            local = (np.asarray(row.bbox_start_zyx) + np.asarray(row.bbox_stop_zyx) - 1) / 2
        world = (local + np.asarray(self.start_zyx)) * np.asarray(self.scale_zyx)
        return tuple(float(v) for v in world)

    def centre_on(self, seg_id: int) -> None:
        """Centre the viewer on segment ``seg_id`` and make it napari's selected label."""
        z, y, x = self.world_position(seg_id)
        if self.viewer.dims.ndisplay == 2:
            self.viewer.dims.set_point(0, z)
        viewer_camera(self.viewer).center = (z, y, x)
        self.layer.selected_label = seg_id

    # -- edits ------------------------------------------------------------------------
    def add_edit(self, edit: Edit) -> None:
        """Store ``edit`` in the run's edit list and show its result."""
        rows = self.rows()
        self.edit_list.add(edit)
        self._row_history.append(rows)
        self.edited = apply_one(self.edited, edit)
        self._rows = update_rows(rows, edit)
        self._edits_changed()

    def undo(self) -> Edit | None:
        """Remove the last stored edit (None when there is none)."""
        edit = self.edit_list.undo()
        if edit is None:
            return None
        self.edited = replay(self.original, self.edit_list.edits, self._original_top)
        self._rows = self._row_history.pop() if self._row_history else None
        self._edits_changed()
        return edit

    def _edits_changed(self) -> None:
        present = {row.id for row in self.rows()}
        self.selected_ids = [i for i in self.selected_ids if i in present]
        self.refresh()
        self._show_outline()
        self.data_changed.emit()
        self.selection_changed.emit(list(self.selected_ids))

    # -- display ------------------------------------------------------------------------
    def set_selected(self, ids: Iterable[int]) -> None:
        """Select segments (the first becomes napari's selected label)."""
        self.selected_ids = [int(i) for i in ids]
        if self.selected_ids:
            self.layer.selected_label = self.selected_ids[0]
        if self.only_selected:
            self.refresh()
        self._show_outline()
        self.selection_changed.emit(list(self.selected_ids))

    def _on_click(self, _viewer: ViewerModel, event: Any) -> Iterator[None]:
        """A click (not a drag) on a segment selects it; Ctrl+click adds or removes it.

        Bound to the viewer, not the layer, so it acts whatever layer is active.
        """
        if event.button != 1 or not self.layer.visible:
            return
        yield
        dragged = False
        while event.type == "mouse_move":
            dragged = True
            yield
        value = self.layer.get_value(
            event.position,
            view_direction=event.view_direction,
            dims_displayed=event.dims_displayed,
            world=True,
        )
        if dragged or not value:
            return
        seg_id = int(value)
        if "Control" not in event.modifiers:
            self.set_selected([seg_id])
        elif seg_id in self.selected_ids:
            self.set_selected([i for i in self.selected_ids if i != seg_id])
        else:
            self.set_selected([*self.selected_ids, seg_id])

    def _show_outline(self) -> None:
        """Outline the selected segments in every z plane (nothing when none is selected).

        The overlay covers the selection's bounding box and is lazy
        (:class:`app.inspect.label_ops.PlaneOutlines`).
        """
        rows = [row for row in self.rows() if row.id in self.selected_ids]
        if not rows and self.outline is None:
            return
        start, stop = np.zeros(3, int), np.ones(3, int)
        if rows:
            start = np.min([row.bbox_start_zyx for row in rows], axis=0)
            stop = np.max([row.bbox_stop_zyx for row in rows], axis=0)
        box = self.edited[tuple(slice(a, b) for a, b in zip(start, stop))]
        outline = PlaneOutlines(box, self.selected_ids, OUTLINE_VOXELS)
        if self.outline is None:
            self.outline = self._add_outline(outline, self._translate(start))
        else:
            self.outline.data, self.outline.translate = outline, self._translate(start)

    def _add_outline(self, outline: PlaneOutlines, translate: tuple[float, ...]) -> Labels:
        """The overlay layer above the run's; the active layer stays active."""
        active = self.viewer.layers.selection.active
        layer = self.viewer.add_labels(
            outline,
            name=f"selection {self.run_dir.name}",
            scale=self.scale_zyx,
            translate=translate,
            opacity=1.0,
            blending="translucent_no_depth",  # seen through the other layers in 3-D
            colormap=DirectLabelColormap(color_dict={0: (0, 0, 0, 0), None: OUTLINE_COLOUR}),
            metadata={OVERLAY_KEY: True},
        )
        layer.editable = False
        self.viewer.layers.selection.active = active
        return layer

    def set_min_voxels(self, min_voxels: int) -> None:
        """Hide segments smaller than ``min_voxels`` (0 shows all)."""
        self.min_voxels = int(min_voxels)
        self.refresh()

    def set_only_selected(self, only: bool) -> None:
        """Show only the selected segments (all when nothing is selected)."""
        self.only_selected = bool(only)
        self.refresh()

    def displayed(self) -> np.ndarray:
        """The edited segmentation with the size filter applied (no selection filter)."""
        return self._filtered(None)

    def _filtered(self, only: list[int] | None) -> np.ndarray:
        rows = self.rows()
        keep = [r.id for r in rows if r.voxels >= self.min_voxels]
        if only is not None:
            keep = sorted(set(keep) & set(only))
        elif len(keep) == len(rows):
            return self.edited
        return keep_only(self.edited, keep, max((r.id for r in rows), default=0))

    def refresh(self) -> None:
        """Recompute the layer's data from the edits and the display filters."""
        ids = self.selected_ids if self.only_selected else []
        self.layer.data = self._filtered(ids if len(ids) > 1 else None)
        self.layer.show_selected_label = len(ids) == 1
        if len(ids) == 1:
            self.layer.selected_label = ids[0]
