"""FFN training: numpy example generation (examples, metrics, summaries) and the TF trainer.

The numpy modules here never import TensorFlow, so the CLI parser and the GUI can import
them cheaply.
"""
