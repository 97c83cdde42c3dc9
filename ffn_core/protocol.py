"""The worker protocol: typed event records, one writer (:func:`encode`), one reader
(:func:`decode`).

A job prints one JSON object per line on stdout. Every line carries ``type`` (the record
kind) and ``v`` (:data:`PROTOCOL_VERSION`); a job ends with exactly one :class:`Result` or
:class:`Error`. Paths inside the project are sent relative to the project folder (with
``/``), so a worker on another machine can report them; :func:`decode` turns them back into
absolute paths for the reader's project. An artifact's or preview's ``path`` is always a
path; a result's ``outputs`` may hold other values too, so the names of the outputs sent
relative are listed in its ``relative_outputs``. Readers: the GUI's worker client, the demo
pipeline, scripts and tests. Writers: :class:`ffn_core.events.Emitter`.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, ClassVar

import numpy as np

from ffn_core.errors import UserError

__all__ = [
    "PROTOCOL_VERSION",
    "Artifact",
    "Error",
    "Log",
    "Preview",
    "Progress",
    "ProtocolError",
    "Record",
    "Result",
    "decode",
    "encode",
]

PROTOCOL_VERSION = 1


class ProtocolError(UserError):
    """A line that claims to be a protocol record but cannot be read by this version."""


@dataclasses.dataclass(frozen=True)
class Progress:
    """``done`` of ``total`` ``unit`` s, with the rate (units/s) and ETA since the first report."""

    kind: ClassVar[str] = "progress"
    stage: str
    done: float
    total: float
    unit: str = ""
    fraction: float | None = None
    rate: float = 0.0
    eta_s: float | None = None
    elapsed_s: float = 0.0
    metrics: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Log:
    """A line for the log pane (``level``: info, warning, error); ``gui_message`` is the same
    line in the GUI's words where ``message`` names command-line flags (empty: the same)."""

    kind: ClassVar[str] = "log"
    message: str
    level: str = "info"
    stage: str = ""
    gui_message: str = ""


@dataclasses.dataclass(frozen=True)
class Artifact:
    """A file the job wrote that the GUI may show (``path`` or ``file.h5:dataset``)."""

    kind: ClassVar[str] = "artifact"
    name: str
    path: str


@dataclasses.dataclass(frozen=True)
class Preview:
    """A small PNG for the GUI to display."""

    kind: ClassVar[str] = "preview"
    path: str
    name: str = "image"


@dataclasses.dataclass(frozen=True)
class Compute:
    """What the job computes on, sent once before the model runs: the Keras ``backend``, the
    ``device`` (``cpu``/``gpu``), its name and the ``precision``."""

    kind: ClassVar[str] = "compute"
    stage: str
    backend: str
    device: str
    device_name: str
    precision: str


@dataclasses.dataclass(frozen=True)
class Result:
    """The job's final success line: ``outputs`` (paths or specs) and stage-specific ``extra``."""

    kind: ClassVar[str] = "result"
    stage: str
    outputs: dict[str, Any]
    status: str = "completed"
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Error:
    """The job's final failure line: what is wrong and what to do about it (``hint`` at the
    command line, ``gui_hint`` in the GUI's words; empty: the same as ``hint``)."""

    kind: ClassVar[str] = "error"
    stage: str
    message: str
    hint: str = ""
    gui_hint: str = ""


Record = Progress | Log | Artifact | Preview | Compute | Result | Error
_TYPES: dict[str, type] = {
    cls.kind: cls for cls in (Progress, Log, Artifact, Preview, Compute, Result, Error)
}
# On the wire, Artifact.name and Preview.name travel as "kind" (the field name of version 0).
_WIRE_NAMES = {"artifact": {"name": "kind"}, "preview": {"name": "kind"}}
# Fields in the GUI's words, sent only when they say something (older readers never see them).
_SENT_WHEN_SET = {"log": ("gui_message",), "error": ("gui_hint",)}
# The Result outputs sent relative to the project (the other strings there are not paths).
_RELATIVE = "relative_outputs"
_RESULT_WIRE_KEYS = {"type", "v", "stage", "outputs", "status", _RELATIVE}


