"""UI languages through Qt's translation system.

Translations live in Qt Linguist ``.ts`` files (``resources/translations/ffn_workbench_<lang>.ts``),
editable with Qt Linguist; :class:`TsTranslator` reads them directly, so no compiled
``.qm`` step is needed. Widgets translate with ``self.tr(...)`` / ``QCoreApplication.translate``
(strings kept in variables are marked with ``QT_TRANSLATE_NOOP``). After changing UI strings,
refresh the ``.ts`` (existing translations are kept, new ones marked unfinished) with::

    pylupdate5 app/*.py app/pages/*.py app/inspect/*.py \\
        -ts resources/translations/ffn_workbench_ja.ts

pylupdate5 misreads a string written as several literals over lines (it marks its entry
obsolete and adds a cut one); ``tests/app/test_i18n.py`` lists what is untranslated, with the
exact (context, source) to add by hand (or with Qt Linguist) where it does.

The language follows the system locale unless the user chose one in Settings › Language.
Qt's own texts (dialog buttons such as Close, Cancel, the file dialog) come from the
``qtbase_<lang>.qm`` shipped with Qt; the engine's fixed messages are translated by
:func:`engine_text`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

from PyQt5.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator

TRANSLATIONS = Path(__file__).resolve().parents[1] / "resources" / "translations"
LANGUAGES = {"en": "English", "ja": "日本語"}
_SETTINGS_KEY = "ui/language"
_SKIPPED_TYPES = ("unfinished", "obsolete", "vanished")


class TsTranslator(QTranslator):
    """A QTranslator fed from a Qt Linguist ``.ts`` file.

    Like ``lrelease``, it skips unfinished, obsolete and vanished translations; a string
    without a translation is shown as written (:meth:`translate` answers None, which Qt
    reads as "not translated", where an empty string would blank the text).
    """

    def __init__(self, ts_file: Path) -> None:
        super().__init__()
        self._messages: dict[tuple[str, str], str] = {}
        root = ElementTree.parse(ts_file).getroot()
        for context in root.iter("context"):
            name = context.findtext("name", "")
            for message in context.iter("message"):
                translation = message.find("translation")
                text = translation.text if translation is not None else ""
                if text and translation.get("type") not in _SKIPPED_TYPES:
                    self._messages[(name, message.findtext("source", ""))] = text

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        return self._messages.get((context, source))

    def isEmpty(self) -> bool:
        return not self._messages


def engine_text(text: str) -> str:
    """``text`` from the engine (a ``UserError``'s message or hint) in the UI's language.

    The engine has no Qt: its fixed sentences are translated here, in the ``"Engine"``
    context; a sentence with values in it (a path, a number) shows as written.
    """
    return QCoreApplication.translate("Engine", text) if text else text


def preferred_language(settings: QSettings | None = None) -> str:
    """The language chosen in Settings, else the default locale's when we have it, else English.

    The default locale is the system's unless changed with ``QLocale.setDefault``.
    """
    chosen = (settings or QSettings()).value(_SETTINGS_KEY, "", type=str)
    if chosen in LANGUAGES:
        return chosen
    system = QLocale().name().split("_")[0]
    return system if system in LANGUAGES else "en"


def save_language(language: str, settings: QSettings | None = None) -> None:
    """Remember ``language`` for the next start (in ``settings``, default: the app's)."""
    (settings or QSettings()).setValue(_SETTINGS_KEY, language)


_installed: list[QTranslator] = []


def install_language(language: str) -> None:
    """Translate the application's UI strings, and Qt's own, into ``language`` from now on."""
    app = QCoreApplication.instance()
    while _installed:
        app.removeTranslator(_installed.pop())
    ts_file = TRANSLATIONS / f"ffn_workbench_{language}.ts"
    if language == "en" or not ts_file.is_file():
        return
    qt_texts = QTranslator()
    if qt_texts.load(f"qtbase_{language}", QLibraryInfo.location(QLibraryInfo.TranslationsPath)):
        _installed.append(qt_texts)
    _installed.append(TsTranslator(ts_file))
    for translator in _installed:  # the last installed is asked first: ours
        app.installTranslator(translator)
