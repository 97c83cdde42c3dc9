"""The reference's coordinate files: GZIP TFRecords of ``tf.train.Example``.

Each record holds ``center`` (int64[3] = x, y, z in full-volume voxels) and
``label_volume_name`` (bytes). A file pattern may be one path, a glob, or google/ffn's
sharded ``path@N`` (``path-00000-of-0000N`` ...). TensorFlow is imported inside the
functions only. Records are serialised here directly (the protobuf wire format of that
one message), which is several times faster than building ``tf.train.Example`` objects.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ffn_core.io.atomic import replacing
from ffn_core.preprocess import check_cancel

_SHARDED = re.compile(r"^(?P<base>.+)@(?P<count>\d+)$")


def expand_pattern(pattern: str) -> list[str]:
    """Files named by ``pattern``: ``path@N`` shards, a glob, or one path."""
    match = _SHARDED.match(pattern)
    if match:
        count = int(match["count"])
        return [f"{match['base']}-{i:05d}-of-{count:05d}" for i in range(count)]
    if any(char in pattern for char in "*?["):
        return sorted(glob.glob(pattern))
    return [pattern]


def read_coordinates_tfrecord(pattern: str) -> tuple[np.ndarray, np.ndarray]:
    """Read reference coordinate records.

    Returns
    -------
    zyx : np.ndarray
        (N, 3) int64 centres as z, y, x.
    names : np.ndarray
        (N,) ``label_volume_name`` of each record, as bytes (object array).

    Raises
    ------
    FileNotFoundError
        A file of the pattern is missing.
    ValueError
        A file is not a GZIP TFRecord of such records.
    """
    import tensorflow as tf

    files = expand_pattern(pattern)
    missing = [name for name in files if not Path(name).is_file()]
    if not files or missing:
        raise FileNotFoundError(f"no coordinate file {missing[0] if missing else pattern}")
    features = {
        "center": tf.io.FixedLenFeature([1, 3], tf.int64),
        "label_volume_name": tf.io.FixedLenFeature([1], tf.string),
    }
    dataset = tf.data.TFRecordDataset(files, compression_type="GZIP").batch(1 << 16)
    centers, names = [np.zeros((0, 3), np.int64)], [np.zeros(0, object)]
    try:
        for batch in dataset.map(lambda records: tf.io.parse_example(records, features)):
            centers.append(batch["center"].numpy()[:, 0, ::-1])
            names.append(batch["label_volume_name"].numpy()[:, 0])
    except tf.errors.OpError as exc:
        raise ValueError(f"{pattern} is not a GZIP TFRecord of coordinates: {exc.message}") from exc
    return np.ascontiguousarray(np.concatenate(centers)), np.concatenate(names)


def write_coordinates_tfrecord(
    path: str | Path,
    zyx: np.ndarray | Sequence,
    volume_name: str,
    progress: Callable[[int, int], None] | None = None,
    cancel: object | None = None,
) -> None:
    """Write (N, 3) z, y, x centres as a GZIP TFRecord file, atomically.

    ``zyx`` is an array or anything sliced into (n, 3) arrays, such as
    :class:`~ffn_core.preprocess.coordinates.BalancedCoordinates`.

    A cancelled or failed write leaves ``path`` as it was.
    """
    import tensorflow as tf

    name_entry = _map_entry(b"label_volume_name", _field(1, _field(1, volume_name.encode("utf-8"))))
    encode = _RecordEncoder(name_entry)
    total, step = len(zyx), 1 << 16
    with replacing(path) as tmp:
        with tf.io.TFRecordWriter(str(tmp), options="GZIP") as writer:
            for start in range(0, total, step):
                check_cancel(cancel)
                for record in encode.chunk(np.asarray(zyx[start : start + step])):
                    writer.write(record)
                if progress is not None:
                    progress(min(start + step, total), total)


class _RecordEncoder:
    """Serialises records fast: everything but the packed centre depends only on its length."""

    def __init__(self, name_entry: bytes) -> None:
        self.name_entry = name_entry
        self.small = [_varint(v) for v in range(1 << 16)]
        self.heads: dict[int, bytes] = {}

    def chunk(self, zyx: np.ndarray) -> list[bytes]:
        """The records of (n, 3) z, y, x centres."""
        fits = zyx.size == 0 or (zyx.min() >= 0 and zyx.max() < len(self.small))
        varint = self.small.__getitem__ if fits else _varint
        return [self.record(varint(x) + varint(y) + varint(z)) for x, y, z in zyx[:, ::-1].tolist()]

    def record(self, packed: bytes) -> bytes:
        head = self.heads.get(len(packed))
        if head is None:
            whole = _example(bytes(len(packed)), self.name_entry)
            head = self.heads[len(packed)] = whole[: -len(packed) - len(self.name_entry)]
        return head + packed + self.name_entry


def _varint(value: int) -> bytes:
    """Protobuf base-128 varint of a non-negative int (negative int64 as two's complement)."""
    value &= (1 << 64) - 1
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited field (wire type 2)."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _map_entry(key: bytes, feature: bytes) -> bytes:
    """One ``Features.feature`` map entry (key = field 1, value = field 2)."""
    return _field(1, _field(1, key) + _field(2, feature))


def _example(packed: bytes, name_entry: bytes) -> bytes:
    """Serialised ``Example{features{center: int64_list(packed x, y, z), name_entry}}``."""
    center = _map_entry(b"center", _field(3, _field(1, packed)))
    return _field(1, center + name_entry)
