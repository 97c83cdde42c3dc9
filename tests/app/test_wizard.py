"""The wizard framework: steps validated before Next, Start disabled with its reason, the
review text, the missing-input banner and "Next stage →"."""

from __future__ import annotations

from PyQt5.QtWidgets import QFormLayout, QLineEdit, QWidget

from app.pages.wizard import MissingInput, Step, Wizard, estimate_text, next_stage


def _form(edit: QLineEdit) -> QWidget:
    widget = QWidget()
    QFormLayout(widget).addRow("Name", edit)
    return widget


def _wizard(qtbot, missing=None):
    name, size = QLineEdit(), QLineEdit()
    started: list[str] = []
    wizard = Wizard(
        [
            Step("Name", _form(name), lambda: None if name.text() else "Give a name."),
            Step("Size", _form(size), lambda: None if size.text().isdigit() else "Not a number."),
        ],
        review=lambda: f"Will make {name.text()} of size {size.text()}.",
        start=lambda: started.append(name.text()) or True,
        missing=missing or (lambda: None),
        stage="preprocess",
    )
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard, name, size, started


def test_next_waits_for_a_complete_step_and_says_why(qtbot):
    wizard, name, size, started = _wizard(qtbot)
    assert wizard.current_title() == "Name"
    assert not wizard.next_button.isEnabled()
    assert "Give a name." in wizard.reason.text() and wizard.reason.isVisible()
    assert not wizard.go_to(2)  # the review cannot be reached past an incomplete step
    name.setText("cube")  # typing re-validates by itself
    assert wizard.next_button.isEnabled() and not wizard.reason.isVisible()
    wizard.next_button.click()
    assert wizard.current_title() == "Size" and not wizard.next_button.isEnabled()
    size.setText("12")
    wizard.next_button.click()
    assert wizard.current_title() == "Review"
    assert wizard.start_button.isVisible() and not wizard.next_button.isVisible()
    assert "Will make cube of size 12." in wizard.review_label.text()
    wizard.back_button.click()
    size.setText("x")
    wizard.go_to(2)
    assert wizard.current_title() == "Size"  # still blocked


def test_start_disabled_while_invalid_or_running_then_next_stage(qtbot):
    wizard, name, size, started = _wizard(qtbot)
    name.setText("cube")
    size.setText("12")
    assert wizard.go_to_review()
    assert wizard.start_button.isEnabled()
    wizard.set_running(True)
    assert not wizard.start_button.isEnabled() and "job is running" in wizard.reason.text()
    wizard.set_running(False)
    name.setText("")  # an earlier step becomes incomplete: Start says which
    assert not wizard.start_button.isEnabled()
    assert wizard.reason.text() == "⚠ Name: Give a name."
    assert not wizard.start() and started == []
    name.setText("cube")
    wizard.start_button.click()
    assert started == ["cube"]
    assert not wizard.next_stage_button.isVisible()
    wizard.finish("42 written.")
    assert wizard.next_stage_button.isVisible() and "Train" in wizard.next_stage_button.text()
    assert "42 written." in wizard.done_label.text()
    with qtbot.waitSignal(wizard.show_stage) as shown:
        wizard.next_stage_button.click()
    assert shown.args == ["train"]
    wizard.reset()
    assert wizard.current() == 0 and not wizard.next_stage_button.isVisible()


def test_missing_inputs_banner_points_to_the_stage_first(qtbot):
    need = [MissingInput("Import an image first.", "import")]
    wizard, name, size, started = _wizard(qtbot, missing=lambda: need[0] if need else None)
    assert wizard.banner.isVisible() and wizard.missing_label.text() == "Import an image first."
    assert "Import" in wizard.missing_button.text()
    name.setText("cube")
    size.setText("3")
    wizard.go_to_review()
    assert not wizard.start_button.isEnabled() and "Import an image first." in wizard.reason.text()
    with qtbot.waitSignal(wizard.show_stage) as shown:
        wizard.missing_button.click()
    assert shown.args == ["import"]
    need.clear()
    wizard.refresh()
    assert not wizard.banner.isVisible() and wizard.start_button.isEnabled()


def test_estimate_text_and_stage_order():
    class Estimate:
        seconds, rate, unit, source = 185.0, 2.5, "steps/s", "project"

    assert estimate_text(None).endswith("—")
    text = estimate_text(Estimate())
    assert "3 min 05 s" in text and "2.5 steps/s, measured in this project" in text
    assert next_stage("import") == "preprocess" and next_stage("export") is None


def test_step_titles_fit_a_narrow_panel(qtbot):
    steps = [Step(f"A rather long step title {n}", QWidget()) for n in range(4)]
    wizard = Wizard(steps, review=lambda: "", start=lambda: True)
    qtbot.addWidget(wizard)
    wizard.resize(300, 200)
    wizard.show()
    qtbot.waitExposed(wizard)
    qtbot.wait(10)
    assert wizard.width() == 300
    assert wizard.titles[0].text() == "1  A rather long step title 0"  # the shown step
    assert [button.text() for button in wizard.titles[1:]] == ["2", "3", "4", "5"]
    assert wizard.titles[4].toolTip() == "Review"
    assert sum(button.width() for button in wizard.titles) <= 300
    wizard.resize(1400, 200)
    qtbot.wait(10)
    assert wizard.titles[2].text() == "3  A rather long step title 2"
