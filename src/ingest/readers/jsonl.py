"""JSON Lines containers (plain, gzip or zstd): one page a line."""

import json
from collections.abc import Iterator, Sequence
from datetime import UTC
from pathlib import Path
from typing import BinaryIO

from ingest.readers.records import Record, RecordError, RecordRef
from ingest.readers.streams import STREAM_ERRORS, Compression, Progress, open_stream
from ingest.rejection import RejectReason
from ingest.settings import Settings
from ingest.sidecars import parse_timestamp, safe_json, safe_string

Line = tuple[int, int, bytes | None]  # line number (1-based), byte offset, bytes (None: too long)


def index_jsonl(path: Path, settings: Settings) -> Iterator[RecordRef | RecordError]:
    """A reference per non-blank line, without parsing the JSON."""
    progress = Progress()
    try:
        with open_stream(path) as (stream, _):
            for number, offset, data in _lines(stream, settings.max_inflated_bytes, progress):
                if data is None or data.strip():
                    yield RecordRef(_key(number), offset)
    except STREAM_ERRORS as exc:
        yield _broken_stream(path, exc, progress)


def read_jsonl(
    path: Path, refs: Sequence[RecordRef], settings: Settings
) -> Iterator[Record | RecordError]:
    """The records of the given lines, in file order: seeking in a plain file, reading the stream
    through otherwise."""
    wanted = sorted((ref for ref in refs if ref.is_page), key=lambda ref: ref.offset)
    if not wanted:
        return
    progress = Progress()
    try:
        with open_stream(path) as (stream, compression):
            if compression == Compression.none:
                yield from _read_seeking(stream, wanted, settings)
            else:
                yield from _read_through(stream, wanted, settings, progress)
    except STREAM_ERRORS as exc:
        yield _broken_stream(path, exc, progress)


def _read_seeking(
    stream: BinaryIO, refs: Sequence[RecordRef], settings: Settings
) -> Iterator[Record | RecordError]:
    for ref in refs:
        stream.seek(ref.offset)
        data = stream.readline(settings.max_inflated_bytes + 1)
        yield _record(ref.key, data if len(data) <= settings.max_inflated_bytes else None, settings)


def _read_through(
    stream: BinaryIO, refs: Sequence[RecordRef], settings: Settings, progress: Progress
) -> Iterator[Record | RecordError]:
    pending = {ref.key for ref in refs}
    for number, _, data in _lines(stream, settings.max_inflated_bytes, progress):
        key = _key(number)
        if key in pending:
            pending.discard(key)
            yield _record(key, data, settings)
            if not pending:
                return
    for ref in refs:
        if ref.key in pending:
            yield RecordError(ref.key, RejectReason.missing.value, f"{ref.key} is not in the file")


def _lines(stream: BinaryIO, cap: int, progress: Progress | None = None) -> Iterator[Line]:
    """Lines with their numbers and offsets; a line over the cap is skipped, given as None."""
    progress = progress or Progress()
    offset = 0
    number = 0
    while True:
        data = stream.readline(cap + 1)
        if not data:
            return
        number += 1
        start = offset
        offset += len(data)
        progress.offset = offset
        if len(data) > cap and not data.endswith(b"\n"):
            while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                offset += len(rest)
            offset += len(rest)
            progress.offset = offset
            yield number, start, None
        else:
            yield number, start, data


def _record(key: str, data: bytes | None, settings: Settings) -> Record | RecordError:
    if data is None:
        return RecordError(
            key, RejectReason.too_large.value, f"{key} over {settings.max_inflated_bytes} bytes"
        )
    try:
        value = json.loads(data)
    except (ValueError, RecursionError) as exc:
        return RecordError(key, RejectReason.corrupt.value, f"{key} is not JSON: {exc}")
    if not isinstance(value, dict):
        return RecordError(
            key, RejectReason.corrupt.value, f"{key} is a JSON {type(value).__name__}"
        )
    return _from_object(key, value, settings)


def _from_object(key: str, value: dict, settings: Settings) -> Record | RecordError:
    payload_field, format_hint = _payload_field(value, settings)
    if payload_field is None:
        names = [*settings.jsonl_html_fields, *settings.jsonl_text_fields]
        return RecordError(key, RejectReason.empty.value, f"{key} has no payload field {names}")
    warnings: list[str] = []
    try:
        meta = safe_json({k: v for k, v in value.items() if k != payload_field})
    except RecursionError:
        meta, warnings = {}, [f"{key}: metadata nested too deeply, dropped"]
    fetched = _field(value, settings.jsonl_time_field)
    fetched_at = parse_timestamp(fetched) if fetched is not None else None
    if fetched is not None and fetched_at is None:
        warnings.append(f"field {settings.jsonl_time_field!r} is not a date or time, ignored")
    record_id = value.get(settings.jsonl_id_field)
    return Record(
        key=key,
        payload=value[payload_field].encode("utf-8", "replace"),
        format_hint=format_hint,
        url=_text(value.get(settings.jsonl_url_field)),
        fetched_at=fetched_at.astimezone(UTC) if fetched_at else None,
        charset="utf-8",
        language=_text(value.get(settings.jsonl_language_field)),
        record_id=_text(str(record_id)) if isinstance(record_id, str | int) else None,
        meta=meta if isinstance(meta, dict) else {},
        warnings=warnings,
    )


def _payload_field(value: dict, settings: Settings) -> tuple[str | None, str | None]:
    for fmt, names in (("html", settings.jsonl_html_fields), ("text", settings.jsonl_text_fields)):
        for name in names:
            if isinstance(value.get(name), str) and value[name].strip():
                return name, fmt
    return None, None


def _field(value: dict, name: str) -> object:
    found = value.get(name)
    return None if isinstance(found, bool) else found


def _text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return safe_string(value.strip())
    return None


def _key(number: int) -> str:
    return f"line:{number}"


def _broken_stream(path: Path, exc: BaseException, progress: Progress) -> RecordError:
    return RecordError(
        f"offset:{progress.offset}",
        RejectReason.corrupt.value,
        f"{path}: stream broken after {progress.offset} bytes inflated ({exc}); the lines before"
        " stand",
    )
