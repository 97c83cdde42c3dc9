"""Make the README's screenshots: the real main window driven through the five stages.

Run it under a virtual X display with OpenGL (Mesa), from the repository root::

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python docs/make_screenshots.py

It creates a demo project (the synthetic demo volume) in a temporary folder and goes through
the five stage wizards as a user would (Next up to the review step, Start, "Next stage →"),
with the settings the demo project gets by default (the quick preset: the headless demo's
tiny model), the jobs running in the REAL worker process. It saves ``window.grab()`` as a
palette PNG in ``docs/images/`` at each review step (``<stage>-review.png``) and after each
job (``<stage>.png``), then each review step again in Japanese (``<stage>-review-ja.png``).
The wall time of every job is printed and written to ``docs/images/stage-times.json`` (the
README's timing table).
Like the GUI itself, this process never imports TensorFlow: the worker does the work.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.launch import has_display  # noqa: E402 - needs the repository on sys.path
from ffn_core.demo_data import DemoSpec  # noqa: E402
from ffn_core.protocol import Result  # noqa: E402

WINDOW_SIZE = (1280, 800)
JOB_TIMEOUT_S = 900


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "docs" / "images",
        help="folder for the PNGs and stage-times.json",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=None,
        help="folder for the demo project (default: a new temporary folder)",
    )
    parser.add_argument(
        "--steps",
        type=int,
        default=None,
        help="training steps (default: the quick preset's, as the demo project gets them)",
    )
    return parser.parse_args()


def wait(app, milliseconds: int) -> None:
    """Let Qt (and napari's canvas) process events for ``milliseconds``."""
    end = time.monotonic() + milliseconds / 1000
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def save_png(window, app, path: Path) -> None:
    """Grab the whole window and write it as an optimised 256-colour PNG."""
    from PIL import Image

    wait(app, 800)
    raw = path.with_suffix(".raw.png")
    if not window.grab().save(str(raw)):
        raise RuntimeError(f"could not save {raw}")
    with Image.open(raw) as image:
        image.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        ).save(path, optimize=True)
    raw.unlink()
    print(f"  saved {path} ({path.stat().st_size // 1024} KB)", flush=True)


class JobRunner:
    """Starts a stage through a page's own start method and waits for the worker to end."""

    def __init__(self, window, app) -> None:
        self.window, self.app = window, app
        self.results: list[Result] = []
        self.times: dict[str, float] = {}
        window.client.result.connect(self.results.append)

    def run(self, label: str, start) -> Result:
        from PyQt5.QtCore import QEventLoop, QTimer

        loop, status = QEventLoop(), []
        self.window.client.finished.connect(loop.quit)
        self.window.client.finished.connect(status.append)
        QTimer.singleShot(JOB_TIMEOUT_S * 1000, loop.quit)
        started = time.monotonic()
        if not start():
            raise RuntimeError(f"{label}: the page refused to start the job")
        loop.exec_()
        self.window.client.finished.disconnect(loop.quit)
        self.window.client.finished.disconnect(status.append)
        self.times[label] = round(time.monotonic() - started, 1)
        if status != ["completed"]:
            log = self.window.job_panel.log_view.toPlainText()[-3000:]
            raise RuntimeError(f"{label} ended with {status or 'a timeout'}:\n{log}")
        print(f"{label}: {self.times[label]} s", flush=True)
        return self.results[-1]  # a completed job ends with its Result


def build_window(app, work: Path):
    from PyQt5.QtCore import QSettings

    from app.main_window import MainWindow

    settings = QSettings(str(work / "settings.ini"), QSettings.IniFormat)
    window = MainWindow(settings=settings)
    window.resize(*WINDOW_SIZE)
    window.show()
    wait(app, 1500)
    return window


def through_wizard(
    window, app, jobs: JobRunner, stage: str, out: Path, start: bool = True, suffix: str = ""
):
    """Press Next on ``stage``'s wizard up to its review step and save it
    (``<stage>-review<suffix>.png``); with ``start``, press Start and wait for the job."""
    wizard = window.pages[stage].wizard
    while wizard.current() < wizard.review_index:
        if not wizard.next_button.isEnabled():
            raise RuntimeError(f"{stage}, step {wizard.current_title()}: {wizard.reason.text()}")
        wizard.next_button.click()
    save_png(window, app, out / f"{stage}-review{suffix}.png")
    if not start:
        return None
    if not wizard.start_button.isEnabled():
        raise RuntimeError(f"{stage}: Start is disabled: {wizard.reason.text()}")
    return jobs.run(stage, lambda: wizard.start_button.click() or True)


