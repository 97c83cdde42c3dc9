"""Training curves: loss and eval F1 against step, from history.jsonl and live progress.

:class:`MetricHistory` is plain data (no Qt); :class:`TrainingPlot` draws it with pyqtgraph.
"""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PyQt5.QtWidgets import QVBoxLayout, QWidget

from ffn_core.protocol import Progress
from ffn_core.train.run_config import read_history


class MetricHistory:
    """Loss and F1 points (step, value) of one training run, in step order."""

    def __init__(self) -> None:
        self.loss: list[tuple[int, float]] = []
        self.f1: list[tuple[int, float]] = []

    def clear(self) -> None:
        self.loss.clear()
        self.f1.clear()

    def load(self, run_dir: Path) -> None:
        """Read a run's ``history.jsonl`` (records with ``loss`` or ``eval``); replaces points."""
        self.clear()
        for record in read_history(run_dir):
            if "loss" in record:
                self._add(self.loss, record["step"], record["loss"])
            f1 = (record.get("eval") or {}).get("f1")
            if f1 is not None:
                self._add(self.f1, record["step"], f1)

    def add_progress(self, record: Progress) -> bool:
        """Add the loss and eval F1 of a progress record; True when something was added."""
        metrics = record.metrics
        step = metrics.get("step", record.done)
        added = False
        if step is not None and isinstance(metrics.get("loss"), (int, float)):
            added |= self._add(self.loss, step, metrics["loss"])
        if isinstance(metrics.get("eval_f1"), (int, float)):
            added |= self._add(self.f1, metrics.get("eval_step", step), metrics["eval_f1"])
        return added

    @staticmethod
    def _add(points: list[tuple[int, float]], step: int, value: float) -> bool:
        """Append (step, value) unless that step is already there (a resumed run repeats)."""
        if points and points[-1][0] >= step:
            if points[-1][0] == step:
                return False
            while points and points[-1][0] >= step:  # a restart from an earlier checkpoint
                points.pop()
        points.append((int(step), float(value)))
        return True


class TrainingPlot(QWidget):
    """Two linked plots: loss (top) and eval F1 (bottom) against training step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = MetricHistory()
        self.graphics = pg.GraphicsLayoutWidget()
        self.loss_plot = self.graphics.addPlot(row=0, col=0, title=self.tr("loss"))
        self.f1_plot = self.graphics.addPlot(row=1, col=0, title=self.tr("eval F1"))
        self.f1_plot.setXLink(self.loss_plot)
        self.f1_plot.setLabel("bottom", self.tr("step"))
        for plot in (self.loss_plot, self.f1_plot):
            plot.showGrid(x=True, y=True, alpha=0.3)
        self.loss_curve = self.loss_plot.plot(pen=pg.mkPen("#f0a040", width=2))
        self.f1_curve = self.f1_plot.plot(
            pen=pg.mkPen("#40c080", width=2), symbol="o", symbolSize=5, symbolBrush="#40c080"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics)

    def load(self, run_dir: Path) -> None:
        """Show the history of the run in ``run_dir`` (its ``history.jsonl``)."""
        self.history.load(run_dir)
        self.redraw()

    def add_progress(self, record: Progress) -> None:
        if self.history.add_progress(record):
            self.redraw()

    def redraw(self) -> None:
        for curve, points in (
            (self.loss_curve, self.history.loss),
            (self.f1_curve, self.history.f1),
        ):
            curve.setData([p[0] for p in points], [p[1] for p in points])
