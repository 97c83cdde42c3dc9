"""Export page: write an inference run's segmentation as slices, TIFF or HDF5; evaluate it."""

from __future__ import annotations

from typing import Any

from PyQt5.QtCore import QT_TRANSLATE_NOOP
from PyQt5.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.controllers.evaluate import evaluate_config
from app.controllers.export import export_config, export_fields
from app.pages.base import StagePage, inference_runs, run_segmentation_spec
from app.pages.forms import path_combo
from app.pages.host import PageHost
from ffn_core.io.export import BIT_DEPTHS, FORMATS
from ffn_core.protocol import Result
from ffn_core.stages.export import ExportConfig

SCORES = (
    ("arand", QT_TRANSLATE_NOOP("ExportPage", "Adapted Rand error")),
    ("precision", QT_TRANSLATE_NOOP("ExportPage", "Rand precision")),
    ("recall", QT_TRANSLATE_NOOP("ExportPage", "Rand recall")),
    ("voi_split", QT_TRANSLATE_NOOP("ExportPage", "VOI split")),
    ("voi_merge", QT_TRANSLATE_NOOP("ExportPage", "VOI merge")),
)
_FORMAT_TIPS = {
    "png": QT_TRANSLATE_NOOP("ExportPage", "one PNG per z slice"),
    "tif": QT_TRANSLATE_NOOP("ExportPage", "one TIFF per z slice"),
    "tiff-stack": QT_TRANSLATE_NOOP("ExportPage", "a single multi-page TIFF"),
    "hdf5": QT_TRANSLATE_NOOP("ExportPage", "segmentation.h5 with the box"),
}


