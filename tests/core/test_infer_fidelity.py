"""The first objects of the must-show run equal the reference implementation's, voxel for voxel.

The reference's segmentation of SNEMI3D ``images/`` z 0:100, y 0:256, x 0:256 with the 7M model
(``../shared/reference/snemi_train_crop_7M_seg.h5``) numbers its objects in creation order, so
the same seeds, moves, freeze rule and thresholds must give the same first objects.
"""

from __future__ import annotations

import h5py
import numpy as np
from PIL import Image

from ffn_core.infer.canvas import Canvas, FovRequest, drive
from ffn_core.infer.request import parse_request

OBJECTS = 3


def test_first_objects_match_the_reference_segmentation(shared) -> None:
    from ffn_core.model.args import ModelArgs
    from ffn_core.model.predictor import Predictor

    models = shared / "models" / "snemi3d_ffn_windows"
    request = parse_request((models / "inference.pbtxt").read_text())
    args = ModelArgs.from_reference(request.model_args)
    predictor = Predictor.from_checkpoint(models / "model.ckpt-7000000", args)
    folder = shared / "data" / "snemi3d" / "images"
    raw = np.stack([np.array(Image.open(folder / f"{z:04d}.png"))[:256, :256] for z in range(100)])
    image = (raw.astype(np.float32) - request.image_mean) / request.image_stddev
    canvas = Canvas(image, request.options, args.fov_size_zyx, args.deltas_zyx, "PolicyPeaks")

    def predict_one(fov: FovRequest) -> np.ndarray:
        return predictor.predict(fov.image[None], fov.seed[None])[0]

    def enough() -> bool:
        return len(canvas.origins) >= OBJECTS

    drive(canvas.segment_all(), predict_one, enough)
    with h5py.File(shared / "reference" / "snemi_train_crop_7M_seg.h5", "r") as handle:
        reference = handle["segmentation"][...]
    assert sorted(canvas.origins) == list(range(1, OBJECTS + 1))
    for obj in range(1, OBJECTS + 1):
        assert np.array_equal(canvas.segmentation == obj, reference == obj), obj
