"""What a stage page may use of the window that hosts it: :class:`PageHost`.

Pages see the open project, the napari viewer and its project layers, the job signals,
and four actions (run a job, show an error, log a line, show another stage's page), nothing
else of the main window. :class:`app.main_window.MainWindow` implements it; tests may host a
page in anything that does. The host calls each page's ``project_changed()`` whenever it opens
or closes a project (pages that list what jobs write, infer and export, call it themselves when
a job ends; on the train page it would reset the run name being typed), and
``project_opened()`` once after it opened a project (the form then shows that project's last
settings of the page's stage).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from napari.components import ViewerModel
from PyQt5.QtWidgets import QWidget

from app.viewer_panel import LayerPresenter
from app.worker import WorkerClient
from ffn_core.project import Project
from ffn_core.protocol import Result
from ffn_core.stages import StageConfig

__all__ = ["PageHost", "ResultHandler"]

ResultHandler = Callable[[Result], None]


class PageHost(Protocol):
    """The interface between stage pages and the window.

    Attributes
    ----------
    project : Project or None
        The open project (re-read after every job).
    viewer : ViewerModel
        The napari viewer, for layers a page draws itself (the inference box).
    presenter : LayerPresenter
        Shows and releases project volumes as layers.
    client : WorkerClient
        The job process; pages connect to its record signals (progress, artifact,
        preview) and never start or stop it themselves.
    """

    viewer: ViewerModel
    presenter: LayerPresenter
    client: WorkerClient

    @property
    def project(self) -> Project | None: ...

    def run_job(self, config: StageConfig, on_result: ResultHandler | None = None) -> bool:
        """Start ``config``'s stage on the open project; ``on_result`` gets its Result.

        False (after telling the user) when no project is open or a job runs.
        """

    def show_error(self, message: str, hint: str = "") -> None:
        """Tell the user what went wrong and what to do."""

    def log(self, text: str) -> None:
        """A line in the job log."""

    def show_stage(self, stage: str) -> QWidget:
        """Show ``stage``'s page (``"import"`` ... ``"export"``) and return it."""