class ExportPage(StagePage):
    """Choose a run, a format, a bit depth and a destination; export; score against labels."""

    title = "Export"
    stage = "export"

    def __init__(self, host: PageHost, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.run = path_combo(
            self.tr("Inference run (inference/<run>/segmentation.h5)"), editable=False
        )
        self.show_button = QPushButton(self.tr("Show"))
        self.show_button.setToolTip(self.tr("Show this run's segmentation in the viewer"))
        self.show_button.clicked.connect(self.show_run)
        self.format = QComboBox()
        for name in FORMATS:
            self.format.addItem(f"{name} — {self.tr(_FORMAT_TIPS.get(name, name))}", name)
        self.bits = QComboBox()
        self.bits.addItem(self.tr("default (16 bit; 32 for HDF5)"), None)
        for bits in BIT_DEPTHS:
            self.bits.addItem(self.tr("{0} bit").format(bits), bits)
        self.bits.setToolTip(self.tr("Grey bit depth; segment IDs are kept exactly or refused"))
        self.colour = QCheckBox(self.tr("8-bit colour, a stable colour per ID (for viewing)"))
        self.remap = QCheckBox(self.tr("Renumber IDs 1..N if they do not fit"))
        self.overwrite = QCheckBox(self.tr("Replace a non-empty destination"))
        self.destination = QLineEdit()
        self.destination.setPlaceholderText(
            self.tr("default: <project>/exports/<run>-<format>-<depth>")
        )
        browse = QPushButton(self.tr("Folder..."))
        browse.clicked.connect(self._pick_destination)
        self.export_button = QPushButton(self.tr("Export"))
        self.export_button.clicked.connect(self.start_export)
        self.written = QLabel("")
        self.written.setWordWrap(True)
        self.evaluate_button = QPushButton(self.tr("Evaluate against the project's labels"))
        self.evaluate_button.setToolTip(
            self.tr("Adapted Rand error (SNEMI3D) and variation of information in the run's box")
        )
        self.evaluate_button.clicked.connect(self.start_evaluate)
        self.scores = {key: QLabel("–") for key, _ in SCORES}
        self._build_layout(browse)

    def _build_layout(self, browse: QPushButton) -> None:
        run_row, dest_row = QHBoxLayout(), QHBoxLayout()
        run_row.addWidget(self.run, 1)
        run_row.addWidget(self.show_button)
        dest_row.addWidget(self.destination, 1)
        dest_row.addWidget(browse)
        form = QFormLayout()
        form.addRow(self.tr("Run"), run_row)
        form.addRow(self.tr("Format"), self.format)
        form.addRow(self.tr("Bit depth"), self.bits)
        form.addRow("", self.colour)
        form.addRow("", self.remap)
        form.addRow(self.tr("Destination"), dest_row)
        form.addRow("", self.overwrite)
        scores = QGroupBox(self.tr("Evaluation"))
        score_form = QFormLayout(scores)
        score_form.addRow(self.evaluate_button)
        for key, text in SCORES:
            score_form.addRow(self.tr(text), self.scores[key])
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h3>Export and evaluate a segmentation</h3>")))
        layout.addLayout(form)
        layout.addWidget(self.export_button)
        layout.addWidget(self.written)
        layout.addWidget(scores)
        layout.addStretch(1)

    def _pick_destination(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export destination")
        if folder:
            self.destination.setText(folder)

    def field_values(self) -> dict[str, Any]:
        """The form as plain values (see :func:`app.controllers.export.export_config`)."""
        return {
            "run": self.run.currentText(),
            "format": self.format.currentData(),
            "bit_depth": self.bits.currentData(),
            "colour": self.colour.isChecked(),
            "remap": self.remap.isChecked(),
            "overwrite": self.overwrite.isChecked(),
            "out": self.destination.text(),
        }

    def stored_fields(self, config: ExportConfig | None) -> dict[str, Any]:
        return export_fields(config)

    def set_field_values(self, values: dict[str, Any]) -> None:
        if values["run"] in inference_runs(self.project):
            self.run.setCurrentText(values["run"])
        self.format.setCurrentIndex(max(self.format.findData(values["format"]), 0))
        depths = [self.bits.itemData(index) for index in range(self.bits.count())]
        self.bits.setCurrentIndex(depths.index(values["bit_depth"]))
        self.colour.setChecked(values["colour"])
        self.remap.setChecked(values["remap"])
        self.overwrite.setChecked(values["overwrite"])
        self.destination.setText(values["out"])

    def start_export(self) -> bool:
        if not self.run.currentText():
            self.host.show_error(
                self.tr("There is no inference run to export."), self.tr("Run inference first.")
            )
            return False
        config = self.config_or_error(lambda: export_config(self.field_values()))
        if config is None:
            return False
        self.written.setText("")
        return self.host.run_job(config, on_result=self._on_exported)

    def _on_exported(self, record: Result) -> None:
        folder = record.outputs.get("export")
        if folder:
            self.written.setText(
                self.tr("Written to {0}").format(
                    f"<a style='color:#7fb8ff' href='file:{folder}'>{folder}</a>"
                )
            )
            self.written.setOpenExternalLinks(True)

    def start_evaluate(self) -> bool:
        config = self.config_or_error(lambda: evaluate_config(self.field_values()))
        if config is None:
            return False
        for label in self.scores.values():
            label.setText("…")
        return self.host.run_job(config, on_result=self._on_scores)

    def _on_scores(self, record: Result) -> None:
        for key, label in self.scores.items():
            value = record.outputs.get(key)
            label.setText(f"{value:.4f}" if isinstance(value, (int, float)) else "–")

    def show_run(self) -> None:
        """Show the chosen run's segmentation in the viewer."""
        if self.project is not None and self.run.currentText():
            name = self.run.currentText()
            self.host.presenter.show_segmentation(
                f"segmentation {name}", run_segmentation_spec(self.project, name)
            )

    def project_changed(self) -> None:
        current = self.run.currentText()
        self.run.clear()
        self.run.addItems(inference_runs(self.project))
        if current:
            self.run.setCurrentText(current)
        has_labels = bool(self.project and "labels" in self.project.data.get("volumes", {}))
        self.evaluate_button.setEnabled(has_labels)

    def job_running_changed(self, running: bool) -> None:
        for button in (self.export_button, self.evaluate_button, self.show_button):
            button.setEnabled(not running)
        if not running:
            self.project_changed()
