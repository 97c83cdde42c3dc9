"""The napari panel: a :class:`ViewerModel` shown by a :class:`QtViewer` inside our window.

:class:`LayerPresenter` puts project volumes (``file.h5:dataset`` specs, axes z, y, x) on
a ViewerModel lazily: the HDF5 file stays open read-only and napari reads the slices it
shows through dask; a volume larger than :data:`app.inspect.lazy.PYRAMID_BYTES` becomes a
multiscale layer (:func:`app.inspect.lazy.lazy_levels`), so zoomed-out and 3-D views read
a coarse level. Every layer the app adds takes the project's voxel size as its scale
(:func:`layer_scale`), so layers line up and a z slider step moves one slice.
:func:`name_axes_zyx` labels the dims sliders z, y, x. An inference run has one layer,
named by :func:`run_layer_name`, whoever shows it.
:class:`ViewerPanel` is the Qt host; it makes napari's viewer buttons act on our model,
shows the cursor readout (:mod:`app.cursor_readout`) under the canvas and keeps the layer
list tall enough for :data:`LAYER_LIST_ROWS` layers.
"""

from __future__ import annotations

from typing import Any

import dask.array as da
import h5py
from napari.components import ViewerModel
from napari.qt import QtViewer, get_qapp, get_stylesheet
from napari.utils.action_manager import action_manager
from PyQt5.QtWidgets import QVBoxLayout, QWidget

from app.cursor_readout import CursorReadout
from app.inspect.lazy import lazy_levels
from ffn_core.io.volume_spec import open_dataset, parse_volume_spec
from ffn_core.project import Project

ZYX_LABELS = ("z", "y", "x")
RUN_LAYER_KEY = "ffn_run"  # layer metadata: the RunLayer (Inspect) that owns a run's layer
LAYER_LIST_ROWS = 6
LAYER_ROW_HEIGHT = 34  # napari's layer list row (QtLayerListModel's size hint)
# napari's buttons under the canvas, by their QtViewerButtons attribute, and their actions
VIEWER_BUTTON_ACTIONS = {
    "resetViewButton": "napari:reset_view",
    "ndisplayButton": "napari:toggle_ndisplay",
    "rollDimsButton": "napari:roll_axes",
    "transposeDimsButton": "napari:transpose_axes",
    "gridViewButton": "napari:toggle_grid",
}


def run_layer_name(run: str) -> str:
    """The name of the one layer that shows inference run ``run``: the Infer page's live
    view, the Export page's "Show" and the Inspect dock all show the run on it."""
    return f"segmentation {run}"


def name_axes_zyx(viewer: ViewerModel) -> None:
    """Label the axes of every 3-D layer added to ``viewer`` z, y, x (napari's default
    labels are -3, -2, -1); the dims sliders show the layers' labels."""

    def label(event: Any) -> None:
        layer = event.value
        if layer.ndim == 3 and layer.axis_labels == ("-3", "-2", "-1"):
            layer.axis_labels = ZYX_LABELS

    viewer.layers.events.inserted.connect(label)


def viewer_camera(viewer: ViewerModel) -> Any:
    """The camera of ``viewer``: ``viewer.scene.camera`` since napari 0.9 (where
    ``viewer.camera`` is deprecated), ``viewer.camera`` before."""
    scene = getattr(viewer, "scene", None)
    return viewer.camera if scene is None else scene.camera


def open_lazy(spec: str) -> tuple[h5py.File, da.Array | list[da.Array]]:
    """Open ``file.h5:dataset`` read-only as a dask array of one-plane chunks, or as
    multiscale levels when it is large (:func:`app.inspect.lazy.lazy_levels`).

    Unlike :func:`app.inspect.lazy.open_lazy` the file handle is returned: the caller
    closes it when the layer goes away, before a job rewrites the file.
    """
    handle, dataset = open_dataset(spec)
    return handle, lazy_levels(dataset)


def voxel_scale(handle: h5py.File, spec: str) -> tuple[float, ...] | None:
    """The ``voxel_size`` attribute (z, y, x) of the dataset at ``spec``, if it has one."""
    _, name = parse_volume_spec(spec)
    size = handle[name].attrs.get("voxel_size") if name else None
    return tuple(float(v) for v in size) if size is not None and len(size) == 3 else None


def project_voxel_size(project: Project | None) -> tuple[float, float, float] | None:
    """The voxel size (z, y, x) recorded for ``project``'s image volume, if any."""
    record = project.data.get("volumes", {}).get("image", {}) if project else {}
    size = record.get("voxel_size")
    return tuple(float(v) for v in size) if size and len(size) == 3 else None  # type: ignore[return-value]


def layer_scale(viewer: ViewerModel, project: Project | None) -> tuple[float, float, float]:
    """The scale (z, y, x) of every layer the app adds to ``viewer``: the voxel size of
    ``project``'s image, else the scale of the shown ``image`` layer, else 1, 1, 1."""
    size = project_voxel_size(project)
    if size is None and "image" in viewer.layers:
        size = tuple(float(v) for v in viewer.layers["image"].scale[-3:])
    return size or (1.0, 1.0, 1.0)  # type: ignore[return-value]


