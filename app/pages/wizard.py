"""A stage page as a short guided sequence of steps: :class:`Wizard`.

A wizard shows one step at a time under a row of step titles, with Back and Next below it.
Each :class:`Step` has a title, a widget (the page's fields for that step) and
``validate() -> str | None``: the reason Next is disabled, None when the step is complete.
The last input step is followed by a REVIEW step the wizard builds itself: it shows the
page's ``review()`` text (what will run and how long it should take, see
:func:`estimate_text`) and a Start button. Start is disabled, with the reason shown below
it, while any step is invalid, a job runs, or the stage's inputs are missing. An optional
MONITOR step (progress of the running job) follows the review and is shown when Start
succeeded. After the page's job succeeded the page calls :meth:`Wizard.finish` and a
"Next stage →" button shows the next stage's page.

A page whose inputs are missing (no image imported, no checkpoint, ...) returns a
:class:`MissingInput` from its ``missing()`` callable: the wizard shows its sentence on top
with a button that shows the stage to do first.

How a page uses it (see :class:`app.pages.preprocess_page.PreprocessPage`)::

    self.wizard = Wizard(
        [
            Step(self.tr("Preset"), preset_widget, self._preset_problem),
            Step(self.tr("Partition"), form_widget, self._form_problem),
        ],
        review=self._review_text,          # rich text: what will run, estimate_text(...)
        start=self.start_preprocess,       # returns True when the job started
        missing=self._missing_inputs,      # MissingInput or None
        start_text=self.tr("Compute partitions and coordinates"),
    )
    self.install_wizard(self.wizard)       # StagePage: "Next stage →" and the banner's
                                           # button show stages through the host
    layout.addWidget(self.wizard)

and then

- in ``_on_result`` (the job succeeded): ``self.wizard.finish(summary_text)``;
- in ``job_running_changed(running)``: ``self.wizard.set_running(running)``;
- in ``project_changed()``: ``self.wizard.refresh()`` (re-checks steps and inputs);
- :meth:`StagePage.project_opened` calls ``self.wizard.reset()`` (first step, no result).

The wizard re-validates by itself whenever a line edit, spin box, combo box or check box
inside a step's widget changes, and when it is shown; a page calls :meth:`Wizard.refresh`
after changing anything else a ``validate`` reads. :func:`problem_of` turns a controller's
``UserError`` into such a reason. Widgets the page wants on the review step (a result line,
an evaluation box) go into :attr:`Wizard.review_layout`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PyQt5.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, pyqtSignal
from PyQt5.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.i18n import engine_text
from app.job_panel import format_duration
from ffn_core.errors import UserError

__all__ = [
    "STAGE_ORDER",
    "MissingInput",
    "Step",
    "Wizard",
    "estimate_text",
    "next_stage",
    "problem_of",
]

STAGE_ORDER = ("import", "preprocess", "train", "infer", "export")
# a stage's name as the wizard's buttons say it (translated in the "Wizard" context)
_STAGE_NAMES = {
    "import": QT_TRANSLATE_NOOP("Wizard", "Import"),
    "preprocess": QT_TRANSLATE_NOOP("Wizard", "Preprocess"),
    "train": QT_TRANSLATE_NOOP("Wizard", "Train"),
    "infer": QT_TRANSLATE_NOOP("Wizard", "Infer"),
    "export": QT_TRANSLATE_NOOP("Wizard", "Export"),
}
# where an estimate's rate comes from (ffn_core.estimates.Estimate.source)
_ESTIMATE_SOURCES = {
    "project": QT_TRANSLATE_NOOP("Wizard", ", measured in this project"),
    "typical": QT_TRANSLATE_NOOP("Wizard", ", typical of a 2-core CPU"),
}
_REASON_STYLE = "color:#e8a040"
_DONE_STYLE = "color:#60c060"


def next_stage(stage: str) -> str | None:
    """The stage after ``stage`` in the pipeline; None after the last."""
    index = STAGE_ORDER.index(stage) + 1
    return STAGE_ORDER[index] if index < len(STAGE_ORDER) else None


def stage_name(stage: str) -> str:
    """``stage`` as the wizard's buttons name it, translated."""
    return QCoreApplication.translate("Wizard", _STAGE_NAMES[stage])


