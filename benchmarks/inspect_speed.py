"""Proofreading and display-filter speed on a large inference run (no display needed).

Builds a synthetic run of ``--shape`` voxels with about ``--segments`` segments, opens it
as :class:`app.inspect.run_layer.RunLayer` on a ViewerModel, and times what the user
waits for: opening (segment table included), a merge, an undo, hiding small segments,
showing only two segments. Next to each, the engine function a naive panel would call
(``apply_edits`` / ``hide_small`` / ``segment_table`` over the whole volume), and the ratio.

Usage: ``QT_QPA_PLATFORM=offscreen python benchmarks/inspect_speed.py [--shape 32,1024,1024]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def synthetic_run(folder: Path, shape: tuple[int, ...], segments: int) -> Path:
    """A run of box-shaped segments (blocks of 4 x 32 x 32 voxels, random ids)."""
    from tests.app.run_files import write_run

    rng = np.random.default_rng(0)
    blocks = tuple(max(1, n // b) for n, b in zip(shape, (4, 32, 32)))
    coarse = rng.integers(1, segments + 1, blocks).astype(np.uint32)
    seg = np.kron(coarse, np.ones((4, 32, 32), np.uint32))
    return write_run(folder / "inference" / "bench", seg, (0, 0, 0), {})


def timed(label: str, action, naive=None) -> None:
    start = time.perf_counter()
    action()
    ours = time.perf_counter() - start
    line = f"{label:<28} {ours:7.2f} s"
    if naive is not None:
        start = time.perf_counter()
        naive()
        slow = time.perf_counter() - start
        line += f"   naive {slow:7.2f} s   ratio {slow / max(ours, 1e-9):6.1f}x"
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", default="32,1024,1024")
    parser.add_argument("--segments", type=int, default=3000)
    args = parser.parse_args()
    from napari.components import ViewerModel

    from app.inspect.run_layer import RunLayer
    from ffn_core.analysis.proofread import Edit, apply_edits
    from ffn_core.analysis.segments import hide_small

    shape = tuple(int(v) for v in args.shape.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = synthetic_run(Path(tmp), shape, args.segments)
        print(f"run {shape} = {np.prod(shape) / 1e6:.0f} M voxels, {args.segments} ids")
        holder = {}
        timed(
            "open + segment table",
            lambda: holder.update(run=RunLayer(ViewerModel(), run_dir)) or holder["run"].rows(),
        )
        run = holder["run"]
        merge = Edit("merge", (1, 2, 3))
        timed(
            "merge 3 segments",
            lambda: run.add_edit(merge),
            lambda: apply_edits(run.original, run.edit_list.edits),
        )
        timed("undo", run.undo)
        timed(
            "hide below 20000 voxels",
            lambda: run.set_min_voxels(20_000),
            lambda: hide_small(run.edited, 20_000),
        )
        run.set_min_voxels(0)
        run.set_selected([5, 6])
        timed(
            "show only 2 segments",
            lambda: run.set_only_selected(True),
            lambda: np.where(np.isin(run.edited, [5, 6]), run.edited, 0),
        )


if __name__ == "__main__":
    main()
