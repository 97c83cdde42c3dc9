"""Portable weights: one HDF5 file any backend reads with h5py (no TensorFlow needed).

``<name>.weights.h5`` holds the conv weights under the reference's variable names
(``seed_update/conv0_a/weights``, ``.../biases``, ..., ``seed_update/conv_lom/...``), the
``model_args`` (reference JSON) and the training ``step`` as attributes, and optionally the
optimizer's variables (``optimizer/0000``, ... in the optimizer's own order) so that a training
run resumes on any backend. numpy and h5py only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

from ffn_core.errors import UserError
from ffn_core.io.atomic import replacing
from ffn_core.model.args import ModelArgs

SUFFIX = ".weights.h5"
FORMAT = "ffn-workbench-weights"
VERSION = 1
SCOPE = "seed_update"
OPTIMIZER = "optimizer"


@dataclass
class WeightsFile:
    """The contents of a portable weights file.

    ``arrays`` maps ``seed_update/<layer>/<weights|biases>`` to its array; ``optimizer`` is the
    optimizer's variables in order (empty when the file holds none).
    """

    model_args: ModelArgs
    step: int
    arrays: dict[str, np.ndarray]
    optimizer: list[np.ndarray] = field(default_factory=list)


def is_weights_file(path: str | Path) -> bool:
    """Whether ``path`` names a portable weights file (by its suffix)."""
    return str(path).endswith(SUFFIX)


def write_weights(path: str | Path, contents: WeightsFile) -> Path:
    """Write ``contents`` to ``path`` atomically (a reader never sees half a file)."""
    path = Path(path)
    with replacing(path) as temporary, h5py.File(temporary, "w") as out:
        out.attrs["format"] = FORMAT
        out.attrs["version"] = VERSION
        out.attrs["model_args"] = contents.model_args.to_json()
        out.attrs["step"] = int(contents.step)
        for key, array in contents.arrays.items():
            out.create_dataset(key, data=np.asarray(array, dtype=np.float32))
        for index, array in enumerate(contents.optimizer):
            out.create_dataset(f"{OPTIMIZER}/{index:04d}", data=np.asarray(array))
    return path


def read_weights(path: str | Path, optimizer: bool = False) -> WeightsFile:
    """Read a portable weights file (the optimizer's variables only when ``optimizer``).

    Raises
    ------
    UserError
        The file is missing, damaged, or not a weights file of FFN Workbench.
    """
    path = Path(path)
    try:
        with h5py.File(path, "r") as source:
            if source.attrs.get("format") != FORMAT:
                raise UserError(
                    f"{path} is not an FFN Workbench weights file.",
                    "Choose a checkpoint of FFN Workbench, google/ffn or its Windows fork.",
                )
            if int(source.attrs.get("version", 0)) > VERSION:
                raise UserError(
                    f"{path} was written by a newer FFN Workbench (weights format "
                    f"{int(source.attrs['version'])}, this one reads {VERSION}).",
                    "Update FFN Workbench.",
                )
            arrays: dict[str, np.ndarray] = {}
            source[SCOPE].visititems(
                lambda name, item: (
                    arrays.__setitem__(f"{SCOPE}/{name}", item[()])
                    if isinstance(item, h5py.Dataset)
                    else None
                )
            )
            state = source.get(OPTIMIZER)
            variables = [state[key][()] for key in sorted(state)] if optimizer and state else []
            return WeightsFile(
                ModelArgs.from_reference(str(source.attrs["model_args"])),
                int(source.attrs["step"]),
                arrays,
                variables,
            )
    except (OSError, KeyError) as exc:
        raise UserError(
            f"Cannot read weights file {path}: {exc}.",
            "The file may be damaged or incomplete; copy it again or convert the checkpoint again.",
        ) from None