def problem_of(build: Callable[[], Any]) -> str | None:
    """None when ``build()`` succeeds; the message of the ``UserError`` it raises otherwise
    (translated: :func:`app.i18n.engine_text`)."""
    try:
        build()
    except UserError as exc:
        return engine_text(exc.message)
    return None


def estimate_text(estimate: Any) -> str:
    """One line for an :class:`ffn_core.estimates.Estimate`: the expected duration and the
    rate it assumes, and where that rate comes from; "—" for None or an unknown duration."""
    seconds = getattr(estimate, "seconds", None)
    if seconds is None:
        return QCoreApplication.translate("Wizard", "Expected run time: —")
    text = QCoreApplication.translate("Wizard", "Expected run time: about {0}").format(
        format_duration(seconds)
    )
    rate, unit = getattr(estimate, "rate", None), getattr(estimate, "unit", "")
    if rate:
        source = _ESTIMATE_SOURCES.get(getattr(estimate, "source", ""), "")
        text += QCoreApplication.translate("Wizard", " (at {0} {1}{2})").format(
            f"{rate:,.0f}" if rate >= 100 else f"{rate:.3g}",
            unit,
            QCoreApplication.translate("Wizard", source) if source else "",
        )
    return text


@dataclass
class Step:
    """One step of a wizard.

    Attributes
    ----------
    title : str
        Shown in the row of step titles (translated by the page).
    widget : QWidget
        The step's fields.
    validate : callable
        The reason the step is not complete (shown beside Next), None when it is.
    """

    title: str
    widget: QWidget
    validate: Callable[[], str | None] = lambda: None


@dataclass(frozen=True)
class MissingInput:
    """What a stage needs first: ``message`` (a sentence) and the ``stage`` that makes it."""

    message: str
    stage: str


