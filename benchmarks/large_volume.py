"""Peak memory of every stage on a 1 G-voxel volume against one 16 times smaller.

Makes a synthetic uint8 image of ``--large`` (default 256 x 2048 x 2048, 1 GiB) and one of
``--small`` (256 x 512 x 512) in a temporary folder, each written chunk by chunk (never
whole in memory), and for each measures the peak resident memory (RSS high-water mark,
``os.wait4`` of a fresh process per step) of:

* ``import``: ``python -m ffn_core import --images image.h5:raw``;
* ``view plane``: the GUI's :class:`app.viewer_panel.LayerPresenter` opening the project
  image on a napari ViewerModel (no window) and drawing the middle plane;
* ``view 3-D``: the same, switched to the 3-D view (napari loads a whole volume there: the
  coarsest level of the multiscale pyramid of a large image);
* ``export``: ``python -m ffn_core export --format tif --bit-depth 16`` of a synthetic uint32
  segmentation of the image's size, put where an inference run writes it (the IDs are
  scanned first because uint32 may not fit 16 bits);
* ``evaluate``: ``python -m ffn_core evaluate --run`` of that segmentation against itself
  (adapted Rand error 0);
* ``infer (client)`` and ``infer (worker N)``: a distributed inference of 2 x 2 subvolumes in
  a fixed ``--bbox`` with a tiny randomly initialised model on a local cluster of two
  one-thread workers (:func:`ffn_core.scale.cluster.dask_client`); the client process (it
  also hosts the scheduler) reports its own peak, the workers theirs through ``client.run``
  (``VmHWM``).

A table gives each step's peak for both sizes and their ratio: memory bounded by a slice
or a subvolume, not by the volume, gives ratios near 1 where the volume grows 16 times
(the large slices are 16 times larger, so steps that hold a few slices grow a little).

Usage: ``python benchmarks/large_volume.py [--large Z,Y,X] [--small Z,Y,X] [--tmp DIR]``
(about 6 minutes and 4 GB of temporary disk on 2 cores; ``--no-infer`` skips inference).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

LAYER = 16  # planes generated and written at once
BBOX = "0:20,0:176,0:176"  # the inferred box: 2 x 2 subvolumes of 20 x 96 x 96
SUBVOLUME = "20,96,96"


def write_image(path: Path, shape: tuple[int, int, int]) -> None:
    """Smooth blobs plus noise, uint8, written ``LAYER`` planes at a time."""
    _, y, x = shape
    rng = np.random.default_rng(0)
    yy, xx = np.ogrid[:y, :x]
    plane = (np.sin(yy / 9.0) * np.sin(xx / 11.0)).astype(np.float32)
    with h5py.File(path, "w") as handle:
        data = handle.create_dataset("raw", shape=shape, dtype=np.uint8, chunks=(LAYER, 128, 128))
        for z0 in range(0, shape[0], LAYER):
            layer = np.empty((LAYER, y, x), np.uint8)
            for k in range(LAYER):
                noise = rng.integers(-20, 21, (y, x), dtype=np.int16)
                grey = 128 + 90 * np.cos((z0 + k) / 5.0) * plane + noise
                layer[k] = np.clip(grey, 0, 255)
            data[z0 : z0 + LAYER] = layer


def write_run(project: Path, shape: tuple[int, int, int], run: str) -> None:
    """A uint32 segmentation of boxes (16 x 64 x 64 voxels), as inference writes a run."""
    folder = project / "inference" / run
    folder.mkdir(parents=True)
    _, y, x = shape
    ids = 1 + (np.arange(y)[:, None] // 64) * (x // 64) + np.arange(x)[None, :] // 64
    with h5py.File(folder / "segmentation.h5", "w") as handle:
        data = handle.create_dataset(
            "segmentation",
            shape=shape,
            dtype=np.uint32,
            chunks=(LAYER, 128, 128),
            compression="gzip",
            compression_opts=1,
        )
        for z0 in range(0, shape[0], LAYER):
            offset = (z0 // LAYER) * (y // 64) * (x // 64)
            data[z0 : z0 + LAYER] = np.broadcast_to(ids + offset, (LAYER, y, x)).astype(np.uint32)
        data.attrs["bbox_start_zyx"] = [0, 0, 0]
        data.attrs["bbox_stop_zyx"] = list(shape)


# A fresh, small process runs each step and reports the step's ru_maxrss: a process started
# straight from this one (vfork + exec) would inherit this one's high-water mark.
_LAUNCHER = """
import os, subprocess, sys
step = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(step.pid, 0)
open(sys.argv[1], "w").write(f"{usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def peak_of(argv: list, env: dict | None = None) -> tuple[float, float, str]:
    """Run ``argv``; returns (its peak RSS in MiB, wall seconds, its stdout)."""
    argv = [str(arg) for arg in argv]
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "peak"
        with (
            open(report.with_suffix(".out"), "w+") as out,
            open(report.with_suffix(".err"), "w+") as err,
        ):
            launcher = [sys.executable, "-c", _LAUNCHER, str(report), *argv]
            subprocess.run(launcher, cwd=REPO, stdout=out, stderr=err, env=env, check=True)
            out.seek(0)
            err.seek(0)
            text, error = out.read(), err.read()
        peak_kib, code = (int(v) for v in report.read_text().split())
    if code != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({code}):\n{text[-2000:]}{error[-4000:]}")
    return peak_kib / 1024, time.perf_counter() - start, text


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "ffn_core", *map(str, args)]


