"""What every stage shares: a frozen config with ``to_dict``/``from_dict``, and its result.

A stage is a frozen dataclass ``<Stage>Config`` (validated in ``__post_init__`` with
:class:`~ffn_core.errors.UserError`) and one function::

    def stage(config: <Stage>Config, project: Project, *, emit: Emitter | None = None,
              cancel: CancelToken | None = None) -> StageResult

usable from a notebook, the Python console, a Dask worker or the CLI alike.
"""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter, TextEmitter

if TYPE_CHECKING:
    from ffn_core.project import Project

__all__ = ["StageConfig", "StageResult", "open_stage_project", "reporting"]

C = TypeVar("C", bound="StageConfig")


@dataclasses.dataclass
class StageResult:
    """What a stage returns: its ``outputs`` (paths or ``file.h5:dataset`` specs), how it
    ended (``completed`` or ``stopped``) and stage-specific figures in ``extra``."""

    outputs: dict[str, Any]
    status: str = "completed"
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)


class StageConfig:
    """Mixin of the frozen ``<Stage>Config`` dataclasses: JSON-ready round trip.

    ``to_dict`` gives plain JSON values (tuples as lists); ``from_dict`` accepts them back,
    refusing unknown keys with a clear error, and validates through the constructor.
    """

    stage: ClassVar[str] = ""
    #: whether running the stage creates its project folder when missing (import does)
    creates_project: ClassVar[bool] = False

    def to_dict(self) -> dict[str, Any]:
        """The config as JSON-ready values (what the run history stores)."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]

    @classmethod
    def from_dict(cls: type[C], data: dict[str, Any]) -> C:
        """The config stored by :meth:`to_dict` (lists become tuples again)."""
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(data) - names)
        if unknown:
            raise UserError(
                f"Unknown {cls.stage or cls.__name__} setting(s): {', '.join(unknown)}.",
                f"Use only: {', '.join(sorted(names))}.",
            )
        return cls(**{k: _tuples(v) for k, v in data.items()})

    def replace(self: C, **changes: Any) -> C:
        """A copy with ``changes`` applied (validated again)."""
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]


def reporting(
    stage: str, emit: Emitter | None, cancel: CancelToken | None
) -> tuple[Emitter, CancelToken]:
    """The emitter and stop token a stage function uses when its caller gave none:
    readable lines on standard output and a token nobody cancels."""
    return emit or TextEmitter(stage=stage), cancel or CancelToken()


def open_stage_project(config: StageConfig, folder: str | os.PathLike) -> Project:
    """The project ``config``'s stage runs on: created when missing for a stage that creates
    projects (import), else opened (a clear error when ``folder`` holds none)."""
    from ffn_core.project import Project

    return Project.open_or_create(folder) if config.creates_project else Project.open(folder)


def _plain(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and hasattr(value, "to_dict"):
        return value.to_dict()
    return value


def _tuples(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value