def encode(record: Record, project_root: str | os.PathLike | None = None) -> str:
    """One JSON line (no newline) for ``record``; paths under ``project_root`` made relative.

    Relative paths on the wire use ``/``. A :class:`Result`'s ``extra`` entries travel as
    top-level keys; the output names sent relative are listed under ``relative_outputs``.

    Raises
    ------
    ValueError
        When a :class:`Result`'s ``extra`` uses a key the wire format needs.
    """
    fields = dataclasses.asdict(record)
    if isinstance(record, (Artifact, Preview)):
        fields["path"] = os.fspath(fields["path"])
    if project_root is not None and isinstance(record, (Artifact, Preview, Result)):
        bases = _bases(Path(project_root))
        if isinstance(record, (Artifact, Preview)):
            fields["path"] = _relative(fields["path"], bases) or fields["path"]
        elif isinstance(record, Result):
            fields["outputs"], relative = _relative_outputs(fields["outputs"], bases)
            if relative:
                fields[_RELATIVE] = relative
    for ours, wire in _WIRE_NAMES.get(record.kind, {}).items():
        fields[wire] = fields.pop(ours)
    for name in _SENT_WHEN_SET.get(record.kind, ()):
        if not fields[name]:
            del fields[name]
    extra = fields.pop("extra", {}) if isinstance(record, Result) else {}
    clashes = sorted(_RESULT_WIRE_KEYS & set(extra))
    if clashes:
        raise ValueError(f"Result extra keys {clashes} clash with the protocol's own keys.")
    line = {"type": record.kind, "v": PROTOCOL_VERSION, **fields, **extra}
    return json.dumps(line, default=_to_json, ensure_ascii=False)


def decode(line: str | bytes, project_root: str | os.PathLike | None = None) -> Record | None:
    """The record on ``line``; None when the line is not a protocol record (library noise).

    Paths sent relative are resolved against ``project_root`` when given.

    Raises
    ------
    ProtocolError
        When the line is a record of another protocol version, of an unknown kind, or
        incomplete.
    """
    try:
        data = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or "type" not in data:
        return None
    version, kind = data.pop("v", None), data.pop("type")
    if version != PROTOCOL_VERSION:
        spoken = (
            "no protocol version (an older FFN Workbench)"
            if version is None
            else f"protocol version {version}"
        )
        raise ProtocolError(
            f"The worker speaks {spoken}; this FFN Workbench reads protocol version "
            f"{PROTOCOL_VERSION}.",
            "Install the same FFN Workbench version on the worker and on this computer.",
        )
    if kind not in _TYPES:
        raise ProtocolError(
            f"Unknown worker record type {kind!r}.",
            "Install the same FFN Workbench version on the worker and here.",
        )
    cls = _TYPES[kind]
    for ours, wire in _WIRE_NAMES.get(kind, {}).items():
        if wire in data:
            data[ours] = data.pop(wire)
    relative = data.pop(_RELATIVE, []) if cls is Result else []
    names = {f.name for f in dataclasses.fields(cls)}
    fields = {k: v for k, v in data.items() if k in names}
    if cls is Result:
        fields["extra"] = {k: v for k, v in data.items() if k not in names}
    try:
        if project_root is not None:
            fields = _resolve_paths(cls, fields, relative, Path(project_root))
        return cls(**fields)
    except (TypeError, AttributeError, KeyError, ValueError) as exc:
        raise ProtocolError(
            f"A {kind} record cannot be read: {exc}.",
            "Install the same FFN Workbench version on the worker and here.",
        ) from exc


def _bases(root: Path) -> tuple[Path, ...]:
    """The project folder as given and resolved (paths may be built from either)."""
    resolved = root.resolve()
    return (root,) if resolved == root else (root, resolved)


def _relative(value: Any, bases: tuple[Path, ...]) -> str | None:
    """``value`` (a path or ``file.h5:dataset``) relative to the project, with ``/``; None
    when it is not an absolute path inside the project.

    Purely lexical: a spec's dataset stays part of the last component, and the file need
    not exist.
    """
    if not isinstance(value, (str, os.PathLike)):
        return None
    path = Path(value)
    if not path.is_absolute():
        return None
    for base in bases:
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            continue
    return None


def _relative_outputs(
    outputs: dict[str, Any], bases: tuple[Path, ...]
) -> tuple[dict[str, Any], list[str]]:
    """``outputs`` with project paths made relative, and the names of those outputs."""
    converted, relative = {}, []
    for name, value in outputs.items():
        sent = _relative(value, bases)
        if sent is not None:
            relative.append(name)
        converted[name] = sent if sent is not None else value
    return converted, relative


def _resolve_paths(
    cls: type, fields: dict[str, Any], relative: list[str], root: Path
) -> dict[str, Any]:
    """``fields`` with the relative paths sent by :func:`encode` made absolute under ``root``."""
    if cls in (Artifact, Preview) and not _is_absolute(fields.get("path", "")):
        return {**fields, "path": _absolute(fields["path"], root)}
    if cls is Result:
        outputs = dict(fields["outputs"])
        for name in relative:
            outputs[name] = _absolute(outputs[name], root)
        return {**fields, "outputs": outputs}
    return fields


def _is_absolute(value: str) -> bool:
    """Absolute on POSIX or on Windows (a worker may run on either)."""
    return PurePosixPath(value).is_absolute() or PureWindowsPath(value).is_absolute()


def _absolute(value: str, root: Path) -> str:
    """The project path ``value`` (``/``-separated, maybe ``file.h5:dataset``) under ``root``.

    A relative path has no drive, so its first ``:`` starts the dataset, which keeps its
    ``/`` separators on every system.
    """
    path, sep, dataset = value.partition(":")
    return str(root / path) + sep + dataset


def _to_json(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)
