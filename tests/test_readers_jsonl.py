"""JSON Lines reader: one record a line, plain, gzip and zstd; a bad line is that line's error."""

import gzip
import json
from pathlib import Path

import pytest
import zstandard

from ingest.readers import Record, RecordError, RecordRef, container_kind, index, read
from ingest.settings import Settings

SETTINGS = Settings()
PAGES = [
    {"id": 7, "url": "https://example.org/a", "html": "<html><body><p>A</p></body></html>",
     "fetched_at": 1709632800, "language": "en", "crawl": {"batch": 3}},
    {"id": "b", "url": "https://example.org/b", "text": "Plain text of page B.",
     "fetched_at": "2024-03-05T10:00:00+01:00"},
]  # fmt: skip
BAD_MIDDLE = [
    json.dumps(PAGES[0]),
    "{not json",
    "[1, 2, 3]",
    json.dumps({"url": "https://example.org/no-payload", "html": ""}),
    "",
    json.dumps(PAGES[1]),
]


def write_lines(path: Path, lines: list[str]) -> Path:
    data = ("\n".join(lines) + "\n").encode()
    if path.name.endswith(".gz"):
        data = gzip.compress(data)
    elif path.name.endswith(".zst"):
        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)
    return path


def refs_of(path: Path, settings: Settings = SETTINGS) -> list[RecordRef]:
    found = list(index(path, settings))
    assert all(isinstance(r, RecordRef) for r in found), found
    return found  # type: ignore[return-value]


@pytest.mark.parametrize("name", ["p.jsonl", "p.jsonl.gz", "p.jsonl.zst", "p.data"])
def test_bad_lines_are_their_own_errors_and_the_rest_stand(tmp_path: Path, name: str) -> None:
    path = write_lines(tmp_path / name, BAD_MIDDLE)
    assert container_kind(path) == "jsonl"
    refs = refs_of(path)
    assert [r.key for r in refs] == ["line:1", "line:2", "line:3", "line:4", "line:6"]
    out = list(read(path, refs, SETTINGS))
    assert [type(r).__name__ for r in out] == ["Record", *["RecordError"] * 3, "Record"]
    assert [r.reason for r in out if isinstance(r, RecordError)] == ["corrupt", "corrupt", "empty"]
    first, last = out[0], out[-1]
    assert isinstance(first, Record) and isinstance(last, Record)
    assert first.payload == PAGES[0]["html"].encode() and first.format_hint == "html"
    assert first.record_id == "7" and first.url == "https://example.org/a"
    assert (
        first.fetched_at is not None and first.fetched_at.isoformat() == "2024-03-05T10:00:00+00:00"
    )
    assert first.language == "en" and first.meta["crawl"] == {"batch": 3}
    assert "html" not in first.meta
    assert last.payload == b"Plain text of page B." and last.format_hint == "text"
    assert (
        last.fetched_at is not None and last.fetched_at.isoformat() == "2024-03-05T09:00:00+00:00"
    )


def test_picked_lines_match_a_full_read(tmp_path: Path) -> None:
    lines = [json.dumps({"id": i, "text": f"page {i}"}) for i in range(1, 301)]
    for name in ("all.jsonl", "all.jsonl.gz", "all.jsonl.zst"):
        path = write_lines(tmp_path / name, lines)
        refs = refs_of(path)
        full = {r.key: r for r in read(path, refs, SETTINGS)}
        some = refs[::7]
        picked = list(read(path, some, SETTINGS))
        assert [r.key for r in picked] == [ref.key for ref in some]
        assert all(r == full[r.key] for r in picked)
        assert [r.payload for r in picked[:2]] == [b"page 1", b"page 8"]


def test_truncated_gzip_keeps_the_lines_before(tmp_path: Path) -> None:
    lines = [json.dumps({"id": i, "text": f"page {i} " * 40}) for i in range(2000)]
    whole = write_lines(tmp_path / "w.jsonl.gz", lines).read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    *refs, error = index(cut, SETTINGS)
    assert isinstance(error, RecordError) and error.reason == "corrupt"
    assert str(cut) in error.detail and "bytes" in error.detail
    assert len(refs) > 100
    records = list(read(cut, refs, SETTINGS))  # type: ignore[arg-type]
    assert len(records) == len(refs) and all(isinstance(r, Record) for r in records)


def test_field_names_come_from_settings(tmp_path: Path) -> None:
    line = {"body": "<p>x</p>", "link": "https://example.org/", "ts": "2024-01-01", "key": "k1"}
    path = write_lines(tmp_path / "custom.jsonl", [json.dumps(line)])
    settings = Settings(
        jsonl_html_fields=["body"],
        jsonl_url_field="link",
        jsonl_time_field="ts",
        jsonl_id_field="key",
    )
    (record,) = read(path, refs_of(path, settings), settings)
    assert isinstance(record, Record)
    assert (record.format_hint, record.url, record.record_id) == ("html", line["link"], "k1")
    assert record.fetched_at is not None and record.fetched_at.year == 2024
    (error,) = read(path, refs_of(path), SETTINGS)  # default names: no payload field
    assert isinstance(error, RecordError) and error.reason == "empty"


def test_line_over_the_cap_is_too_large_and_the_next_line_stands(tmp_path: Path) -> None:
    big = json.dumps({"text": "x" * 5000})
    path = write_lines(tmp_path / "big.jsonl.gz", [big, json.dumps({"text": "small"})])
    settings = Settings(max_inflated_bytes=1000)
    refs = refs_of(path, settings)
    assert [r.key for r in refs] == ["line:1", "line:2"]
    error, record = read(path, refs, settings)
    assert isinstance(error, RecordError) and error.reason == "too_large"
    assert isinstance(record, Record) and record.payload == b"small"


def test_first_line_longer_than_the_sniffed_head_is_still_jsonl(tmp_path: Path) -> None:
    big = json.dumps({"url": "https://example.org/", "html": "<p>" + "word " * 40000 + "</p>"})
    path = write_lines(tmp_path / "big.jsonl.gz", [big, json.dumps({"text": "next"})])
    assert container_kind(path) == "jsonl"
    first, second = read(path, refs_of(path), SETTINGS)
    assert isinstance(first, Record) and len(first.payload) > 200_000
    assert isinstance(second, Record) and second.payload == b"next"


def test_one_json_document_is_not_jsonl(tmp_path: Path) -> None:
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps({"a": 1}, indent=2))
    assert container_kind(doc) == "plain"
    page = tmp_path / "page.txt"
    page.write_text("{curly} text that is not JSON\nsecond line\n")
    assert container_kind(page) == "plain"
