"""What every stage page shares: its host (a :class:`PageHost`), the open project, helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PyQt5.QtWidgets import QWidget

from app.pages.host import PageHost
from app.pages.wizard import Wizard
from ffn_core.errors import UserError
from ffn_core.project import Project
from ffn_core.stages import StageConfig, config_class

C = TypeVar("C", bound=StageConfig)


def last_run_config(project: Project | None, stage: str) -> StageConfig | None:
    """The config of the latest run of ``stage`` in the project's history, if it can be read.

    The history stores each run's ``config.to_dict()``; entries written by older versions
    (command-line options) or no longer valid read as None.
    """
    if project is None:
        return None
    for run in reversed(project.data.get("runs", [])):
        if run.get("stage") == stage:
            try:
                return config_class(stage).from_dict(dict(run.get("params") or {}))
            except (UserError, TypeError, ValueError):
                return None
    return None


class StagePage(QWidget):
    """A page of the stage navigation; subclasses build a form and start jobs via the host."""

    title = ""
    stage = ""
    wizard: Wizard | None = None
    _filled: dict[str, Any] | None = None  # the values project_opened filled the form with

    def __init__(self, host: PageHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host

    def install_wizard(self, wizard: Wizard) -> Wizard:
        """Make ``wizard`` the page's: its "Next stage →" and missing-input buttons show
        stages through the host, and opening a project resets it."""
        self.wizard = wizard
        wizard.show_stage.connect(lambda stage: self.host.show_stage(stage))
        return wizard

    @property
    def project(self) -> Project | None:
        return self.host.project

    def config_or_error(self, build: Callable[[], C]) -> C | None:
        """The config ``build`` makes from the form; None after showing why it cannot."""
        try:
            return build()
        except UserError as exc:
            self.host.show_error(exc.message, exc.gui_hint)
            return None

    def project_changed(self) -> None:
        """The host opened another project (or reloaded it after a job)."""

    def project_opened(self) -> None:
        """The host opened a project (called after :meth:`project_changed`, never after a
        job): the form shows the settings of the project's latest run of this page's stage,
        or the defaults when it has none, so nothing typed for one project stays for another;
        the wizard is back at its first step, without a result."""
        self.set_field_values(self.stored_fields(last_run_config(self.project, self.stage)))
        self._filled = self.field_values()
        if self.wizard is not None:
            self.wizard.reset()

    def refill_untouched(self) -> None:
        """Fill the form again with the defaults when the project has no run of the page's
        stage and the form still shows what :meth:`project_opened` filled it with: a job (an
        import, a training) may have changed them (the preset that fits the image, the
        latest checkpoint). Pages call it when a job ended."""
        if self.project is None or last_run_config(self.project, self.stage) is not None:
            return
        if self.field_values() == self._filled:
            self.set_field_values(self.stored_fields(None))
            self._filled = self.field_values()

    def stored_fields(self, config: Any) -> dict[str, Any]:
        """The form's values showing ``config`` of this page's stage (None: the defaults);
        pages return their controller's ``<stage>_fields(config)``."""
        return {}

    def field_values(self) -> dict[str, Any]:
        """The form as plain values, as the page's controller reads them."""
        return {}

    def set_field_values(self, values: dict[str, Any]) -> None:
        """Show ``values`` (as :meth:`field_values` gives them) in the form."""

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
