"""Small form pieces shared by the stage pages."""

from __future__ import annotations

from collections.abc import Callable

from PyQt5.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.controllers.compute import (
    AUTOMATIC,
    BACKEND_NAMES,
    PRECISIONS,
    automatic_backend,
    backend_choices,
)
from ffn_core.backend import DEVICES
from ffn_core.model.args import ModelArgs, list_presets, load_preset
from ffn_core.model.weights_file import SUFFIX
from ffn_core.project import Project
from ffn_core.stages.train import DEFAULT_PRESET


def path_row(field: QWidget, pick: Callable[[], None]) -> QHBoxLayout:
    """``field`` with a Browse button beside it that calls ``pick`` (a file dialog)."""
    row = QHBoxLayout()
    button = QPushButton(QCoreApplication.translate("PathRow", "Browse..."))
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
    """Training runs (their latest checkpoint) and each checkpoint in them, newest first:
    TensorFlow ones by their prefix, portable ones (``*.weights.h5``) by their file."""
    if project is None:
        return []
    entries: list[str] = []
    for run in sorted(project.path("runs").glob("*/")):
        files = [*run.rglob("*.index"), *run.rglob(f"[!.]*{SUFFIX}")]  # not files being written
        files.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        if files:
            entries.append(str(run))
            entries += [str(p).removesuffix(".index") for p in files]
    return entries


def pick_checkpoint(parent: QWidget, field: QLineEdit | QComboBox) -> None:
    """Let the user choose a checkpoint file and show it in ``field``: a TensorFlow one by its
    prefix (``model.ckpt-7000000`` for ``model.ckpt-7000000.index``), a portable one
    (``*.weights.h5``) as it is."""
    file, _ = QFileDialog.getOpenFileName(
        parent,
        QCoreApplication.translate("PathRow", "Checkpoint"),
        "",
        QCoreApplication.translate("PathRow", "Checkpoints") + f" (*.index *{SUFFIX});;* (*)",
    )
    if file:
        set_text = field.setCurrentText if isinstance(field, QComboBox) else field.setText
        set_text(file.removesuffix(".index"))


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


# what the device choices show (precisions show as written, as on the command line)
_DEVICE_LABELS = {
    "auto": QT_TRANSLATE_NOOP("ComputeRow", "auto"),
    "cpu": QT_TRANSLATE_NOOP("ComputeRow", "CPU"),
    "gpu": QT_TRANSLATE_NOOP("ComputeRow", "GPU"),
}


class ComputeRow(QWidget):
    """What a job computes on: backend, device and precision (the backend above the others).

    Its values are the fields ``backend`` (empty: automatic), ``device`` and ``precision``
    of :func:`app.controllers.compute.compute_values`. Backends that are not installed are
    listed, disabled.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = QComboBox()
        for value, installed in backend_choices():
            self.backend.addItem(self._backend_label(value, installed), value)
            self.backend.model().item(self.backend.count() - 1).setEnabled(installed)
        self.backend.setToolTip(
            self.tr(
                "Backend the model runs on; automatic: KERAS_BACKEND, else TensorFlow "
                "(PyTorch: NVIDIA GPUs on Windows)"
            )
        )
        self.device = QComboBox()
        for value in DEVICES:
            label = QCoreApplication.translate("ComputeRow", _DEVICE_LABELS[value])
            self.device.addItem(label, value)
        self.device.setToolTip(
            self.tr("auto: a GPU when the backend sees one; gpu: fail rather than use the CPU")
        )
        self.precision = QComboBox()
        for value in PRECISIONS:
            self.precision.addItem(value, value)
        self.precision.setToolTip(
            self.tr(
                "float32 as the reference; bfloat16 faster on CPUs with AVX512-BF16 "
                "(a few voxels differ); mixed: float16, GPUs only"
            )
        )
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.backend, 0, 0, 1, 2)
        layout.addWidget(self.device, 1, 0)
        layout.addWidget(self.precision, 1, 1)
        for combo in (self.backend, self.device, self.precision):
            # a narrow panel elides the choices rather than scroll sideways
            combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(6)

    def _backend_label(self, value: str, installed: bool) -> str:
        if value == AUTOMATIC:
            return self.tr("automatic ({0})").format(
                BACKEND_NAMES.get(automatic_backend() or "", "?")
            )
        name = BACKEND_NAMES[value]
        return name if installed else self.tr("{0} (not installed)").format(name)

    def values(self) -> dict[str, str]:
        """``backend``, ``device`` and ``precision`` as the controllers read them."""
        return {
            name: getattr(self, name).currentData() for name in ("backend", "device", "precision")
        }

    def set_values(self, values: dict[str, str]) -> None:
        """Show ``values`` (as :meth:`values` gives them)."""
        for name in ("backend", "device", "precision"):
            combo = getattr(self, name)
            combo.setCurrentIndex(max(combo.findData(values[name]), 0))
