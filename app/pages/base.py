"""What every stage page shares: its host (the main window), the open project, helpers."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PyQt5.QtWidgets import QWidget

from ffn_core.project import Project

if TYPE_CHECKING:
    from app.main_window import MainWindow


def last_run_params(project: Project | None, stage: str) -> dict[str, Any]:
    """Parameters of the latest run of ``stage`` in the project's history (or ``{}``)."""
    if project is None:
        return {}
    for run in reversed(project.data.get("runs", [])):
        if run.get("stage") == stage:
            return dict(run.get("params") or {})
    return {}


class StagePage(QWidget):
    """A page of the stage navigation; subclasses build a form and start jobs via the host."""

    title = ""
    stage = ""

    def __init__(self, host: "MainWindow", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host

    @property
    def project(self) -> Project | None:
        return self.host.project

    def project_changed(self) -> None:
        """The host opened another project (or reloaded it after a job)."""

    def job_running_changed(self, running: bool) -> None:
        """A job started (``True``) or ended; pages disable their start buttons."""

    def shutdown(self) -> None:
        """The window closes: end what the page started (servers, timers)."""


def inference_runs(project: Project | None) -> list[str]:
    """Names of the project's inference runs that have a ``segmentation.h5``."""
    if project is None:
        return []
    return sorted(path.parent.name for path in project.path("inference").glob("*/segmentation.h5"))


def run_segmentation_spec(project: Project, run: str) -> str:
    """``<project>/inference/<run>/segmentation.h5:segmentation``."""
    return f"{project.path('inference', run, 'segmentation.h5')}:segmentation"
