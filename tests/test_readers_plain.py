"""Plain files: one record, the file's bytes (inflated under the cap) and its sidecar's fields."""

import gzip
import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ingest.readers import Record, RecordError, RecordRef, container_kind, index, read, read_bytes
from ingest.rejection import PageRejected, RejectReason
from ingest.settings import Settings

SETTINGS = Settings()


def test_plain_page_is_one_record_with_its_sidecar_fields(tmp_path: Path) -> None:
    page = tmp_path / "a.html.gz"
    html = b"<html><body><p>hello</p></body></html>"
    page.write_bytes(gzip.compress(html))
    side = {"url": "https://example.org/a", "fetched_at": 1709632800, "published": "2024-03-01",
            "language": "de", "title": 3}  # fmt: skip
    (tmp_path / "a.html.gz.json").write_text(json.dumps(side))
    assert container_kind(page) == "plain"
    assert list(index(page, SETTINGS)) == [RecordRef("")]
    (record,) = read(page, [RecordRef("")], SETTINGS)
    assert isinstance(record, Record) and record.key == "" and record.payload == html
    assert record.url == "https://example.org/a" and record.language == "de"
    assert record.fetched_at == datetime(2024, 3, 5, 10, tzinfo=UTC)
    assert record.published == date(2024, 3, 1)
    assert record.meta == side and record.warnings == []


def test_plain_page_problems_are_record_errors(tmp_path: Path) -> None:
    (record,) = read(tmp_path / "gone.txt", [RecordRef("")], SETTINGS)
    assert isinstance(record, RecordError) and record.reason == "missing"
    cut = tmp_path / "cut.txt.gz"
    cut.write_bytes(gzip.compress(bytes(range(256)).hex().encode() * 50)[:200])
    (record,) = read(cut, [RecordRef("")], SETTINGS)
    assert (
        isinstance(record, RecordError) and record.reason == "corrupt" and str(cut) in record.detail
    )
    bad_side = tmp_path / "b.txt"
    bad_side.write_text("text")
    (tmp_path / "b.txt.json").write_text("{oops")
    (record,) = read(bad_side, [RecordRef("")], SETTINGS)
    assert isinstance(record, Record) and "not JSON" in record.warnings[0]


def test_read_bytes_refuses_a_directory_and_oversize(tmp_path: Path) -> None:
    with pytest.raises(PageRejected) as caught:
        read_bytes(tmp_path, 100)
    assert caught.value.reason is RejectReason.unreadable
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 101)
    with pytest.raises(PageRejected) as caught:
        read_bytes(big, 100)
    assert caught.value.reason is RejectReason.too_large


def test_fifo_is_never_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert container_kind(fifo) == "plain"
    (record,) = read(fifo, list(index(fifo, SETTINGS)), SETTINGS)
    assert isinstance(record, RecordError) and record.reason == "unreadable"
