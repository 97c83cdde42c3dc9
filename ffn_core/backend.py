"""Which Keras backend and device the engine computes on: TensorFlow, JAX or PyTorch; CPU or GPU.

Keras 3 fixes its backend when it is first imported, so a process chooses once, before any
model code runs: :func:`select` sets ``KERAS_BACKEND`` (and hides the GPUs for ``device="cpu"``),
:func:`active` reports what the process really got, :func:`require_device` refuses a job that
asked for a GPU the backend cannot see. Importing this module imports no backend.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import asdict, dataclass

from ffn_core.errors import UserError

BACKENDS = ("tensorflow", "jax", "torch")
DEFAULT_BACKEND = "tensorflow"
DEVICES = ("auto", "cpu", "gpu")
# What to install for each backend (README "Backends and GPUs").
INSTALL_HINTS = {
    "tensorflow": "pip install tensorflow (Linux GPU: pip install 'tensorflow[and-cuda]')",
    "jax": "pip install 'ffn-workbench[jax]' (Linux GPU: pip install 'jax[cuda12]')",
    "torch": (
        "pip install 'ffn-workbench[torch]' (CPU: --index-url "
        "https://download.pytorch.org/whl/cpu; NVIDIA GPU on Windows or Linux: --index-url "
        "https://download.pytorch.org/whl/cu126)"
    ),
}
_MODULES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}


@dataclass(frozen=True)
class Compute:
    """What a process computes on: ``backend``, ``device`` (``cpu``/``gpu``) and its name."""

    backend: str
    device: str
    device_name: str

    def to_dict(self) -> dict[str, str]:
        """Plain dict (for results and logs)."""
        return asdict(self)

    def describe(self) -> str:
        """One line, e.g. ``torch on gpu (NVIDIA H200)``."""
        return f"{self.backend} on {self.device} ({self.device_name})"


def installed_backends() -> list[str]:
    """Backends whose package is installed (found, not imported)."""
    return [name for name in BACKENDS if importlib.util.find_spec(_MODULES[name]) is not None]


def check_backend(name: str | None) -> str | None:
    """``name`` if it is a known backend (or None); a :class:`UserError` otherwise."""
    if name is not None and name not in BACKENDS:
        raise UserError(f"Unknown backend {name!r}.", f"Choose one of {', '.join(BACKENDS)}.")
    return name


def check_device(name: str) -> str:
    """``name`` if it is one of :data:`DEVICES`; a :class:`UserError` otherwise."""
    if name not in DEVICES:
        raise UserError(f"Unknown device {name!r}.", f"Choose one of {', '.join(DEVICES)}.")
    return name


def resolve_backend(requested: str | None = None) -> str:
    """The backend a job uses: ``requested``, else ``KERAS_BACKEND``, else TensorFlow."""
    name = check_backend(requested) or os.environ.get("KERAS_BACKEND") or DEFAULT_BACKEND
    return check_backend(name)  # type: ignore[return-value]


def select(backend: str | None = None, device: str = "auto") -> str:
    """Make this process compute with ``backend`` on ``device``; returns the backend.

    Must run before Keras is imported; afterwards only the backend already loaded is
    accepted. ``device="cpu"`` hides the GPUs from every backend.

    Raises
    ------
    UserError
        The backend is not installed, or Keras already runs on another one.
    """
    name = resolve_backend(backend)
    check_device(device)
    if "keras" in sys.modules:
        loaded = sys.modules["keras"].backend.backend()
        if loaded != name:
            raise UserError(
                f"This process already computes with {loaded}; {name} was asked for.",
                "Start a new worker (each job runs in its own process).",
            )
        return name
    if importlib.util.find_spec(_MODULES[name]) is None:
        raise UserError(f"The {name} backend is not installed.", INSTALL_HINTS[name])
    os.environ["KERAS_BACKEND"] = name
    if device == "cpu":
        os.environ["CUDA_VISIBLE_DEVICES"] = "-1"
        os.environ["JAX_PLATFORMS"] = "cpu"
    return name


def gpu_names(backend: str) -> list[str]:
    """Names of the GPUs ``backend`` sees (imports it)."""
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        details = tf.config.experimental.get_device_details
        return [details(gpu).get("device_name", gpu.name) for gpu in gpus]
    if backend == "jax":
        import jax

        return [str(d.device_kind) for d in jax.devices() if d.platform == "gpu"]
    import torch

    return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]


def cpu_name() -> str:
    """The CPU's model name (e.g. ``AMD EPYC``)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine() or "CPU"


def active() -> Compute:
    """The backend Keras runs on in this process and the device it computes on."""
    import keras

    backend = keras.backend.backend()
    gpus = gpu_names(backend)
    if gpus:
        return Compute(backend, "gpu", gpus[0])
    return Compute(backend, "cpu", cpu_name())


def require_device(device: str) -> Compute:
    """:func:`active`, refusing ``device="gpu"`` when the backend sees no GPU."""
    compute = active()
    if device == "gpu" and compute.device != "gpu":
        raise UserError(
            f"This job asks for a GPU, but {compute.backend} sees none on this machine.",
            "Install the NVIDIA driver and the GPU build of the backend ("
            f"{INSTALL_HINTS[compute.backend]}), or choose device auto or cpu.",
        )
    return compute


def backend_versions() -> dict[str, str | None]:
    """Version of each backend package (None when not installed), without importing them."""
    from importlib.metadata import PackageNotFoundError, version

    versions: dict[str, str | None] = {}
    for name in BACKENDS:
        try:
            versions[name] = version(_MODULES[name])
        except PackageNotFoundError:
            versions[name] = None
    return versions


def check_precision(compute: Compute, precision: str) -> None:
    """Refuse ``mixed`` (float16) precision on a CPU, where it is slow or unsupported."""
    if precision == "mixed" and compute.device != "gpu":
        raise UserError(
            f"Precision 'mixed' (float16) needs a GPU; this job computes on {compute.describe()}.",
            "Use bfloat16 (fast on CPUs with AVX512-BF16) or float32 on the CPU.",
        )


def prepare(backend: str | None, device: str, precision: str) -> Compute:
    """Select ``backend`` on ``device`` for this process and check the device and precision;
    what a stage calls before it builds a model (see :func:`select`)."""
    select(backend, device)
    compute = require_device(device)
    check_precision(compute, precision)
    return compute
