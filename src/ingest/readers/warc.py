"""WARC and ARC containers: pages are the HTML and text payloads of responses, resources and
WET conversions; everything else is passed over and reported by kind.

WARC is read with FastWARC (fast, and it reads a WARC gzipped as one stream); ARC, which it does
not read, with warcio (as WARC).
"""

import gzip
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

from ingest.readers.http_body import decode_body
from ingest.readers.records import PAGE, Record, RecordError, RecordRef
from ingest.readers.streams import GZIP_MAGIC, Progress
from ingest.rejection import PageRejected, RejectReason
from ingest.settings import Settings
from ingest.sidecars import parse_timestamp, safe_string

if TYPE_CHECKING:
    from warcio.statusandheaders import StatusAndHeaders

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})
WEB_SCHEMES = frozenset({"http", "https", "ftp"})
CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?([^\"';\s]+)", re.IGNORECASE)
GZIP_MEMBER = GZIP_MAGIC + b"\x08"  # a gzip member header (deflate)
# A wanted record further on than this is reached by seeking rather than reading up to it.
SEEK_GAP = 1 << 20
META_HEADERS = {
    "WARC-IP-Address": "ip_address",
    "WARC-Payload-Digest": "payload_digest",
    "WARC-Identified-Payload-Type": "identified_payload_type",
    "WARC-Truncated": "truncated",
    "WARC-Refers-To": "refers_to",
}


class Headers(Protocol):
    """Header lookup by name, whatever the case (both libraries' header maps do this)."""

    def get(self, name: str, default: str = "", /) -> str: ...

    def items(self) -> Iterable[tuple[str, str]]: ...


class _CopiedHeaders:
    """Headers copied into a dict: one library call instead of one a lookup, for records whose
    headers are read many times."""

    __slots__ = ("_values",)

    def __init__(self, headers: Headers) -> None:
        self._values = {name.lower(): value for name, value in headers.items()}

    def get(self, name: str, default: str = "", /) -> str:
        return self._values.get(name.lower(), default)

    def items(self) -> Iterable[tuple[str, str]]:
        return self._values.items()


class _WarcioHeaders:
    __slots__ = ("_headers",)

    def __init__(self, headers: "StatusAndHeaders") -> None:
        self._headers = headers

    def get(self, name: str, default: str = "", /) -> str:
        return self._headers.get_header(name, default)

    def items(self) -> Iterable[tuple[str, str]]:
        return self._headers.headers


@dataclass(slots=True)
class RawRecord:
    """What either library says of a record; `read_body` is valid until the next record."""

    offset: int
    record_type: str
    record_id: str | None
    length: int
    warc: Headers
    http: Headers | None
    status: int | None
    read_body: Callable[[int], bytes] = field(repr=False)


class RecordKeys:
    """Keys of the records of one file, read from its start: the WARC-Record-ID, else (ARC
    records have none, warcio makes up new ones on each read; some files repeat an id) the
    record's offset."""

    def __init__(self, arc: bool) -> None:
        self.arc = arc
        self.seen: set[str] = set()

    def __call__(self, raw: RawRecord) -> str:
        rid = raw.record_id
        if not rid or self.arc or rid in self.seen:
            return f"offset:{raw.offset}"
        self.seen.add(rid)
        return rid


def _holds(raw: RawRecord, ref: RecordRef) -> bool:
    return raw.offset == ref.offset and ref.key in (raw.record_id, f"offset:{raw.offset}")


def classify(raw: RawRecord) -> tuple[str, str | None]:
    """The record's kind ("page" or what it is) and, for pages, the declared format."""
    kind = raw.record_type
    if kind == "response":
        if raw.http is not None and raw.status is not None and not 200 <= raw.status < 300:
            return f"response:status-{raw.status}", None
        return _by_type(kind, _mime(_content_type(raw)))
    if kind == "resource":
        scheme = _target(raw).partition(":")[0].lower()
        if scheme not in WEB_SCHEMES:
            return f"resource:{scheme or 'no-uri'}", None  # a crawler's own log or manifest
        return _by_type(kind, _mime(_content_type(raw)))
    if kind == "conversion":
        mime = _mime(_content_type(raw))
        return (PAGE, "text") if mime in TEXT_TYPES or not mime else (f"conversion:{mime}", None)
    return kind, None


def _by_type(kind: str, mime: str) -> tuple[str, str | None]:
    if mime in HTML_TYPES:
        return PAGE, "html"
    if mime in TEXT_TYPES:
        return PAGE, "text"
    if not mime:
        return PAGE, None  # undeclared: the page's bytes decide
    return f"{kind}:{mime}", None


def _content_type(raw: RawRecord) -> str:
    if raw.http is not None:
        return raw.http.get("content-type", "")
    return raw.warc.get("Content-Type", "")


def _mime(content_type: str) -> str:
    return content_type.partition(";")[0].strip().lower()


def _target(raw: RawRecord) -> str:
    return raw.warc.get("WARC-Target-URI", "").strip().strip("<>")


def index_warc(path: Path, settings: Settings, arc: bool) -> Iterator[RecordRef | RecordError]:
    """A reference per record; damage is a RecordError where it is met. The library stops
    quietly at a truncated gzip member, so the gzip data from the last record on is checked to
    its end."""
    size = path.stat().st_size
    last: RecordRef | None = None
    member = 0  # offset of the last gzip member a record starts in (in the file)
    keys = RecordKeys(arc)
    ended_broken = False
    with path.open("rb") as fh:
        for raw in _resilient(path, fh, arc):
            if last is not None:
                yield last
                last = None
            ended_broken = isinstance(raw, RecordError)
            if isinstance(raw, RecordError):
                yield raw
                continue
            last = RecordRef(keys(raw), raw.offset, classify(raw)[0])
            if not arc and raw.offset < size:  # ARC offsets count inflated bytes
                member = raw.offset
        cut = None if ended_broken else _gzip_cut(fh, member)
    if cut is not None:
        yield RecordError(
            last.key if last else f"offset:{cut}",
            RejectReason.corrupt.value,
            f"{path}: gzip data ends inside the member starting at byte {cut} ({size} bytes in"
            " the file); the records before it stand",
        )
    elif last is not None:
        yield last
    elif not ended_broken:  # nothing read: the libraries stop quietly at a header they cannot parse
        kind = "an ARC" if arc else "a WARC"
        yield RecordError(
            "offset:0",
            RejectReason.corrupt.value,
            f"{path}: starts like {kind} file, but no record could be read from it",
        )


def _resilient(path: Path, fh: BinaryIO, arc: bool) -> Iterator[RawRecord | RecordError]:
    """The file's records. Past a damaged gzip member, reading resumes at the next member that
    starts a WARC record; the damage is a RecordError."""
    progress = Progress()
    start = 0
    while True:
        fh.seek(start)
        try:
            yield from _records(fh, arc, progress)
            return
        except Exception as exc:  # the libraries raise their own errors on damaged input
            reached = max(progress.offset, start)
            resume = None if arc else _next_record_member(fh, reached + 1)
            yield _broken(path, exc, reached, resume)
            if resume is None:
                return
            start = resume


def _next_record_member(fh: BinaryIO, after: int) -> int | None:
    """The offset of the first gzip member at or after `after` that inflates to a WARC record
    header; None if there is none (or the file is not gzip)."""
    position = after
    while True:
        fh.seek(position)
        block = fh.read(1 << 20)
        if len(block) < len(GZIP_MEMBER):
            return None
        at = block.find(GZIP_MEMBER)
        while at != -1:
            fh.seek(position + at)
            try:
                head = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS).decompress(fh.read(4096), 16)
            except zlib.error:
                head = b""
            if head.startswith(b"WARC/"):
                return position + at
            at = block.find(GZIP_MEMBER, at + 1)
        position += len(block) - len(GZIP_MEMBER) + 1


