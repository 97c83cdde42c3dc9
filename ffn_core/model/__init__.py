"""The conv-stack FFN model (reference §3), its checkpoints and a fast predictor.

Only :mod:`ffn_core.model.args` is free of TensorFlow; import ``convstack``, ``checkpoints``
and ``predictor`` only where TensorFlow may be loaded (never from the GUI process).
"""

from ffn_core.model.args import ModelArgs, list_presets, load_preset

__all__ = ["ModelArgs", "list_presets", "load_preset"]
