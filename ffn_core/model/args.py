"""Model geometry (``model_args``) and the model presets; numpy only, no TensorFlow.

Inside FFN Workbench every size is (z, y, x). The reference writes ``model_args`` as JSON with
``fov_size`` and ``deltas`` in (x, y, z), e.g. ``{"depth": 9, "fov_size": [33, 33, 17],
"deltas": [8, 8, 4]}``; :meth:`ModelArgs.from_reference` and :meth:`ModelArgs.to_reference`
convert at that boundary.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ffn_core.errors import UserError

PRESETS_DIR = Path(__file__).resolve().parents[2] / "resources" / "presets"
# Arithmetic of the conv stack: float32 (the reference's), bfloat16 (CPUs with AVX512-BF16,
# recent GPUs), mixed (float16 on GPUs); weights and logits always stay float32.
PRECISIONS = ("float32", "bfloat16", "mixed")
_REFERENCE_KEYS = {"depth", "fov_size", "deltas", "features"}
_HINT = (
    'Write it like {"depth": 9, "fov_size": [33, 33, 17], "deltas": [8, 8, 4]} '
    "(fov_size and deltas in x, y, z; optional features, default 32)."
)


def compute_dtype(precision: str) -> str:
    """The dtype the conv stack computes in for ``precision`` (one of :data:`PRECISIONS`)."""
    return "float16" if precision == "mixed" else precision


def _triple(value: Any, name: str, minimum: int) -> tuple[int, int, int]:
    try:
        items = tuple(int(v) for v in value)
        exact = all(float(v) == int(v) for v in value)
    except (TypeError, ValueError):
        items, exact = (), False
    if len(items) != 3 or not exact or min(items) < minimum:
        raise UserError(
            f"model_args: {name} must be three integers >= {minimum}, got {value!r}.", _HINT
        )
    return items  # type: ignore[return-value]


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UserError(f"model_args: {name} must be a positive integer, got {value!r}.", _HINT)
    return value


@dataclass(frozen=True, kw_only=True)
class ModelArgs:
    """Geometry of the conv-stack FFN: all sizes (z, y, x).

    ``depth`` counts the first conv pair plus the residual modules (reference §3);
    ``deltas_zyx`` is the FOV step used when moving (training and inference).
    """

    depth: int = 9
    fov_size_zyx: tuple[int, int, int]
    deltas_zyx: tuple[int, int, int]
    features: int = 32

    def __post_init__(self) -> None:
        object.__setattr__(self, "depth", _positive_int(self.depth, "depth"))
        object.__setattr__(self, "features", _positive_int(self.features, "features"))
        object.__setattr__(self, "fov_size_zyx", _triple(self.fov_size_zyx, "fov_size", 1))
        object.__setattr__(self, "deltas_zyx", _triple(self.deltas_zyx, "deltas", 0))

    @classmethod
    def from_reference(cls, obj: str | dict[str, Any]) -> ModelArgs:
        """Parse the reference's ``model_args`` (JSON text or dict; fov_size/deltas in x, y, z)."""
        if isinstance(obj, str):
            try:
                obj = json.loads(obj)
            except json.JSONDecodeError as exc:
                raise UserError(f"model_args is not valid JSON: {exc}: {obj!r}.", _HINT) from None
        if not isinstance(obj, dict):
            raise UserError(f"model_args must be a JSON object, got {obj!r}.", _HINT)
        unknown = sorted(set(obj) - _REFERENCE_KEYS)
        missing = sorted({"fov_size", "deltas"} - set(obj))
        if unknown or missing:
            problem = (
                f"unknown key(s) {', '.join(unknown)}"
                if unknown
                else f"missing {', '.join(missing)}"
            )
            raise UserError(f"model_args {json.dumps(obj)}: {problem}.", _HINT)
        fov_xyz = _triple(obj["fov_size"], "fov_size", 1)
        deltas_xyz = _triple(obj["deltas"], "deltas", 0)
        return cls(
            depth=obj.get("depth", 9),
            features=obj.get("features", 32),
            fov_size_zyx=fov_xyz[::-1],
            deltas_zyx=deltas_xyz[::-1],
        )

    def to_reference(self) -> dict[str, Any]:
        """The reference's ``model_args`` dict (fov_size/deltas in x, y, z)."""
        ref: dict[str, Any] = {
            "depth": self.depth,
            "fov_size": list(self.fov_size_zyx[::-1]),
            "deltas": list(self.deltas_zyx[::-1]),
        }
        if self.features != 32:
            ref["features"] = self.features
        return ref

    @property
    def lom_radius_xyz(self) -> tuple[int, int, int]:
        """The partition window radius the reference advises for this model:
        ``fov_size // 2 + deltas``, in x, y, z as the reference gives it."""
        zyx = [f // 2 + d for f, d in zip(self.fov_size_zyx, self.deltas_zyx)]
        return tuple(zyx[::-1])  # type: ignore[return-value]

    def to_json(self) -> str:
        """``to_reference()`` as one line of JSON, as users copy it."""
        return json.dumps(self.to_reference())


def list_presets() -> list[str]:
    """Names of the model presets in ``resources/presets``."""
    return sorted(p.stem for p in PRESETS_DIR.glob("*.json"))


def load_preset(name: str) -> ModelArgs:
    """The :class:`ModelArgs` of preset ``name`` (e.g. ``anisotropic``, ``isotropic``)."""
    path = PRESETS_DIR / f"{name}.json"
    if not path.is_file():
        raise UserError(
            f"No model preset named {name!r} (looked for {path}).",
            f"Choose one of: {', '.join(list_presets()) or 'none installed'}.",
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    return ModelArgs.from_reference(data["model_args"])
