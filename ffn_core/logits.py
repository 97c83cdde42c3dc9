"""Logits and probabilities (numpy and scipy only): the conversions training and inference share.

Training compares float64 logits (``logit(threshold)``, as the reference's ``train.py``);
inference holds its thresholds as the reference's float32 proto fields (:func:`logit32`) and
turns float32 canvas logits into probabilities in float32, as the reference's canvas does.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, DTypeLike
from scipy.special import expit

__all__ = ["logit", "logit32", "sigmoid", "sigmoid_cross_entropy"]


def logit(probability: ArrayLike) -> float | np.ndarray:
    """Inverse sigmoid, ``log(p / (1 - p))``, in float64."""
    return np.log(probability) - np.log1p(-np.asarray(probability))


def logit32(probability: float) -> float:
    """``logit(p)`` as the reference's inference holds it: a float32 proto field, read back.

    Examples
    --------
    >>> logit32(0.9) == logit(0.9)
    False
    """
    p = float(np.float32(probability))
    return float(np.float32(math.log(p / (1.0 - p))))


def sigmoid(x: ArrayLike, dtype: DTypeLike = np.float64) -> np.ndarray:
    """Logistic function ``1 / (1 + exp(-x))`` computed in ``dtype`` (stable for large ``|x|``).

    Inference passes ``np.float32``: the canvas's probabilities, as the reference's ``expit``
    of its float32 canvas.
    """
    return expit(np.asarray(x, dtype=dtype))


def sigmoid_cross_entropy(logits: ArrayLike, targets: ArrayLike) -> np.ndarray:
    """Per-element sigmoid cross-entropy of soft ``targets`` given ``logits`` (stable form)."""
    x = np.asarray(logits, dtype=np.float64)
    z = np.asarray(targets, dtype=np.float64)
    return np.maximum(x, 0.0) - x * z + np.log1p(np.exp(-np.abs(x)))
