"""Eval metrics of finished training examples (numpy only; reference EvalTracker, document §4.3)."""

from __future__ import annotations

import numpy as np

from ffn_core.fov import MOVE_THRESHOLD
from ffn_core.logits import logit, sigmoid_cross_entropy


def eval_metrics(
    labels_soft: np.ndarray, logits: np.ndarray, threshold: float = MOVE_THRESHOLD
) -> dict[str, float]:
    """Voxel metrics of a prediction against soft labels.

    A voxel is predicted object when ``logits >= logit(threshold)`` and is object when
    ``labels_soft > 0.5``. To pool several examples, pass their concatenated ravelled arrays.

    Returns
    -------
    dict with precision, recall, f1, accuracy, specificity (0 when undefined) and
    patch_loss (mean sigmoid cross-entropy of ``logits`` against ``labels_soft``).
    """
    labels_soft = np.asarray(labels_soft)
    logits = np.asarray(logits)
    if labels_soft.shape != logits.shape:
        raise ValueError(f"labels {labels_soft.shape} and logits {logits.shape} differ in shape")
    truth = labels_soft > 0.5
    predicted = logits >= logit(threshold)
    tp = float(np.count_nonzero(truth & predicted))
    fp = float(np.count_nonzero(~truth & predicted))
    fn = float(np.count_nonzero(truth & ~predicted))
    tn = float(truth.size) - tp - fp - fn
    precision = tp / max(tp + fp, 1.0)
    recall = tp / max(tp + fn, 1.0)
    return {
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0,
        "accuracy": (tp + tn) / max(float(truth.size), 1.0),
        "specificity": tn / max(tn + fp, 1.0),
        "patch_loss": float(np.mean(sigmoid_cross_entropy(logits, labels_soft)))
        if truth.size
        else 0.0,
    }