def _gzip_cut(fh: BinaryIO, start: int) -> int | None:
    """Where the gzip member that is cut short starts, reading from `start`; None when the data
    is not gzip or every member is whole."""
    fh.seek(start)
    data = fh.read(1 << 16)
    if not data.startswith(GZIP_MAGIC):
        return None
    member, position = start, start
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    while data:
        position += len(data)
        while data:
            try:
                inflater.decompress(data, 1 << 20)
            except zlib.error:
                return member
            data = inflater.unconsumed_tail
            if inflater.eof:
                rest = inflater.unused_data
                if not rest.lstrip(b"\x00"):
                    break
                member = position - len(rest)
                inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
                data = rest
        data = fh.read(1 << 16)
    return None if inflater.eof else member


def read_warc(
    path: Path, refs: Sequence[RecordRef], settings: Settings, arc: bool
) -> Iterator[Record | RecordError]:
    """The pages of `refs` in file order, seeking to them where the file allows it."""
    wanted = sorted((ref for ref in refs if ref.is_page), key=lambda ref: ref.offset)
    pending = {ref.key: ref for ref in wanted}
    damage: RecordError | None = None
    with path.open("rb") as fh:
        # warcio reads an ARC record correctly only after the file's header: no seeking.
        for raw, ref in [] if arc else _seeking(fh, wanted, Progress()):
            del pending[ref.key]
            yield to_record(path, raw, ref.key, settings)
        if pending:  # offsets that cannot be sought (one gzip stream): read it through
            keys = RecordKeys(arc)
            for raw in _resilient(path, fh, arc):
                if isinstance(raw, RecordError):
                    damage = raw  # the index reported it; it matters here only for lost records
                    continue
                key = keys(raw)
                if pending.pop(key, None) is not None:
                    yield to_record(path, raw, key, settings)
                if not pending:
                    break
    for key in pending:
        reason = RejectReason.corrupt if damage else RejectReason.missing
        detail = damage.detail if damage else f"{path}: no record {key}"
        yield RecordError(key, reason.value, detail)


