"""FFN Workbench GUI (PyQt5 + napari). Never imports TensorFlow: engine work runs in
the worker process (``python -m ffn_core``), started by :mod:`app.worker`."""
