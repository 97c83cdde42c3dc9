"""The main window: stage navigation, the napari panel, the job panel, project menus.

Wiring only: pages build forms and start jobs through :meth:`MainWindow.run_job`, seeing
the window only as a :class:`~app.pages.host.PageHost`; the worker process does the work;
:class:`LayerPresenter` shows project volumes in napari.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app_model.types import KeyCode, KeyMod
from napari.components import ViewerModel
from PyQt5.QtCore import QT_TRANSLATE_NOOP, QSettings, Qt
from PyQt5.QtWidgets import (
    QAction,
    QActionGroup,
    QDockWidget,
    QFileDialog,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import (
    LANGUAGES,
    engine_text,
    install_language,
    preferred_language,
    save_language,
)
from app.job_panel import JobPanel
from app.launch import DEFAULT_DEMO_DIR
from app.pages.base import StagePage, inference_runs, run_segmentation_spec
from app.pages.export_page import ExportPage
from app.pages.host import ResultHandler
from app.pages.import_page import ImportPage
from app.pages.infer_page import InferPage
from app.pages.preprocess_page import PreprocessPage
from app.pages.train_page import TrainPage
from app.tall_scroll_area import TallScrollArea
from app.view_state import apply_view, capture_view
from app.viewer_panel import LayerPresenter, ViewerPanel, name_axes_zyx, run_layer_name
from app.welcome import WelcomeWidget, create_demo_project
from app.worker import WorkerClient
from ffn_core.errors import UserError
from ffn_core.jobs import engine_command
from ffn_core.project import Project, holds_files, is_project
from ffn_core.project_lock import ProjectLock
from ffn_core.protocol import Result
from ffn_core.stages import StageConfig

MAX_RECENT = 8
# titles are translated in the "MainWindow" context (marked for pylupdate5)
STAGE_TITLES = (
    ("import", QT_TRANSLATE_NOOP("MainWindow", "1  Import")),
    ("preprocess", QT_TRANSLATE_NOOP("MainWindow", "2  Preprocess")),
    ("train", QT_TRANSLATE_NOOP("MainWindow", "3  Train")),
    ("infer", QT_TRANSLATE_NOOP("MainWindow", "4  Infer")),
    ("export", QT_TRANSLATE_NOOP("MainWindow", "5  Export")),
)
PAGE_CLASSES: dict[str, type[StagePage]] = {
    "import": ImportPage,
    "preprocess": PreprocessPage,
    "train": TrainPage,
    "infer": InferPage,
    "export": ExportPage,
}


class MainWindow(QMainWindow):
    """FFN Workbench's window. ``settings`` holds recent projects (QSettings)."""

    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self.setWindowTitle("FFN Workbench")
        self.settings = settings or QSettings("FFN Workbench", "FFN Workbench")
        self.project: Project | None = None
        self.project_lock: ProjectLock | None = None  # one window per project
        self.client = WorkerClient(self)
        self.viewer = ViewerModel(title="FFN Workbench")
        name_axes_zyx(self.viewer)
        self.presenter = LayerPresenter(self.viewer)
        self.viewer_panel = ViewerPanel(self.viewer)
        self.job_panel = JobPanel(self.client)
        self._on_result: ResultHandler | None = None
        self.pages: dict[str, StagePage] = {}
        self.console = None
        self.inspect = self.inspect_dock = None
        self._build_central()
        self._build_docks()
        self._build_menus()
        self.viewer_panel.apply_theme(self)
        self.client.result.connect(self._on_client_result)
        self.client.error.connect(
            lambda message, hint: self.show_error(message, hint, logged=False)
        )
        self.client.started.connect(lambda *_: self._set_running(True))
        self.client.finished.connect(self._on_client_finished)
        self.resize(1400, 900)
        self.restoreGeometry(self.settings.value("window/geometry", b""))
        self._show_project_state()

    # -- layout -------------------------------------------------------------------
    def _build_central(self) -> None:
        self.navigation = QListWidget()
        self.navigation.setObjectName("stageNavigation")
        self.stack = QStackedWidget()
        for stage, title in STAGE_TITLES:
            page = PAGE_CLASSES[stage](self)
            self.pages[stage] = page
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.NoFrame)
            scroll.setWidget(page)
            self.stack.addWidget(scroll)
            self.navigation.addItem(self.tr(title))
        self.navigation.setFixedHeight(
            self.navigation.sizeHintForRow(0) * len(STAGE_TITLES)
            + 2 * self.navigation.frameWidth()
            + 4
        )
        self.navigation.currentRowChanged.connect(self.stack.setCurrentIndex)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(4, 4, 4, 4)
        column.addWidget(self.navigation)
        column.addWidget(self.stack, 1)
        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.viewer_panel)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([500, 900])
        self.welcome = WelcomeWidget(self.recent_projects())
        self.welcome.new_requested.connect(self.new_project_dialog)
        self.welcome.open_requested.connect(self.open_project)
        self.welcome.demo_requested.connect(self.demo_dialog)
        self.central = QStackedWidget()
        self.central.addWidget(self.welcome)
        self.central.addWidget(splitter)
        self.setCentralWidget(self.central)
        self.navigation.setCurrentRow(0)

    def _build_docks(self) -> None:
        qtv = self.viewer_panel.qt_viewer
        qtv.viewerButtons.consoleButton.hide()  # one console: ours (View › Python console)
        # With the view focused napari takes Ctrl+Shift+C for its own console, which needs a
        # napari Window ("'ViewerModel' object has no attribute 'window'"): it opens ours.
        self.viewer.bind_key(
            KeyMod.CtrlCmd | KeyMod.Shift | KeyCode.KeyC,
            lambda _viewer: self.show_console() and None,
            overwrite=True,
        )
        # the right column (layer controls and list, Inspect) takes the full height and the
        # job dock goes under the stages and the view: the window fits a 1280×800 screen
        self.setCorner(Qt.BottomRightCorner, Qt.RightDockWidgetArea)
        self.addDockWidget(Qt.RightDockWidgetArea, qtv.dockLayerControls)
        self.addDockWidget(Qt.RightDockWidgetArea, qtv.dockLayerList)
        self.job_dock = QDockWidget(self.tr("Job"), self)
        self.job_dock.setObjectName("jobDock")
        self.job_dock.setWidget(self.job_panel)
        self.job_dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable)
        self.addDockWidget(Qt.BottomDockWidgetArea, self.job_dock)
        self.resizeDocks([self.job_dock], [190], Qt.Vertical)

    def _build_menus(self) -> None:
        menu = self.menuBar().addMenu(self.tr("&File"))
        menu.addAction(self._action(self.tr("&New project..."), self.new_project_dialog, "Ctrl+N"))
        menu.addAction(
            self._action(self.tr("&Open project..."), self.open_project_dialog, "Ctrl+O")
        )
        menu.addAction(self._action(self.tr("Try the &demo..."), self.demo_dialog))
        self.recent_menu = menu.addMenu(self.tr("Recent projects"))
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        menu.addSeparator()
        menu.addAction(self._action(self.tr("&Quit"), self.close, "Ctrl+Q"))
        view = self.menuBar().addMenu(self.tr("&View"))
        view.addAction(self._action(self.tr("Python &console"), self.show_console, "Ctrl+Shift+C"))
        view.addAction(self._action(self.tr("&Inspect runs"), self.show_inspect, "Ctrl+I"))
        self._build_language_menu(self.menuBar().addMenu(self.tr("&Settings")))
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        help_menu.addAction(
            self._action(self.tr("&About and diagnostics..."), self.show_diagnostics)
        )

    def _build_language_menu(self, settings_menu) -> None:
        self.language_menu = settings_menu.addMenu(self.tr("&Language"))
        group = QActionGroup(self)
        current = preferred_language(self.settings)
        for code, name in LANGUAGES.items():
            action = self.language_menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(code == current)
            action.setData(code)
            group.addAction(action)
            action.triggered.connect(lambda _checked=False, c=code: self.choose_language(c))

    def choose_language(self, language: str) -> None:
        """Remember ``language``; windows built from now on use it, this one after a restart."""
        if language == preferred_language(self.settings):
            return
        save_language(language, self.settings)
        install_language(language)
        box = QMessageBox(
            QMessageBox.Information,
            "FFN Workbench",
            self.tr("The language changes when FFN Workbench starts next time."),
            QMessageBox.Ok,
            self,
        )
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.setObjectName("languageBox")
        box.open()

    def check_environment(self) -> WorkerClient:
        """Run the worker's env check quietly; a failure (no backend...) becomes a dialog."""
        checker = WorkerClient(self)
        checker.error.connect(
            lambda message, hint: self.show_error(
                self.tr("The engine cannot start: {0}").format(message), hint
            )
        )
        checker.finished.connect(lambda _status: checker.deleteLater())
        checker.start_command(engine_command("env"), "env")
        return checker

    def show_diagnostics(self):
        """The About dialog with the worker's environment check (backends, GPUs, defaults)."""
        from app.diagnostics import DiagnosticsDialog

        dialog = DiagnosticsDialog(self)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def show_inspect(self):
        """The Inspect dock of the open project's inference runs (built on first use)."""
        if self.project is None:
            return None
        if self.inspect is None:
            from app.inspect.inspect_panel import InspectPanel

            self.inspect = InspectPanel(self.viewer, self.project.root)
            self.inspect_dock = QDockWidget(self.tr("Inspect"), self)
            self.inspect_dock.setObjectName("inspectDock")
            self.inspect_dock.setWidget(TallScrollArea(self.inspect))
            self.addDockWidget(Qt.RightDockWidgetArea, self.inspect_dock)
            self.tabifyDockWidget(self.viewer_panel.qt_viewer.dockLayerControls, self.inspect_dock)
        self.inspect_dock.show()
        self.inspect_dock.raise_()
        return self.inspect

    def _close_inspect(self) -> None:
        if self.inspect is not None:
            self.inspect.release()
            self.removeDockWidget(self.inspect_dock)
            self.inspect_dock.deleteLater()
            self.inspect = self.inspect_dock = None

    def show_console(self):
        """The Python console dock (in-process kernel with ``project`` and ``viewer``)."""
        if self.console is None:
            from app.console import ConsoleWidget

            self.console = ConsoleWidget()
            self.console.push({"viewer": self.viewer})
            self.console.set_project(self.project.root if self.project else None)
            self.console_dock = QDockWidget(self.tr("Console"), self)
            self.console_dock.setObjectName("consoleDock")
            self.console_dock.setWidget(self.console)
            self.tabifyDockWidget(self.job_dock, self.console_dock)
        self.console_dock.show()
        self.console_dock.raise_()
        return self.console

    def _action(self, text: str, slot: Callable[[], object], shortcut: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(shortcut)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def show_stage(self, stage: str) -> StagePage:
        """Switch the navigation to ``stage`` and return its page."""
        self.navigation.setCurrentRow([s for s, _ in STAGE_TITLES].index(stage))
        return self.pages[stage]

    # -- projects -----------------------------------------------------------------
    def new_project_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Folder for the new project (empty or new)"), self.start_folder()
        )
        if folder:
            self.open_project(folder, create=True)

    def open_project_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Open project folder"), self.start_folder()
        )
        if folder:
            self.open_project(folder)

    def start_folder(self) -> str:
        """Where folder dialogs start: beside the latest project, else the home folder."""
        recent = self.recent_projects()
        return str(Path(recent[0]).parent if recent else Path.home())

    def demo_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Folder for the demo project"), str(DEFAULT_DEMO_DIR.parent)
        )
        if folder:
            self.start_demo(folder)

    def start_demo(self, folder: str | Path) -> bool:
        """Write the synthetic demo stacks into a project at ``folder`` (an empty or new one,
        or a project) and prefill Import."""
        if not is_project(folder) and self._refuse_files_in(folder):
            return False
        try:
            images, labels = create_demo_project(folder)
        except (UserError, OSError) as exc:
            self.show_error(
                getattr(exc, "message", str(exc)),
                getattr(exc, "hint", "Choose a folder you can write to."),
            )
            return False
        if not self.open_project(folder):
            return False
        page = self.show_stage("import")
        page.images.set_path(str(images))
        page.labels.set_path(str(labels))
        self.statusBar().showMessage(
            self.tr(
                "Demo data written: press Import to bring it "
                "into the project, then go through the stages."
            )
        )
        return True

    def _lock_for(self, root: Path) -> ProjectLock:
        """The lock of the project at ``root``: the one this window holds, else a new one
        (a UserError when another window has the project open)."""
        if self.project_lock is not None and self.project_lock.path.parent == Path(root):
            return self.project_lock
        return ProjectLock(root).acquire()

    def open_project(self, folder: str | Path, create: bool = False) -> bool:
        """Open (or create) the project in ``folder``; errors go to a message box.

        A new project needs an empty or new folder; for a folder that holds a project
        already the user is offered to open it. Only projects that opened go to Recent.
        """
        if self.client.is_running():
            self.show_error(
                self.tr("A job is running."), self.tr("Stop it before switching projects.")
            )
            return False
        if create and is_project(folder):
            self._offer_to_open(folder)
            return False
        if create and self._refuse_files_in(folder):
            return False
        try:
            project = Project.create(folder, empty_only=True) if create else Project.open(folder)
            lock = self._lock_for(project.root)
        except UserError as exc:
            self.show_error(exc.message, exc.gui_hint)
            return False
        except OSError as exc:
            self.show_error(
                self.tr("Cannot use {0}: {1}.").format(folder, exc),
                self.tr("Choose a folder you can write to."),
            )
            return False
        self.save_view()
        self._close_inspect()
        self.presenter.release_all()
        if self.project_lock is not None and self.project_lock is not lock:
            self.project_lock.release()
        self.project_lock = lock
        self.project = self.presenter.project = project
        if self.console is not None:
            self.console.set_project(project.root)
        self._remember_recent(str(project.root))
        self._show_project_state()
        self._show_project_volumes()
        for page in self.pages.values():
            page.project_opened()
        self._restore_view(project.view_state())
        return True

    def _refuse_files_in(self, folder: str | Path) -> bool:
        """True (after saying why) when ``folder`` holds files: no place for a new project."""
        if not holds_files(folder):
            return False
        self.show_error(
            self.tr("{0} is not empty: a new project needs an empty or new folder.").format(folder),
            self.tr("Choose an empty folder, or type the name of a new one."),
        )
        return True

    def _offer_to_open(self, folder: str | Path) -> None:
        box = QMessageBox(
            QMessageBox.Question,
            "FFN Workbench",
            self.tr("{0} already holds a project.").format(folder),
            QMessageBox.Open | QMessageBox.Cancel,
            self,
        )
        box.setInformativeText(self.tr("Open it instead of creating a new one?"))
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.setObjectName("openExistingBox")
        box.accepted.connect(lambda: self.open_project(folder))
        box.open()

    def save_view(self) -> None:
        """Keep how the viewer shows the open project (layers, slice, camera, the run in
        Inspect) in its folder, for :meth:`open_project` to show it so again."""
        if self.project is None or not is_project(self.project.root):  # moved or deleted
            return
        state = capture_view(self.viewer)
        state["segmentations"] = [
            run for run in inference_runs(self.project) if run_layer_name(run) in self.viewer.layers
        ]
        state["inspect_run"] = self.inspect.runs.currentText() if self.inspect else None
        try:
            self.project.save_view_state(state)
        except OSError as exc:
            self.log(f"Cannot keep the viewer's state: {exc}")

    def _restore_view(self, state: dict) -> None:
        """Show the result layers of ``state`` (:meth:`save_view`) again, then its view."""
        for run in state.get("segmentations") or []:
            if isinstance(run, str) and self.project.path("inference", run).is_dir():
                try:
                    self.presenter.show_segmentation(
                        run_layer_name(run), run_segmentation_spec(self.project, run)
                    )
                except (OSError, KeyError) as exc:
                    self.log(f"Cannot show the segmentation of run {run}: {exc}")
        inspect_run = state.get("inspect_run")
        if isinstance(inspect_run, str) and inspect_run:
            runs = self.show_inspect().runs
            if runs.findText(inspect_run) >= 0:
                runs.setCurrentIndex(runs.findText(inspect_run))
        apply_view(self.viewer, state)

    def recent_projects(self) -> list[str]:
        """Recently opened project folders that still hold a project, newest first."""
        value = self.settings.value("recentProjects", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in value or [] if is_project(v)]

    def _remember_recent(self, folder: str) -> None:
        recent = [folder] + [f for f in self.recent_projects() if f != folder]
        self.settings.setValue("recentProjects", recent[:MAX_RECENT])

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for folder in self.recent_projects():
            action = self.recent_menu.addAction(folder)
            action.triggered.connect(lambda _c=False, f=folder: self.open_project(f))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction(self.tr("(none)")).setEnabled(False)

    def _show_project_state(self) -> None:
        name = (
            f"{self.project.name} — {self.project.root}" if self.project else self.tr("no project")
        )
        self.setWindowTitle(f"FFN Workbench — {name}")
        self.statusBar().showMessage(
            self.tr("Project: {0}").format(self.project.root)
            if self.project
            else self.tr("Create a project (File › New project) or open one to begin.")
        )
        self.central.setCurrentIndex(1 if self.project else 0)
        for dock in self.findChildren(QDockWidget):
            dock.setVisible(self.project is not None)
        if self.project is None:
            self.welcome.set_recent(self.recent_projects())
        for page in self.pages.values():
            page.setEnabled(self.project is not None)
            page.project_changed()

    def _show_project_volumes(self) -> None:
        volumes = self.project.data.get("volumes", {}) if self.project else {}
        try:
            if "image" in volumes:
                self.presenter.show_image("image", self.project.volume_spec("image"))
            if "labels" in volumes:
                self.presenter.show_labels("labels", self.project.volume_spec("labels"))
        except (OSError, KeyError) as exc:
            self.log(f"Cannot show the project's volumes: {exc}")

    # -- jobs -------------------------------------------------------------------------
    def run_job(self, config: StageConfig, on_result: ResultHandler | None = None) -> bool:
        """Run ``config``'s stage on the open project in the worker process."""
        if self.project is None:
            self.show_error(
                self.tr("No project is open."), self.tr("Create or open a project first.")
            )
            return False
        if self.client.is_running():
            self.show_error(
                self.tr("A job is already running."), self.tr("Wait for it or press Stop.")
            )
            return False
        try:
            self.client.start(config, self.project.root)
        except OSError as exc:
            self.show_error(
                self.tr("Cannot write the job file: {0}.").format(exc),
                self.tr("Check that the project folder is writable."),
            )
            return False
        self._on_result = on_result
        return True

    def _on_client_result(self, record: Result) -> None:
        self._reload_project()
        if self._on_result is not None:
            self._on_result(record)
        if record.stage == "infer" and self.inspect is not None:
            self.presenter.release(f"segmentation {record.extra.get('run', '')}")  # Inspect
            self.inspect.refresh_runs()

    def _on_client_finished(self, status: str) -> None:
        self._on_result = None
        if status != "completed":  # volumes released for the job come back as they were
            self._reload_project()
            if "image" not in self.viewer.layers:
                self._show_project_volumes()
        self._set_running(False)

    def _reload_project(self) -> None:
        if self.project is not None:
            try:
                self.project.reload()
            except UserError as exc:
                self.log(f"Cannot re-read the project: {exc.message}")

    def _set_running(self, running: bool) -> None:
        for page in self.pages.values():
            page.job_running_changed(running)

    def log(self, text: str) -> None:
        """A line in the job panel's log."""
        self.job_panel.append_log(text)

    def show_error(self, message: str, hint: str = "", logged: bool = True) -> None:
        """A message box with what went wrong and what to do (also logged)."""
        message, hint = engine_text(message), engine_text(hint)
        if logged:
            self.log(f"ERROR: {message} {hint}".rstrip())
        box = QMessageBox(QMessageBox.Warning, "FFN Workbench", message, QMessageBox.Ok, self)
        box.setInformativeText(hint)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.setObjectName("errorBox")
        box.open()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self.client.is_running():
            self.client.stop()
            if not self.client.wait_for_finished(15_000):
                self.client.kill()
                self.client.wait_for_finished(5_000)
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.save_view()
        for page in self.pages.values():
            page.shutdown()
        if self.console is not None:
            self.console.shutdown()
        self._close_inspect()
        self.presenter.release_all()
        if self.project_lock is not None:
            self.project_lock.release()
        self.viewer_panel.close_viewer()
        super().closeEvent(event)