class Wizard(QWidget):
    """Steps with Back/Next, a review step with Start, an optional monitor step.

    Parameters
    ----------
    steps : sequence of Step
        The input steps, in order.
    review : callable
        Rich text for the review step: what will run and how long it should take.
    start : callable
        Starts the page's job; True when it started.
    missing : callable, optional
        The :class:`MissingInput` that keeps the stage from starting, or None.
    start_text : str, optional
        The Start button's label.
    monitor : Step, optional
        Shown after Start succeeded (progress); its ``validate`` is not used.
    stage : str, optional
        The page's stage: "Next stage →" appears after :meth:`finish` unless it is the last.

    Signals
    -------
    show_stage(str)
        The user asked for another stage's page (Next stage, or the missing input's button).
    """

    show_stage = pyqtSignal(str)

    def __init__(
        self,
        steps: Sequence[Step],
        review: Callable[[], str],
        start: Callable[[], bool],
        missing: Callable[[], MissingInput | None] = lambda: None,
        start_text: str = "",
        monitor: Step | None = None,
        stage: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.steps = list(steps)
        self._review, self._start, self._missing = review, start, missing
        self._running = False
        self._stage = stage
        self._index = 0
        self.review_label = QLabel()
        self.review_label.setWordWrap(True)
        self.review_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        review_widget = QWidget()
        self.review_layout = QVBoxLayout(review_widget)
        self.review_layout.setContentsMargins(0, 0, 0, 0)
        self.review_layout.setAlignment(Qt.AlignTop)
        self.review_layout.addWidget(self.review_label)
        self.steps.append(Step(self.tr("Review"), review_widget))
        self.review_index = len(self.steps) - 1
        self.monitor_index: int | None = None
        if monitor is not None:
            self.steps.append(monitor)
            self.monitor_index = len(self.steps) - 1
        self._build(start_text or self.tr("Start"))
        for step in self.steps:
            self._watch(step.widget)
        self.go_to(0)

    # -- layout -------------------------------------------------------------------
    def _build(self, start_text: str) -> None:
        self.missing_label = QLabel()
        self.missing_label.setWordWrap(True)
        self.missing_button = QPushButton()
        self.missing_button.clicked.connect(self._on_missing_clicked)
        self.banner = QFrame()
        self.banner.setObjectName("wizardMissing")
        self.banner.setFrameShape(QFrame.StyledPanel)
        banner_row = QHBoxLayout(self.banner)
        banner_row.addWidget(self.missing_label, 1)
        banner_row.addWidget(self.missing_button)
        self.titles: list[QPushButton] = []
        # the row of step titles never widens the page: it shortens them (see _fit_titles)
        title_bar = QWidget()
        title_bar.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.title_row = title_row = QHBoxLayout(title_bar)
        title_row.setContentsMargins(0, 0, 0, 0)
        title_row.setSpacing(2)
        for index, step in enumerate(self.steps):
            button = QPushButton(f"{index + 1}  {step.title}")
            button.setFlat(True)
            button.setCheckable(True)
            button.setToolTip(step.title)
            button.clicked.connect(lambda _checked=False, i=index: self._on_title_clicked(i))
            self.titles.append(button)
            title_row.addWidget(button)
        title_row.addStretch(1)
        # the steps in one column, all but the shown one hidden: a hidden step takes no room
        # (a stack would be as tall as its tallest step, and the page would scroll)
        self.pages = QWidget()
        column = QVBoxLayout(self.pages)
        column.setContentsMargins(0, 0, 0, 0)
        for step in self.steps:
            column.addWidget(step.widget)
        self.reason = QLabel()
        self.reason.setObjectName("wizardReason")
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet(_REASON_STYLE)
        self.done_label = QLabel()
        self.done_label.setWordWrap(True)
        self.done_label.setOpenExternalLinks(True)
        self.done_label.setTextInteractionFlags(Qt.TextBrowserInteraction)
        self.back_button = QPushButton(self.tr("← Back"))
        self.back_button.clicked.connect(lambda: self.go_to(self.current() - 1))
        self.next_button = QPushButton(self.tr("Next →"))
        self.next_button.clicked.connect(lambda: self.go_to(self.current() + 1))
        self.start_button = QPushButton(start_text)
        self.start_button.clicked.connect(self.start)
        self.next_stage_button = QPushButton()
        self.next_stage_button.clicked.connect(self._on_next_stage_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        for button in (self.next_button, self.start_button, self.next_stage_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(title_bar)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.reason)
        layout.addWidget(self.done_label)
        layout.addLayout(buttons)
        self.next_stage_button.hide()
        self.done_label.hide()

    def _watch(self, widget: QWidget) -> None:
        """Re-validate whenever a field inside ``widget`` changes."""
        for edit in widget.findChildren(QLineEdit):
            edit.textChanged.connect(self.refresh)
        for spin in widget.findChildren(QAbstractSpinBox):
            if hasattr(spin, "valueChanged"):
                spin.valueChanged.connect(self.refresh)
        for combo in widget.findChildren(QComboBox):
            combo.currentIndexChanged.connect(self.refresh)
            combo.currentTextChanged.connect(self.refresh)
        for button in widget.findChildren(QAbstractButton):
            if button.isCheckable():
                button.toggled.connect(self.refresh)

    # -- navigation ---------------------------------------------------------------
    def current(self) -> int:
        """The index of the step shown."""
        return self._index

    def current_title(self) -> str:
        """The title of the step shown."""
        return self.steps[self.current()].title

    def go_to(self, index: int) -> bool:
        """Show step ``index``: any earlier step, a later one only when the steps before it
        are complete (the monitor step always). False (the reason shown) when it cannot."""
        index = max(0, min(index, len(self.steps) - 1))
        if index > self.current() and index != self.monitor_index:
            blocking = self.first_problem(until=index)
            if blocking is not None:
                self.refresh()
                return False
        self._show_page(index)
        return True

    def _show_page(self, index: int) -> None:
        """Show step ``index`` and hide the others."""
        self._index = index
        for position, step in enumerate(self.steps):
            step.widget.setVisible(position == index)
        self.refresh()

    def go_to_review(self) -> bool:
        """Show the review step when every input step is complete."""
        return self.go_to(self.review_index)

    def first_problem(self, until: int | None = None) -> str | None:
        """``"<step>: <reason>"`` of the first incomplete input step before ``until``
        (default: all of them); None when they are all complete."""
        stop = self.review_index if until is None else min(until, self.review_index)
        for step in self.steps[:stop]:
            reason = step.validate()
            if reason:
                return self.tr("{0}: {1}").format(step.title, reason)
        return None

    def start_problem(self) -> str | None:
        """Why Start is disabled (missing inputs, a running job, an incomplete step), or None."""
        missing = self._missing()
        if missing is not None:
            return missing.message
        if self._running:
            return self.tr("A job is running.")
        return self.first_problem()

    def refresh(self, *_args: object) -> None:
        """Re-check the shown step, the review text, the inputs and the buttons."""
        index = self.current()
        missing = self._missing()
        self.banner.setVisible(missing is not None)
        if missing is not None:
            self.missing_label.setText(missing.message)
            self.missing_button.setText(self.tr("Go to {0}").format(stage_name(missing.stage)))
        for position, button in enumerate(self.titles):
            button.setChecked(position == index)
            font = button.font()
            font.setBold(position == index)
            button.setFont(font)
        self._fit_titles()
        on_review = index == self.review_index
        before_review = index < self.review_index
        self.back_button.setEnabled(index > 0)
        self.next_button.setVisible(before_review)
        self.start_button.setVisible(on_review)
        start_reason = self.start_problem()
        self.start_button.setEnabled(start_reason is None)
        if before_review:
            reason = self.steps[index].validate()
            self.next_button.setEnabled(reason is None)
        elif on_review:
            reason = start_reason
            self.review_label.setText(self._review_or_problem())
        else:
            reason = None
        self.reason.setText(f"⚠ {reason}" if reason else "")
        self.reason.setVisible(bool(reason))

    def _fit_titles(self) -> None:
        """Each step's number and title; when they do not fit the wizard's width (a narrow
        panel, a long translation) the other steps show only their number (title as tip)."""
        full = [f"{position + 1}  {step.title}" for position, step in enumerate(self.steps)]
        metrics = self.titles[0].fontMetrics()
        padding = self.titles[0].sizeHint().width() - metrics.horizontalAdvance(
            self.titles[0].text()
        )
        needed = sum(
            metrics.horizontalAdvance(text) + padding + self.title_row.spacing() for text in full
        )
        short = needed > self.width() > 0
        for position, (button, text) in enumerate(zip(self.titles, full)):
            shown = str(position + 1) if short and position != self.current() else text
            if button.text() != shown:
                button.setText(shown)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit_titles()

    def _review_or_problem(self) -> str:
        try:
            return self._review()
        except UserError as exc:
            return engine_text(exc.message)

    # -- the job ------------------------------------------------------------------
    def start(self) -> bool:
        """Start the page's job when nothing keeps it from starting; then show the monitor."""
        if self.start_problem() is not None:
            self.refresh()
            return False
        self.done_label.hide()
        self.next_stage_button.hide()
        if not self._start():
            self.refresh()
            return False
        if self.monitor_index is not None:
            self._show_page(self.monitor_index)
        else:
            self.refresh()
        return True

    def set_running(self, running: bool) -> None:
        """A job started or ended (any page's): Start waits for it."""
        self._running = running
        self.refresh()

    def finish(self, text: str = "") -> None:
        """The page's job succeeded: show ``text`` (rich text) and "Next stage →"."""
        self.done_label.setText(f"<span style='{_DONE_STYLE}'>✔</span> {text}".rstrip())
        self.done_label.show()
        following = next_stage(self._stage) if self._stage else None
        if following is not None:
            self.next_stage_button.setText(
                self.tr("Next stage: {0} →").format(stage_name(following))
            )
            self.next_stage_button.show()
        self.refresh()

    def clear_result(self) -> None:
        """Forget the shown result (another project, another run)."""
        self.done_label.clear()
        self.done_label.hide()
        self.next_stage_button.hide()

    def reset(self) -> None:
        """Back to the first step without a result (another project was opened)."""
        self.clear_result()
        self._show_page(0)

    # -- slots ----------------------------------------------------------------------
    def _on_title_clicked(self, index: int) -> None:
        self.go_to(index)

    def _on_missing_clicked(self) -> None:
        missing = self._missing()
        if missing is not None:
            self.show_stage.emit(missing.stage)

    def _on_next_stage_clicked(self) -> None:
        following = next_stage(self._stage)
        if following is not None:
            self.show_stage.emit(following)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.refresh()
        super().showEvent(event)
