"""What a job needs in memory against what this machine (or its container) has free.

A stage that holds a whole volume in memory calls :func:`require_memory` before it reads
anything, so a job that cannot fit is refused at once with what it needs and what to do,
instead of being killed by the system hours later. The per-voxel figures are peaks measured
with ``tracemalloc`` on the real stages (the numbers say where they came from).
"""

from __future__ import annotations

from pathlib import Path

import psutil

from ffn_core.errors import UserError

#: Peak bytes per voxel of one in-memory inference box: canvas (image, seeds, ids,
#: probabilities: 13 B), the raw box, PolicyPeaks' distance maps and the final relabelling
#: (64 B measured on 30 x 160 x 160 with PolicyPeaks; 27 B with PolicyGrid3d).
INFER_BYTES_PER_VOXEL = 64
#: Peak bytes per voxel of the refinement steps on the box they refine (fill's peak, measured
#: with tracemalloc: 88); they run after the canvas is freed.
REFINE_BYTES_PER_VOXEL = 90
#: Peak bytes per voxel of preprocess: the labels, partitions and the window counts
#: (46 B measured on 30 x 256 x 256 uint32 labels).
PREPROCESS_BYTES_PER_VOXEL = 46

_CGROUP_FILES = (  # (limit, usage): cgroup v2, then v1 (containers, SLURM jobs)
    ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
    (
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
        "/sys/fs/cgroup/memory/memory.usage_in_bytes",
    ),
)


def _cgroup_free() -> int | None:
    """What the process's memory cgroup still allows, when it sets a limit."""
    for limit_file, usage_file in _CGROUP_FILES:
        try:
            limit = Path(limit_file).read_text().strip()
            usage = int(Path(usage_file).read_text().strip())
        except (OSError, ValueError):
            continue
        if limit.isdigit() and int(limit) < 2**60:
            return max(int(limit) - usage, 0)
    return None


def available_bytes() -> int:
    """Memory a job may still take: the system's available memory, or less when the process
    runs in a container or cluster job with a memory limit."""
    free = psutil.virtual_memory().available
    limited = _cgroup_free()
    return free if limited is None else min(free, limited)


def format_bytes(count: float) -> str:
    """``count`` bytes in the largest unit that keeps a number >= 1 ("3.2 GB").

    Examples
    --------
    >>> format_bytes(512), format_bytes(3.2e9), format_bytes(6.4e12)
    ('512 B', '3.2 GB', '6.4 TB')
    """
    for unit in ("B", "kB", "MB", "GB"):
        if count < 1000:
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count:.1f} TB"


def require_memory(needed: int, what: str, hint: str) -> None:
    """Refuse a job that needs more memory than is free.

    Parameters
    ----------
    needed : int
        Bytes the job will hold at its peak.
    what : str
        What needs it, e.g. "Inference of the box z,y,x (2000, 20000, 20000)".
    hint : str
        What the user can do instead (smaller box, subvolumes, a bigger machine).

    Raises
    ------
    UserError
        ``needed`` exceeds :func:`available_bytes`.
    """
    free = available_bytes()
    if needed > free:
        raise UserError(
            f"{what} needs about {format_bytes(needed)} of memory, but only "
            f"{format_bytes(free)} is free on this machine; it was not started.",
            hint,
        )
