"""UI languages: the main window in Japanese and back in English, the language menu,
the system-locale default, and a Japanese translation for every UI string in app/ (and for
the engine's sentences the GUI shows)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from PyQt5.QtCore import QLocale, QSettings
from PyQt5.QtWidgets import QMessageBox

from app.i18n import TRANSLATIONS, TsTranslator, install_language, preferred_language

APP = Path(__file__).resolve().parents[2] / "app"
JA_TS = TRANSLATIONS / "ffn_workbench_ja.ts"


@pytest.fixture
def english_after(qapp):
    """Whatever a test installs, the next test starts in English."""
    yield
    install_language("en")


@pytest.fixture
def japanese_window(english_after, request):
    """The main window built after switching the UI to Japanese."""
    install_language("ja")
    return request.getfixturevalue("main_window")


def window_texts(window) -> dict[str, list[str]]:
    """Menu titles, stage list items and push-button texts shown by ``window``."""
    from PyQt5.QtWidgets import QPushButton

    return {
        "menus": [action.text() for action in window.menuBar().actions()],
        "stages": [window.navigation.item(row).text() for row in range(window.navigation.count())],
        "buttons": [button.text() for button in window.findChildren(QPushButton)],
    }


def test_main_window_in_japanese(japanese_window, tmp_path, artifacts):
    texts = window_texts(japanese_window)
    assert texts["stages"] == [
        "1  インポート",
        "2  前処理",
        "3  学習",
        "4  推論",
        "5  エクスポート",
    ]
    assert texts["menus"][:4] == ["ファイル(&F)", "表示(&V)", "設定(&S)", "ヘルプ(&H)"]
    assert {"インポート", "開始", "停止", "TensorBoard で開く"} <= set(texts["buttons"])
    assert "プロジェクトを作成" in japanese_window.statusBar().currentMessage()
    assert japanese_window.welcome.grab().save(str(artifacts / "welcome_ja.png"))
    assert japanese_window.open_project(tmp_path / "project", create=True)
    assert japanese_window.pages["import"].import_button.text() == "インポート"
    assert japanese_window.grab().save(str(artifacts / "main_window_ja.png"))


def test_switching_back_to_english(english_after, request):
    install_language("ja")
    install_language("en")
    texts = window_texts(request.getfixturevalue("main_window"))
    assert texts["stages"] == ["1  Import", "2  Preprocess", "3  Train", "4  Infer", "5  Export"]
    assert texts["menus"][:4] == ["&File", "&View", "&Settings", "&Help"]
    assert "Import" in texts["buttons"]


def test_language_menu_saves_the_choice(main_window, english_after, qtbot):
    actions = {action.data(): action for action in main_window.language_menu.actions()}
    assert [action.text() for action in actions.values()] == ["English", "日本語"]
    assert actions[preferred_language(main_window.settings)].isChecked()
    main_window.settings.setValue("ui/language", "en")
    actions["ja"].trigger()
    assert main_window.settings.value("ui/language") == "ja"
    assert actions["ja"].isChecked() and not actions["en"].isChecked()
    box = main_window.findChild(QMessageBox, "languageBox")
    qtbot.waitUntil(box.isVisible)
    assert "次回起動時" in box.text()  # the new language from now on, the window after a restart
    box.close()


@pytest.mark.parametrize(
    "locale, stored, expected",
    [
        ("ja_JP", None, "ja"),
        ("de_DE", None, "en"),
        ("en_US", None, "en"),
        ("ja_JP", "en", "en"),
        ("en_GB", "ja", "ja"),
    ],
)
def test_language_follows_the_locale_unless_chosen(tmp_path, locale, stored, expected):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    if stored:
        settings.setValue("ui/language", stored)
    previous = QLocale()
    QLocale.setDefault(QLocale(locale))
    try:
        assert preferred_language(settings) == expected
    finally:
        QLocale.setDefault(previous)


def test_a_string_without_translation_shows_as_written(english_after):
    from PyQt5.QtCore import QCoreApplication

    install_language("ja")
    assert QCoreApplication.translate("DiagnosticsDialog", "TensorFlow") == "TensorFlow"
    assert QCoreApplication.translate("MainWindow", "&File") == "ファイル(&F)"


def test_the_engine_and_qt_speak_japanese_too(english_after):
    from PyQt5.QtCore import QCoreApplication

    from app.i18n import engine_text

    install_language("ja")
    assert (
        engine_text("No model checkpoint is given.")
        == "モデルのチェックポイントが指定されていません。"
    )
    assert engine_text("slices") == "スライス"
    assert engine_text("/data/photos is not empty.") == "/data/photos is not empty."  # values
    assert QCoreApplication.translate("QPlatformTheme", "Close") == "閉じる"  # Qt's own buttons
    install_language("en")
    assert engine_text("slices") == "slices"


def ui_strings() -> set[tuple[str, str]]:
    """(context, source) of every ``self.tr("...")`` (context: the enclosing class),
    ``QT_TRANSLATE_NOOP("Ctx", "...")`` and ``translate("Ctx", "...")`` in app/."""
    found = set()
    for path in APP.rglob("*.py"):
        module = ast.parse(path.read_text(encoding="utf-8"))
        for context, call in calls_in_contexts(module):
            name = getattr(call.func, "attr", getattr(call.func, "id", ""))
            literals = [
                arg.value
                for arg in call.args[:2]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            ]
            first_is_literal = literals and getattr(call.args[0], "value", None) == literals[0]
            if name == "tr" and context and first_is_literal:
                found.add((context, literals[0]))
            elif name in ("QT_TRANSLATE_NOOP", "translate") and len(literals) == 2:
                found.add((literals[0], literals[1]))
    return found


def calls_in_contexts(node: ast.AST, context: str = ""):
    """Every call under ``node`` with the name of the class it is written in ("" if none)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Call):
            yield context, child
        yield from calls_in_contexts(
            child, child.name if isinstance(child, ast.ClassDef) else context
        )


def engine_texts() -> set[tuple[str, str]]:
    """(context, text) of the engine's words the GUI shows translated (it has no Qt): the
    refinement steps' sentences, the stages' names (the job panel's "Running: import")."""
    from ffn_core.infer.refine import STEP_DESCRIPTIONS
    from ffn_core.project import STAGES

    return {("InferPage", sentence) for sentence in STEP_DESCRIPTIONS.values()} | {
        ("Engine", stage) for stage in STAGES
    }


def test_every_ui_string_has_a_japanese_translation():
    strings = ui_strings() | engine_texts()
    assert ("MainWindow", "3  Train") in strings and ("ImportPage", "Import") in strings
    translator = TsTranslator(JA_TS)
    missing = sorted(key for key in strings if not (translator.translate(*key) or "").strip())
    assert not missing, (
        f"UI strings without a Japanese translation: {missing}. Run pylupdate5 "
        "(see app/i18n.py) and translate them in ffn_workbench_ja.ts."
    )


def test_translations_keep_placeholders_and_shortcuts():
    translator = TsTranslator(JA_TS)
    for context, source in ui_strings():
        ja = translator.translate(context, source) or ""
        assert re.findall(r"\{\d\}", ja) == re.findall(r"\{\d\}", source), (source, ja)
        shortcut = re.findall(r"&\w", source.lower())  # "&File" -> "ファイル(&F)"
        assert re.findall(r"&\w", ja.lower()) == shortcut, (source, ja)
        assert re.findall(r"</?\w+>", ja) == re.findall(r"</?\w+>", source), (source, ja)
