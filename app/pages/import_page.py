"""Import page: choose the image and label stacks, preview them, import into the project."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PyQt5.QtCore import QCoreApplication, Qt, pyqtSignal
from PyQt5.QtGui import QImage, QPixmap
from PyQt5.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.controllers.import_volumes import import_config, import_fields
from app.pages.base import StagePage
from app.pages.host import PageHost
from ffn_core.errors import UserError
from ffn_core.protocol import Result
from ffn_core.stages.import_volumes import ImportConfig

PREVIEW_SIZE = 220
if TYPE_CHECKING:
    from ffn_core.io.stacks import SourceInfo


def slice_to_pixmap(plane: np.ndarray, size: int = PREVIEW_SIZE) -> QPixmap:
    """A grey (or RGB) 2-D slice scaled to 8 bits and ``size`` pixels, as a pixmap."""
    plane = np.asarray(plane)
    if plane.ndim == 3:
        plane = plane[..., :3].mean(axis=-1)
    low, high = float(plane.min()), float(plane.max())
    scaled = ((plane - low) * (255.0 / (high - low or 1.0))).astype(np.uint8)
    scaled = np.ascontiguousarray(scaled)
    image = QImage(
        scaled.data, scaled.shape[1], scaled.shape[0], scaled.strides[0], QImage.Format_Grayscale8
    ).copy()
    return QPixmap.fromImage(image).scaled(size, size, Qt.KeepAspectRatio, Qt.SmoothTransformation)


class SourcePicker(QWidget):
    """A path field with Folder... and File... buttons; ``changed`` when the path is set."""

    changed = pyqtSignal(str)

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        self.edit.setToolTip(
            self.tr(
                "A folder of PNG/TIFF slices (sorted naturally: 2.png "
                "before 10.png), a multi-page TIFF, or an HDF5 dataset "
                "as file.h5:dataset"
            )
        )
        self.edit.editingFinished.connect(lambda: self.changed.emit(self.path()))
        folder, file = QPushButton(self.tr("Folder...")), QPushButton(self.tr("File..."))
        folder.clicked.connect(self._pick_folder)
        file.clicked.connect(self._pick_file)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(folder)
        row.addWidget(file)

    def path(self) -> str:
        return self.edit.text().strip()

    def set_path(self, path: str) -> None:
        self.edit.setText(path)
        self.changed.emit(self.path())

    def _pick_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Folder of slices"), self.path())
        if folder:
            self.set_path(folder)

    def _pick_file(self) -> None:
        file, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Stack file"),
            self.path(),
            "Stacks (*.tif *.tiff *.h5 *.hdf5);;All files (*)",
        )
        if file:
            self.set_path(file)


class SourcePreview(QGroupBox):
    """Preview of a source's first slice and what was detected (count, shape, dtype)."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.image = QLabel()
        self.image.setFixedSize(PREVIEW_SIZE, PREVIEW_SIZE)
        self.image.setAlignment(Qt.AlignCenter)
        self.info = QLabel(self.tr("Nothing chosen."))
        self.info.setWordWrap(True)
        self.info.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # long paths
        self.info.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout = QHBoxLayout(self)
        layout.addWidget(self.image)
        layout.addWidget(self.info, 1)
        self.ok = False

    def show_source(self, source: str, to_gray: bool) -> None:
        """Describe ``source``; a problem is shown in red with its hint."""
        self.image.clear()
        self.ok = False
        if not source:
            self.info.setText(self.tr("Nothing chosen."))
            return
        from ffn_core.io.stacks import describe_source

        try:
            info = describe_source(source, to_gray=to_gray)
            first = info.first_slice()
        except UserError as exc:
            self.info.setText(f"<span style='color:#e05050'>{exc.message}</span><br>{exc.hint}")
            return
        self.ok = True
        self.info.setText(self._summary(info))
        self.image.setPixmap(slice_to_pixmap(first))

    def _summary(self, info: SourceInfo) -> str:
        channels = self.tr(", {0} channels").format(info.channels) if info.is_color else ""
        lines = [
            self.tr("<b>{0}</b>: {1} slices").format(info.kind, info.shape_zyx[0]),
            self.tr("shape (z, y, x): {0}").format(tuple(info.shape_zyx)),
            self.tr("dtype: {0}").format(info.dtype) + channels,
            self.tr("order: {0}").format(_file_order(info)),
        ]
        if info.is_color and not info.to_gray:
            lines.append(
                self.tr("<i>Colour slices: tick 'Convert colour slices to gray' to import.</i>")
            )
        if info.skipped:
            lines.append(
                self.tr("<i>skipped: {0}</i>").format(", ".join(Path(f).name for f in info.skipped))
            )
        return "<br>".join(lines)


