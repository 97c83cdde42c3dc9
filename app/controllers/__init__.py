"""From what a page's fields hold to a stage config, without Qt.

Each module ``app.controllers.<stage>`` has a function ``<stage>_config(fields) ->
<Stage>Config`` taking the page's plain field values (text as typed, numbers from spin
boxes, ticks as bools; see :mod:`~app.controllers.fields`) and raising
:class:`~ffn_core.errors.UserError` with a message for the page when a value is wrong.
The configs validate themselves; the defaults a page shows come from the engine's config
modules through these controllers. Testable without a display.
"""