def _seeking(
    fh: BinaryIO, wanted: Sequence[RecordRef], progress: Progress
) -> Iterator[tuple[RawRecord, RecordRef]]:
    """The records at the wanted offsets, reading on from one to the next when they are near;
    stops at the first offset that does not hold the wanted record."""
    records: Iterator[RawRecord] | None = None
    current: RawRecord | None = None
    for ref in wanted:
        if current is None or ref.offset < current.offset or ref.offset - current.offset > SEEK_GAP:
            fh.seek(ref.offset)
            records = _fastwarc_records(fh, progress)
            current = None
        assert records is not None
        try:
            while current is None or current.offset < ref.offset:
                current = next(records)
        except StopIteration:
            return
        except Exception:
            return  # not a record boundary: the caller reads the file through
        if not _holds(current, ref):
            return
        yield current, ref


def to_record(path: Path, raw: RawRecord, key: str, settings: Settings) -> Record | RecordError:
    """The page of a record: its body decoded, and what the WARC and HTTP headers say."""
    raw = replace(
        raw,
        warc=_CopiedHeaders(raw.warc),
        http=_CopiedHeaders(raw.http) if raw.http is not None else None,
    )
    _, format_hint = classify(raw)
    if raw.length > settings.max_file_bytes:
        return RecordError(
            key,
            RejectReason.too_large.value,
            f"{path}: record at byte {raw.offset} is {raw.length} bytes, cap is"
            f" {settings.max_file_bytes}",
        )
    http = raw.http or _NO_HEADERS
    try:
        payload = decode_body(
            raw.read_body(raw.length + 1),  # the block holds the body: no larger buffer
            http.get("transfer-encoding"),
            http.get("content-encoding"),
            settings.max_inflated_bytes,
        )
    except PageRejected as exc:
        return RecordError(key, exc.reason.value, f"{path}: record at byte {raw.offset}: {exc}")
    content_type = _content_type(raw) or None
    fetched_at = parse_timestamp(raw.warc.get("WARC-Date"))
    language = http.get("content-language") or raw.warc.get("WARC-Identified-Content-Language")
    meta: dict[str, object] = {"record_type": raw.record_type, "offset": raw.offset}
    if raw.status is not None:
        meta["status"] = raw.status
    for header, name in META_HEADERS.items():
        if value := raw.warc.get(header):
            meta[name] = safe_string(value)
    return Record(
        key=key,
        payload=payload,
        format_hint=format_hint,
        url=safe_string(_target(raw)) or None,
        fetched_at=fetched_at.astimezone(UTC) if fetched_at else None,
        content_type=safe_string(content_type) if content_type else None,
        charset=_charset(content_type),
        language=_first_language(language),
        record_id=raw.record_id,
        meta=meta,
    )


