"""Start FFN Workbench: the window (QApplication, main window, start-up errors as dialogs),
or the headless demo when there is no display.

:func:`main` is the ``ffn-workbench`` GUI script and what ``main.py`` runs; the decisions
without Qt come from :mod:`app.launch`. Qt is imported only inside the functions that
show something, so the demo fallback starts without a display.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from app import launch

ICON = Path(__file__).resolve().parents[1] / "resources" / "icons" / "ffn-workbench.png"
_GL_HINT = (
    "The 3-D view needs OpenGL. On Linux install the Mesa GL libraries "
    "(libgl1-mesa-dri, libglx-mesa0) or your graphics driver; on a remote session "
    "try a machine with a desktop, or run `python main.py --demo` for the headless demo."
)


def startup_hint(exc: BaseException) -> str:
    """What a user can do about an exception raised while the window starts."""
    text = f"{type(exc).__name__} {exc}".lower()
    if any(word in text for word in ("opengl", "gl_", "glget", "vispy", "context")):
        return _GL_HINT
    if isinstance(exc, ImportError):
        return (
            "A library is missing or broken. Reinstall FFN Workbench "
            "(resources/ffn-workbench.bat on Windows, `make run` on Linux)."
        )
    return "Please report this with the details below."


def show_fatal(title: str, exc: BaseException) -> None:
    """A modal error dialog with a hint and the traceback as details."""
    from PyQt5.QtWidgets import QMessageBox

    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    if sys.stderr is not None:  # None under pythonw (Windows launcher)
        print(details, file=sys.stderr)
    box = QMessageBox(QMessageBox.Critical, "FFN Workbench", f"{title}\n\n{exc}")
    box.setInformativeText(startup_hint(exc))
    box.setDetailedText(details)
    box.exec_()


def _install_excepthook() -> None:
    """Unexpected errors in slots become a dialog (pythonw has no console to print to)."""

    def hook(kind, value, tb) -> None:
        show_fatal("An unexpected error occurred.", value)

    sys.excepthook = hook


def create_application(argv: Sequence[str] | None = None):
    """The QApplication, created with the OpenGL-context sharing napari's canvas needs."""
    from PyQt5.QtCore import Qt
    from PyQt5.QtWidgets import QApplication

    QApplication.setAttribute(Qt.AA_ShareOpenGLContexts)
    QApplication.setAttribute(Qt.AA_EnableHighDpiScaling)
    app = QApplication.instance() or QApplication(list(argv or sys.argv[:1]))
    app.setApplicationName("FFN Workbench")
    app.setOrganizationName("FFN Workbench")
    return app


def run_gui(project: str | None = None) -> int:
    """Show the main window (opening ``project`` when given) and run the event loop."""
    app = create_application()
    _install_excepthook()
    try:
        from PyQt5.QtGui import QIcon

        from app.i18n import install_language, preferred_language
        from app.main_window import MainWindow

        install_language(preferred_language())
        app.setWindowIcon(QIcon(str(ICON)))
        window = MainWindow()
    except Exception as exc:  # noqa: BLE001 - shown to the user, who has no console
        show_fatal("FFN Workbench could not start.", exc)
        return 1
    window.show()
    window.check_environment()
    if project:
        window.open_project(project)
    return app.exec_()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: the window when a display exists, else (or with --demo) the demo."""
    args, extra = launch.parse_args(sys.argv[1:] if argv is None else argv)
    if args.demo or not launch.has_display():
        if not args.demo:
            print(
                "No display found (no reachable DISPLAY or WAYLAND_DISPLAY): running the "
                "headless demo instead of the window.",
                flush=True,
            )
        return launch.run_demo(args.out, extra)
    return run_gui(args.project)
