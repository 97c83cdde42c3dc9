"""Import page: choose the image and label stacks, preview them, import into the project."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PyQt5.QtCore import Qt, pyqtSignal
from PyQt5.QtGui import QImage, QPixmap
from PyQt5.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
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
from app.pages.forms import FittingSpinBox, start_folder
from app.pages.host import PageHost
from app.pages.wizard import Step, Wizard
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
    """A path field with Folder... and File... buttons; ``changed`` when the path is set.
    The dialogs open where ``start(path)`` says (see :func:`app.pages.forms.start_folder`)."""

    changed = pyqtSignal(str)

    def __init__(
        self, placeholder: str, start: Callable[[str], str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._start = start
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
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Folder of slices"), self._start(self.path())
        )
        if folder:
            self.set_path(folder)

    def _pick_file(self) -> None:
        file, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Stack file"),
            self._start(self.path()),
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
        self.source_info: SourceInfo | None = None

    def show_source(self, source: str, to_gray: bool) -> None:
        """Describe ``source``; a problem is shown in red with its hint."""
        self.image.clear()
        self.ok = False
        self.source_info = None
        if not source:
            self.info.setText(self.tr("Nothing chosen."))
            return
        from ffn_core.io.stacks import describe_source

        try:
            info = describe_source(source, to_gray=to_gray)
            first = info.first_slice()
        except UserError as exc:
            self.info.setText(f"<span style='color:#e05050'>{exc.message}</span><br>{exc.gui_hint}")
            return
        self.ok = True
        self.source_info = info
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
    """Import an EM stack (and its labels) into the project's HDF5 volumes, as a wizard:
    source → voxel size → review."""

    title = "Import"
    stage = "import"

    def __init__(self, host: PageHost, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)

        def start(current: str) -> str:
            return start_folder(self.project, current)

        self.images = SourcePicker(
            self.tr("EM images: folder, multi-page TIFF or file.h5:dataset"), start
        )
        self.labels = SourcePicker(
            self.tr("Labels (optional): folder, TIFF or file.h5:dataset"), start
        )
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
        self.volume = QLabel()
        self.volume.setWordWrap(True)
        self.images.changed.connect(lambda _: self._refresh(self.images, self.image_preview))
        self.labels.changed.connect(lambda _: self._refresh(self.labels, self.label_preview))
        self.to_gray.toggled.connect(lambda _: self._refresh(self.images, self.image_preview))
        for box in self.voxel:
            box.valueChanged.connect(lambda _value: self._show_volume())
        self.wizard = self.install_wizard(
            Wizard(
                [
                    Step(self.tr("Source"), self._source_step(), self._source_problem),
                    Step(self.tr("Voxel size"), self._voxel_step()),
                ],
                review=self._review_text,
                start=self.start_import,
                start_text=self.tr("Import"),
                stage=self.stage,
            )
        )
        self.import_button = self.wizard.start_button
        self.import_button.setToolTip(
            self.tr(
                "Write the stacks as chunked, compressed HDF5 into "
                "the project (in the worker process)"
            )
        )
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h3>Import EM images and labels</h3>")))
        layout.addWidget(self.wizard, 1)
        self._show_volume()

    def _voxel_box(self, axis: str, size: float) -> QDoubleSpinBox:
        box = FittingSpinBox()  # a narrow panel must not clip the value ("30.0(")
        box.setRange(0.01, 99999)
        box.setDecimals(2)
        box.setValue(size)
        box.setToolTip(
            self.tr("Voxel size along {0} (e.g. nm); stored with the volumes").format(axis)
        )
        return box

    def _source_step(self) -> QWidget:
        step = QWidget()
        form = QFormLayout()
        form.addRow(self.tr("Images"), self.images)
        form.addRow(self.tr("Labels"), self.labels)
        form.addRow("", self.to_gray)
        column = QVBoxLayout(step)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(form)
        column.addWidget(self.image_preview)
        column.addWidget(self.label_preview)
        column.addStretch(1)
        return step

    def _voxel_step(self) -> QWidget:
        step = QWidget()
        voxel_rows = QGridLayout()  # one axis a row: a narrow panel never scrolls sideways
        for row, (axis, box) in enumerate(zip("zyx", self.voxel)):
            voxel_rows.addWidget(QLabel(axis), row, 0)
            voxel_rows.addWidget(box, row, 1)
        voxel_rows.setColumnStretch(2, 1)
        form = QFormLayout(step)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("Voxel size"), voxel_rows)
        form.addRow(self.tr("Volume"), self.volume)
        return step

    def _source_problem(self) -> str | None:
        """Why the sources cannot be imported yet, or None."""
        image = self.image_preview.source_info
        if not self.images.path():
            return self.tr("Choose the EM images (a folder of slices, a TIFF or file.h5:dataset).")
        if image is None:
            return self.tr("The images cannot be read (see the message in red).")
        if image.is_color and not image.to_gray:
            return self.tr("The images are in colour: tick 'Convert colour slices to gray'.")
        if not self.labels.path():
            return None
        labels = self.label_preview.source_info
        if labels is None:
            return self.tr("The labels cannot be read (see the message in red).")
        if tuple(labels.shape_zyx) != tuple(image.shape_zyx):
            return self.tr("The labels' shape {0} differs from the images' {1}.").format(
                tuple(labels.shape_zyx), tuple(image.shape_zyx)
            )
        return None

    def _show_volume(self) -> None:
        """The images' size in voxels and in the voxel size's units."""
        info = self.image_preview.source_info
        if info is None:
            self.volume.setText("—")
            return
        voxel = [box.value() for box in self.voxel]
        self.volume.setText(
            self.tr("{0} voxels (z × y × x), {1} (e.g. nm)").format(
                " × ".join(str(n) for n in info.shape_zyx),
                " × ".join(f"{n * size:g}" for n, size in zip(info.shape_zyx, voxel)),
            )
        )

    def _review_text(self) -> str:
        """What the import will read and write."""
        image, labels = self.image_preview.source_info, self.label_preview.source_info
        if image is None:
            return "—"
        lines = [
            self.tr("Import <b>{0}</b> ({1} voxels, {2}) as the project's image.").format(
                image.source, " × ".join(map(str, image.shape_zyx)), image.dtype
            )
        ]
        if labels is not None and self.labels.path():
            lines.append(
                self.tr("Import <b>{0}</b> ({1}) as its labels.").format(
                    labels.source, labels.dtype
                )
            )
        else:
            lines.append(self.tr("No labels: training needs them (import them later)."))
        lines.append(
            self.tr("Voxel size (z, y, x): {0}").format(
                ", ".join(f"{box.value():g}" for box in self.voxel)
            )
        )
        size = int(np.prod(image.shape_zyx)) * np.dtype(image.dtype).itemsize
        lines.append(self.tr("Reads {0} MB of images.").format(f"{size / 1e6:,.1f}"))
        if self.project is not None and "image" in self.project.data.get("volumes", {}):
            lines.append(self.tr("<i>The project's image and labels are replaced.</i>"))
        return "<br>".join(lines)

    def _refresh(self, picker: SourcePicker, preview: SourcePreview) -> None:
        preview.show_source(picker.path(), self.to_gray.isChecked())
        self._show_volume()
        self.wizard.refresh()

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
        self.wizard.finish(
            self.tr("Imported the images and labels into the project.")
            if outputs.get("labels")
            else self.tr("Imported the images into the project.")
        )

    def stored_fields(self, config: ImportConfig | None) -> dict[str, Any]:
        return import_fields(config)

    def set_field_values(self, values: dict[str, Any]) -> None:
        self.to_gray.setChecked(values["to_gray"])
        for box, size in zip(self.voxel, values["voxel_size_zyx"]):
            box.setValue(size)
        self.images.set_path(values["images"])
        self.labels.set_path(values["labels"])

    def project_changed(self) -> None:
        self.wizard.refresh()

    def job_running_changed(self, running: bool) -> None:
        self.wizard.set_running(running)  # and re-reads the project (images replaced?)