def next_stage(window, stage: str) -> None:
    """Press "Next stage →" on ``stage``'s finished wizard."""
    button = window.pages[stage].wizard.next_stage_button
    if not button.isVisible():
        raise RuntimeError(f"{stage}: no 'Next stage' after the job")
    button.click()


def drive(window, app, work: Path, out: Path, steps: int | None) -> dict:
    """The five stage wizards as a user goes through them (Next, Start, Next stage), the
    settings the demo project gets by default (the quick preset); screenshots of each review
    step and of each stage's result."""
    jobs = JobRunner(window, app)
    save_png(window, app, out / "welcome.png")
    if not window.start_demo(work / "demo"):
        raise RuntimeError("the demo project could not be created")
    window.pages["import"].voxel[0].setValue(DemoSpec().anisotropy)  # z steps twice xy
    through_wizard(window, app, jobs, "import", out)
    save_png(window, app, out / "import.png")
    next_stage(window, "import")
    through_wizard(window, app, jobs, "preprocess", out)
    if "partitions" in window.viewer.layers:
        window.viewer.layers["partitions"].visible = True
    save_png(window, app, out / "preprocess.png")
    if "partitions" in window.viewer.layers:
        window.viewer.layers["partitions"].visible = False
    next_stage(window, "preprocess")
    if steps is not None:
        window.pages["train"].max_steps.setValue(steps)
    train_result = through_wizard(window, app, jobs, "train", out)
    save_png(window, app, out / "train.png")
    next_stage(window, "train")
    through_wizard(window, app, jobs, "infer", out)
    if "labels" in window.viewer.layers:
        window.viewer.layers["labels"].visible = False
    save_png(window, app, out / "infer.png")
    next_stage(window, "infer")
    export = window.pages["export"]
    export.format.setCurrentIndex(export.format.findData("tif"))
    through_wizard(window, app, jobs, "export", out)
    scores = jobs.run("evaluate", lambda: export.evaluate_button.click() or True)
    save_png(window, app, out / "export.png")

    inspect_run(window, app, out)
    return {
        "stage_wall_s": jobs.times,
        "train_steps": window.pages["train"].max_steps.value(),
        "train_outputs": train_result.outputs,
        "evaluate_outputs": scores.outputs,
    }


def japanese_reviews(app, work: Path, out: Path) -> None:
    """Each wizard's review step in Japanese (``<stage>-review-ja.png``): a window built
    after switching the language, on the demo project the English run made."""
    from app.i18n import install_language

    install_language("ja")
    window = build_window(app, work)
    try:
        if not window.open_project(work / "demo"):
            raise RuntimeError("the demo project could not be opened")
        for stage in window.pages:
            window.show_stage(stage)
            jobs = JobRunner(window, app)
            through_wizard(window, app, jobs, stage, out, start=False, suffix="-ja")
    finally:
        window.close()
        wait(app, 200)
        install_language("en")


def inspect_run(window, app, out: Path) -> None:
    """The Inspect dock: the segment table, then the 3D view of the largest segments."""
    panel = window.show_inspect()
    if "segmentation default" in window.viewer.layers:  # the Inspect dock shows the run
        window.viewer.layers.remove("segmentation default")
    window.resize(*WINDOW_SIZE)
    table = panel.tabs.widget(0)
    largest = sorted(table.model.segments, key=lambda s: -s.voxels)[:4]
    table.select_ids([segment.id for segment in largest])
    window.viewer.reset_view()  # the selection jumped to a seed; show the whole slice
    save_png(window, app, out / "inspect.png")
    panel.tabs.setCurrentIndex(1)  # 3D: built on first show
    panel.view3d.mode.setCurrentText("Surfaces")
    wait(app, 3000)
    save_png(window, app, out / "inspect-3d.png")


def main() -> int:
    args = parse_args()
    if not has_display():
        print("No display: run under xvfb-run (see the docstring).", file=sys.stderr)
        return 2
    from app.main import create_application

    app = create_application()
    work = args.work or Path(tempfile.mkdtemp(prefix="ffn-screenshots-"))
    work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    window = build_window(app, work)
    try:
        figures = drive(window, app, work, args.out, args.steps)
    finally:
        window.close()
        wait(app, 200)
    japanese_reviews(app, work, args.out)
    figures["demo_volume_zyx"] = list(DemoSpec().shape_zyx)
    (args.out / "stage-times.json").write_text(
        json.dumps(figures, indent=2) + "\n", encoding="utf-8"
    )
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
