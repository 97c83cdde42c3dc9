"""Preprocess speed on the full SNEMI3D labels (100 x 512 x 512), tutorial parameters.

Runs, in one process:

1. our ``preprocess`` stage (labels read from the project's HDF5, partitions.h5 and
   coordinates.npy written): wall time and peak RSS, checked bit-identical to
   ``../shared/reference/snemi_partitions_af.h5``;
2. our ``compute_partitions`` alone, and the simple version from
   ``tests/core/test_preprocess.py`` (per object over the whole volume) on a few
   objects, extrapolated to all of them: the ratio of their CPU times;

next to the reference's 120 s (partitions, 1.5 GB) + 264 s (coordinates, 2.8 GB) on
a 2-vCPU machine like ours (``../shared/reference/REFERENCE.md``).

Usage: ``python benchmarks/preprocess_speed.py [--simple-objects 3] [--tfrecord]``
"""

from __future__ import annotations

import argparse
import io
import resource
import sys
import tempfile
import time
from pathlib import Path

import h5py
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ffn_core.events import CancelToken, Emitter  # noqa: E402
from ffn_core.preprocess.partitions import compute_partitions  # noqa: E402
from ffn_core.stages.preprocess import PreprocessConfig, preprocess  # noqa: E402
from tests.core.test_preprocess import (  # noqa: E402
    THRESHOLDS,
    clear_dust,
    make_project,
    read_snemi_labels,
    simple_object_classes,
)

SHARED = REPO.parent / "shared"
REFERENCE = {"partitions_s": 120.0, "coordinates_s": 264.0, "peak_gb": 2.8}


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (MB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def time_stage(labels: np.ndarray, tfrecord: bool) -> tuple[float, float, float, bool]:
    """Our stage on a fresh project: wall and CPU seconds, peak RSS (MB), bit-identical?"""
    with tempfile.TemporaryDirectory() as folder:
        project = make_project(Path(folder) / "p", labels)
        config = PreprocessConfig(coordinates_tfrecord=f"{folder}/c.gz" if tfrecord else None)
        started, cpu = time.perf_counter(), time.process_time()
        result = preprocess(
            config, project, emit=Emitter(stream=io.StringIO()), cancel=CancelToken()
        )
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        peak = peak_rss_mb()
        with (
            h5py.File(project.path("preprocess", "partitions.h5"), "r") as ours,
            h5py.File(SHARED / "reference" / "snemi_partitions_af.h5", "r") as ref,
        ):
            identical = np.array_equal(ours["af"][...], ref["af"][...])
        print(f"  coordinates: {result.extra['coordinates_count']:,} rows")
    return wall, cpu, peak, identical


def time_simple(labels: np.ndarray, sample: int) -> tuple[float, int, int]:
    """Simple version: dust removal, then ``sample`` random objects; extrapolated CPU seconds."""
    started = time.process_time()
    cleaned = clear_dust(labels, 10000)
    objects = np.unique(cleaned[cleaned != 0])
    dust_s = time.process_time() - started
    chosen = np.random.default_rng(0).choice(objects, size=min(sample, len(objects)), replace=False)
    started = time.process_time()
    for label in chosen:
        simple_object_classes(cleaned, label, THRESHOLDS, (24, 24, 24))
    per_object = (time.process_time() - started) / len(chosen)
    return dust_s + per_object * len(objects), len(chosen), len(objects)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--simple-objects",
        type=int,
        default=3,
        help="objects the simple version runs on before extrapolating",
    )
    parser.add_argument(
        "--tfrecord",
        action="store_true",
        help="also write the reference's TFRecord (as build_coordinates does)",
    )
    args = parser.parse_args()
    labels = read_snemi_labels(SHARED)
    print(
        f"SNEMI3D labels {labels.shape} (z,y,x), thresholds {THRESHOLDS}, lom_radius 24,24,24, "
        "min_size 10000, margin 24,24,24"
    )
    stage_s, stage_cpu, peak_mb, identical = time_stage(labels, args.tfrecord)
    started = time.process_time()
    compute_partitions(labels, THRESHOLDS, (24, 24, 24), 10000)
    ours_s = time.process_time() - started
    simple_s, sampled, total = time_simple(labels, args.simple_objects)
    reference_s = REFERENCE["partitions_s"] + REFERENCE["coordinates_s"]
    tfrecord = " + TFRecord" if args.tfrecord else " (npy; --tfrecord adds the reference's file)"
    print(
        f"ours, preprocess stage (read labels, partitions, coordinates{tfrecord}): "
        f"{stage_s:.1f} s wall ({stage_cpu:.1f} s CPU), "
        f"peak RSS {peak_mb:.0f} MB (whole process so far)"
    )
    print(f"  bit-identical to snemi_partitions_af.h5: {identical}")
    print(
        f"reference: {REFERENCE['partitions_s']:.0f} s + {REFERENCE['coordinates_s']:.0f} s = "
        f"{reference_s:.0f} s, peak {REFERENCE['peak_gb']} GB  ->  "
        f"ours is {reference_s / stage_s:.1f}x faster by wall time, "
        f"{reference_s / stage_cpu:.1f}x by CPU time (the reference ran alone, single-threaded)"
    )
    print(
        f"partitions only, CPU time (steadier than wall time on a shared machine): ours "
        f"{ours_s:.1f} s; simple version (per object over the whole volume) ~{simple_s:.0f} s, "
        f"EXTRAPOLATED from {sampled} of {total} objects  ->  ratio {simple_s / ours_s:.0f}x"
    )


if __name__ == "__main__":
    main()
