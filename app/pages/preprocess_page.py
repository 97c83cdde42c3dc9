"""Preprocess page: partition volume and balanced training coordinates from the labels."""

from __future__ import annotations

from typing import Any

from PyQt5.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.controllers.preprocess import preprocess_config, preprocess_fields
from app.pages.base import StagePage
from app.pages.forms import PresetBox
from app.pages.host import PageHost
from ffn_core.model.args import ModelArgs
from ffn_core.protocol import Result
from ffn_core.stages.preprocess import PreprocessConfig
from ffn_core.zyx import format_triple

PARTITIONS_LAYER = "partitions"


class PreprocessPage(StagePage):
    """Thresholds, lom_radius (derived from the model preset), min_size, margin, seed."""

    title = "Preprocess"
    stage = "preprocess"

    def __init__(self, host: PageHost, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.preset = PresetBox()
        self.preset.changed.connect(self._on_preset_changed)
        defaults = preprocess_fields()
        self.thresholds = QLineEdit(defaults["thresholds"])
        self.thresholds.setToolTip(
            self.tr(
                "Increasing fractions of same-ID voxels in the window "
                "around a voxel; they split voxels into partition "
                "classes that training samples equally often"
            )
        )
        self.lom_radius = QLineEdit()
        self.lom_radius.setToolTip(
            self.tr(
                "Window radius x,y,z of the partition; the reference "
                "advises fov_size // 2 + deltas of the model (filled in "
                "from the preset)"
            )
        )
        self.min_size = QSpinBox()
        self.min_size.setRange(0, 10**9)
        self.min_size.setValue(defaults["min_size"])
        self.min_size.setToolTip(self.tr("Label IDs with fewer voxels are treated as background"))
        self.margin = QLineEdit()
        self.margin.setPlaceholderText(self.tr("= lom radius (z,y,x)"))
        self.margin.setToolTip(
            self.tr("z,y,x: no training coordinate closer than this to the border")
        )
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setValue(defaults["seed"])
        self.seed.setToolTip(
            self.tr("Random seed of the balanced sampling (same seed, same coordinates)")
        )
        self.run_button = QPushButton(self.tr("Compute partitions and coordinates"))
        self.run_button.clicked.connect(lambda: self.start_preprocess())
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self._build_layout()
        self._on_preset_changed(self.preset.model_args())

    def _build_layout(self) -> None:
        form = QFormLayout()
        form.addRow(self.tr("Model preset"), self.preset)
        form.addRow(self.tr("Thresholds"), self.thresholds)
        form.addRow(self.tr("lom radius (x,y,z)"), self.lom_radius)
        form.addRow(self.tr("min size"), self.min_size)
        form.addRow(self.tr("Margin (z,y,x)"), self.margin)
        form.addRow(self.tr("Seed"), self.seed)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h3>Prepare training data</h3>")))
        layout.addLayout(form)
        layout.addWidget(self.run_button)
        layout.addWidget(self.summary)
        layout.addStretch(1)

    def _on_preset_changed(self, args: ModelArgs) -> None:
        self.lom_radius.setText(format_triple(args.lom_radius_xyz))

    def field_values(self) -> dict[str, Any]:
        """The form as plain values (see :func:`app.controllers.preprocess.preprocess_config`)."""
        return {
            "thresholds": self.thresholds.text(),
            "lom_radius_xyz": self.lom_radius.text(),
            "min_size": self.min_size.value(),
            "margin_zyx": self.margin.text(),
            "seed": self.seed.value(),
        }

    def project_opened(self) -> None:
        self.preset.reset()
        super().project_opened()

    def stored_fields(self, config: PreprocessConfig | None) -> dict[str, Any]:
        fields = preprocess_fields(config)
        if config is None:  # a new page shows the radius its preset advises
            fields["lom_radius_xyz"] = format_triple(self.preset.model_args().lom_radius_xyz)
        return fields

    def set_field_values(self, values: dict[str, Any]) -> None:
        self.thresholds.setText(values["thresholds"])
        self.lom_radius.setText(values["lom_radius_xyz"])
        self.min_size.setValue(values["min_size"])
        self.margin.setText(values["margin_zyx"])
        self.seed.setValue(values["seed"])

    def start_preprocess(self) -> bool:
        """Release the partitions layer (the stage rewrites it) and start the worker."""
        if self.project is None or "labels" not in self.project.data.get("volumes", {}):
            self.host.show_error(
                self.tr("The project has no labels volume."),
                self.tr("Import a label stack on the Import page first."),
            )
            return False
        config = self.config_or_error(lambda: preprocess_config(self.field_values()))
        if config is None:
            return False
        self.host.presenter.release(PARTITIONS_LAYER)
        self.summary.setText("")
        return self.host.run_job(config, on_result=self._on_result)

    def _on_result(self, record: Result) -> None:
        outputs = record.outputs
        count = record.extra.get("coordinates_count")
        if count is not None:
            self.summary.setText(
                self.tr("{0} training coordinates written to {1}.").format(
                    f"{count:,}", outputs.get("coordinates", "?")
                )
            )
        if outputs.get("partitions"):
            self.host.presenter.show_image(
                PARTITIONS_LAYER,
                outputs["partitions"],
                colormap="viridis",
                opacity=0.5,
                visible=False,
            )

    def job_running_changed(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
