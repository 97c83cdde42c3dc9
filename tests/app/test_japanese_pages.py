"""Every page of ours in Japanese at 1280×800: each stage page and each of its wizard steps,
the Job and Inspect docks, the menus and the About dialog. Nothing of ours is clipped, no
English is left in what they show, no source string is "translated" as itself (unless it is
a name or a unit), menu shortcuts read as shortcuts, and the left panel never scrolls
sideways. Screenshots of each go to the test artifacts."""

from __future__ import annotations

import re
from html import unescape

import pytest
from PyQt5.QtGui import QKeySequence, QTextDocument
from PyQt5.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStyle,
    QStyleOptionButton,
    QStyleOptionComboBox,
    QStyleOptionFrame,
    QStyleOptionGroupBox,
    QTabBar,
    QWidget,
)

from app.i18n import TRANSLATIONS, TsTranslator, install_language
from tests.app.test_i18n import ui_strings

pytestmark = pytest.mark.gui
SCREEN = (1280, 800)
# names, units and formats that read the same in Japanese (whole words of a shown text)
SAME_IN_JAPANESE = set(
    """
    FFN Workbench TensorFlow TensorBoard JAX PyTorch Python Qt PyQt5 napari Dask HDF5 TIFF PNG
    ImageJ Fiji CPU GPU GPUs CUDA FOV FOVs ID IDs ETA bfloat16 float32 float16 mixed nm px
    dtype uint8 uint16 uint32 min max s h ms zyx xyz z y x 3D 2D RGB RGBA ITU SNEMI3D Rand VI
    NVIDIA AMD Intel EPYC Linux Windows macOS URL OK TB GB MB KB GiB MiB AVX512 BF16 ffn core
    lom h5 tif npy json csv EM LOM JSON PC SSH TF1 InferenceRequest PolicyPeaks FIB-SEM VOI
    Adapted F1 sgd adam deltas anisotropic isotropic BF Ctrl Shift ITU-R xy yx AVX512-BF16
    Flood-Filling Network momentum pbtxt PolicyGrid3d PolicyFillEmptySpace PolicyInvertOrigins
    png tiff tiff-stack hdf5 OBJ STL
    """.split()
)
DATA_WORDS = {"run1"}  # the test project's run name, shown as it is
# tr() sources whose Japanese is rightly the same text
UNCHANGED_SOURCES = {"3D", "TensorBoard", "FFN Workbench", "Dask", "FOV/s", "ID"}
VALUE_SCROLLS = re.compile(r"[/\\{]")  # a path or JSON in a line edit
ENGLISH_WORD = re.compile(r"[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*")
# what a text shows that is no word of ours: paths, files (and HDF5 datasets), JSON and
# placeholders, option names, mnemonics "(&F)", names in 「」 (a run's), coordinates (z0)
NOT_WORDS = re.compile(
    r"\S*[/\\]\S*|\S+\.\w{1,4}\b(:\w+)?|\{[^{}]*\}|--[\w-]+|\w+_\w+|\(&?[A-Z]\)|「[^」]*」"
    r"|\b[zyx]\d\b"
)


@pytest.fixture
def japanese(qapp):
    install_language("ja")
    yield
    install_language("en")


@pytest.fixture
def window_ja(japanese, request, project_with_run):
    """The main window in Japanese at 1280×800 with a project that has an inference run."""
    window = request.getfixturevalue("main_window")
    window.resize(*SCREEN)
    assert window.open_project(project_with_run.root)
    QApplication.processEvents()
    return window


# -- what is shown ----------------------------------------------------------------------------
def shown(widget: QWidget) -> bool:
    """Whether ``widget`` is on screen and ours (napari's own widgets are napari's)."""
    if not (widget.isVisibleTo(widget.window()) and widget.width() > 0):
        return False
    while widget is not None:
        if type(widget).__module__.startswith(("napari", "vispy")):
            return False
        widget = widget.parentWidget()
    return True


def plain(text: str) -> str:
    """``text`` as shown: rich text without its tags and entities, no mnemonic '&'."""
    if "<" in text and ">" in text:
        document = QTextDocument()
        document.setHtml(text)
        return document.toPlainText()
    return re.sub(r"&(.)", r"\1", text)


