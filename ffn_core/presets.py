"""Stage presets: one set of settings for preprocess, train and infer that fit together.

A :class:`StagePreset` names a model and the settings each stage needs for it:

- ``quick``: the headless demo's tiny model (depth 4, FOV 17×17×9, 16 features) and its
  settings (:mod:`ffn_core.stages.demo` takes them from here): the whole pipeline on a small
  volume in minutes on a CPU.
- ``reference``: the reference-sized anisotropic model (depth 9, FOV 33×33×17) with the
  reference's settings (lom radius 24, min size 10000, 10,000 SGD steps of batch 4), as the
  SNEMI3D tutorial runs it: hours on a CPU, meant for a GPU.
- ``isotropic``: the reference's isotropic model (FIB-SEM; depth 12, FOV 33×33×33) with the
  same settings.

:func:`suggest_preset` picks one from a volume's size and voxel size. No TensorFlow here: the
GUI imports this module.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ffn_core.model.args import ModelArgs, list_presets, load_preset
from ffn_core.preprocess.partitions import DEFAULT_LOM_RADIUS_XYZ, DEFAULT_MIN_SIZE
from ffn_core.stages.infer import InferConfig
from ffn_core.stages.preprocess import PreprocessConfig
from ffn_core.stages.train import TrainConfig, run_default

__all__ = [
    "ISOTROPY_RATIO",
    "QUICK_MAX_VOXELS",
    "StagePreset",
    "model_preset_name",
    "stage_presets",
    "suggest_preset",
    "write_seed_request",
]

#: volumes with fewer voxels get the ``quick`` preset (see :func:`suggest_preset`)
QUICK_MAX_VOXELS = 4_000_000
#: a z voxel size under this many times the xy one counts as isotropic
ISOTROPY_RATIO = 1.5
_REQUEST_FILE = "{name}_seed_request.pbtxt"


def _frozen(values: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(values))


@dataclass(frozen=True)
class StagePreset:
    """Settings of preprocess, train and infer that fit one model.

    Attributes
    ----------
    name : str
        ``quick``, ``reference`` or ``isotropic``.
    model_args : ModelArgs
        The model trained and run.
    preprocess, train, infer : Mapping
        Keyword values of :class:`~ffn_core.stages.preprocess.PreprocessConfig`,
        :class:`~ffn_core.stages.train.TrainConfig` (besides ``model_args``) and
        :class:`~ffn_core.stages.infer.InferConfig` (besides ``checkpoint`` and ``request``);
        read-only.
    seed_request : str or None
        Text of a reference inference request with the seed policy (and its arguments, which
        no InferConfig field takes) the preset's inference needs; write it with
        :func:`write_seed_request` and give the file as the request. None: the engine's
        seed policy.
    """

    name: str
    model_args: ModelArgs
    preprocess: Mapping[str, Any] = field(default_factory=dict)
    train: Mapping[str, Any] = field(default_factory=dict)
    infer: Mapping[str, Any] = field(default_factory=dict)
    seed_request: str | None = None

    def __post_init__(self) -> None:
        for name in ("preprocess", "train", "infer"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))

    def preprocess_config(self, **changes: Any) -> PreprocessConfig:
        """The preset's preprocess config, with ``changes`` applied."""
        return PreprocessConfig(**{**self.preprocess, **changes})

    def train_config(self, **changes: Any) -> TrainConfig:
        """The preset's training config (its model as ``model_args``), with ``changes``."""
        return TrainConfig(**{"model_args": self.model_args, **self.train, **changes})

    def infer_config(self, checkpoint: str, **changes: Any) -> InferConfig:
        """The preset's inference config of ``checkpoint``, with ``changes`` applied."""
        return InferConfig(**{"checkpoint": checkpoint, **self.infer, **changes})


def _quick() -> StagePreset:
    """The headless demo's settings (see :mod:`ffn_core.stages.demo` for why these)."""
    # 16 features instead of the reference's 32: twice the steps per second, so batches of 8
    # (steadier than 4 on the demo volume) fit in the minutes.
    tiny = ModelArgs.from_reference(
        {"depth": 4, "fov_size": [17, 17, 9], "deltas": [4, 4, 2], "features": 16}
    )
    steps = 6000
    return StagePreset(
        name="quick",
        model_args=tiny,
        preprocess={"lom_radius_xyz": tiny.lom_radius_xyz, "min_size": 200},
        # Adam at 0.002, halved every third of the run (reference HEAD's staircase decay):
        # the last third at 0.0005 settles the weights. On the first demo volume (no faint
        # membranes) a constant 0.001 gave adapted Rand errors from 0.26 to 0.55 depending
        # on the training seed, this 0.32-0.36.
        train={
            "batch_size": 8,
            "optimizer": "adam",
            "learning_rate": 0.002,
            "learning_rate_decay_factor": 0.5,
            "decay_steps": steps // 3,
            "max_steps": steps,
        },
        # A weakly trained tiny model rarely reaches the reference's 0.9 at the FOV faces:
        # move at 0.7; keep segments from 100 voxels (a demo cell has thousands).
        infer={"move_threshold": 0.7, "min_segment_size": 100},
        # PolicyPeaks leaves whole cells without a seed in so small a volume: seed on an
        # 8-voxel grid.
        seed_request=(
            'seed_policy: "PolicyGrid3d"\n'
            'seed_policy_args: "{\\"step\\": 8, \\"offsets\\": [0, 4, 2, 6]}"\n'
        ),
    )


