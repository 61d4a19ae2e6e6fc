"""Readers turn one input file into records: a plain page, the pages of a WARC or ARC file, or
the lines of a JSON Lines file.

`index` is the cheap pass (a reference per record, no payloads kept); `read` gives the records of
some of those references. Which reader applies is decided by the file's content, not its name.
"""

import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from ingest.readers.jsonl import index_jsonl, read_jsonl
from ingest.readers.plain import index_plain, read_bytes, read_plain
from ingest.readers.records import PAGE, Record, RecordError, RecordRef
from ingest.readers.streams import HEAD_BYTES, read_head
from ingest.readers.warc import index_warc, read_warc
from ingest.settings import Settings

__all__ = [
    "PAGE",
    "Record",
    "RecordError",
    "RecordRef",
    "container_kind",
    "index",
    "read",
    "read_bytes",
]

PLAIN, WARC, ARC, JSONL = "plain", "warc", "arc", "jsonl"
WARC_VERSION = b"WARC/"
ARC_FILEDESC = b"filedesc://"
OBJECT_START = re.compile(rb'\{\s*"[^"\n]{0,200}"\s*:')


def container_kind(path: Path | str) -> str:
    """The container: plain, warc, arc or jsonl, from the first bytes (gzip and zstd inflated)."""
    try:
        head = read_head(Path(path))
    except OSError:
        return PLAIN  # the plain reader reports why it cannot be read
    return kind_of(head)


def kind_of(head: bytes) -> str:
    start = head.lstrip(b"\r\n\t ")
    if start.startswith(WARC_VERSION):
        return WARC
    if start.startswith(ARC_FILEDESC):
        return ARC
    if start.startswith(b"{") and _first_line_is_object(start):
        return JSONL
    return PLAIN


def _first_line_is_object(start: bytes) -> bool:
    line, newline, _ = start.partition(b"\n")
    if not newline:
        # a first line longer than the sniffed head (a big page in it) or the only line
        return len(start) >= HEAD_BYTES // 2 and OBJECT_START.match(start) is not None
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def index(path: Path | str, settings: Settings) -> Iterator[RecordRef | RecordError]:
    """A reference per record of the file, pages and passed-over kinds alike; a damaged
    container ends with a RecordError naming the byte offset reached."""
    path = Path(path)
    kind = container_kind(path)
    if kind in (WARC, ARC):
        return index_warc(path, settings, arc=kind == ARC)
    if kind == JSONL:
        return index_jsonl(path, settings)
    return iter(index_plain())


def read(
    path: Path | str, refs: Sequence[RecordRef], settings: Settings
) -> Iterator[Record | RecordError]:
    """The records of `refs` (pages only), in file order: seeking where the container allows it,
    otherwise reading it through and picking records by key."""
    path = Path(path)
    refs = [ref for ref in refs if isinstance(ref, RecordRef)]  # errors from index need no read
    kind = container_kind(path)
    if kind in (WARC, ARC):
        return read_warc(path, refs, settings, arc=kind == ARC)
    if kind == JSONL:
        return read_jsonl(path, refs, settings)
    return iter([read_plain(path, settings)] if any(ref.is_page for ref in refs) else [])
