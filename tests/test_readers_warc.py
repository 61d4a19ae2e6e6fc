"""WARC and ARC readers on real crawler files and on files made here."""

import gzip
import shutil
from collections import Counter
from pathlib import Path

import pytest
from conftest import SHARED
from warc_files import chunked, gzip_as_one_stream, http_message, write_warc

from ingest.decoding import PageFormat, decode_page
from ingest.readers import Record, RecordError, RecordRef, container_kind, index, read
from ingest.settings import Settings

WARCS = SHARED / "warc"
SETTINGS = Settings()
pytestmark = pytest.mark.skipif(not WARCS.is_dir(), reason="needs ../shared/warc")

# Record kinds per file: the counts of the README of ../shared/warc, responses split into pages
# (HTML or text, status 2xx) and what is passed over.
EXPECTED = {
    "example-wget-1-14.warc.gz": {
        "warcinfo": 1, "request": 1, "page": 1, "resource:metadata": 3,
    },
    "example-wpull.warc.gz": {"warcinfo": 1, "request": 1, "page": 1, "resource:urn": 1},
    "iana.warc.gz": {
        "warcinfo": 1, "request": 171, "revisit": 123, "page": 16, "response:status-302": 4,
        "response:application/x-javascript": 17, "response:image/svg+xml": 3,
        "response:text/css": 2, "response:image/png": 1, "response:application/octet-stream": 5,
    },
    "dupes.warc.gz": {
        "warcinfo": 1, "request": 12, "revisit": 9, "page": 1, "response:status-302": 1,
        "response:application/x-javascript": 1,
    },
    "example.warc": {
        "warcinfo": 1, "request": 2, "revisit": 1, "page": 1, "response:status-302": 1,
    },
    "example2.warc.gz": {"warcinfo": 1, "request": 1, "page": 1},
    "example-extra.warc": {"request": 2, "revisit": 2, "page": 2},
    "example.arc": {"warcinfo": 1, "page": 1},
    "httpbin-resource.warc.gz": {"resource:application/json": 1},
    "missing-status-text.warc": {"response:status-302": 1},
    "post-test.warc.gz": {"request": 3, "response:application/json": 3},
    "bad.arc": {"warcinfo": 1, "page": 1, "response:application/http": 2},
    "example-bad.warc.gz.bad": {
        "warcinfo": 1, "request": 2, "revisit": 1, "page": 1, "response:status-302": 1,
    },
}  # fmt: skip


def refs_of(path: Path) -> list[RecordRef]:
    found = list(index(path, SETTINGS))
    assert not [r for r in found if isinstance(r, RecordError)], found
    return found  # type: ignore[return-value]


def test_every_shared_file_is_covered() -> None:
    assert {p.name for p in WARCS.iterdir() if p.name != "README.md"} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_index_counts_every_kind(name: str) -> None:
    assert Counter(ref.kind for ref in refs_of(WARCS / name)) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_read_gives_one_record_per_page_with_its_metadata(name: str) -> None:
    refs = refs_of(WARCS / name)
    records = list(read(WARCS / name, refs, SETTINGS))
    assert [r.key for r in records] == [ref.key for ref in refs if ref.kind == "page"]
    assert len({ref.key for ref in refs}) == len(refs)  # keys are unique within the file
    for record in records:
        assert isinstance(record, Record)
        assert record.url and record.url.startswith("http")
        assert record.fetched_at is not None and record.fetched_at.utcoffset().total_seconds() == 0
        assert record.meta["record_type"] in ("response", "resource")


def test_example_pages_decode_to_their_html() -> None:
    for name in ("example.warc", "example2.warc.gz", "example.arc", "example-bad.warc.gz.bad"):
        (record,) = read(WARCS / name, refs_of(WARCS / name), SETTINGS)
        assert isinstance(record, Record) and record.format_hint == "html"
        page = decode_page(record.payload, SETTINGS.max_inflated_bytes, record.charset)
        assert page.format is PageFormat.html and "Example Domain" in page.text


def test_container_kind_by_content_not_name(tmp_path: Path) -> None:
    assert container_kind(shutil.copy(WARCS / "example.warc", tmp_path / "a.txt")) == "warc"
    assert container_kind(shutil.copy(WARCS / "example2.warc.gz", tmp_path / "b.html")) == "warc"
    assert container_kind(shutil.copy(WARCS / "example.arc", tmp_path / "c")) == "arc"
    assert container_kind(WARCS / "README.md") == "plain"


