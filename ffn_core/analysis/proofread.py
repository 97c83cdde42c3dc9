"""Proofreading edits stored as an edit list on top of an inference run's segmentation.

The original segmentation is never changed: ``<project>/inference/<run>/edits.json`` holds
an ordered list of edits (merge, delete, relabel); :func:`apply_edits` replays them.
Undo removes the last edit. Exports and evaluation apply the list block by block through
``ffn_core.io.export.RunSegmentation``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from ffn_core.errors import UserError
from ffn_core.io.atomic import atomic_write_text

EditKind = Literal["merge", "delete", "relabel"]


@dataclass(frozen=True)
class Edit:
    """One proofreading edit.

    ``merge``: every id in ``ids`` becomes ``target`` (default: the first id);
    ``delete``: every id in ``ids`` becomes 0; ``relabel``: ``ids[0]`` becomes ``target``.
    """

    kind: EditKind
    ids: tuple[int, ...]
    target: int | None = None

    def mapping(self) -> dict[int, int]:
        """Old id → new id of this edit."""
        if self.kind == "delete":
            return {i: 0 for i in self.ids}
        if self.kind == "merge":
            target = self.ids[0] if self.target is None else self.target
            return {i: target for i in self.ids}
        if self.kind == "relabel" and self.target is not None and len(self.ids) == 1:
            return {self.ids[0]: self.target}
        raise UserError(f"Invalid edit {self}.", "A relabel names one id and a target id.")


class EditList:
    """The ordered edits of one inference run, saved atomically after every change."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.edits: list[Edit] = []
        if self.path.is_file():
            try:
                records = json.loads(self.path.read_text(encoding="utf-8"))
                self.edits = [Edit(r["kind"], tuple(r["ids"]), r.get("target")) for r in records]
            except (ValueError, TypeError, KeyError) as exc:
                raise UserError(
                    f"The proofreading edits {self.path} cannot be read ({exc}); the run's "
                    "segmentation is shown without them and the file is left as it is.",
                    "Rename or remove the file to start proofreading this run afresh, or "
                    "restore it from a backup.",
                ) from None

    @classmethod
    def for_run(cls, run_dir: Path) -> EditList:
        return cls(Path(run_dir) / "edits.json")

    def add(self, edit: Edit) -> None:
        edit.mapping()  # validates
        self.edits.append(edit)
        self._save()

    def undo(self) -> Edit | None:
        """Remove and return the last edit (None when there is none)."""
        if not self.edits:
            return None
        edit = self.edits.pop()
        self._save()
        return edit

    def _save(self) -> None:
        atomic_write_text(self.path, json.dumps([asdict(e) for e in self.edits], indent=1))


def compose(edits: Iterable[Edit]) -> dict[int, int]:
    """One id → id mapping equivalent to applying ``edits`` in order."""
    mapping: dict[int, int] = {}
    for edit in edits:
        step = edit.mapping()
        mapping = {old: step.get(new, new) for old, new in mapping.items()}
        for old, new in step.items():
            mapping.setdefault(old, new)
    return {old: new for old, new in mapping.items() if old != new}


def apply_edits(segmentation: np.ndarray, edits: Iterable[Edit]) -> np.ndarray:
    """A copy of ``segmentation`` with ``edits`` applied (the input is not modified)."""
    return relabel(segmentation, compose(edits))


def relabel(segmentation: np.ndarray, mapping: dict[int, int]) -> np.ndarray:
    """A copy of ``segmentation`` with every id in ``mapping`` replaced by its value.

    Voxel by voxel, so a volume can be relabelled one block at a time with the
    :func:`compose` of its edits.
    """
    if not mapping:
        return segmentation.copy()
    ids, inverse = np.unique(segmentation, return_inverse=True)
    new_ids = np.array([mapping.get(int(i), int(i)) for i in ids], dtype=segmentation.dtype)
    return new_ids[inverse].reshape(segmentation.shape)
