"""Logit helpers shared by example generation and metrics (numpy only)."""
from __future__ import annotations

import numpy as np


def logit(probability: float | np.ndarray) -> float | np.ndarray:
    """Inverse sigmoid, ``log(p / (1 - p))``."""
    return np.log(probability) - np.log1p(-np.asarray(probability))


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function, numerically stable for large ``|x|``."""
    x = np.asarray(x, dtype=np.float64)
    return np.exp(-np.logaddexp(0.0, -x))


def sigmoid_cross_entropy(logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Per-element sigmoid cross-entropy of soft ``targets`` given ``logits`` (stable form)."""
    x = np.asarray(logits, dtype=np.float64)
    z = np.asarray(targets, dtype=np.float64)
    return np.maximum(x, 0.0) - x * z + np.log1p(np.exp(-np.abs(x)))
