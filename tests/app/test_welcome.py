"""Welcome screen: its signals, the recent list, and the demo project with its stacks."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from ffn_core.demo_data import DemoSpec
from ffn_core.errors import UserError
from ffn_core.project import Project

pytestmark = pytest.mark.gui


def test_create_demo_project_writes_the_stacks(tmp_path):
    from app.welcome import create_demo_project

    spec = DemoSpec(shape_zyx=(6, 32, 40), n_cells=5)
    images, labels = create_demo_project(tmp_path / "demo", spec)
    assert Project.open(tmp_path / "demo").name == "demo"
    assert images.parent.parent == tmp_path / "demo"
    assert len(list(images.glob("*.png"))) == 6 and len(list(labels.glob("*.png"))) == 6
    plane = np.asarray(Image.open(sorted(labels.glob("*.png"))[0]))
    assert plane.shape == (32, 40) and plane.min() >= 1
    assert create_demo_project(tmp_path / "demo", spec) == (images, labels)  # again: reused


def test_buttons_and_recent_projects_emit_signals(qtbot, tmp_path, artifacts):
    from app.welcome import WelcomeWidget

    recent = [str(tmp_path / "lab-project"), str(tmp_path / "older")]
    widget = WelcomeWidget(recent)
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.new_requested, timeout=1000):
        widget.new_button.click()
    with qtbot.waitSignal(widget.demo_requested, timeout=1000):
        widget.demo_button.click()
    widget.choose_folder = lambda: str(tmp_path / "picked")
    with qtbot.waitSignal(widget.open_requested, timeout=1000) as opened:
        widget.open_button.click()
    assert opened.args == [str(tmp_path / "picked")]

    assert [widget.recent_list.item(i).text() for i in range(2)] == recent
    with qtbot.waitSignal(widget.open_requested, timeout=1000) as opened:
        widget.recent_list.itemActivated.emit(widget.recent_list.item(1))
    assert opened.args == [recent[1]]

    widget.resize(640, 420)
    widget.show()
    qtbot.waitExposed(widget)
    assert widget.grab().save(str(artifacts / "welcome.png"))
    widget.set_recent([])
    assert widget.recent_list.item(0).text() == "No recent projects yet."
    with qtbot.assertNotEmitted(widget.open_requested):
        widget.recent_list.itemActivated.emit(widget.recent_list.item(0))


def test_the_demo_refuses_a_folder_with_files_of_the_user(tmp_path):
    from app.welcome import create_demo_project

    (tmp_path / "thesis").mkdir()
    (tmp_path / "thesis" / "chapter1.tex").write_text("...")
    with pytest.raises(UserError, match="not empty"):
        create_demo_project(tmp_path / "thesis", DemoSpec(shape_zyx=(6, 32, 40), n_cells=5))
    assert sorted(p.name for p in (tmp_path / "thesis").iterdir()) == ["chapter1.tex"]
