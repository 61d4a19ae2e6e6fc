"""A plain file (or one gzipped page) is one record; its sidecar's fields ride along."""

import os
import stat
from datetime import UTC
from pathlib import Path

from ingest.decoding import GZIP_MAGIC, inflate
from ingest.readers.records import Record, RecordError, RecordRef
from ingest.rejection import PageRejected, RejectReason
from ingest.settings import Settings
from ingest.sidecars import read_sidecar

PLAIN_KEY = ""


def read_bytes(path: Path, max_file_bytes: int) -> bytes:
    """The file's bytes, refusing files over the cap before reading them.

    The size and kind are checked on the opened file itself, so a file swapped for a FIFO, a
    device or a bigger file between listing and reading is refused, never waited on or slurped.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError as exc:
        raise PageRejected(RejectReason.missing, f"file vanished before reading: {exc}") from exc
    except OSError as exc:
        raise PageRejected(RejectReason.unreadable, f"{type(exc).__name__}: {exc}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise PageRejected(RejectReason.unreadable, "not a regular file")
        if info.st_size > max_file_bytes:
            raise PageRejected(
                RejectReason.too_large, f"{info.st_size} bytes on disk, cap is {max_file_bytes}"
            )
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(max_file_bytes + 1)
    except OSError as exc:
        raise PageRejected(RejectReason.unreadable, f"{type(exc).__name__}: {exc}") from exc
    finally:
        os.close(fd)
    if len(data) > max_file_bytes:
        raise PageRejected(RejectReason.too_large, f"grew past the cap of {max_file_bytes} bytes")
    return data


def index_plain() -> list[RecordRef]:
    return [RecordRef(PLAIN_KEY)]


def read_plain(path: Path, settings: Settings) -> Record | RecordError:
    """The file's page: its bytes (inflated under the cap) and its sidecar's fields."""
    try:
        data = read_bytes(path, settings.max_file_bytes)
        if data.startswith(GZIP_MAGIC):
            data = inflate(data, settings.max_inflated_bytes)
    except PageRejected as exc:
        return RecordError(PLAIN_KEY, exc.reason.value, f"{path}: {exc.detail}")
    side = read_sidecar(path, settings.max_sidecar_bytes)
    return Record(
        key=PLAIN_KEY,
        payload=data,
        url=side.url,
        fetched_at=side.fetched_at.astimezone(UTC) if side.fetched_at else None,
        language=side.language,
        published=side.published,
        meta=side.raw,
        warnings=side.warnings,
    )
