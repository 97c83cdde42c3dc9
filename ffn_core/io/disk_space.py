"""Free disk space before a stage writes, so that a full disk is a clear message up front.

HDF5 cannot recover from a disk that fills up while it writes (the file handle can then be
neither used nor closed, and the process may crash when it exits: h5py issue #914), so stages
check the space their outputs can take before they start writing. Compressed outputs are
counted at their uncompressed size: a bound, never an underestimate.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ffn_core.errors import UserError
from ffn_core.memory import format_bytes

#: What a folder keeps free beyond the estimate (metadata, the project file, logs).
RESERVE_BYTES = 1_000_000


def _existing_folder(path: Path) -> Path:
    """``path`` or its nearest existing parent (folders are created when writing)."""
    path = Path(path).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def require_disk_space(folder: str | Path, needed: int, what: str) -> None:
    """Refuse to write ``what`` into ``folder`` when its disk has less than ``needed`` bytes
    (plus :data:`RESERVE_BYTES`) free.

    Raises
    ------
    UserError
        Naming the folder, what is needed and what is free.
    """
    free = shutil.disk_usage(_existing_folder(Path(folder))).free
    if needed + RESERVE_BYTES > free:
        raise UserError(
            f"Not enough disk space for {what} in {folder}: it needs up to "
            f"{format_bytes(needed)}, the disk has {format_bytes(free)} free. Nothing was "
            "written.",
            "Free some space on that disk (old inference runs, exports), or move the project "
            "to a disk with more room, then run again.",
        )
