"""FFN training: numpy example generation (examples, metrics, summaries), the trainer and its
step on TensorFlow, JAX or PyTorch (:mod:`~ffn_core.train.steps`), portable checkpoints.

The numpy modules here never import Keras or a backend, so the CLI parser and the GUI can
import them cheaply.
"""
