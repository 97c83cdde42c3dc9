"""The export page's evaluation as an :class:`~ffn_core.stages.evaluate.EvaluateConfig`."""

from __future__ import annotations

from app.controllers.fields import Fields, text
from ffn_core.stages.evaluate import EvaluateConfig

__all__ = ["evaluate_config"]


def evaluate_config(fields: Fields) -> EvaluateConfig:
    """Score inference run ``fields["run"]`` against the project's labels, in the run's box.

    Raises
    ------
    UserError
        When no run is named.
    """
    return EvaluateConfig(run=text(fields, "run"))
