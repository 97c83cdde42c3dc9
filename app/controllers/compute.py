"""What a job computes on — backend, device and precision — as the infer and train pages
offer it, as config values, and as one line on the job panel.

The backend field is empty for "automatic" (``KERAS_BACKEND``, else TensorFlow): the job
resolves it in the worker. Nothing here imports a backend.
"""

from __future__ import annotations

from typing import Any

from app.controllers.fields import Fields, text
from ffn_core.backend import BACKENDS, DEVICES, installed_backends, resolve_backend
from ffn_core.errors import UserError
from ffn_core.model.args import PRECISIONS
from ffn_core.protocol import Compute

__all__ = [
    "AUTOMATIC",
    "BACKEND_NAMES",
    "PRECISIONS",
    "automatic_backend",
    "backend_choices",
    "compute_fields",
    "compute_values",
    "describe_compute",
]

AUTOMATIC = ""  # the backend field's value for "automatic"
BACKEND_NAMES = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}
_DEVICE_NAMES = {"cpu": "CPU", "gpu": "GPU"}


def backend_choices() -> list[tuple[str, bool]]:
    """The backend field's values, "automatic" first, each with whether it can be chosen
    (its package is installed)."""
    installed = installed_backends()
    return [(AUTOMATIC, True), *((name, name in installed) for name in BACKENDS)]


def automatic_backend() -> str | None:
    """The backend "automatic" stands for (``KERAS_BACKEND``, else TensorFlow); None when
    ``KERAS_BACKEND`` names none."""
    try:
        return resolve_backend()
    except UserError:
        return None


def compute_values(fields: Fields, precision_default: str | None) -> dict[str, Any]:
    """``backend`` (None: automatic), ``device`` and ``precision`` of a config, from the
    fields of the same names; an empty precision is ``precision_default``."""
    return {
        "backend": text(fields, "backend"),
        "device": text(fields, "device") or DEVICES[0],
        "precision": text(fields, "precision") or precision_default,
    }


def compute_fields(backend: str | None, device: str, precision: str) -> dict[str, str]:
    """The fields showing a config's ``backend`` (None: automatic), ``device`` and
    ``precision`` (the inverse of :func:`compute_values`)."""
    return {"backend": backend or AUTOMATIC, "device": device, "precision": precision}


def describe_compute(record: Compute) -> str:
    """One line for the job panel, e.g. ``TensorFlow · CPU (AMD EPYC) · float32``."""
    backend = BACKEND_NAMES.get(record.backend, record.backend)
    device = _DEVICE_NAMES.get(record.device, record.device)
    return f"{backend} · {device} ({record.device_name}) · {record.precision}"