def text_width(widget: QWidget, text: str) -> float:
    """How wide ``text`` is drawn in ``widget``'s font (rich text laid out as Qt does)."""
    if is_rich_text(text):
        document = QTextDocument()
        document.setDefaultFont(widget.font())
        document.setDocumentMargin(0)
        document.setHtml(text)
        return document.idealWidth()
    return max(
        (widget.fontMetrics().horizontalAdvance(line) for line in plain(text).split("\n")),
        default=0,
    )


def is_rich_text(text: str) -> bool:
    """Whether Qt would show ``text`` as rich text (it holds a tag)."""
    return bool(re.search(r"<[a-zA-Z/][^>]*>", text))


def clipped_texts(root: QWidget) -> list[str]:
    """``"<class> '<text>' needs N px, has M"`` for each shown widget under ``root`` whose
    text does not fit (labels that wrap are left out: they take the room they need)."""
    problems = []
    for widget in root.findChildren(QWidget):
        if not shown(widget):
            continue
        kind = type(widget).__name__
        for text, needed, room in texts_and_rooms(widget):
            if needed > room + 1:  # 1 px of rounding
                problems.append(f"{kind} {plain(text)!r} needs {needed:.0f} px, has {room}")
        tall = widget.minimumSizeHint().height()
        if squeezable(widget) and widget.height() < tall:
            problems.append(
                f"{kind} {plain(what_it_says(widget))!r} is {widget.height()} px tall of {tall}"
            )
    return problems


def texts_and_rooms(widget: QWidget) -> list[tuple[str, float, int]]:
    """(text, width it needs, width the widget gives it) of each text ``widget`` shows."""
    if isinstance(widget, QLabel) and widget.text() and not widget.wordWrap():
        if widget.pixmap() is None or widget.pixmap().isNull():
            room = widget.contentsRect().width() - 2 * widget.margin()
            return [(widget.text(), text_width(widget, widget.text()), room)]
    elif isinstance(widget, (QPushButton, QCheckBox, QRadioButton)) and widget.text():
        return [(widget.text(), *button_needs_and_room(widget))]
    elif isinstance(widget, QGroupBox) and widget.title():
        room = sub_control_width(widget, QStyleOptionGroupBox(), QStyle.SC_GroupBoxLabel)
        return [(widget.title(), text_width(widget, widget.title()), min(room, widget.width()))]
    elif isinstance(widget, QLineEdit):
        text = widget.text() or widget.placeholderText()
        if text and not VALUE_SCROLLS.search(text):  # paths and JSON scroll, as values do
            return [(text, text_width(widget, text), line_edit_room(widget))]
    elif isinstance(widget, QComboBox) and widget.currentText():
        room = sub_control_width(widget, QStyleOptionComboBox(), QStyle.SC_ComboBoxEditField)
        return [(widget.currentText(), text_width(widget, widget.currentText()), room)]
    elif isinstance(widget, QTabBar):
        return [
            (
                widget.tabText(i),
                text_width(widget, widget.tabText(i)),
                widget.tabRect(i).width() - 8,
            )
            for i in range(widget.count())
        ]
    return []


def sub_control_width(widget: QWidget, option, sub_control) -> int:
    """The width ``widget``'s style gives its ``sub_control`` (the group box's title...)."""
    widget.initStyleOption(option)
    control = QStyle.CC_GroupBox if isinstance(widget, QGroupBox) else QStyle.CC_ComboBox
    return widget.style().subControlRect(control, option, sub_control, widget).width()


def line_edit_room(edit: QLineEdit) -> int:
    """The width ``edit`` draws its text in: its style's contents, less its text margins and
    the 2 px QLineEdit keeps on each side."""
    option = QStyleOptionFrame()
    try:
        edit.initStyleOption(option)
    except RuntimeError:  # an edit Qt made (a spin box's): its frame is the spin box's
        option.initFrom(edit)
    contents = edit.style().subElementRect(QStyle.SE_LineEditContents, option, edit)
    left, _top, right, _bottom = edit.getTextMargins()
    return contents.width() - left - right - 4


