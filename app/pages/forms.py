"""Small form pieces shared by the stage pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PyQt5.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QEvent,
    QRect,
    QSize,
    Qt,
    pyqtSignal,
)
from PyQt5.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QStyleOptionSpinBox,
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
from app.pages.preset_choice import image_shape, suggested_preset
from ffn_core.backend import DEVICES
from ffn_core.model.args import ModelArgs, list_presets, load_preset
from ffn_core.model.weights_file import SUFFIX
from ffn_core.presets import stage_presets
from ffn_core.project import Project
from ffn_core.stages.train import DEFAULT_PRESET


def start_folder(project: Project | None, current: str = "", *under: str) -> str:
    """Where a file dialog opens: the folder of ``current`` (a path typed or chosen before,
    ``file.h5:dataset`` allowed) when it exists, else the project's folder (its ``under``
    subfolder when that exists), else the user's home; never the program's folder."""
    if current:
        path = Path(current.rsplit(":", 1)[0] if ".h5:" in current else current).expanduser()
        for candidate in (path, path.parent):
            if candidate.is_absolute() and candidate.is_dir():
                return str(candidate)
    if project is not None:
        folder = project.path(*under)
        return str(folder if folder.is_dir() else project.root)
    return str(Path.home())


class FittingSpinBox(QDoubleSpinBox):
    """A number box never narrower than its largest value needs: the style's buttons and
    padding (napari's theme puts − and + on both sides) plus the text of the maximum."""

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        hint = super().minimumSizeHint()
        option = QStyleOptionSpinBox()
        self.initStyleOption(option)
        option.rect = QRect(0, 0, 1000, max(hint.height(), 1))
        field = self.style().subControlRect(
            QStyle.CC_SpinBox, option, QStyle.SC_SpinBoxEditField, self
        )
        text = self.textFromValue(self.maximum()) + self.suffix() + self.prefix()
        margins = self.lineEdit().textMargins()
        needed = (
            self.fontMetrics().horizontalAdvance(text)
            + (1000 - field.width())
            + margins.left()
            + margins.right()
            + 6  # QLineEdit's own inner margin and cursor
        )
        return QSize(max(hint.width(), needed), hint.height())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        hint = super().sizeHint()
        return QSize(max(hint.width(), self.minimumSizeHint().width()), hint.height())

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() in (QEvent.Polish, QEvent.StyleChange, QEvent.FontChange):
            # a style sheet's min-width (napari's 70px) would otherwise win over the hint
            self.setMinimumWidth(self.minimumSizeHint().width())
        return handled


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
    (``*.weights.h5``) as it is. The dialog opens at the field's path, else in the project's
    ``runs`` folder (``parent.project``, a stage page's), else in the home folder."""
    current = field.currentText() if isinstance(field, QComboBox) else field.text()
    file, _ = QFileDialog.getOpenFileName(
        parent,
        QCoreApplication.translate("PathRow", "Checkpoint"),
        start_folder(getattr(parent, "project", None), current.strip(), "runs"),
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


# what each stage preset (ffn_core.presets) is called and what it is for; one the engine adds
# shows with its name
_STAGE_PRESET_TEXTS = {
    "quick": (
        QT_TRANSLATE_NOOP("StagePresetBox", "quick (demo)"),
        QT_TRANSLATE_NOOP(
            "StagePresetBox",
            "The headless demo's tiny model and settings: the whole pipeline on a small "
            "volume in minutes on a CPU.",
        ),
    ),
    "reference": (
        QT_TRANSLATE_NOOP("StagePresetBox", "reference (anisotropic)"),
        QT_TRANSLATE_NOOP(
            "StagePresetBox",
            "The reference-sized model and settings for serial-section EM (z steps 2-5x the "
            "pixel size, e.g. SNEMI3D): hours on a CPU, meant for a GPU.",
        ),
    ),
    "isotropic": (
        QT_TRANSLATE_NOOP("StagePresetBox", "reference (isotropic)"),
        QT_TRANSLATE_NOOP(
            "StagePresetBox",
            "The reference-sized model for isotropic data (FIB-SEM): hours on a CPU, "
            "meant for a GPU.",
        ),
    ),
}


class StagePresetBox(QWidget):
    """Choice of a stage preset (:func:`ffn_core.presets.stage_presets`) with what it is for
    and which one fits the project's image.

    ``chosen(str)`` fires with the preset's name when the user picks one (not when a page
    sets it with :meth:`set_preset`).
    """

    chosen = pyqtSignal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        for name in stage_presets():
            label = _STAGE_PRESET_TEXTS.get(name, (name, ""))[0]
            self.combo.addItem(self.tr(label) if label != name else name, name)
        self.combo.setToolTip(self.tr("Model and settings that fit together, fastest first"))
        self.about = QLabel()
        self.about.setWordWrap(True)
        self.suggestion = QLabel()
        self.suggestion.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addWidget(self.about)
        layout.addWidget(self.suggestion)
        self.combo.currentIndexChanged.connect(lambda _index: self._describe())
        self.combo.activated.connect(lambda _index: self.chosen.emit(self.name()))
        self._describe()

    def name(self) -> str:
        """The chosen preset's name (``quick``, ``reference``, ...)."""
        return self.combo.currentData()

    def set_preset(self, name: str) -> None:
        """Show preset ``name`` as chosen (``chosen`` does not fire)."""
        self.combo.setCurrentIndex(max(self.combo.findData(name), 0))

    def show_suggestion(self, project: Project | None) -> str | None:
        """Say which preset fits the project's image; that preset's name (None before an
        image is imported)."""
        preset = suggested_preset(project)
        if preset is None:
            self.suggestion.setText(self.tr("Import an image to get a suggestion."))
            return None
        shape = image_shape(project) or ()
        label = self.combo.itemText(max(self.combo.findData(preset.name), 0))
        self.suggestion.setText(
            self.tr("Suggested for this image ({0} voxels): <b>{1}</b>").format(
                " × ".join(map(str, shape)), label
            )
        )
        return preset.name

    def _describe(self) -> None:
        text = _STAGE_PRESET_TEXTS.get(self.name(), ("", ""))[1]
        self.about.setText(self.tr(text) if text else "")


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
