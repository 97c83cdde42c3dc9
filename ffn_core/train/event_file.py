"""TensorBoard event files written without TensorFlow (the ``tensorboard`` package's protos).

Every backend writes the same events: scalars as ``simple_value`` and images as PNG, each
event a TFRecord of the file ``events.out.tfevents.<time>.<host>.<pid>.v2`` that TensorBoard
reads. Where the ``tensorboard`` package is missing (a JAX or PyTorch install without
TensorFlow), :func:`open_event_file` returns None and the run keeps its other traces.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import numpy as np

from ffn_core.train.summaries import encode_png

FILE_VERSION = "brain.Event:2"


class EventFile:
    """One TensorBoard event file in ``folder``, written synchronously (flushed on request)."""

    def __init__(self, folder: Path) -> None:
        from tensorboard.compat.proto.event_pb2 import Event
        from tensorboard.compat.proto.summary_pb2 import Summary
        from tensorboard.summary.writer.record_writer import RecordWriter

        self._event, self._summary = Event, Summary
        name = f"events.out.tfevents.{time.time():.0f}.{socket.gethostname()}.{os.getpid()}.v2"
        Path(folder).mkdir(parents=True, exist_ok=True)
        self._handle = open(Path(folder) / name, "wb")  # closed by close()
        self._records = RecordWriter(self._handle)
        self._write(self._event(wall_time=time.time(), file_version=FILE_VERSION))

    def scalars(self, step: int, values: dict[str, float]) -> None:
        """One scalar per tag at ``step``."""
        self._add(step, [self._summary.Value(tag=k, simple_value=v) for k, v in values.items()])

    def images(self, step: int, tag: str, images: list[np.ndarray]) -> None:
        """uint8 grey images (h, w) under ``tag`` (``tag/image/<i>``, as ``tf.summary`` did)."""
        values = [
            self._summary.Value(
                tag=f"{tag}/image/{index}",
                image=self._summary.Image(
                    height=image.shape[0],
                    width=image.shape[1],
                    colorspace=1,
                    encoded_image_string=encode_png(image),
                ),
            )
            for index, image in enumerate(images)
        ]
        self._add(step, values)

    def flush(self) -> None:
        """Make what was written visible to TensorBoard."""
        self._handle.flush()

    def close(self) -> None:
        """Flush and close the file."""
        self._handle.close()

    def _add(self, step: int, values: list) -> None:
        summary = self._summary(value=values)
        self._write(self._event(wall_time=time.time(), step=int(step), summary=summary))

    def _write(self, event) -> None:
        self._records.write(event.SerializeToString())


def open_event_file(folder: Path) -> EventFile | None:
    """An :class:`EventFile` in ``folder``, or None when ``tensorboard`` is not installed."""
    try:
        return EventFile(folder)
    except ImportError:
        return None
