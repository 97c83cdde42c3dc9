"""Inspection panels for an inference run: segment table, 3D view, error view, proofreading.

Each panel takes the main window's napari ``ViewerModel`` and the run folder
(``<project>/inference/<run>``); they share one :class:`app.inspect.run_layer.RunLayer`
(the run's labels layer, its edit list and the segment selection)::

    table = SegmentTablePanel(viewer, run_dir)
    proofread = ProofreadPanel(viewer, run_dir)   # same RunLayer as ``table``
"""