def button_needs_and_room(button: QAbstractButton) -> tuple[float, int]:
    """The width ``button``'s text (and icon) needs, and the width its style gives them."""
    option = QStyleOptionButton()
    try:
        button.initStyleOption(option)
    except RuntimeError:  # a button Qt made (a dialog's Close): its size hint says the need
        return button.sizeHint().width(), button.width()
    element = {
        QPushButton: QStyle.SE_PushButtonContents,
        QCheckBox: QStyle.SE_CheckBoxContents,
        QRadioButton: QStyle.SE_RadioButtonContents,
    }[next(kind for kind in (QPushButton, QCheckBox, QRadioButton) if isinstance(button, kind))]
    room = button.style().subElementRect(element, option, button).width()
    icon = button.iconSize().width() + 4 if not button.icon().isNull() else 0
    return text_width(button, button.text()) + icon, room


def squeezable(widget: QWidget) -> bool:
    """Whether a layout could make ``widget`` too short for its text: a button with text, a
    combo box, a line edit of its own (not a combo box's or spin box's inner one)."""
    if isinstance(widget, (QPushButton, QCheckBox, QRadioButton)):
        return bool(widget.text())
    if isinstance(widget, QLineEdit):
        return not isinstance(widget.parentWidget(), (QComboBox, QAbstractSpinBox))
    return isinstance(widget, QComboBox)


def what_it_says(widget: QWidget) -> str:
    """What ``widget`` says, for a message."""
    return " ".join(text for text, _needed, _room in texts_and_rooms(widget))


