"""Inspection of inference runs: segment table, 3D view, error view, proofreading.

:class:`app.inspect.inspect_panel.InspectPanel` (``InspectPanel(viewer, project_root)``)
is the one dock the main window needs: a run chooser and the four tabs. Each tab is also
usable alone with the main window's napari ``ViewerModel`` and a run folder
(``<project>/inference/<run>``); panels of one run share one
:class:`app.inspect.run_layer.RunLayer` (the run's labels layer, its edit list, the
segment selection)::

    table = SegmentTablePanel(viewer, run_dir)
    proofread = ProofreadPanel(viewer, run_dir)   # same RunLayer as ``table``
"""