def _file_order(info: SourceInfo, shown: int = 3) -> str:
    """The resolved slice order by file name: first and last few (natural sort)."""
    names = [Path(name).name for name in info.files]
    if len(names) > 2 * shown:
        names = names[:shown] + ["…"] + names[-shown:]
    return ", ".join(names)


class ImportPage(StagePage):
    """Import an EM stack (and its labels) into the project's HDF5 volumes."""

    title = "Import"
    stage = "import"

    def __init__(self, host: PageHost, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.images = SourcePicker(self.tr("EM images: folder, multi-page TIFF or file.h5:dataset"))
        self.labels = SourcePicker(self.tr("Labels (optional): folder, TIFF or file.h5:dataset"))
        self.image_preview = SourcePreview(self.tr("Images"))
        self.label_preview = SourcePreview(self.tr("Labels"))
        self.voxel = [
            self._voxel_box(axis, size) for axis, size in zip("zyx", ImportConfig.voxel_size_zyx)
        ]
        self.to_gray = QCheckBox(self.tr("Convert colour (RGB) slices to gray"))
        self.to_gray.setToolTip(
            self.tr(
                "RGB(A) images are refused unless this is ticked; "
                "then they are converted with the ITU-R 601 luma weights."
            )
        )
        self.import_button = QPushButton(self.tr("Import"))
        self.import_button.setToolTip(
            self.tr(
                "Write the stacks as chunked, compressed HDF5 into "
                "the project (in the worker process)"
            )
        )
        self.import_button.clicked.connect(self.start_import)
        self.images.changed.connect(lambda _: self._refresh(self.images, self.image_preview))
        self.labels.changed.connect(lambda _: self._refresh(self.labels, self.label_preview))
        self.to_gray.toggled.connect(lambda _: self._refresh(self.images, self.image_preview))
        self._build_layout()

    @staticmethod
    def _voxel_box(axis: str, size: float) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(0.01, 99999)
        box.setDecimals(2)
        box.setValue(size)
        box.setToolTip(
            QCoreApplication.translate(
                "ImportPage", "Voxel size along {0} (e.g. nm); stored with the volumes"
            ).format(axis)
        )
        return box

    def _build_layout(self) -> None:
        form = QFormLayout()
        form.addRow(self.tr("Images"), self.images)
        form.addRow(self.tr("Labels"), self.labels)
        voxel_row = QHBoxLayout()
        for axis, box in zip("zyx", self.voxel):
            voxel_row.addWidget(QLabel(axis))
            voxel_row.addWidget(box)
        form.addRow(self.tr("Voxel size"), voxel_row)
        form.addRow("", self.to_gray)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h3>Import EM images and labels</h3>")))
        layout.addLayout(form)
        layout.addWidget(self.image_preview)
        layout.addWidget(self.label_preview)
        layout.addWidget(self.import_button)
        layout.addStretch(1)

    def _refresh(self, picker: SourcePicker, preview: SourcePreview) -> None:
        preview.show_source(picker.path(), self.to_gray.isChecked())

    def field_values(self) -> dict[str, Any]:
        """The form as plain values (see :func:`app.controllers.import_volumes.import_config`)."""
        return {
            "images": self.images.path(),
            "labels": self.labels.path(),
            "voxel_size_zyx": tuple(box.value() for box in self.voxel),
            "to_gray": self.to_gray.isChecked(),
        }

    def start_import(self) -> bool:
        """Release the shown volumes (the import rewrites them) and start the worker."""
        config = self.config_or_error(lambda: import_config(self.field_values()))
        if config is None:
            return False
        self.host.presenter.release("labels")
        self.host.presenter.release("image")
        return self.host.run_job(config, on_result=self._on_result)

    def _on_result(self, record: Result) -> None:
        outputs = record.outputs
        if outputs.get("image"):
            self.host.presenter.show_image("image", outputs["image"])
        if outputs.get("labels"):
            self.host.presenter.show_labels("labels", outputs["labels"])

    def stored_fields(self, config: ImportConfig | None) -> dict[str, Any]:
        return import_fields(config)

    def set_field_values(self, values: dict[str, Any]) -> None:
        self.to_gray.setChecked(values["to_gray"])
        for box, size in zip(self.voxel, values["voxel_size_zyx"]):
            box.setValue(size)
        self.images.set_path(values["images"])
        self.labels.set_path(values["labels"])

    def job_running_changed(self, running: bool) -> None:
        self.import_button.setEnabled(not running)
