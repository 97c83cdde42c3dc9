"""The viewer's position and layer display as plain JSON values, to keep with a project.

:func:`capture_view` reads them from a napari viewer, :func:`apply_view` puts them back
(after the project's layers are shown again). The main window stores them in the project
folder (:meth:`ffn_core.project.Project.save_view_state`) when it closes or switches
project. Values that do not fit the viewer any more (a layer gone, another dimensionality)
are skipped: the view is a convenience, never a reason for an error.
"""

from __future__ import annotations

from typing import Any

from napari.components import ViewerModel

from app.viewer_panel import viewer_camera

__all__ = ["apply_view", "capture_view"]


def capture_view(viewer: ViewerModel) -> dict[str, Any]:
    """The slice position (world units), 2-D/3-D, camera and each layer's visibility,
    opacity and order (bottom first) of ``viewer``, and the selected layer."""
    camera = viewer_camera(viewer)
    selected = viewer.layers.selection.active
    return {
        "ndisplay": int(viewer.dims.ndisplay),
        "point": [float(v) for v in viewer.dims.point],
        "camera": {
            "center": [float(v) for v in camera.center],
            "zoom": float(camera.zoom),
            "angles": [float(v) for v in camera.angles],
        },
        "layers": [
            {"name": layer.name, "visible": bool(layer.visible), "opacity": float(layer.opacity)}
            for layer in viewer.layers
        ],
        "selected": selected.name if selected is not None else None,
    }


def apply_view(viewer: ViewerModel, state: dict[str, Any]) -> None:
    """Show ``viewer`` as :func:`capture_view` saw it, as far as its layers allow."""
    _apply_layers(viewer, state.get("layers"), state.get("selected"))
    if state.get("ndisplay") in (2, 3):
        viewer.dims.ndisplay = state["ndisplay"]
    point = state.get("point")
    if _numbers(point, viewer.dims.ndim):
        viewer.dims.point = tuple(point)
    camera, saved = viewer_camera(viewer), state.get("camera")
    if not isinstance(saved, dict):
        return
    if _numbers(saved.get("center"), len(camera.center)):
        camera.center = tuple(saved["center"])
    if _numbers([saved.get("zoom")], 1) and saved["zoom"] > 0:
        camera.zoom = saved["zoom"]
    if _numbers(saved.get("angles"), 3):
        camera.angles = tuple(saved["angles"])


def _apply_layers(viewer: ViewerModel, layers: Any, selected: Any) -> None:
    if not isinstance(layers, list):
        return
    shown = [
        entry for entry in layers if isinstance(entry, dict) and entry.get("name") in viewer.layers
    ]
    for entry in shown:
        layer = viewer.layers[entry["name"]]
        layer.visible = bool(entry.get("visible", True))
        if _numbers([entry.get("opacity")], 1):
            layer.opacity = min(max(float(entry["opacity"]), 0.0), 1.0)
    for position, entry in enumerate(shown):  # the saved order, bottom first
        viewer.layers.move(viewer.layers.index(entry["name"]), position)
    if isinstance(selected, str) and selected in viewer.layers:
        viewer.layers.selection.active = viewer.layers[selected]


def _numbers(values: Any, count: int) -> bool:
    """Whether ``values`` is a list of ``count`` numbers."""
    return (
        isinstance(values, list)
        and len(values) == count
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    )