def test_one_stream_gzip_is_read_fully() -> None:
    one = refs_of(WARCS / "example-bad.warc.gz.bad")
    per_record = refs_of(WARCS / "example.warc")
    assert [r.key for r in one] == [r.key for r in per_record]
    (a,) = read(WARCS / "example-bad.warc.gz.bad", one, SETTINGS)
    (b,) = read(WARCS / "example.warc", per_record, SETTINGS)
    assert isinstance(a, Record) and isinstance(b, Record) and a.payload == b.payload


def test_seeking_by_ref_gives_what_a_full_read_gives(tmp_path: Path) -> None:
    path = WARCS / "iana.warc.gz"
    refs = refs_of(path)
    full = {r.key: r for r in read(path, refs, SETTINGS)}
    some = [ref for ref in refs if ref.kind == "page"][1::3]
    picked = list(read(path, some, SETTINGS))
    assert [r.key for r in picked] == [ref.key for ref in some]
    for record in picked:
        assert record == full[record.key]
    # the same file gzipped as one stream cannot be sought: read through, same records
    one = gzip_as_one_stream(path, tmp_path / "one.warc.gz")
    through = list(read(one, some, SETTINGS))
    assert [(r.key, r.payload, r.url) for r in through] == [
        (r.key, r.payload, r.url) for r in picked
    ]


def test_truncated_gzip_keeps_the_records_before_it(tmp_path: Path) -> None:
    data = (WARCS / "iana.warc.gz").read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) // 2])
    found = list(index(cut, SETTINGS))
    *refs, error = found
    assert isinstance(error, RecordError) and error.reason == "corrupt"
    assert str(cut) in error.detail and "byte" in error.detail
    whole = refs_of(WARCS / "iana.warc.gz")
    assert refs == whole[: len(refs)] and len(refs) > 10
    records = list(read(cut, refs, SETTINGS))
    assert records and all(isinstance(r, Record) for r in records)


def test_damaged_member_is_an_error_and_the_records_around_it_stand(tmp_path: Path) -> None:
    whole = refs_of(WARCS / "iana.warc.gz")
    data = bytearray((WARCS / "iana.warc.gz").read_bytes())
    at = whole[100].offset
    data[at + 20 : at + 200] = bytes(180)
    damaged = tmp_path / "damaged.warc.gz"
    damaged.write_bytes(bytes(data))
    found = list(index(damaged, SETTINGS))
    errors = [r for r in found if isinstance(r, RecordError)]
    assert len(errors) == 1 and errors[0].reason == "corrupt"
    assert str(damaged) in errors[0].detail and "resumes at byte" in errors[0].detail
    refs = [r for r in found if isinstance(r, RecordRef)]
    assert refs == [r for r in whole if r.key != whole[100].key]
    pages = [r for r in refs if r.kind == "page"]
    records = list(read(damaged, pages, SETTINGS))
    assert [r.key for r in records] == [r.key for r in pages]
    assert all(isinstance(r, Record) for r in records)


def test_chunked_gzip_body_and_http_charset(tmp_path: Path) -> None:
    text = "Привет, мир: страница в кодировке KOI8-R."
    html = f'<html><head><meta charset="windows-1252"></head><body><p>{text}</p></body></html>'
    body = chunked(gzip.compress(html.encode("koi8-r")))
    message = http_message(
        {
            "Content-Type": "text/html; charset=KOI8-R",
            "Content-Language": "ru",
            "Transfer-Encoding": "chunked",
            "Content-Encoding": "gzip",
        },
        body,
    )
    plain = http_message({"Content-Type": "text/plain"}, b"Plain text page, no encodings.")
    path = write_warc(
        tmp_path / "enc.warc.gz",
        [
            ("response", "http://example.org/ru", message, {}),
            ("response", "http://example.org/t", plain, {}),
        ],
    )
    first, second = read(path, refs_of(path), SETTINGS)
    assert isinstance(first, Record) and first.charset == "koi8-r" and first.language == "ru"
    assert first.payload == html.encode("koi8-r")
    page = decode_page(first.payload, SETTINGS.max_inflated_bytes, first.charset)
    assert text in page.text
    assert isinstance(second, Record) and second.format_hint == "text"
    assert second.payload == b"Plain text page, no encodings."


