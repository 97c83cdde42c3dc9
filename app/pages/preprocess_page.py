"""Preprocess page: partition volume and balanced training coordinates from the labels, as a
wizard (:mod:`app.pages.wizard`): preset → partition settings → review (what will run and how
long it should take) → Start."""

from __future__ import annotations

from typing import Any

from PyQt5.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.controllers.preprocess import (
    PRESET_FIELDS,
    preprocess_config,
    preprocess_fields,
    preprocess_preset_fields,
)
from app.pages.base import StagePage
from app.pages.forms import StagePresetBox
from app.pages.host import PageHost
from app.pages.preset_choice import suggested_preset
from app.pages.wizard import MissingInput, Step, Wizard, estimate_text, problem_of
from ffn_core.estimates import preprocess_estimate
from ffn_core.protocol import Result
from ffn_core.stages.preprocess import PreprocessConfig

PARTITIONS_LAYER = "partitions"


class PreprocessPage(StagePage):
    """A stage preset, then thresholds, lom radius, min size, margin and seed."""

    title = "Preprocess"
    stage = "preprocess"

    def __init__(self, host: PageHost, parent: QWidget | None = None) -> None:
        super().__init__(host, parent)
        self.preset = StagePresetBox()
        self.preset.chosen.connect(self.apply_preset)
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
        self.wizard = self.install_wizard(
            Wizard(
                [
                    Step(self.tr("Preset"), self._preset_step()),
                    Step(self.tr("Partition"), self._partition_step(), self._settings_problem),
                ],
                review=self._review_text,
                start=self.start_preprocess,
                missing=self._missing_inputs,
                start_text=self.tr("Compute partitions and coordinates"),
                stage=self.stage,
            )
        )
        self.run_button = self.wizard.start_button
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h3>Prepare training data</h3>")))
        layout.addWidget(self.wizard, 1)
        self.set_field_values(self.stored_fields(None))

    def _preset_step(self) -> QWidget:
        step = QWidget()
        form = QFormLayout(step)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("Preset"), self.preset)
        return step

    def _partition_step(self) -> QWidget:
        step = QWidget()
        form = QFormLayout(step)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("Thresholds"), self.thresholds)
        form.addRow(self.tr("lom radius (x,y,z)"), self.lom_radius)
        form.addRow(self.tr("min size"), self.min_size)
        form.addRow(self.tr("Margin (z,y,x)"), self.margin)
        form.addRow(self.tr("Seed"), self.seed)
        return step

    def apply_preset(self, name: str) -> None:
        """Fill the partition settings from stage preset ``name`` (the seed stays); the
        user's pick of a preset."""
        self.set_field_values({**self.field_values(), **preprocess_preset_fields(name)})
        self.preset.set_preset(name)

    def _missing_inputs(self) -> MissingInput | None:
        if self.project is None or "labels" not in self.project.data.get("volumes", {}):
            return MissingInput(
                self.tr("The project has no labels yet: import a label stack first."), "import"
            )
        return None

    def _settings_problem(self) -> str | None:
        return problem_of(self._config)

    def _config(self) -> PreprocessConfig:
        return preprocess_config(self.field_values())

    def _review_text(self) -> str:
        """What the stage computes, from which labels, and how long it should take."""
        config = self._config()
        labels = (self.project.data.get("volumes", {}) if self.project else {}).get("labels", {})
        shape = " × ".join(map(str, labels.get("shape", []))) or "?"
        lines = [
            self.tr("Partition the labels ({0} voxels) with lom radius (x,y,z) {1}.").format(
                shape, ",".join(map(str, config.lom_radius_xyz))
            ),
            self.tr("Thresholds {0}; label IDs under {1} voxels are background.").format(
                ", ".join(f"{t:g}" for t in config.thresholds), config.min_size
            ),
            self.tr("Sample balanced training coordinates (seed {0}).").format(config.seed),
            estimate_text(self._estimate(config)),
        ]
        return "<br>".join(lines)

    def _estimate(self, config: PreprocessConfig) -> Any:
        return preprocess_estimate(self.project, config) if self.project else None

    def field_values(self) -> dict[str, Any]:
        """The form as plain values (see :func:`app.controllers.preprocess.preprocess_config`)."""
        return {
            "thresholds": self.thresholds.text(),
            "lom_radius_xyz": self.lom_radius.text(),
            "min_size": self.min_size.value(),
            "margin_zyx": self.margin.text(),
            "seed": self.seed.value(),
        }

    def project_changed(self) -> None:
        self.preset.show_suggestion(self.project)
        self.wizard.refresh()

    def stored_fields(self, config: PreprocessConfig | None) -> dict[str, Any]:
        fields = preprocess_fields(config)
        if config is None:  # before the first run: the preset that fits the image
            suggested = suggested_preset(self.project)
            name = suggested.name if suggested else self.preset.combo.itemData(0)
            fields.update(preprocess_preset_fields(name))
        return fields

    def set_field_values(self, values: dict[str, Any]) -> None:
        self.thresholds.setText(values["thresholds"])
        self.lom_radius.setText(values["lom_radius_xyz"])
        self.min_size.setValue(values["min_size"])
        self.margin.setText(values["margin_zyx"])
        self.seed.setValue(values["seed"])
        self._show_matching_preset()

    def _show_matching_preset(self) -> None:
        """Show the preset whose settings the form holds (none changed by hand)."""
        values = self.field_values()
        for index in range(self.preset.combo.count()):
            fields = preprocess_preset_fields(self.preset.combo.itemData(index))
            if all(fields[key] == values[key] for key in PRESET_FIELDS):
                self.preset.combo.setCurrentIndex(index)
                return

    def start_preprocess(self) -> bool:
        """Release the partitions layer (the stage rewrites it) and start the worker."""
        missing = self._missing_inputs()
        if missing is not None:
            self.host.show_error(
                self.tr("The project has no labels volume."),
                self.tr("Import a label stack on the Import page first."),
            )
            return False
        config = self.config_or_error(self._config)
        if config is None:
            return False
        self.host.presenter.release(PARTITIONS_LAYER)
        self.wizard.clear_result()
        return self.host.run_job(config, on_result=self._on_result)

    def _on_result(self, record: Result) -> None:
        outputs = record.outputs
        count = record.extra.get("coordinates_count")
        self.wizard.finish(
            self.tr("{0} training coordinates written to {1}.").format(
                f"{count:,}", outputs.get("coordinates", "?")
            )
            if count is not None
            else ""
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
        self.wizard.set_running(running)
        if not running:  # an import may have brought labels and a new suggestion
            self.refill_untouched()
            self.project_changed()