class LayerPresenter:
    """Shows project volumes as napari layers; keeps their HDF5 files open while shown.

    ``project`` (set by the main window) gives the voxel size all layers are shown with.
    """

    def __init__(self, viewer: ViewerModel) -> None:
        self.viewer = viewer
        self.project: Project | None = None
        self._files: dict[str, h5py.File] = {}

    @property
    def scale_zyx(self) -> tuple[float, float, float]:
        """The scale of the project's layers (:func:`layer_scale`)."""
        return layer_scale(self.viewer, self.project)

    def show_image(self, name: str, spec: str, **kwargs: Any) -> Any:
        """Show the grey-value volume at ``spec`` as image layer ``name`` (replacing it)."""
        self.release(name)
        handle, data = open_lazy(spec)
        self._files[name] = handle
        kwargs.setdefault("scale", voxel_scale(handle, spec) or self.scale_zyx)
        dtype = (data[0] if isinstance(data, list) else data).dtype
        if dtype.kind == "u" and "contrast_limits" not in kwargs:
            kwargs["contrast_limits"] = (0, 255 if dtype.itemsize == 1 else 65535)
        return self.viewer.add_image(data, name=name, multiscale=isinstance(data, list), **kwargs)

    def show_labels(self, name: str, spec: str, **kwargs: Any) -> Any:
        """Show the label volume at ``spec`` as labels layer ``name`` (replacing it)."""
        self.release(name)
        handle, data = open_lazy(spec)
        self._files[name] = handle
        kwargs.setdefault("scale", voxel_scale(handle, spec) or self.scale_zyx)
        kwargs.setdefault("opacity", 0.5)
        return self.viewer.add_labels(data, name=name, multiscale=isinstance(data, list), **kwargs)

    def show_segmentation(self, name: str, spec: str, **kwargs: Any) -> Any:
        """Show (or refresh in place) the segmentation at ``spec`` as labels layer ``name``.

        The volume is read into memory and the file closed at once, because the worker
        replaces that file while inference runs. ``bbox_start_zyx`` places it. A layer the
        Inspect dock owns (:data:`RUN_LAYER_KEY`) reloads itself, its edits applied.
        """
        owner = (
            self.viewer.layers[name].metadata.get(RUN_LAYER_KEY)
            if name in self.viewer.layers
            else None
        )
        if owner is not None:
            owner.reload()
            return owner.layer
        path, dataset = parse_volume_spec(spec)
        with h5py.File(path, "r") as handle:
            data = handle[dataset or "segmentation"]
            array, start = data[...], data.attrs.get("bbox_start_zyx", (0, 0, 0))
        scale = self.scale_zyx
        translate = tuple(float(s) * float(v) for s, v in zip(scale, start))
        if name in self.viewer.layers and name not in self._files:
            layer = self.viewer.layers[name]
            layer.data, layer.translate = array, translate
            return layer
        self.release(name)
        kwargs.setdefault("opacity", 0.6)
        return self.viewer.add_labels(array, name=name, scale=scale, translate=translate, **kwargs)

    def release(self, name: str) -> None:
        """Remove layer ``name`` and close its file (before a job rewrites that file)."""
        if name in self.viewer.layers:
            self.viewer.layers.remove(name)
        handle = self._files.pop(name, None)
        if handle is not None:
            handle.close()

    def release_all(self) -> None:
        """Remove every layer (a project's layers) and close all files."""
        for name in [layer.name for layer in self.viewer.layers] + list(self._files):
            self.release(name)


class ViewerPanel(QWidget):
    """Hosts the QtViewer of ``model`` with the cursor readout under it; the QtViewer's
    layer list and controls go into the window's docks."""

    def __init__(self, model: ViewerModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        get_qapp()  # registers napari's theme resources (icons) with our QApplication
        self.model = model
        self.qt_viewer = QtViewer(model, show_welcome_screen=False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.qt_viewer, 1)
        self.readout = CursorReadout(model)
        layout.addWidget(self.readout)
        layer_list = self.qt_viewer.layers
        layer_list.setMinimumHeight(
            LAYER_LIST_ROWS * LAYER_ROW_HEIGHT + 2 * layer_list.frameWidth()
        )
        self._bind_viewer_buttons()

    def _bind_viewer_buttons(self) -> None:
        """Make napari's viewer buttons (Home, 2-D/3-D, roll, transpose, grid) act on ``model``.

        napari binds them to actions whose viewer argument it injects from its current
        :class:`napari.Viewer` window; a bare ViewerModel in our window is not one, so a
        click failed ("reset_view() missing 1 required positional argument: 'viewer'").
        """
        buttons = self.qt_viewer.viewerButtons
        for attribute, action in VIEWER_BUTTON_ACTIONS.items():
            button = getattr(buttons, attribute)
            button.clicked.disconnect()
            command = action_manager._actions[action].command  # napari's function of a viewer
            button.clicked.connect(lambda _checked=False, run=command: run(self.model))

    def apply_theme(self, widget: QWidget) -> None:
        """Give ``widget`` (our window) napari's stylesheet so napari's buttons get icons."""
        widget.setStyleSheet(get_stylesheet(self.model.theme))

    def close_viewer(self) -> None:
        """Close the QtViewer (its canvas and layer widgets) and schedule its deletion."""
        self.qt_viewer.close()
        self.qt_viewer.deleteLater()