def test_body_stored_de_chunked_under_a_chunked_header_is_kept(tmp_path: Path) -> None:
    html = b"<html><body><p>stored already de-chunked</p></body></html>"
    message = http_message({"Content-Type": "text/html", "Transfer-Encoding": "chunked"}, html)
    path = write_warc(tmp_path / "d.warc", [("response", "http://example.org/", message, {})])
    (record,) = read(path, refs_of(path), SETTINGS)
    assert isinstance(record, Record) and record.payload == html


FIELDS, PNG, HTML = "application/warc-fields", "image/png", {"Content-Type": "text/html"}


def test_resources_conversions_and_passed_over_kinds(tmp_path: Path) -> None:
    html = b"<html><body><p>a resource page</p></body></html>"
    records = [
        ("resource", "http://example.org/r", html, {"Content-Type": "text/html"}),
        ("resource", "metadata://crawler/log", b"log line", {"Content-Type": "text/plain"}),
        ("conversion", "http://example.org/w", b"A WET page.", {"Content-Type": "text/plain"}),
        ("metadata", "http://example.org/r", b"fetchTimeMs: 1", {"Content-Type": FIELDS}),
        ("response", "http://example.org/i.png", http_message({"Content-Type": PNG}, b"PNG"), {}),
        ("response", "http://example.org/404", http_message(HTML, b"gone", "404 Not Found"), {}),
    ]  # fmt: skip
    path = write_warc(tmp_path / "kinds.warc.gz", records)
    refs = refs_of(path)
    assert [r.kind for r in refs] == [
        "page", "resource:metadata", "page", "metadata", f"response:{PNG}", "response:status-404"
    ]  # fmt: skip
    resource, conversion = read(path, refs, SETTINGS)
    assert isinstance(resource, Record) and resource.payload == html
    assert resource.format_hint == "html"
    assert isinstance(conversion, Record) and conversion.format_hint == "text"


def test_record_over_the_cap_is_too_large(tmp_path: Path) -> None:
    message = http_message({"Content-Type": "text/html"}, b"<p>" + b"x" * 5000 + b"</p>")
    path = write_warc(tmp_path / "big.warc", [("response", "http://example.org/", message, {})])
    small = Settings(max_file_bytes=1000)
    (error,) = read(path, refs_of(path), small)
    assert isinstance(error, RecordError) and error.reason == "too_large"
    capped = Settings(max_inflated_bytes=1000)
    (error,) = read(path, refs_of(path), capped)
    assert isinstance(error, RecordError) and error.reason == "too_large"


def test_gzipped_arc_one_stream_or_per_record_and_cut_short(tmp_path: Path) -> None:
    data = (WARCS / "example.arc").read_bytes()
    plain = list(read(WARCS / "example.arc", refs_of(WARCS / "example.arc"), SETTINGS))
    one = tmp_path / "one.arc.gz"
    one.write_bytes(gzip.compress(data))
    per_record = tmp_path / "members.arc.gz"
    per_record.write_bytes(gzip.compress(data[:151]) + gzip.compress(data[151:]))
    for path in (one, per_record):
        assert container_kind(path) == "arc"
        assert list(read(path, refs_of(path), SETTINGS)) == plain
    cut = tmp_path / "cut.arc.gz"
    cut.write_bytes(gzip.compress(data)[:-30])
    (error,) = index(cut, SETTINGS)
    assert isinstance(error, RecordError) and error.reason == "corrupt" and str(cut) in error.detail


@pytest.mark.parametrize(
    "data", [b"WARC/", b"WARC/1.1 garbage\n\nmore", gzip.compress(b"WARC/"), b"\r\nWARC/x"]
)
def test_a_container_without_a_readable_record_is_one_error(tmp_path: Path, data: bytes) -> None:
    """A file that starts like a WARC or ARC file but holds no record the libraries can read is
    accounted for as one error naming it, not passed over as empty."""
    path = tmp_path / "broken.html"
    path.write_bytes(data)
    found = list(index(path, SETTINGS))
    assert len(found) == 1 and isinstance(found[0], RecordError), found
    assert found[0].reason == "corrupt" and str(path) in found[0].detail
    assert "no record" in found[0].detail
