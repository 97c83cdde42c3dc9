"""The disk: a full disk, a read-only project, a project moved while closed, and a path with
spaces and Japanese characters. Small real filesystems (tmpfs of a few MB, mounted as root)
stand for a full or read-only disk."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import h5py
import numpy as np
import pytest

from ffn_core.errors import UserError
from ffn_core.events import Emitter
from ffn_core.project import Project
from ffn_core.project_lock import ProjectLock
from ffn_core.stages.export import ExportConfig, export
from ffn_core.stages.import_volumes import ImportConfig, import_volumes
from ffn_core.stages.infer import InferConfig, infer
from tests.core.stack_files import REPO, run_cli, volume, write_h5


def _emit() -> Emitter:
    return Emitter(stream=io.StringIO(), min_interval=0)


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    """A 4 MB filesystem (tmpfs) at a path with a space and Japanese characters."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small filesystem needs root (the disk-full cases)")
    mount_point = tmp_path / "small disk 小さい"
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def _remount_read_only(mount_point: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mount_point)], check=True)


def _listing(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*"))


def _image_project(root: Path, flood_image=None) -> Project:
    """A project at ``root`` with a 12 x 30 x 40 image imported through the stage."""
    image = flood_image if flood_image is not None else volume((12, 30, 40), np.uint8)
    write_h5(root.parent / f"{root.name}-source.h5", image)
    project = Project.open_or_create(root)
    import_volumes(ImportConfig(f"{root.parent / f'{root.name}-source.h5'}:raw"), project)
    return project


def test_import_onto_a_full_disk_is_refused_before_writing(tmp_path, small_disk):
    source = write_h5(tmp_path / "em.h5", volume((80, 256, 256), np.uint8))  # 5.2 MB
    root = small_disk / "project"
    code, events = run_cli("import", "--project", root, "--images", f"{source}:raw")
    error = events[-1]
    assert code == 2 and error["type"] == "error", events[-3:]
    assert "Not enough disk space" in error["message"] and "volumes" in error["message"]
    assert "MB free" in error["message"] and "move the project" in error["hint"]
    assert _listing(root) == ["project.json"]
    assert Project.open(root).data.get("volumes", {}) == {}


def test_inference_onto_a_full_disk_keeps_the_earlier_run(tmp_path, small_disk, flood_checkpoint):
    project = _image_project(small_disk / "project")
    config = InferConfig(checkpoint=str(flood_checkpoint), refresh_interval=0.0)
    first = infer(config, project, emit=_emit())
    assert first.status == "completed"
    before = _listing(small_disk / "project")
    ballast = small_disk / "ballast.bin"
    ballast.write_bytes(b"\0" * (shutil.disk_usage(small_disk).free - 1_050_000))
    with pytest.raises(UserError, match="Not enough disk space") as caught:
        infer(config.replace(run="second"), project, emit=_emit())
    assert "inference" in caught.value.message
    assert _listing(small_disk / "project") == before
    with h5py.File(project.path("inference", "default", "segmentation.h5"), "r") as handle:
        assert handle["segmentation"].shape == (12, 30, 40)


def test_a_read_only_project_says_so_and_stays_readable(tmp_path, small_disk, flood_checkpoint):
    project = _image_project(small_disk / "project")
    infer(InferConfig(checkpoint=str(flood_checkpoint), refresh_interval=0.0), project)
    _remount_read_only(small_disk)
    reopened = Project.open(small_disk / "project")
    assert reopened.volume("image")["shape"] == [12, 30, 40]
    code, events = run_cli(
        "infer", "--project", reopened.root, "--checkpoint", flood_checkpoint, "--run", "more"
    )
    error = events[-1]
    assert code == 2 and error["type"] == "error", events[-3:]
    assert "read-only" in error["message"] and str(reopened.root) in error["message"]
    out = tmp_path / "exports"
    result = export(ExportConfig(run="default", out=str(out), format="tif"), reopened, emit=_emit())
    assert result.status == "completed" and any(out.iterdir())


def test_a_project_moved_while_closed_opens_and_runs_where_it_is(tmp_path, flood_checkpoint):
    project = _image_project(tmp_path / "before")
    infer(InferConfig(checkpoint=str(flood_checkpoint), refresh_interval=0.0), project)
    moved = tmp_path / "moved here 移動"
    (tmp_path / "before").rename(moved)
    reopened = Project.open(moved)
    assert reopened.volume_spec("image").startswith(str(moved))
    again = infer(
        InferConfig(checkpoint=str(flood_checkpoint), refresh_interval=0.0, run="after"),
        reopened,
        emit=_emit(),
    )
    assert again.status == "completed"
    assert Path(again.outputs["segmentation"].rsplit(":", 1)[0]).is_relative_to(moved)


_HOLD_LOCK = """
import sys, time
from ffn_core.project_lock import ProjectLock
ProjectLock(sys.argv[1]).acquire()
print("held", flush=True)
time.sleep(120)
"""


def test_a_project_open_in_another_window_is_refused_until_that_one_is_gone(tmp_path):
    root = Project.create(tmp_path / "shared project").root
    with subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(root)], cwd=REPO, stdout=subprocess.PIPE, text=True
    ) as other:
        assert other.stdout.readline().strip() == "held"
        with pytest.raises(UserError, match="already open in another") as caught:
            ProjectLock(root).acquire()
        assert str(other.pid) in caught.value.message and ".lock" in caught.value.hint
        os.kill(other.pid, signal.SIGKILL)  # that window crashes
    with ProjectLock(root) as lock:  # its lock is stale now: taken over
        assert lock.held and (root / ".lock").is_file()
        assert Project.open(root).data["schema_version"] >= 1
    assert not (root / ".lock").exists()


def test_a_read_only_project_opens_without_a_lock(small_disk):
    root = Project.create(small_disk / "project").root
    _remount_read_only(small_disk)
    with ProjectLock(root) as lock:
        assert not lock.held