def _reference_sized(name: str, model_preset: str) -> StagePreset:
    """The model preset ``model_preset`` with the reference's settings (the SNEMI3D
    tutorial's: lom radius 24,24,24, min size 10000; train.py's defaults)."""
    return StagePreset(
        name=name,
        model_args=load_preset(model_preset),
        preprocess={"lom_radius_xyz": DEFAULT_LOM_RADIUS_XYZ, "min_size": DEFAULT_MIN_SIZE},
        train={
            name: run_default(name)
            for name in ("batch_size", "optimizer", "learning_rate", "max_steps")
        },
    )


def stage_presets() -> dict[str, StagePreset]:
    """The stage presets by name: ``quick``, ``reference`` and, when the model preset is
    installed, ``isotropic`` (in this order: fastest first)."""
    presets = [_quick(), _reference_sized("reference", "anisotropic")]
    if "isotropic" in list_presets():
        presets.append(_reference_sized("isotropic", "isotropic"))
    return {preset.name: preset for preset in presets}


def suggest_preset(shape_zyx: Sequence[int], voxel_size_zyx: Sequence[float] | None = None) -> str:
    """The stage preset that fits a volume of ``shape_zyx`` voxels of ``voxel_size_zyx``.

    ``quick`` for a volume of fewer than :data:`QUICK_MAX_VOXELS` (4 M) voxels, or one that
    cannot hold the reference model's partition window (49 voxels across with lom radius 24)
    on every axis. Such a volume (the demo's 32×96×96 is 0.3 M; a 64×256×256 crop 4.2 M)
    holds too few training examples for a 7 M-parameter network, while the tiny model trains
    on it in minutes; the SNEMI3D stack the reference model was made for has 26 M voxels
    (100×512×512). Larger volumes get the reference-sized model: ``isotropic`` when the
    z voxel size is under :data:`ISOTROPY_RATIO` (1.5) times the xy one (FIB-SEM: its FOV
    is 33 voxels deep), else ``reference`` (the anisotropic model for serial-section EM,
    z steps 2-5× the pixel size, e.g. SNEMI3D's 30×6×6 nm). Without a voxel size the
    volume is taken as anisotropic, as most EM stacks are.

    Examples
    --------
    >>> suggest_preset((32, 96, 96), (2.0, 1.0, 1.0))
    'quick'
    >>> suggest_preset((100, 1024, 1024), (30.0, 6.0, 6.0))
    'reference'
    >>> suggest_preset((250, 250, 250), (8.0, 8.0, 8.0))
    'isotropic'
    """
    presets = stage_presets()
    window_zyx = [2 * r + 1 for r in DEFAULT_LOM_RADIUS_XYZ[::-1]]
    fits = all(n > w for n, w in zip(shape_zyx, window_zyx))
    if not fits or math.prod(shape_zyx) < QUICK_MAX_VOXELS:
        return "quick"
    if voxel_size_zyx is not None and "isotropic" in presets:
        z, y, x = (float(v) for v in voxel_size_zyx)
        if z < ISOTROPY_RATIO * (y + x) / 2:
            return "isotropic"
    return "reference"


def model_preset_name(model_args: ModelArgs) -> str | None:
    """The model preset (``resources/presets``) whose model is ``model_args``, if any."""
    return next((name for name in list_presets() if load_preset(name) == model_args), None)


def preset_of_model(model_args: ModelArgs | None) -> StagePreset | None:
    """The stage preset whose model is ``model_args``, if any (None: a model of its own)."""
    return next((p for p in stage_presets().values() if p.model_args == model_args), None)


def write_seed_request(preset: StagePreset, folder: str | Path) -> str | None:
    """Write ``preset``'s seed request into ``folder`` (``<name>_seed_request.pbtxt``); its
    path, to give as the inference request, or None when the preset has none."""
    if preset.seed_request is None:
        return None
    path = Path(folder) / _REQUEST_FILE.format(name=preset.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(preset.seed_request, encoding="utf-8")
    return str(path)
