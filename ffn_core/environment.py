"""What the worker can use: each backend (installed, version, GPUs), the backend, device and
precision a job takes by default, the CPU and its threads.

A backend that is not installed, or fails to start, is reported as such: the check never
fails for a missing one (Help › Diagnostics shows what to install).
"""

from __future__ import annotations

import os
import platform
import sys
from typing import Any

from ffn_core import backend
from ffn_core.errors import UserError

# The precision a job takes unless told otherwise (InferConfig's default, a new run's).
DEFAULT_PRECISION = "float32"
# /proc/cpuinfo flags of CPUs with bfloat16 arithmetic (AVX512-BF16, AMX)
_BF16_FLAGS = {"avx512_bf16", "amx_bf16"}
_MISSING = {"installed": False, "version": None, "gpus": [], "problem": ""}


def describe_environment() -> dict[str, Any]:
    """The worker's environment as plain values (imports each installed backend).

    Returns
    -------
    dict
        ``backends``: for each of :data:`ffn_core.backend.BACKENDS` ``installed``,
        ``version``, ``gpus`` (names) and ``problem`` (why it could not be asked, else "");
        ``default_backend`` (``KERAS_BACKEND``, else TensorFlow), ``default_device`` and
        ``default_device_name`` (what device ``auto`` gives there; None when that backend
        is not installed), ``default_precision``, ``suggested_precision`` (the fast one on
        that device), ``gpus`` (every GPU a backend sees, once), ``cpu``, ``cpu_bfloat16``,
        ``cpu_count``, ``python`` and ``platform``.
    """
    installed, versions = backend.installed_backends(), backend.backend_versions()
    backends = {
        name: _describe_backend(name, versions[name]) if name in installed else dict(_MISSING)
        for name in backend.BACKENDS
    }
    try:
        default = backend.resolve_backend()
    except UserError:  # KERAS_BACKEND names no backend: a job without --backend fails too
        default = os.environ.get("KERAS_BACKEND", "")
    usable = default in installed
    gpus = backends[default]["gpus"] if usable else []
    device = ("gpu" if gpus else "cpu") if usable else None
    cpu, bfloat16 = _cpu()
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "backends": backends,
        "default_backend": default,
        "default_device": device,
        "default_device_name": (gpus[0] if gpus else cpu) if usable else None,
        "default_precision": DEFAULT_PRECISION,
        "suggested_precision": _suggested_precision(device, bfloat16),
        "gpus": list(dict.fromkeys(gpu for info in backends.values() for gpu in info["gpus"])),
        "cpu": cpu,
        "cpu_bfloat16": bfloat16,
        "cpu_count": os.cpu_count(),
    }


def require_gpu(info: dict[str, Any]) -> None:
    """Refuse when no installed backend of ``info`` (:func:`describe_environment`) sees a GPU.

    Raises
    ------
    UserError
        Naming what each backend sees and what to install.
    """
    if info["gpus"]:
        return
    seen = "; ".join(
        f"{name}: {'no GPU' if entry['installed'] else 'not installed'}"
        for name, entry in info["backends"].items()
    )
    raise UserError(
        f"No installed backend sees a GPU ({seen}).",
        "Install the NVIDIA driver and a GPU build of a backend: "
        + "; ".join(f"{name}: {hint}" for name, hint in backend.INSTALL_HINTS.items())
        + " (README, 'Backends and GPUs').",
    )


def _describe_backend(name: str, version: str | None) -> dict[str, Any]:
    try:
        gpus = backend.gpu_names(name)
    except Exception as exc:  # noqa: BLE001 - a broken install is reported, not raised
        return {"installed": True, "version": version, "gpus": [], "problem": str(exc)}
    return {"installed": True, "version": version, "gpus": gpus, "problem": ""}


def _cpu() -> tuple[str, bool]:
    """The CPU's name and whether it computes in bfloat16 (Linux; False where unknown)."""
    flags: set[str] = set()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    break
    except OSError:
        pass
    return backend.cpu_name(), bool(flags & _BF16_FLAGS)


def _suggested_precision(device: str | None, cpu_bfloat16: bool) -> str:
    if device == "gpu":
        return "mixed"
    return "bfloat16" if cpu_bfloat16 else DEFAULT_PRECISION
