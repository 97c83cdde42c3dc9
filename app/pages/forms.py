"""Small form pieces shared by the stage pages."""

from __future__ import annotations

from collections.abc import Callable

from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ffn_core.model.args import ModelArgs, list_presets, load_preset
from ffn_core.project import Project
from ffn_core.stages.train import DEFAULT_PRESET


def path_row(field: QWidget, pick: Callable[[], None], text: str = "Browse...") -> QHBoxLayout:
    """``field`` with a button beside it that calls ``pick`` (a file dialog)."""
    row = QHBoxLayout()
    button = QPushButton(text)
    button.clicked.connect(lambda _checked=False: pick())
    row.addWidget(field, 1)
    row.addWidget(button)
    return row


def path_combo(tip: str, editable: bool = True) -> QComboBox:
    """A combo box for paths or names that does not widen the page to its longest item."""
    combo = QComboBox()
    combo.setEditable(editable)
    combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(16)
    combo.setToolTip(tip)
    return combo


def project_checkpoints(project: Project | None) -> list[str]:
    """Training runs (their latest checkpoint) and each checkpoint in them, newest first."""
    if project is None:
        return []
    entries: list[str] = []
    for run in sorted(project.path("runs").glob("*/")):
        indexes = sorted(run.rglob("*.index"), key=lambda p: p.stat().st_mtime, reverse=True)
        if indexes:
            entries.append(str(run))
            entries += [str(p.with_suffix("")) for p in indexes]
    return entries


class PresetBox(QWidget):
    """Model preset choice with the resolved reference ``model_args`` shown beside it.

    ``changed(ModelArgs)`` fires when the preset changes.
    """

    changed = pyqtSignal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.addItems(list_presets())
        self.combo.setToolTip(
            self.tr(
                "anisotropic: z steps 2-4x the xy pixel size (SNEMI3D); "
                "isotropic: FIB-SEM-like data"
            )
        )
        self.resolved = QLabel()
        self.resolved.setWordWrap(True)
        self.resolved.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.resolved.setToolTip(
            self.tr(
                "The model_args the stage will use, as the reference "
                "writes them: fov_size and deltas in x, y, z"
            )
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addWidget(self.resolved)
        self.combo.currentTextChanged.connect(self._on_combo_changed)
        self.reset()
        self._on_combo_changed(self.combo.currentText())

    def reset(self) -> None:
        """Choose the default preset: ``anisotropic`` (SNEMI3D-like data) when present."""
        if DEFAULT_PRESET in list_presets():
            self.combo.setCurrentText(DEFAULT_PRESET)
        else:
            self.combo.setCurrentIndex(0)

    def model_args(self) -> ModelArgs:
        return load_preset(self.combo.currentText())

    def _on_combo_changed(self, name: str) -> None:
        if not name:
            return
        args = load_preset(name)
        self.resolved.setText(f"<code>{args.to_json()}</code>")
        self.changed.emit(args)
