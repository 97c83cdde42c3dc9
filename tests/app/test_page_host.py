"""Stage pages need only their PageHost: every page is built, fed a project and runs a job
(through the REAL worker) in a host that has nothing but the interface's members."""

from __future__ import annotations

import typing

import pytest
from napari.components import ViewerModel

from app.main_window import PAGE_CLASSES
from app.pages.host import PageHost
from app.viewer_panel import LayerPresenter
from app.worker import WorkerClient
from ffn_core.project import Project

JOB_TIMEOUT_MS = 60_000


class BareHost:
    """PageHost's members and nothing else (``__slots__``: any other attribute fails)."""

    __slots__ = (
        "project",
        "viewer",
        "presenter",
        "client",
        "errors",
        "lines",
        "shown",
        "_on_result",
    )

    def __init__(self, project: Project) -> None:
        self.project = project
        self.viewer = ViewerModel()
        self.presenter = LayerPresenter(self.viewer)
        self.client = WorkerClient()
        self.errors: list[tuple[str, str]] = []
        self.lines: list[str] = []
        self.shown: list[str] = []
        self._on_result = None
        self.client.result.connect(lambda record: self._on_result and self._on_result(record))

    def run_job(self, config, on_result=None) -> bool:
        self._on_result = on_result
        self.client.start(config, self.project.root)
        return True

    def show_error(self, message: str, hint: str = "") -> None:
        self.errors.append((message, hint))

    def log(self, text: str) -> None:
        self.lines.append(text)

    def show_stage(self, stage: str):
        self.shown.append(stage)


def test_bare_host_has_the_members_of_the_protocol():
    members = {name for name in vars(PageHost) if not name.startswith("_")}
    members |= set(typing.get_type_hints(PageHost))
    bare = {name for name in vars(BareHost) if not name.startswith("_")} | set(BareHost.__slots__)
    assert members == {
        "project",
        "viewer",
        "presenter",
        "client",
        "run_job",
        "show_error",
        "log",
        "show_stage",
    }
    assert members == bare - {"errors", "lines", "shown", "_on_result"}


@pytest.fixture
def host(qtbot, tmp_path):
    bare = BareHost(Project.create(tmp_path / "project"))
    yield bare
    bare.client.kill()
    bare.client.wait_for_finished(5000)
    bare.presenter.release_all()


def test_every_page_lives_in_a_bare_host(qtbot, host, small_stacks):
    pages = {stage: cls(host) for stage, cls in PAGE_CLASSES.items()}
    for page in pages.values():
        qtbot.addWidget(page)
        page.project_changed()
        page.project_opened()
        page.job_running_changed(False)
    page = pages["import"]
    page.images.set_path(str(small_stacks[0]))
    page.voxel[0].setValue(30.0)
    with qtbot.waitSignal(host.client.finished, timeout=JOB_TIMEOUT_MS) as finished:
        assert page.start_import()
    assert finished.args == ["completed"], host.lines
    assert tuple(host.viewer.layers["image"].scale) == (30.0, 1.0, 1.0)
    page.wizard.next_stage_button.click()  # "Next stage →" goes through the host
    assert host.shown == ["preprocess"]
    host.project.reload()
    page.images.set_path("")
    page.voxel[0].setValue(1.0)
    page.project_opened()  # the form comes back from the stored config
    assert page.images.path() == str(small_stacks[0]) and page.voxel[0].value() == 30.0
    assert not pages["preprocess"].start_preprocess()  # no labels: the page says so
    assert host.errors and "labels" in host.errors[0][0]
    for page in pages.values():
        page.shutdown()
