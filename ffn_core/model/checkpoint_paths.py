"""Where a checkpoint is: :func:`resolve_checkpoint` turns a prefix, one of its files, a
portable weights file or a folder into the checkpoint it means, without loading anything (no
backend: the GUI checks a checkpoint field with it before a job starts)."""

from __future__ import annotations

import re
from pathlib import Path

from ffn_core.errors import UserError
from ffn_core.model.weights_file import SUFFIX, is_weights_file

__all__ = ["resolve_checkpoint"]

_DATA_SUFFIX = re.compile(r"\.(index|meta|data-\d+-of-\d+)$")


def _step_of(prefix: Path) -> int:
    match = re.search(r"-(\d+)$", prefix.name.removesuffix(SUFFIX))
    return int(match.group(1)) if match else -1


def _mtime(checkpoint: Path) -> float:
    index = checkpoint.with_name(checkpoint.name + ".index")
    return (checkpoint if is_weights_file(checkpoint) else index).stat().st_mtime


def resolve_checkpoint(path: str | Path) -> str:
    """The checkpoint for ``path``: a prefix, one of its files, a weights file, or a folder.

    A folder means its latest checkpoint (highest step, then newest; a portable file wins over
    a TensorFlow checkpoint of the same step); a training run folder (``runs/<name>``) the
    latest of its ``checkpoints/``.
    """
    path = Path(path)
    if (path / "checkpoints").is_dir():  # a training run folder
        path = path / "checkpoints"
    if path.is_dir():
        candidates = [p.with_suffix("") for p in path.glob("*.index")]
        candidates += [p for p in path.glob(f"*{SUFFIX}") if not p.name.startswith(".")]
        if not candidates:
            raise UserError(
                f"No checkpoint in folder {path} (no *.index or *{SUFFIX} file).",
                "Choose a checkpoint such as .../model.ckpt-7000000 or a run folder.",
            )
        return str(max(candidates, key=lambda p: (_step_of(p), is_weights_file(p), _mtime(p))))
    if is_weights_file(path):
        if not path.is_file():
            raise UserError(f"Weights file {path} not found.", "Choose an existing file.")
        return str(path)
    prefix = Path(_DATA_SUFFIX.sub("", str(path)))
    if not Path(str(prefix) + ".index").is_file():
        raise UserError(
            f"Checkpoint {prefix} not found (no {prefix.name}.index beside it).",
            "Give the checkpoint prefix, e.g. .../model.ckpt-7000000 (the .index "
            "and .data-* files must be there), or the folder that holds it.",
        )
    return str(prefix)
