"""Analysis of segmentations: scores against ground truth (:mod:`.evaluate`), split and
merge error maps (:mod:`.error_maps`), per-segment statistics (:mod:`.segments`), surface
meshes (:mod:`.meshes`) and proofreading edits (:mod:`.proofread`).

NumPy, SciPy and scikit-image only: no TensorFlow, so the GUI imports these directly.
"""