def _charset(content_type: str | None) -> str | None:
    match = CHARSET_PARAM.search(content_type or "")
    return match.group(1).lower() if match else None


def _first_language(value: str | None) -> str | None:
    first = (value or "").split(",")[0].strip()
    return safe_string(first) or None


def _records(fh: BinaryIO, arc: bool, progress: Progress) -> Iterator[RawRecord]:
    return _warcio_records(fh, progress) if arc else _fastwarc_records(fh, progress)


_TYPE_NAMES: dict[int, str] = {}  # record type flag -> name


class _NoHeaders:
    def get(self, name: str, default: str = "", /) -> str:
        return default

    def items(self) -> Iterable[tuple[str, str]]:
        return ()


_NO_HEADERS = _NoHeaders()


def _fastwarc_records(fh: BinaryIO, progress: Progress) -> Iterator[RawRecord]:
    from fastwarc.warc import ArchiveIterator

    for record in ArchiveIterator(fh, parse_http=True, quirks_mode=True, auto_decode="none"):
        progress.offset = record.stream_pos
        http = record.http_headers if record.is_http else None
        kind = int(record.record_type)
        if (name := _TYPE_NAMES.get(kind)) is None:
            name = _TYPE_NAMES[kind] = str(record.record_type).rpartition(".")[2]
        yield RawRecord(
            offset=record.stream_pos,
            record_type=name,
            record_id=record.record_id,
            length=record.content_length,
            warc=record.headers,
            http=http,
            status=http.status_code if http is not None else None,
            read_body=record.reader.read,
        )


def _warcio_records(fh: BinaryIO, progress: Progress) -> Iterator[RawRecord]:
    """ARC records, offsets counted in the inflated stream: warcio refuses an ARC gzipped as one
    stream, so gzip is inflated here, whatever its members."""
    from warcio.archiveiterator import ArchiveIterator

    start = fh.tell()
    gzipped = fh.read(2) == GZIP_MAGIC
    fh.seek(start)
    stream = gzip.GzipFile(fileobj=fh, mode="rb") if gzipped else fh
    records = ArchiveIterator(stream, arc2warc=True)
    for record in records:
        offset = records.offset  # where this record starts (get_record_offset reads it through)
        progress.offset = offset
        http = None
        status = None
        if record.http_headers is not None:
            http = _WarcioHeaders(record.http_headers)
            code = record.http_headers.get_statuscode()
            status = int(code) if code and code.isdigit() else None
        yield RawRecord(
            offset=offset,
            record_type=record.rec_type,
            record_id=None,  # ARC has none; warcio makes up a new one on each read
            length=record.length or 0,
            warc=_WarcioHeaders(record.rec_headers),
            http=http,
            status=status,
            read_body=record.raw_stream.read,
        )


def _broken(path: Path, exc: BaseException, reached: int, resume: int | None) -> RecordError:
    after = f"; reading resumes at byte {resume}" if resume is not None else ""
    return RecordError(
        f"offset:{reached}",
        RejectReason.corrupt.value,
        f"{path}: damaged at or after the record at byte {reached}"
        f" ({type(exc).__name__}: {str(exc).strip()[:200]}){after}",
    )
