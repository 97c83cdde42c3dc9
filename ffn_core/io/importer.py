"""Image (and label) stacks into ``<project>/volumes/*.h5``: the work of the import stage.

:func:`import_stacks` writes ``volumes/image.h5:raw`` (uint8/uint16, attrs mean, std,
voxel_size (z, y, x), source, source_files) and ``volumes/labels.h5:raw`` (unsigned
integer ids as in the source), and registers them in the project (a further named volume
goes to ``volumes/<name>/`` as ``<name>/image`` and ``<name>/labels``). Slices stream through
one chunk layer at a time; both files are written beside their targets and renamed only
when both are complete, so a failure or a stop leaves the previous volumes untouched and
nothing half written.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ffn_core.events import CancelToken, Emitter
from ffn_core.io.disk_space import require_disk_space
from ffn_core.io.import_checks import as_labels, check_image_source, check_label_source, label_dtype
from ffn_core.io.stacks import SliceStack, SourceInfo, open_stack
from ffn_core.io.volume_writer import RunningStats, VolumeWriter, replacing_volume
from ffn_core.project import MAIN_VOLUME, Project, volume_key

__all__ = ["DATASET", "import_stacks"]

DATASET = "raw"


class _Stopped(Exception):
    """Raised while writing when the user stops the import."""


def import_stacks(
    project: Project,
    images: str,
    labels: str | None,
    voxel_size_zyx: Sequence[float],
    to_gray: bool,
    emit: Emitter,
    cancel: CancelToken,
    volume: str = MAIN_VOLUME,
) -> dict[str, str] | None:
    """Import the image (and label) stack into ``project`` and register the volumes.

    Parameters
    ----------
    project : Project
        The open project; volumes go to ``<project>/volumes/``.
    images, labels : str
        Sources: a folder of PNG/TIFF slices, a multi-page TIFF or ``file.h5:dataset``;
        ``labels`` may be None.
    voxel_size_zyx : sequence of float
        Voxel size (z, y, x) stored with the volumes.
    to_gray : bool
        Convert RGB(A) images to gray.
    emit : Emitter
        Receives ``log``, ``artifact`` and per-slice ``progress`` (unit ``slices``) records.
    cancel : CancelToken
        Polled before every slice; when set, nothing is written.
    volume : str
        The training volume these stacks make (:data:`~ffn_core.project.MAIN_VOLUME`, or
        another project's stack under its own name).

    Returns
    -------
    dict or None
        Outputs ``image`` (and ``labels``) as absolute ``file.h5:raw`` specs; None when
        stopped.

    Raises
    ------
    UserError
        For any unusable input; nothing is written then.
    """
    with contextlib.ExitStack() as opened:
        image_stack = opened.enter_context(open_stack(images, to_gray=to_gray))
        image_info = image_stack.info
        check_image_source(image_info)
        _log_source(emit, "Images", image_stack)
        if image_info.is_color:
            emit.log(
                f"Converting {image_info.channels}-channel colour images to gray "
                "(0.299 R + 0.587 G + 0.114 B, alpha dropped), as --to-gray asks.",
                gui_message=f"Converting {image_info.channels}-channel colour images to gray "
                "(0.299 R + 0.587 G + 0.114 B, alpha dropped), as 'Convert colour (RGB) slices "
                "to gray' asks.",
            )
        label_stack = None
        if labels is not None:
            label_stack = opened.enter_context(open_stack(labels, labels=True))
            check_label_source(label_stack.info, image_info.shape_zyx)
            _log_source(emit, "Labels", label_stack)
        folder = project.volume_folder("volumes", volume)
        require_disk_space(folder, _stored_bytes(image_stack, label_stack), "the volumes")
        written = _write(
            folder,
            voxel_size_zyx,
            emit,
            cancel,
            image_stack,
            label_stack,
        )
    if written is None:
        emit.log("Import stopped; the previous volumes (if any) are unchanged.", level="warning")
        return None
    targets, stats = written
    emit.log(f"Image mean {stats.mean:.2f}, std {stats.std:.2f}.")
    sources = {"image": (images, image_info)}
    if label_stack is not None:
        sources["labels"] = (labels, label_stack.info)
    return _register(project, volume, voxel_size_zyx, emit, targets, sources, stats)


def _stored_bytes(images: SliceStack, labels: SliceStack | None) -> int:
    """The volumes' size before compression (image as stored, labels as :func:`label_dtype`)."""
    voxels = math.prod(images.info.shape_zyx)
    size = voxels * np.dtype(images.info.dtype).itemsize
    if labels is not None:
        size += voxels * label_dtype(labels.info.dtype).itemsize
    return size


def _log_source(emit: Emitter, what: str, stack: SliceStack) -> None:
    info = stack.info
    emit.log(f"{what}: {info.order_summary()}; shape (z, y, x) {info.shape_zyx}, {info.dtype}.")
    if info.skipped:
        emit.log(
            f"Skipped {len(info.skipped)} non-slice file(s): "
            + ", ".join(Path(name).name for name in info.skipped),
            level="warning",
        )


def _write(
    volumes: Path,
    voxel_size_zyx: Sequence[float],
    emit: Emitter,
    cancel: CancelToken,
    images: SliceStack,
    labels: SliceStack | None,
) -> tuple[dict[str, Path], RunningStats] | None:
    """Write the volumes beside their targets and rename them together; None when stopped."""
    shape = images.info.shape_zyx
    total = shape[0] * (2 if labels is not None else 1)
    stats = RunningStats()
    targets = {"image": volumes / "image.h5"}
    try:
        with contextlib.ExitStack() as replaced:
            path = replaced.enter_context(replacing_volume(targets["image"]))
            with VolumeWriter(path, shape, images.info.dtype) as writer:
                _stream(images, writer, _add_to(stats), emit, cancel, 0, total)
                writer.finish(**_attrs(voxel_size_zyx, images), mean=stats.mean, std=stats.std)
            if labels is not None:
                targets["labels"] = volumes / "labels.h5"
                path = replaced.enter_context(replacing_volume(targets["labels"]))
                convert = lambda index, array: as_labels(array, labels.slice_name(index))  # noqa: E731
                with VolumeWriter(path, shape, label_dtype(labels.info.dtype)) as writer:
                    _stream(labels, writer, convert, emit, cancel, shape[0], total)
                    writer.finish(**_attrs(voxel_size_zyx, labels))
    except _Stopped:
        return None
    return targets, stats


def _add_to(stats: RunningStats) -> Callable[[int, np.ndarray], np.ndarray]:
    def add(index: int, array: np.ndarray) -> np.ndarray:
        stats.add(array)
        return array

    return add


def _stream(
    stack: SliceStack,
    writer: VolumeWriter,
    convert: Callable[[int, np.ndarray], np.ndarray],
    emit: Emitter,
    cancel: CancelToken,
    done: int,
    total: int,
) -> None:
    """Write every slice of ``stack``; raises :class:`_Stopped` when cancelled."""
    volume = "labels" if stack.labels else "image"
    for index, array in enumerate(stack):
        if cancel.cancelled:
            raise _Stopped
        writer.append(convert(index, array))
        emit.progress(done + index + 1, total, "slices", volume=volume)
    if cancel.cancelled:
        raise _Stopped


def _attrs(voxel_size_zyx: Sequence[float], stack: SliceStack) -> dict:
    return {
        "voxel_size": np.asarray(voxel_size_zyx, dtype=np.float64),
        "source": stack.source,
        "source_kind": stack.kind,
        "source_files": list(stack.info.files),
    }


def _register(
    project: Project,
    volume: str,
    voxel_size_zyx: Sequence[float],
    emit: Emitter,
    targets: dict[str, Path],
    sources: dict[str, tuple[str, SourceInfo]],
    stats: RunningStats,
) -> dict[str, str]:
    """Record the volumes in the project; returns their specs (earlier labels kept too)."""
    image_source, image_info = sources["image"]
    shape = list(image_info.shape_zyx)
    common = {"voxel_size": list(voxel_size_zyx), "shape": shape}
    project.register_volume(
        volume_key("image", volume),
        targets["image"],
        DATASET,
        mean=stats.mean,
        std=stats.std,
        dtype=image_info.dtype,
        source=image_source,
        **common,
    )
    if "labels" in sources:
        label_source, label_info = sources["labels"]
        project.register_volume(
            volume_key("labels", volume),
            targets["labels"],
            DATASET,
            dtype=label_dtype(label_info.dtype).name,
            source=label_source,
            **common,
        )
    else:
        _drop_stale_labels(project, volume_key("labels", volume), emit, shape)
    outputs = {name: f"{target}:{DATASET}" for name, target in targets.items()}
    if volume_key("labels", volume) in project.data["volumes"]:
        outputs["labels"] = project.volume_spec(volume_key("labels", volume))
    for spec in outputs.values():
        emit.artifact("volume", spec)
    return outputs


def _drop_stale_labels(project: Project, key: str, emit: Emitter, shape: list[int]) -> None:
    """Keep earlier labels ``key`` that still fit the new image; remove them otherwise."""
    record = project.data["volumes"].get(key)
    if record is None:
        return
    if list(record.get("shape", [])) == shape:
        emit.log("Kept the labels imported earlier (same shape as the new image).")
        return
    project.path(record["file"]).unlink(missing_ok=True)
    project.data["volumes"].pop(key)
    project.save()
    emit.log(
        f"Removed the labels imported earlier: their shape {record.get('shape')} "
        f"does not match the new image {shape}.",
        level="warning",
    )
