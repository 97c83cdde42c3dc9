"""From what a page's fields hold to a stage config, without Qt.

Each module ``app.controllers.<stage>`` has a function ``<stage>_config(fields) ->
<Stage>Config`` taking the page's plain field values (text as typed, numbers from spin
boxes, ticks as bools; see :mod:`~app.controllers.fields`) and raising
:class:`~ffn_core.errors.UserError` with a message for the page when a value is wrong.
The configs validate themselves; the defaults a page shows come from the engine's config
modules through these controllers. ``<stage>_fields(config)`` is the inverse: the field
values showing a stored config (or, without one, the defaults), which a page fills in when
a project is opened. :mod:`~app.controllers.compute` has the backend, device and precision
fields the infer and train controllers share (and the job line's text of what a job computes
on); :mod:`~app.controllers.subvolume_grid` is the state behind the infer page's grid of
subvolumes. Testable without a display.
"""
