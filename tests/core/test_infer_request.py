"""Parsing the reference's InferenceRequest text format without protobuf."""

from __future__ import annotations

import pytest

from ffn_core.errors import UserError
from ffn_core.infer.request import format_request, parse_request, parse_text_format

PBTXT = r"""
image {
  hdf5: "preprocessed_files/images_for_inference.h5@raw"
}
image_mean: 131
image_stddev: 62
checkpoint_interval: 1800
seed_policy: "PolicyPeaks"
model_checkpoint_path: "training_results/model.ckpt-7000000"
model_name: "convstack_3d.ConvStack3DFFNModel"
model_args: "{\"depth\": 9, \"fov_size\": [33, 33, 17], \"deltas\": [8, 8, 4]}"
segmentation_output_dir: "inference_results"
inference_options {
  init_activation: 0.95
  pad_value: 0.05
  move_threshold: 0.9
  min_boundary_dist { x: 1 y: 2 z: 3}
  segment_threshold: 0.6
  min_segment_size: 1000
}
"""


def test_windows_fork_request_parses() -> None:
    request = parse_request(PBTXT)
    assert request.image == "preprocessed_files/images_for_inference.h5@raw"
    assert (request.image_mean, request.image_stddev) == (131.0, 62.0)
    assert request.seed_policy == "PolicyPeaks"
    assert request.model_args == '{"depth": 9, "fov_size": [33, 33, 17], "deltas": [8, 8, 4]}'
    assert request.checkpoint_interval == 1800.0
    opts = request.options
    assert (opts.init_activation, opts.pad_value, opts.move_threshold) == (0.95, 0.05, 0.9)
    assert (opts.segment_threshold, opts.min_segment_size) == (0.6, 1000)
    assert opts.min_boundary_dist_zyx == (3, 2, 1)  # given as x, y, z
    assert opts.disco_seed_threshold == 0.0  # proto default: freeze rule on
    assert request.warnings == []


def test_shared_pbtxt_parses(shared) -> None:
    text = (shared / "models" / "snemi3d_ffn_windows" / "inference.pbtxt").read_text()
    request = parse_request(text)
    assert request.options.min_boundary_dist_zyx == (1, 1, 1)
    assert request.options.move_threshold == 0.9


def test_unknown_fields_become_warnings_and_syntax_variants_work() -> None:
    text = """# comment
    batch_size: 4, seed_policy_args: '{"min_distance": 3}' "" ;
    inference_options < disco_seed_threshold: -1 consistency_threshold: 0.5 >
    image { hdf5: 'a.h5:raw' }"""
    request = parse_request(text)
    assert request.options.disco_seed_threshold == -1.0
    assert request.seed_policy_args == {"min_distance": 3}
    assert request.image == "a.h5:raw"
    assert request.warnings == [
        "batch_size is not used by this program",
        "inference_options.consistency_threshold is not used by this program",
    ]


def test_repeated_fields_and_nesting() -> None:
    fields = parse_text_format("masks { image { channels: 1 } } masks { x: 2 }")
    assert fields == {"masks": [{"image": [{"channels": [1]}]}, {"x": [2]}]}


@pytest.mark.parametrize(
    "text, match",
    [
        ("inference_options { move_threshold: 0.9", "never closed"),
        ("image_mean:", "no value"),
        ('model_args: 3 seed_policy_args: "[1]"', "JSON object"),
        ('movement_policy_name: "Other"', "movement policy"),
        ("@@@", "cannot read"),
    ],
)
def test_bad_requests_are_user_errors(text: str, match: str) -> None:
    with pytest.raises(UserError, match=match):
        parse_request(text)


def test_the_request_a_run_used_is_written_back_readably() -> None:
    used = parse_request(PBTXT.replace("PolicyPeaks", "PolicyGrid3d"))
    used.seed_policy_args = {"step": 8}
    used.model_checkpoint_path = "C:\\models\\model.ckpt-7000000"
    text = format_request(used, ((0, 20), (4, 96), (8, 96)))
    again = parse_request(text)
    assert text.endswith("# bounding box (z, y, x): [0, 4, 8] to [20, 96, 96]\n")
    for name in (
        "image_mean",
        "image_stddev",
        "seed_policy",
        "seed_policy_args",
        "model_args",
        "model_checkpoint_path",
        "checkpoint_interval",
        "options",
    ):
        assert getattr(again, name) == getattr(used, name), name
