"""Corrupt or foreign files: each is refused with a message naming the file and what to do, and
nothing the user had is overwritten or lost."""

from __future__ import annotations

import io
import json
import shutil

import numpy as np
import pytest

from ffn_core.analysis.proofread import EditList
from ffn_core.errors import UserError
from ffn_core.events import CancelToken, Emitter
from ffn_core.model.args import ModelArgs
from ffn_core.project import SCHEMA_VERSION, Project
from ffn_core.stages.infer import InferConfig, infer
from tests.core.stack_files import image_project


def _emit() -> Emitter:
    return Emitter(stream=io.StringIO(), min_interval=0)


def _stopped() -> CancelToken:
    """A stop asked before the job starts: it saves its checkpoint at the first safe point."""
    token = CancelToken()
    token.cancel()
    return token


def _truncate(path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


@pytest.fixture
def project(tmp_path) -> Project:
    image = np.random.default_rng(0).integers(0, 255, (12, 30, 40), dtype=np.uint8)
    return Project.open(image_project(tmp_path / "p", image, mean=128.0, std=33.0))


def _config(checkpoint, **options) -> InferConfig:
    return InferConfig(
        checkpoint=str(checkpoint),
        seed_policy="PolicyGrid3d",
        min_segment_size=10,
        refresh_interval=0.0,
        **options,
    )


def test_a_truncated_image_volume_names_the_file_and_says_to_import_again(
    project, flood_checkpoint
):
    _truncate(project.path("volumes", "image.h5"))
    with pytest.raises(UserError) as caught:
        infer(_config(flood_checkpoint), project, emit=_emit())
    assert "image.h5" in caught.value.message
    assert "import" in caught.value.hint.lower()


def test_a_truncated_checkpoint_names_the_file(project, flood_checkpoint, tmp_path):
    copy = shutil.copytree(flood_checkpoint, tmp_path / "ckpt")
    data = next(copy.glob("*.data-*"))
    _truncate(data)
    with pytest.raises(UserError) as caught:
        infer(_config(copy), project, emit=_emit())
    assert "ckpt" in caught.value.message
    assert "damaged" in caught.value.hint or "copy" in caught.value.hint.lower()
    assert not project.path("inference", "default", "segmentation.h5").exists()


def test_a_truncated_portable_weights_file_names_the_file(project, tmp_path):
    weights = tmp_path / "model.weights.h5"
    weights.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)
    with pytest.raises(UserError) as caught:
        infer(_config(weights), project, emit=_emit())
    assert "model.weights.h5" in caught.value.message


def test_a_checkpoint_of_another_architecture_is_refused(project, flood_checkpoint):
    other = ModelArgs(depth=3, fov_size_zyx=(5, 7, 9), deltas_zyx=(1, 2, 2), features=4)
    with pytest.raises(UserError) as caught:
        infer(_config(flood_checkpoint, model_args=other.to_json()), project, emit=_emit())
    assert "depth" in caught.value.message


@pytest.mark.parametrize(
    "text, expected",
    [
        ("{not json", "damaged"),
        (json.dumps({"schema_version": SCHEMA_VERSION + 1}), "newer"),
    ],
)
def test_a_damaged_or_newer_project_file_is_refused_and_left_as_it_is(tmp_path, text, expected):
    root = tmp_path / "p"
    Project.create(root)
    (root / "project.json").write_text(text, encoding="utf-8")
    with pytest.raises(UserError, match=expected) as caught:
        Project.open(root)
    assert "project.json" in caught.value.message
    assert (root / "project.json").read_text(encoding="utf-8") == text


def test_a_stale_inference_checkpoint_of_another_box_is_refused_on_resume(
    project, flood_checkpoint
):
    config = _config(flood_checkpoint, bbox=((0, 12), (0, 30), (0, 40)), checkpoint_interval=0)
    stopped = infer(config, project, emit=_emit(), cancel=_stopped())
    assert stopped.status == "stopped"
    cpoint = next(project.path("inference", "default").rglob("*.cpoint"))
    other_box = config.replace(bbox=((1, 12), (0, 30), (0, 40)), on_exists="resume")
    with pytest.raises(UserError) as caught:
        infer(other_box, project, emit=_emit())
    assert "default" in caught.value.message or str(cpoint) in caught.value.message
    assert cpoint.is_file(), "the stopped run's checkpoint must stay"


def test_a_truncated_inference_checkpoint_is_refused_by_name(project, flood_checkpoint):
    config = _config(flood_checkpoint, checkpoint_interval=0)
    infer(config, project, emit=_emit(), cancel=_stopped())
    cpoint = next(project.path("inference", "default").rglob("*.cpoint"))
    _truncate(cpoint)
    with pytest.raises(UserError) as caught:
        infer(config.replace(on_exists="resume"), project, emit=_emit())
    assert cpoint.name in caught.value.message
    assert "replace" in caught.value.hint or "new" in caught.value.hint


def test_a_damaged_edits_file_is_refused_by_name_and_kept(tmp_path):
    edits = tmp_path / "edits.json"
    edits.write_text('[{"kind": "merge", "ids": [1, 2]', encoding="utf-8")
    with pytest.raises(UserError) as caught:
        EditList(edits)
    assert "edits.json" in caught.value.message
    assert edits.read_text(encoding="utf-8").startswith('[{"kind"')