def child(*args: str) -> list[str]:
    return [sys.executable, __file__, "--child", *map(str, args)]


def last_result(text: str) -> dict:
    records = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    result = [r for r in records if r.get("type") in ("result", "error")][-1]
    if result["type"] != "result":
        raise SystemExit(f"step failed: {result}")
    return result


def measure(work: Path, shape: tuple[int, int, int], checkpoint: Path | None) -> dict:
    """Every step's (peak MiB, wall s) on an image of ``shape``."""
    project, image = work / "project", work / "image.h5"
    write_image(image, shape)
    rows = {}
    rows["import"] = peak_of(cli("import", "--project", project, "--images", f"{image}:raw"))[:2]
    image.unlink()
    spec = f"{project / 'volumes' / 'image.h5'}:raw"
    viewer_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    rows["view plane"] = peak_of(child("view", spec, "2"), viewer_env)[:2]
    rows["view 3-D"] = peak_of(child("view", spec, "3"), viewer_env)[:2]
    write_run(project, shape, "synthetic")
    out = work / "export"
    export = ("--project", project, "--run", "synthetic", "--out", out)
    rows["export"] = peak_of(cli("export", *export, "--format", "tif", "--bit-depth", "16"))[:2]
    assert len(list(out.glob("*.tif"))) == shape[0]
    shutil.rmtree(out)
    seg = project / "inference" / "synthetic" / "segmentation.h5"
    evaluate = ("--project", project, "--run", "synthetic", "--gt", f"{seg}:segmentation")
    peak, wall, text = peak_of(cli("evaluate", *evaluate))
    assert last_result(text)["outputs"]["arand"] == 0.0
    rows["evaluate"] = (peak, wall)
    if checkpoint is not None:
        _, wall, text = peak_of(child("infer", project, checkpoint))
        report = json.loads(text.splitlines()[-1])
        print(f"infer: {report['subvolumes']} subvolumes, {report['merges']} merges", flush=True)
        rows["infer (client)"] = (report["client"], wall)
        for index, worker_peak in enumerate(sorted(report["workers"])):
            rows[f"infer (worker {index + 1})"] = (worker_peak, wall)
    return rows


def print_table(small: tuple, large: tuple, rows_small: dict, rows_large: dict) -> None:
    def size(shape: tuple[int, ...], itemsize: int) -> str:
        return f"{np.prod(shape) * itemsize / 2**30:.2f} GiB"

    print(
        f"\nsmall {'x'.join(map(str, small))}: image {size(small, 1)}, segmentation "
        f"{size(small, 4)}; large {'x'.join(map(str, large))}: image {size(large, 1)}, "
        f"segmentation {size(large, 4)} ({np.prod(large) / np.prod(small):.0f} times the voxels)"
    )
    print(f"{'step':<18} {'small MiB':>10} {'large MiB':>10} {'large/small':>12} {'large s':>8}")
    for step, (peak_large, wall_large) in rows_large.items():
        peak_small = rows_small[step][0]
        print(
            f"{step:<18} {peak_small:10.0f} {peak_large:10.0f} "
            f"{peak_large / peak_small:12.2f} {wall_large:8.1f}"
        )


