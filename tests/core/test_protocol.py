"""The worker protocol: every record written and read back, project paths, noise, versions."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from ffn_core.errors import UserError
from ffn_core.events import Emitter
from ffn_core.protocol import (
    PROTOCOL_VERSION,
    Artifact,
    Error,
    Log,
    Preview,
    Progress,
    ProtocolError,
    Result,
    decode,
    encode,
)

RECORDS = [
    Progress(
        stage="train",
        done=40,
        total=100,
        unit="steps",
        fraction=0.4,
        rate=2.5,
        eta_s=24.0,
        elapsed_s=16.5,
        metrics={"loss": 0.25, "volume": "image"},
    ),
    Progress(stage="import", done=0, total=0),
    Log(message="読み込み中 0000.png", level="warning", stage="import"),
    Log(message="plain"),
    Artifact(name="checkpoint", path="/elsewhere/model.ckpt-100"),
    Preview(path="/elsewhere/preview.png", name="mask"),
    Result(
        stage="evaluate",
        outputs={"arand": 0.125, "voi_split": 1.5},
        extra={"voxels": 1000, "crop": [[0, 10], [0, 20], [0, 30]]},
    ),
    Result(stage="import", outputs={}, status="stopped"),
    Error(stage="infer", message="No checkpoint in /runs/a", hint="Train a model first."),
    Error(
        stage="infer",
        message="Run 'a' already holds results.",
        hint="Choose --on-exists resume.",
        gui_hint="Press Resume.",
    ),
    Log(message="Stopped; run again with --on-exists resume.", gui_message="Press Resume."),
]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_every_record_type_is_read_back_equal(record):
    line = encode(record)
    assert "\n" not in line
    assert json.loads(line)["v"] == PROTOCOL_VERSION
    assert decode(line) == record
    assert decode(line.encode("utf-8")) == record  # bytes straight from a pipe


def test_the_emitter_writes_what_decode_reads(tmp_path):
    stream = io.StringIO()
    emit = Emitter("infer", stream, project_root=tmp_path)
    progress = Progress(stage="infer", done=3, total=9, unit="seeds", metrics={"segments": 2})
    seg = f"{tmp_path / 'inference' / 'run1' / 'seg.h5'}:segmentation"
    emit.send(progress)
    emit.log("started", level="info")
    emit.artifact("segmentation", seg)
    emit.preview(str(tmp_path / "preview.png"), kind="slice")
    emit.result({"segmentation": seg, "npz": tmp_path / "seg.npz"}, seeds=np.int64(12))
    emit.error("Stopped by a crash.", "Run it again.")
    read = [decode(line, tmp_path) for line in stream.getvalue().splitlines()]
    assert read == [
        progress,
        Log(message="started"),
        Artifact(name="segmentation", path=seg),
        Preview(path=str(tmp_path / "preview.png"), name="slice"),
        Result(
            stage="infer",
            outputs={"segmentation": seg, "npz": str(tmp_path / "seg.npz")},
            extra={"seeds": 12},
        ),
        Error(stage="infer", message="Stopped by a crash.", hint="Run it again."),
    ]


def test_the_emitters_progress_is_read_back_with_its_rate():
    stream = io.StringIO()
    emit = Emitter("train", stream, min_interval=0)
    emit.progress(0, 4, "steps", loss=1.0)
    emit.progress(4, 4, "steps", loss=0.5)
    first, last = (decode(line) for line in stream.getvalue().splitlines())
    assert isinstance(first, Progress) and first.metrics == {"loss": 1.0}
    assert first.fraction == 0 and first.eta_s is None
    assert last.done == last.total == 4 and last.fraction == 1 and last.rate > 0


def test_the_wire_format_keeps_the_field_names_scripts_read():
    artifact = json.loads(encode(Artifact(name="checkpoint", path="/r/model.ckpt-5")))
    assert artifact == {
        "type": "artifact",
        "v": PROTOCOL_VERSION,
        "kind": "checkpoint",
        "path": "/r/model.ckpt-5",
    }
    preview = json.loads(encode(Preview(path="/r/p.png")))
    assert preview == {
        "type": "preview",
        "v": PROTOCOL_VERSION,
        "kind": "image",
        "path": "/r/p.png",
    }
    result = json.loads(
        encode(Result(stage="export", outputs={"export": "/x"}, extra={"slices": 4}))
    )
    assert result == {
        "type": "result",
        "v": PROTOCOL_VERSION,
        "stage": "export",
        "status": "completed",
        "outputs": {"export": "/x"},
        "slices": 4,
    }


def test_project_paths_travel_relative_and_come_back_absolute(tmp_path):
    project = tmp_path / "project"
    image = f"{project / 'volumes' / 'image.h5'}:raw"
    grouped = f"{project / 'inference' / 'seg.h5'}:group/segmentation"
    outside = str(tmp_path / "data" / "labels.h5") + ":labels"
    windows = r"D:\data\stack.h5:raw"
    outputs = {
        "image": image,
        "grouped": grouped,
        "run_dir": str(project / "runs" / "a"),
        "project": str(project),
        "outside": outside,
        "windows": windows,
        "tensorflow": "2.16.1",
        "checkpoint": "model.ckpt-100",
        "steps": 100,
    }
    result = Result(stage="import", outputs=outputs)
    artifact = Artifact(name="image", path=image)
    preview = Preview(path=str(project / "previews" / "p 1.png"))

    wire = json.loads(encode(result, project))
    assert wire["outputs"] == {
        **outputs,
        "image": "volumes/image.h5:raw",
        "grouped": "inference/seg.h5:group/segmentation",
        "run_dir": "runs/a",
        "project": ".",
    }
    assert sorted(wire["relative_outputs"]) == ["grouped", "image", "project", "run_dir"]
    assert json.loads(encode(artifact, project))["path"] == "volumes/image.h5:raw"
    assert json.loads(encode(preview, project))["path"] == "previews/p 1.png"

    for record in (result, artifact, preview):
        assert decode(encode(record, project), project) == record
    # A reader whose copy of the project lies elsewhere gets its own absolute paths.
    moved = tmp_path / "copy"
    read = decode(encode(result, project), moved)
    assert read.outputs["image"] == f"{moved / 'volumes' / 'image.h5'}:raw"
    assert read.outputs["grouped"] == f"{moved / 'inference' / 'seg.h5'}:group/segmentation"
    assert read.outputs["project"] == str(moved)
    assert {
        k: read.outputs[k] for k in ("outside", "windows", "tensorflow", "checkpoint", "steps")
    } == {k: outputs[k] for k in ("outside", "windows", "tensorflow", "checkpoint", "steps")}
    assert decode(encode(artifact, project), moved).path == f"{moved / 'volumes' / 'image.h5'}:raw"


def test_paths_outside_the_project_and_windows_paths_are_left_alone(tmp_path):
    project = tmp_path / "project"
    for path in (
        str(tmp_path / "elsewhere.h5") + ":raw",
        r"C:\Users\me\stack.h5:raw",
        r"\\server\share\previews\p.png",
        "/data/p.png",
    ):
        artifact = Artifact(name="image", path=path)
        assert json.loads(encode(artifact, project))["path"] == path
        assert decode(encode(artifact, project), project) == artifact


def test_a_project_reached_through_a_link_still_travels_relative(tmp_path):
    real = tmp_path / "real"
    (real / "volumes").mkdir(parents=True)
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    spec = f"{real / 'volumes' / 'image.h5'}:raw"
    assert (
        json.loads(encode(Artifact(name="image", path=spec), link))["path"]
        == "volumes/image.h5:raw"
    )


def test_without_a_project_root_paths_stay_as_sent(tmp_path):
    spec = f"{tmp_path / 'volumes' / 'image.h5'}:raw"
    line = encode(Result(stage="import", outputs={"image": spec}), tmp_path)
    assert decode(line) == Result(stage="import", outputs={"image": "volumes/image.h5:raw"})
    assert (
        decode(encode(Artifact(name="image", path="volumes/image.h5:raw")), tmp_path).path == spec
    )


@pytest.mark.parametrize(
    "line",
    [
        "",
        "   ",
        "Epoch 1/10",
        "2024-01-01 12:00:00.000 I tensorflow/core: oneDNN custom ops",
        "[1, 2]",
        "42",
        '"text"',
        "null",
        '{"message": "a dict without a type"}',
        "{broken json",
        b"\xff\xfe not utf-8",
    ],
)
def test_lines_that_are_not_records_read_as_none(line):
    assert decode(line) is None


@pytest.mark.parametrize("version", [0, PROTOCOL_VERSION + 1, "1", None])
def test_another_protocol_version_is_refused_naming_both(version):
    record = {"type": "log", "message": "hello", "level": "info"}
    if version is not None:
        record["v"] = version
    with pytest.raises(ProtocolError) as caught:
        decode(json.dumps(record))
    message = caught.value.message
    assert f"reads protocol version {PROTOCOL_VERSION}" in message
    if version is None:
        assert "no protocol version" in message
    else:
        assert f"speaks protocol version {version}" in message
    assert "same FFN Workbench version" in caught.value.hint
    assert isinstance(caught.value, UserError)  # shown like any other user-facing error


def test_an_unknown_record_type_is_refused():
    with pytest.raises(ProtocolError, match="Unknown worker record type 'telemetry'"):
        decode(json.dumps({"type": "telemetry", "v": PROTOCOL_VERSION, "cpu": 0.5}))


@pytest.mark.parametrize(
    "record",
    [
        {"type": "progress", "v": PROTOCOL_VERSION, "stage": "train"},
        {"type": "artifact", "v": PROTOCOL_VERSION, "kind": "image"},
        {
            "type": "result",
            "v": PROTOCOL_VERSION,
            "stage": "x",
            "outputs": ["a"],
            "relative_outputs": ["a"],
        },
    ],
)
def test_an_incomplete_record_is_refused(record, tmp_path):
    with pytest.raises(ProtocolError, match=f"A {record['type']} record cannot be read"):
        decode(json.dumps(record), tmp_path)


def test_result_extras_may_not_take_the_protocols_keys():
    with pytest.raises(ValueError, match="clash"):
        encode(Result(stage="train", outputs={}, extra={"stage": "other"}))


def test_the_guis_words_travel_only_when_they_differ():
    stream = io.StringIO()
    emit = Emitter("infer", stream)
    emit.error("Run 'a' exists.", "Choose --on-exists resume.", "Press Resume.")
    emit.error("No image.", "Import one.", "Import one.")
    emit.log("Stopped; run again with --on-exists resume.", gui_message="Press Resume.")
    emit.log("plain", gui_message="plain")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines[0]["gui_hint"] == "Press Resume." and lines[0]["hint"].startswith("Choose --")
    assert "gui_hint" not in lines[1] and "gui_message" not in lines[3]
    assert decode(json.dumps(lines[2])).gui_message == "Press Resume."
    assert decode(json.dumps(lines[1])).gui_hint == ""  # as an older worker sends it
    error = UserError("Run 'a' exists.", "Choose --on-exists resume.", "Press Resume.")
    assert (error.hint, error.gui_hint) == ("Choose --on-exists resume.", "Press Resume.")
    assert UserError("No image.", "Import one.").gui_hint == "Import one."
