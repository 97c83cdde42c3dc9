"""The welcome screen: New project, Open project, recent projects, Try the demo.

The widget only emits signals; the main window opens or creates projects. The demo
project is made by :func:`create_demo_project` (no Qt), which writes the synthetic demo
stacks so the Import page can be prefilled with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtGui import QPixmap
from PyQt5.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ffn_core.demo_data import DemoSpec, write_demo_stacks
from ffn_core.project import Project, is_project

DEMO_DATA = "demo-data"
ICON = Path(__file__).resolve().parents[1] / "resources" / "icons" / "ffn-workbench.png"


def create_demo_project(folder: str | Path, spec: DemoSpec = DemoSpec()) -> tuple[Path, Path]:
    """Create the project ``folder`` (an empty or new one), or reuse the project there, and
    write the demo stacks into it.

    Returns
    -------
    tuple of Path
        The PNG slice folders ``(images_dir, labels_dir)`` under ``folder/demo-data``.
    """
    if is_project(folder):
        project = Project.open(folder)
    else:
        project = Project.create(folder, empty_only=True)
    return write_demo_stacks(project.path(DEMO_DATA), spec)


class WelcomeWidget(QWidget):
    """Start page; ``recent`` are project folders, newest first (from QSettings)."""

    new_requested = pyqtSignal()
    open_requested = pyqtSignal(str)
    demo_requested = pyqtSignal()

    def __init__(self, recent: Sequence[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        self._build()
        self.set_recent(recent)

    def _build(self) -> None:
        title = QLabel(
            self.tr(
                "<h1>FFN Workbench</h1>"
                "<p>Segment neurons in 3D electron microscopy with "
                "Flood-Filling Networks.</p>"
            )
        )
        title.setWordWrap(True)
        header = QHBoxLayout()
        if ICON.is_file():
            icon = QLabel()
            icon.setPixmap(
                QPixmap(str(ICON)).scaled(72, 72, Qt.KeepAspectRatio, Qt.SmoothTransformation)
            )
            header.addWidget(icon)
        header.addWidget(title, 1)
        actions = QGridLayout()
        entries = (
            (
                self.tr("New project…"),
                self.tr("Start from your own image stack."),
                self.new_requested.emit,
            ),
            (
                self.tr("Open project…"),
                self.tr("Continue with a project folder."),
                self._choose_project,
            ),
            (
                self.tr("Try the demo"),
                self.tr(
                    "A small synthetic volume with known neurons: the whole pipeline in minutes."
                ),
                self.demo_requested.emit,
            ),
        )
        self.buttons: list[QPushButton] = []
        for row, (text, hint, slot) in enumerate(entries):
            button = QPushButton(text)
            button.setMinimumWidth(160)
            button.clicked.connect(lambda _checked=False, s=slot: s())
            description = QLabel(hint)
            description.setWordWrap(True)
            actions.addWidget(button, row, 0)
            actions.addWidget(description, row, 1)
            self.buttons.append(button)
        self.new_button, self.open_button, self.demo_button = self.buttons
        actions.setColumnStretch(1, 1)
        self.recent_list = QListWidget()
        self.recent_list.setObjectName("recentProjects")
        self.recent_list.itemActivated.connect(self._open_item)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.addLayout(header)
        layout.addLayout(actions)
        layout.addSpacing(12)
        layout.addWidget(QLabel(self.tr("<b>Recent projects</b> (double-click to open)")))
        layout.addWidget(self.recent_list, 1)

    def set_recent(self, folders: Sequence[str]) -> None:
        """Show the project folders ``folders``, newest first."""
        self.recent_folders = list(folders)
        self.recent_list.clear()
        for folder in folders:
            item = QListWidgetItem(folder)
            item.setData(Qt.UserRole, str(folder))
            item.setToolTip(str(folder))
            self.recent_list.addItem(item)
        if not folders:
            item = QListWidgetItem(self.tr("No recent projects yet."))
            item.setFlags(Qt.NoItemFlags)
            self.recent_list.addItem(item)

    def _open_item(self, item: QListWidgetItem) -> None:
        folder = item.data(Qt.UserRole)
        if folder:
            self.open_requested.emit(folder)

    def choose_folder(self) -> str:
        """Ask for a project folder, starting beside the latest one ('' when cancelled)."""
        start = Path(self.recent_folders[0]).parent if self.recent_folders else Path.home()
        return QFileDialog.getExistingDirectory(self, self.tr("Open project folder"), str(start))

    def _choose_project(self) -> None:
        folder = self.choose_folder()
        if folder:
            self.open_requested.emit(folder)
