"""The project folder: ``project.json`` (versioned), volumes, runs and exports.

Layout (all paths stored relative to the folder, so it can be moved)::

    <project>/project.json     schema version, stage parameters, volumes, run history
    <project>/volumes/*.h5     imported image and label volumes
    <project>/preprocess/      partitions, coordinates
    <project>/{volumes,preprocess}/<name>/  the same for a further named volume
    <project>/runs/<name>/     training runs
    <project>/inference/<name>/ inference runs
    <project>/exports/
    <project>/view.json        how the GUI's viewer last showed the project (layers, position)

Every write of ``project.json`` and ``view.json`` is atomic (temporary file + rename).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ffn_core.errors import UserError
from ffn_core.io.atomic import atomic_write_text

SCHEMA_VERSION = 1
PROJECT_FILE = "project.json"
VIEW_FILE = "view.json"
VIEW_VERSION = 1
STAGES = ("import", "preprocess", "train", "infer", "export")
MAIN_VOLUME = "main"  # the project's own image/labels pair; others are named at import


def volume_key(kind: str, volume: str = MAIN_VOLUME) -> str:
    """The record name of the ``kind`` ("image", "labels") of training volume ``volume``.

    Examples
    --------
    >>> volume_key("labels"), volume_key("labels", "stack2")
    ('labels', 'stack2/labels')
    """
    return kind if volume == MAIN_VOLUME else f"{volume}/{kind}"


def check_volume_name(name: str) -> str:
    """``name`` when it can name a training volume (a folder name); else a UserError."""
    if not name or not all(c.isalnum() or c in "-_." for c in name) or name.startswith("."):
        raise UserError(
            f"'{name}' cannot name a volume.",
            "Use letters, digits, '-', '_' and '.' (e.g. stack2).",
        )
    return name


def parse_volume_names(value: str | Sequence[str]) -> tuple[str, ...]:
    """``"main,stack2"`` (or a sequence) as distinct volume names.

    Examples
    --------
    >>> parse_volume_names("main,stack2")
    ('main', 'stack2')
    """
    names = tuple(
        check_volume_name(name.strip())
        for name in (value.split(",") if isinstance(value, str) else value)
    )
    if not names or len(set(names)) < len(names):
        raise UserError(
            f"Volumes '{','.join(names)}' are empty or name a volume twice.",
            "Give each volume once, e.g. main,stack2.",
        )
    return names


def is_project(folder: str | os.PathLike) -> bool:
    """Whether ``folder`` holds an FFN Workbench project (a ``project.json``)."""
    return (Path(folder) / PROJECT_FILE).is_file()


def holds_files(folder: str | os.PathLike) -> bool:
    """Whether ``folder`` exists and holds anything (a file or a folder)."""
    folder = Path(folder)
    return folder.is_dir() and any(folder.iterdir())


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


class Project:
    """An FFN Workbench project folder.

    Use :meth:`create`, :meth:`open` or :meth:`open_or_create`; change ``data`` through
    the methods here, which save atomically.
    """

    def __init__(self, root: Path, data: dict[str, Any]) -> None:
        self.root = Path(root).resolve()
        self.data = data

    # -- creation and validation -------------------------------------------------
    @classmethod
    def create(
        cls, root: str | os.PathLike, name: str | None = None, empty_only: bool = False
    ) -> Project:
        """Create a new project folder (it may exist but must not hold a project).

        Parameters
        ----------
        root : path-like
            The project folder, created when missing.
        name : str, optional
            The project's name (default: the folder's).
        empty_only : bool
            Refuse a folder that holds anything (the GUI's New project: a project's
            folders must not mix with the user's own files).
        """
        root = Path(root)
        if is_project(root):
            raise UserError(f"{root} already holds a project.", "Open it instead of creating it.")
        if empty_only and holds_files(root):
            raise UserError(
                f"{root} is not empty.",
                "Choose an empty folder, or type the name of a new one, for the project.",
            )
        data = {
            "schema_version": SCHEMA_VERSION,
            "name": name or root.resolve().name,
            "created": _now(),
            "stages": {stage: {} for stage in STAGES},
            "volumes": {},
            "runs": [],
        }
        project = cls(root, data)
        project.save()
        return project

    @classmethod
    def open(cls, root: str | os.PathLike) -> Project:
        """Open and validate an existing project folder."""
        root = Path(root)
        path = root / PROJECT_FILE
        if not path.is_file():
            raise UserError(
                f"{root} is not an FFN Workbench project (no {PROJECT_FILE}).",
                "Choose the project folder, or create a new project.",
            )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise UserError(
                f"{path} is damaged: {exc}.",
                "Restore project.json from a backup or create a new project.",
            ) from exc
        cls._validate(path, data)
        return cls(root, data)

    @classmethod
    def open_or_create(cls, root: str | os.PathLike) -> Project:
        """Open the project at ``root``, creating it when missing."""
        if is_project(root):
            return cls.open(root)
        return cls.create(root)

    @staticmethod
    def _validate(path: Path, data: Any) -> None:
        if not isinstance(data, dict) or "schema_version" not in data:
            raise UserError(
                f"{path} has no schema_version.", "This file was not written by FFN Workbench."
            )
        version = data["schema_version"]
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise UserError(
                f"{path} was written by a newer FFN Workbench (schema {version}; "
                f"this version reads up to {SCHEMA_VERSION}).",
                "Update FFN Workbench to open this project.",
            )
        for key, kind in (("stages", dict), ("volumes", dict), ("runs", list)):
            if not isinstance(data.get(key), kind):
                raise UserError(
                    f"{path} is missing '{key}'.",
                    "Restore project.json from a backup or create a new project.",
                )

    def save(self) -> None:
        """Write ``project.json`` atomically."""
        atomic_write_text(
            self.root / PROJECT_FILE, json.dumps(self.data, indent=2, ensure_ascii=False) + "\n"
        )

    def reload(self) -> None:
        """Re-read ``project.json`` (another process, the worker, may have changed it)."""
        self.data = Project.open(self.root).data

    # -- paths ------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.data["name"]

    def path(self, *parts: str) -> Path:
        """Absolute path of ``parts`` inside the project folder."""
        return self.root.joinpath(*parts)

    def volume_folder(self, area: str, volume: str = MAIN_VOLUME) -> Path:
        """``<project>/<area>/`` of the main volume, ``<project>/<area>/<volume>/`` of another."""
        return self.path(area) if volume == MAIN_VOLUME else self.path(area, volume)

    def relative(self, path: str | os.PathLike) -> str:
        """``path`` relative to the project folder, with forward slashes."""
        return Path(os.path.relpath(Path(path).resolve(), self.root)).as_posix()

    # -- the viewer's state -------------------------------------------------------
    def view_state(self) -> dict[str, Any]:
        """How the GUI last showed this project (``view.json``; {} when there is none).

        A file that is damaged, or written by a newer version, reads as {} (the view is
        only a convenience: the project opens with the default view).
        """
        try:
            state = json.loads(self.path(VIEW_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        version = state.get("version") if isinstance(state, dict) else None
        if not isinstance(version, int) or version > VIEW_VERSION:
            return {}
        return state

    def save_view_state(self, state: dict[str, Any]) -> None:
        """Write ``state`` (JSON values) to ``view.json`` atomically; ``project.json`` is
        left as it is."""
        text = json.dumps({**state, "version": VIEW_VERSION}, indent=2, ensure_ascii=False)
        atomic_write_text(self.path(VIEW_FILE), text + "\n")

    # -- stage parameters --------------------------------------------------------
    def stage_params(self, stage: str) -> dict[str, Any]:
        """Parameters last used or set for ``stage``."""
        return dict(self.data["stages"].get(stage, {}))

    def set_stage_params(self, stage: str, params: dict[str, Any]) -> None:
        """Replace the parameters of ``stage`` and save."""
        self.data["stages"][stage] = params
        self.save()

    # -- volumes -----------------------------------------------------------------
    def register_volume(
        self, name: str, file: str | os.PathLike, dataset: str, **info: Any
    ) -> None:
        """Record volume ``name`` stored at ``file:dataset`` (inside the project) and save."""
        self.data["volumes"][name] = {"file": self.relative(file), "dataset": dataset, **info}
        self.save()

    def volume(self, name: str) -> dict[str, Any]:
        """The record of volume ``name``; a clear error when it was never imported."""
        try:
            return self.data["volumes"][name]
        except KeyError:
            raise UserError(
                f"Project {self.root} has no '{name}' volume.", "Run the import stage first."
            ) from None

    def volume_spec(self, name: str) -> str:
        """Absolute ``file.h5:dataset`` of volume ``name``."""
        record = self.volume(name)
        return f"{self.path(record['file'])}:{record['dataset']}"

    # -- run history -------------------------------------------------------------
    def begin_run(self, stage: str, params: dict[str, Any]) -> str:
        """Record that ``stage`` started with ``params``; returns the run id."""
        run_id = uuid.uuid4().hex[:12]
        self.data["runs"].append(
            {
                "id": run_id,
                "stage": stage,
                "params": params,
                "started": _now(),
                "ended": None,
                "status": "running",
            }
        )
        self.save()
        return run_id

    def end_run(
        self, run_id: str, status: str, outputs: dict[str, Any] | None = None, message: str = ""
    ) -> None:
        """Record how run ``run_id`` ended (completed, stopped, failed) and save."""
        self.reload()
        for run in self.data["runs"]:
            if run["id"] == run_id:
                run.update(ended=_now(), status=status, outputs=outputs or {}, message=message)
        self.save()