def shown_texts(root: QWidget) -> list[str]:
    """The texts of ours a user reads under ``root``: labels, buttons, group titles, tabs,
    the choices of combo boxes, placeholders and tooltips (what line edits and editable combo
    boxes hold is the user's: values, paths)."""
    texts = []
    for widget in root.findChildren(QWidget):
        if not shown(widget):
            continue
        if isinstance(widget, QLabel):
            texts.append(widget.text())
        elif isinstance(widget, QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        elif isinstance(widget, QTabBar):
            texts += [widget.tabText(i) for i in range(widget.count())]
        elif isinstance(widget, QComboBox) and not widget.isEditable():
            texts += [widget.itemText(i) for i in range(widget.count())]
        elif isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
        if widget.toolTip():
            texts.append(widget.toolTip())
    return [text for text in texts if text]


def english_in(texts: list[str], allowed: set[str] = frozenset()) -> list[str]:
    """The texts that still hold English words (not names, units, paths or numbers)."""
    found = []
    for text in texts:
        words = plain(unescape(text))
        words = NOT_WORDS.sub(" ", words)
        english = [
            word
            for word in ENGLISH_WORD.findall(words)
            if word not in SAME_IN_JAPANESE and word not in allowed
        ]
        if english:
            found.append(f"{plain(text)!r}: {english}")
    return found


# -- rendering ------------------------------------------------------------------------------
def left_scroll(window, stage: str) -> QScrollArea:
    """The scroll area that holds ``stage``'s page in the left panel."""
    index = list(window.pages).index(stage)
    return window.stack.widget(index)


def render_steps(window, stage: str, qtbot, artifacts):
    """Show ``stage``'s page and each step of its wizard; yield a name for each view."""
    page = window.show_stage(stage)
    wizard = getattr(page, "wizard", None)
    steps = range(len(wizard.steps)) if wizard is not None else [None]
    for index in steps:
        if index is not None:
            wizard._show_page(index)  # every step, whether the steps before it are complete
        for _ in range(3):  # the step's layout settles (the review text changes the page's)
            qtbot.wait(20)
            QApplication.processEvents()
        name = f"{stage}" if index is None else f"{stage}_step{index + 1}"
        assert window.grab().save(str(artifacts / f"ja_{name}.png"))
        yield name


def test_the_welcome_screen_fits_in_japanese(japanese, request, artifacts):
    window = request.getfixturevalue("main_window")
    window.resize(*SCREEN)
    QApplication.processEvents()
    assert window.grab().save(str(artifacts / "ja_welcome.png"))
    problems = clipped_texts(window.welcome) + english_in(shown_texts(window.welcome))
    assert not problems, "\n".join(problems)


def test_every_page_and_wizard_step_fits_in_japanese(window_ja, qtbot, artifacts):
    window = window_ja
    problems: dict[str, list[str]] = {}
    for stage in window.pages:
        for name in render_steps(window, stage, qtbot, artifacts):
            scroll = left_scroll(window, stage)
            found = clipped_texts(scroll)
            if (window.width(), window.height()) != SCREEN:
                found.append(f"the window needs {window.width()}×{window.height()} px")
            if scroll.horizontalScrollBar().isVisible():
                found.append(
                    f"the left panel scrolls sideways ({scroll.widget().minimumSizeHint().width()}"
                    f" px wide, {scroll.viewport().width()} px shown)"
                )
            found += [f"English: {e}" for e in english_in(shown_texts(scroll), DATA_WORDS)]
            if found:
                problems[name] = found
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_docks_fit_in_japanese(window_ja, qtbot, artifacts):
    window = window_ja
    inspect = window.show_inspect()
    problems: dict[str, list[str]] = {}
    for index in range(inspect.tabs.count()):
        inspect.tabs.setCurrentIndex(index)
        qtbot.wait(50)
        name = f"inspect_tab{index + 1}"
        assert window.grab().save(str(artifacts / f"ja_{name}.png"))
        found = [] if window.height() <= SCREEN[1] else [f"the window is {window.height()} px tall"]
        found += clipped_texts(window.inspect_dock) + [
            f"English: {e}" for e in english_in(shown_texts(window.inspect_dock), DATA_WORDS)
        ]
        if found:
            problems[name] = found
    found = clipped_texts(window.job_dock) + [
        f"English: {e}" for e in english_in(shown_texts(window.job_dock))
    ]
    if found:
        problems["job"] = found
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_a_running_job_reads_in_japanese(window_ja, qtbot, long_stack, artifacts):
    window = window_ja
    page = window.show_stage("import")
    page.images.set_path(long_stack)
    page.labels.set_path("")
    with qtbot.waitSignal(window.client.progress, timeout=60_000):
        assert page.start_import()
    qtbot.wait(200)
    assert window.grab().save(str(artifacts / "ja_job_running.png"))
    window.job_panel.layout().activate()  # lay out the latest progress texts now
    problems = clipped_texts(window.job_dock) + english_in(shown_texts(window.job_dock))
    if window.client.is_running():
        with qtbot.waitSignal(window.client.finished, timeout=60_000):
            window.job_panel.stop_button.click()
    problems += english_in(shown_texts(window.job_dock))  # how it ended
    assert not problems, "\n".join(problems)


def test_menus_read_in_japanese_with_their_shortcuts(window_ja):
    window = window_ja
    problems = []
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        problems += [f"menu: {e}" for e in english_in([menu_action.text()])]
        for action in menu.actions():
            if action.isSeparator() or action.menu() is window.recent_menu:
                continue
            if action.menu() is None and action in window.language_menu.actions():
                continue
            problems += [f"menu item: {e}" for e in english_in([action.text()])]
            shortcut = action.shortcut()
            if not shortcut.isEmpty():
                native = shortcut.toString(QKeySequence.NativeText)
                portable = shortcut.toString(QKeySequence.PortableText)
                if native != portable or "+" not in native:
                    problems.append(f"{plain(action.text())}: shortcut shown as {native!r}")
    assert not problems, "\n".join(problems)


def test_about_dialog_in_japanese(window_ja, qtbot, artifacts):
    dialog = window_ja.show_diagnostics()
    with qtbot.waitSignal(dialog.client.finished, timeout=120_000):
        pass
    dialog.resize(dialog.sizeHint())
    qtbot.wait(50)
    assert dialog.grab().save(str(artifacts / "ja_about.png"))
    form = dialog.layout().itemAt(0).layout()
    titles = [form.itemAt(row, form.LabelRole).widget().text() for row in range(form.rowCount())]
    assert {"TensorFlow", "JAX", "PyTorch"} <= set(titles)  # the backend rows keep their names
    assert all(titles), titles
    problems = clipped_texts(dialog)
    # the values are the environment's own words (versions, CPU names): only the row labels
    buttons = [button.text() for button in dialog.findChildren(QPushButton)]  # Qt's Close
    problems += english_in([dialog.windowTitle(), *titles, *buttons])
    dialog.close()
    assert not problems, "\n".join(problems)


def test_no_source_string_is_translated_as_itself():
    translator = TsTranslator(TRANSLATIONS / "ffn_workbench_ja.ts")
    same = sorted(
        (context, source)
        for context, source in ui_strings()
        if (translator.translate(context, source) or "") == source
        and source not in UNCHANGED_SOURCES
        and english_in([source])
    )
    assert not same, f"translated as themselves: {same}"
