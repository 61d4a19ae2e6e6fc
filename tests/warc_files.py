"""Small WARC files written with warcio for the reader tests."""

import gzip
import io
import shutil
from pathlib import Path

from warcio.warcwriter import WARCWriter


def http_message(headers: dict[str, str], body: bytes, status: str = "200 OK") -> bytes:
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"HTTP/1.1 {status}\r\n{head}\r\n".encode() + body


def chunked(data: bytes, size: int = 16) -> bytes:
    parts = [
        b"%x\r\n%s\r\n" % (len(data[i : i + size]), data[i : i + size])
        for i in range(0, len(data), size)
    ]
    return b"".join(parts) + b"0\r\n\r\n"


def write_warc(path: Path, records: list[tuple[str, str, bytes, dict[str, str]]]) -> Path:
    """Records as (type, target URI, block, WARC headers), gzipped a member per record when the
    name ends in .gz."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=path.name.endswith(".gz"))
        for kind, uri, block, headers in records:
            content_type = headers.pop("Content-Type", "application/http; msgtype=response")
            record = writer.create_warc_record(
                uri,
                kind,
                payload=io.BytesIO(block),
                length=len(block),
                warc_content_type=content_type,
                warc_headers_dict=headers,
            )
            writer.write_record(record)
    return path


def gzip_as_one_stream(source: Path, target: Path) -> Path:
    with gzip.open(source, "rb") as src, gzip.open(target, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return target