# -- child processes --------------------------------------------------------------------
def view(spec: str, ndisplay: str) -> None:
    """Open ``spec`` as the GUI does and draw the middle plane (or the 3-D view)."""
    from napari.components import ViewerModel

    from app.viewer_panel import LayerPresenter

    viewer = ViewerModel()
    layer = LayerPresenter(viewer).show_image("image", spec)
    viewer.dims.set_point(0, layer.level_shapes[0][0] // 2)
    viewer.dims.ndisplay = int(ndisplay)
    print(json.dumps({"shown": list(np.asarray(layer._slice.image.view).shape)}))


def make_checkpoint(folder: str) -> None:
    """A checkpoint of a tiny model with its random initial weights."""
    import tensorflow as tf

    from ffn_core.model.args import ModelArgs
    from ffn_core.model.checkpoints import make_checkpoint as checkpoint_of
    from ffn_core.model.convstack import build_convstack

    tf.keras.utils.set_random_seed(0)
    args = ModelArgs(depth=2, fov_size_zyx=(5, 7, 9), deltas_zyx=(1, 2, 2), features=4)
    model = build_convstack(args)
    tf.train.CheckpointManager(checkpoint_of(model, args), folder, max_to_keep=1).save(1)


def infer(project: str, checkpoint: str) -> None:
    """2 x 2 subvolumes on a LocalCluster of two workers; prints the client's and the
    workers' peaks (``VmHWM``: each process's own high-water mark, not its parent's)."""
    import io

    from ffn_core.events import Emitter
    from ffn_core.project import Project
    from ffn_core.scale.cluster import dask_client
    from ffn_core.stages.infer import InferConfig
    from ffn_core.stages.infer import infer as run_infer

    emit = Emitter("infer", stream=io.StringIO())
    config = InferConfig(
        checkpoint=checkpoint,
        bbox=BBOX,
        subvolume_size_zyx=SUBVOLUME,
        refresh_interval=0.0,
        run="bench",
    )
    with dask_client(None, 2, 1, emit) as client:
        address = client.scheduler.address
        result = run_infer(config.replace(scheduler=address), Project.open(project), emit=emit)
        assert result.status == "completed" and result.outputs["subvolumes"] == 4, result
        workers = client.run(own_peak_mib)
    report = {"client": own_peak_mib(), "workers": list(workers.values()), **result.outputs}
    print(json.dumps(report))


def own_peak_mib() -> float:
    """This process's peak resident memory (Linux ``/proc/self/status`` VmHWM), in MiB."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", default="256,2048,2048", help="z,y,x of the large image")
    parser.add_argument("--small", default="256,512,512", help="z,y,x of the small image")
    parser.add_argument("--tmp", help="folder for the temporary files (default: the system's)")
    parser.add_argument("--no-infer", action="store_true", help="skip distributed inference")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        {"view": view, "checkpoint": make_checkpoint, "infer": infer}[args.child[0]](
            *args.child[1:]
        )
        return
    shapes = {
        name: tuple(int(v) for v in text.split(","))
        for name, text in (("small", args.small), ("large", args.large))
    }
    with tempfile.TemporaryDirectory(dir=args.tmp, prefix="large-volume-") as tmp:
        checkpoint = None
        if not args.no_infer:
            checkpoint = Path(tmp) / "tiny-model"
            peak_of(child("checkpoint", checkpoint))
        rows = {}
        for name, shape in shapes.items():
            work = Path(tmp) / name
            work.mkdir()
            started = time.perf_counter()
            rows[name] = measure(work, shape, checkpoint)
            print(f"{name} {shape}: {time.perf_counter() - started:.0f} s", flush=True)
            shutil.rmtree(work)
    print_table(shapes["small"], shapes["large"], rows["small"], rows["large"])


if __name__ == "__main__":
    main()
