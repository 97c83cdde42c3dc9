"""Project folder: creation, schema check, relative paths, run history, info CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from ffn_core.errors import UserError
from ffn_core.project import SCHEMA_VERSION, Project, is_project


def test_create_open_round_trip(tmp_path):
    project = Project.create(tmp_path / "p")
    project.set_stage_params("infer", {"segment_threshold": 0.6})
    again = Project.open(tmp_path / "p")
    assert again.data["schema_version"] == SCHEMA_VERSION
    assert again.stage_params("infer") == {"segment_threshold": 0.6}


def test_newer_schema_is_refused_with_hint(tmp_path):
    project = Project.create(tmp_path / "p")
    project.data["schema_version"] = SCHEMA_VERSION + 1
    project.save()
    with pytest.raises(UserError, match="newer FFN Workbench") as info:
        Project.open(tmp_path / "p")
    assert "Update" in info.value.hint


def test_volume_paths_are_relative_so_the_folder_moves(tmp_path):
    project = Project.create(tmp_path / "p")
    (tmp_path / "p" / "volumes").mkdir()
    project.register_volume("image", tmp_path / "p" / "volumes" / "image.h5", "raw")
    assert project.data["volumes"]["image"]["file"] == "volumes/image.h5"
    shutil.move(str(tmp_path / "p"), str(tmp_path / "moved"))
    moved = Project.open(tmp_path / "moved")
    assert moved.volume_spec("image") == f"{tmp_path / 'moved' / 'volumes' / 'image.h5'}:raw"


def test_run_history_records_how_a_run_ended(tmp_path):
    project = Project.create(tmp_path / "p")
    run_id = project.begin_run("import", {"images": "x"})
    assert Project.open(tmp_path / "p").data["runs"][-1]["status"] == "running"
    project.end_run(run_id, "completed", {"image": "a.h5:raw"})
    run = Project.open(tmp_path / "p").data["runs"][-1]
    assert run["status"] == "completed" and run["outputs"] == {"image": "a.h5:raw"}
    assert run["ended"] is not None


def test_atomic_write_leaves_no_temp_files(tmp_path):
    project = Project.create(tmp_path / "p")
    for i in range(5):
        project.set_stage_params("train", {"step": i})
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == ["project.json"]


def test_info_cli_prints_json_lines(tmp_path):
    Project.create(tmp_path / "p", name="日本語プロジェクト")
    out = subprocess.run(
        [sys.executable, "-m", "ffn_core", "info", "--project", str(tmp_path / "p")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    ).stdout
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["type"] for line in lines] == ["result"]
    assert lines[0]["project"]["name"] == "日本語プロジェクト"
    assert lines[0]["outputs"]["project"] == str((tmp_path / "p").resolve())


def test_info_on_a_missing_project_is_an_error_line(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "ffn_core", "info", "--project", str(tmp_path / "no")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    last = json.loads(proc.stdout.splitlines()[-1])
    assert last["type"] == "error" and "not an FFN Workbench project" in last["message"]
    assert last["hint"]


def test_a_new_project_refuses_a_folder_with_files_when_asked(tmp_path):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "holiday.jpg").write_bytes(b"jpeg")
    with pytest.raises(UserError, match="not empty") as info:
        Project.create(tmp_path / "photos", empty_only=True)
    assert "empty folder" in info.value.hint
    assert not is_project(tmp_path / "photos")
    (tmp_path / "empty").mkdir()
    assert Project.create(tmp_path / "empty", empty_only=True).name == "empty"
    assert Project.create(tmp_path / "new" / "p", empty_only=True).name == "p"
    assert is_project(tmp_path / "empty") and is_project(tmp_path / "new" / "p")
    with pytest.raises(UserError, match="already holds a project"):
        Project.create(tmp_path / "empty", empty_only=True)


def test_view_state_is_kept_beside_project_json_and_tolerates_bad_files(tmp_path):
    project = Project.create(tmp_path / "p")
    before = (tmp_path / "p" / "project.json").read_bytes()
    assert project.view_state() == {}
    project.save_view_state({"point": [30.0, 5.0, 2.5], "layers": ["run r1"]})
    again = Project.open(tmp_path / "p")
    assert again.view_state() == {"point": [30.0, 5.0, 2.5], "layers": ["run r1"], "version": 1}
    assert (tmp_path / "p" / "project.json").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == ["project.json", "view.json"]
    for text in ("{damaged", '["a list"]', '{"version": 99, "point": [1, 2, 3]}'):
        (tmp_path / "p" / "view.json").write_text(text, encoding="utf-8")
        assert again.view_state() == {}, text
