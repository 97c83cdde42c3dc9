"""FFN Workbench engine: project folder, volumes, FFN model, training and inference.

Never imports Qt or napari. TensorFlow is imported only inside ``ffn_core.model``,
``ffn_core.train`` and ``ffn_core.infer`` modules that need it.
"""

__version__ = "0.1.0"
