"""Opening a container's bytes as one stream: plain, gzip (all members) or zstd."""

import gzip
import io
import os
import stat
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
HEAD_BYTES = 65536
try:
    from zstandard import ZstdError
except ImportError:  # pragma: no cover - zstandard is a dependency
    ZstdError = OSError  # type: ignore[misc,assignment]
# What reading a damaged or truncated compressed stream raises.
STREAM_ERRORS = (OSError, EOFError, ValueError, zlib.error, ZstdError)


class Compression:
    none = "none"
    gzip = "gzip"
    zstd = "zstd"


def compression_of(head: bytes) -> str:
    if head.startswith(GZIP_MAGIC):
        return Compression.gzip
    if head.startswith(ZSTD_MAGIC):
        return Compression.zstd
    return Compression.none


def read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    """The first `size` bytes of the file's content, inflated when it is gzip or zstd (a damaged
    stream gives what could be inflated)."""
    with _open_regular(path) as fh:
        raw = fh.read(size)
        kind = compression_of(raw)
        if kind == Compression.gzip:
            inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            try:
                return inflater.decompress(raw, size)
            except zlib.error:
                return b""
        if kind == Compression.zstd:
            fh.seek(0)
            try:
                with _zstd_reader(fh) as reader:
                    return reader.read(size)
            except STREAM_ERRORS:
                return b""
    return raw


def _open_regular(path: Path) -> BinaryIO:
    """The file opened for reading, never waiting on a FIFO or device (OSError if not a regular
    file)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path} is not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


@contextmanager
def open_stream(path: Path) -> Iterator[tuple[BinaryIO, str]]:
    """The file's content as a buffered binary stream and its compression."""
    with path.open("rb") as raw:
        kind = compression_of(raw.read(4))
        raw.seek(0)
        if kind == Compression.gzip:
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                yield stream, kind  # type: ignore[misc]
        elif kind == Compression.zstd:
            with _zstd_reader(raw) as reader:
                yield io.BufferedReader(reader, 1 << 16), kind  # type: ignore[arg-type]
        else:
            yield raw, kind


def _zstd_reader(fh: BinaryIO):
    import zstandard

    return zstandard.ZstdDecompressor().stream_reader(fh, read_across_frames=True)


class Progress:
    """How far into a stream reading got, for errors that name the byte offset reached."""

    __slots__ = ("offset",)

    def __init__(self) -> None:
        self.offset = 0
