"""Export page: write an inference run's segmentation as slices, TIFF or HDF5; evaluate it."""

from __future__ import annotations

from pathlib import Path
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
from app.pages.forms import path_combo, start_folder
from app.pages.host import PageHost
from app.pages.wizard import MissingInput, Step, Wizard, problem_of
from ffn_core.errors import UserError
from ffn_core.io.export import BIT_DEPTHS, FORMATS, RunSegmentation
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


def _not_empty(folder: Path) -> bool:
    return folder.is_dir() and any(folder.iterdir())


class ExportPage(StagePage):
    """Export as a wizard: run → format and destination → review (and evaluation)."""

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
        self.run_info = QLabel()
        self.run_info.setWordWrap(True)
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
        self.evaluate_button = QPushButton(self.tr("Evaluate against the project's labels"))
        self.evaluate_button.setToolTip(
            self.tr("Adapted Rand error (SNEMI3D) and variation of information in the run's box")
        )
        self.evaluate_button.clicked.connect(self.start_evaluate)
        self.scores = {key: QLabel("–") for key, _ in SCORES}
        self.wizard = self.install_wizard(
            Wizard(
                [
                    Step(self.tr("Run"), self._run_step(), self._run_problem),
                    Step(self.tr("Format"), self._format_step(), self._format_problem),
                ],
                review=self._review_text,
                start=self.start_export,
                missing=self._missing_inputs,
                start_text=self.tr("Export"),
                stage=self.stage,
            )
        )
        self.export_button = self.wizard.start_button
        self.written = self.wizard.done_label
        self.wizard.review_layout.addWidget(self._scores_box())
        self.run.currentTextChanged.connect(self._on_run_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h3>Export and evaluate a segmentation</h3>")))
        layout.addWidget(self.wizard, 1)

    def _run_step(self) -> QWidget:
        step = QWidget()
        run_row = QHBoxLayout()
        run_row.addWidget(self.run, 1)
        run_row.addWidget(self.show_button)
        form = QFormLayout(step)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("Run"), run_row)
        form.addRow("", self.run_info)
        return step

    def _format_step(self) -> QWidget:
        step = QWidget()
        browse = QPushButton(self.tr("Folder..."))
        browse.clicked.connect(self._pick_destination)
        dest_row = QHBoxLayout()
        dest_row.addWidget(self.destination, 1)
        dest_row.addWidget(browse)
        form = QFormLayout(step)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("Format"), self.format)
        form.addRow(self.tr("Bit depth"), self.bits)
        form.addRow("", self.colour)
        form.addRow("", self.remap)
        form.addRow(self.tr("Destination"), dest_row)
        form.addRow("", self.overwrite)
        return step

    def _scores_box(self) -> QGroupBox:
        scores = QGroupBox(self.tr("Evaluation"))
        score_form = QFormLayout(scores)
        score_form.addRow(self.evaluate_button)
        for key, text in SCORES:
            score_form.addRow(self.tr(text), self.scores[key])
        return scores

    def _pick_destination(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self,
            self.tr("Export destination"),
            start_folder(self.project, self.destination.text().strip(), "exports"),
        )
        if folder:
            self.destination.setText(folder)

    def _missing_inputs(self) -> MissingInput | None:
        if not inference_runs(self.project):
            return MissingInput(
                self.tr("There is no inference run yet: segment the image first."), "infer"
            )
        return None

    def _run_problem(self) -> str | None:
        if not self.run.currentText():
            return self.tr("Choose an inference run.")
        return None

    def _format_problem(self) -> str | None:
        problem = problem_of(lambda: export_config(self.field_values()))
        if problem is not None:
            return problem
        out = self.destination.text().strip()
        if out and not self.overwrite.isChecked() and _not_empty(Path(out)):
            return self.tr(
                "The destination is not empty: tick 'Replace a non-empty destination' or "
                "choose another folder."
            )
        return None

    def _run_shape(self) -> tuple[int, ...] | None:
        """The shape (z, y, x) of the chosen run's segmentation; None when it cannot be read."""
        if self.project is None or not self.run.currentText():
            return None
        try:
            return tuple(RunSegmentation(self.project, self.run.currentText()).shape)
        except (UserError, OSError, KeyError):
            return None

    def _review_text(self) -> str:
        """What will be written where."""
        config = export_config(self.field_values())
        shape = self._run_shape()
        depth = (
            self.tr("8-bit colour")
            if config.colour
            else self.tr("{0}-bit grey").format(config.bits)
        )
        lines = [
            self.tr("Export run <b>{0}</b> ({1} voxels, z × y × x) as {2}, {3}.").format(
                config.run,
                " × ".join(map(str, shape)) if shape else "?",
                self.tr(_FORMAT_TIPS.get(config.format, config.format)),
                depth,
            ),
            self.tr("Destination: {0}").format(
                config.out or self.tr("a new folder in {0}").format(self.project.path("exports"))
            ),
        ]
        if shape:
            lines.append(self.tr("Writes {0} slices, one at a time.").format(shape[0]))
        return "<br>".join(lines)

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
        self.wizard.clear_result()
        return self.host.run_job(config, on_result=self._on_exported)

    def _on_exported(self, record: Result) -> None:
        folder = record.outputs.get("export")
        if folder:
            self.wizard.finish(
                self.tr("Written to {0}").format(
                    f"<a style='color:#7fb8ff' href='file:{folder}'>{folder}</a>"
                )
            )

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

    def _on_run_changed(self, _name: str) -> None:
        """Another run: what was written or scored for the previous one goes."""
        self.wizard.clear_result()
        for label in self.scores.values():
            label.setText("–")
        shape = self._run_shape()
        self.run_info.setText(
            self.tr("Segmentation of {0} voxels (z × y × x).").format(" × ".join(map(str, shape)))
            if shape
            else ""
        )

    def project_opened(self) -> None:
        super().project_opened()
        self._on_run_changed(self.run.currentText())

    def project_changed(self) -> None:
        current = self.run.currentText()
        self.run.blockSignals(True)
        self.run.clear()
        self.run.addItems(inference_runs(self.project))
        if current:
            self.run.setCurrentText(current)
        self.run.blockSignals(False)
        if self.run.currentText() != current:
            self._on_run_changed(self.run.currentText())
        has_labels = bool(self.project and "labels" in self.project.data.get("volumes", {}))
        self.evaluate_button.setEnabled(has_labels)
        self.wizard.refresh()

    def job_running_changed(self, running: bool) -> None:
        for button in (self.evaluate_button, self.show_button):
            button.setEnabled(not running)
        self.wizard.set_running(running)
        if not running:
            self.project_changed()
