"""Synthetic crawler output for scale tests: WARC files of HTML responses (with the request
records a crawler writes beside them) and JSONL files of text pages, with distinct small pages.

Writing WARC is done here by hand (it is test input, not parsing): each record is a WARC/1.0
header block and an HTTP message, gzipped as its own member as crawlers do.
"""

from __future__ import annotations

import gzip
import json
import uuid
from pathlib import Path

WORDS = [
    "council",
    "harbour",
    "bridge",
    "residents",
    "evening",
    "meeting",
    "budget",
    "repairs",
    "cycle",
    "lane",
    "river",
    "market",
    "school",
    "library",
    "festival",
    "weather",
    "station",
    "railway",
    "museum",
    "garden",
    "square",
    "tower",
    "ferry",
]


def page_text(n: int, paragraphs: int = 3) -> str:
    """A small page of distinct prose (each page differs by its number and word choice)."""
    out = []
    for p in range(paragraphs):
        words = [WORDS[(n * 7 + p * 3 + i * 5) % len(WORDS)] for i in range(24)]
        out.append(f"Report {n}.{p}: The " + " ".join(words) + " went on until late.")
    return "\n\n".join(out)


def page_html(n: int) -> str:
    body = "".join(f"<p>{p}</p>" for p in page_text(n).split("\n\n"))
    return (
        f"<!doctype html><html lang='en'><head><title>Report {n}</title></head>"
        f"<body><nav><a href='/'>Home</a></nav><article><h1>Report {n}</h1>{body}</article>"
        "<footer>Copyright The Example Ledger</footer></body></html>"
    )


def _record(kind: str, uri: str, block: bytes, content_type: str) -> bytes:
    head = (
        "WARC/1.0\r\n"
        f"WARC-Type: {kind}\r\n"
        f"WARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\n"
        "WARC-Date: 2024-05-01T12:00:00Z\r\n"
        f"WARC-Target-URI: {uri}\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(block)}\r\n\r\n"
    ).encode()
    return head + block + b"\r\n\r\n"


def response_record(n: int) -> bytes:
    body = page_html(n).encode()
    http = (
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    uri = f"http://ledger.example/news/{n}"
    return _record("response", uri, http, "application/http; msgtype=response")


def request_record(n: int) -> bytes:
    http = f"GET /news/{n} HTTP/1.1\r\nHost: ledger.example\r\n\r\n".encode()
    uri = f"http://ledger.example/news/{n}"
    return _record("request", uri, http, "application/http; msgtype=request")


def conversion_record(n: int) -> bytes:
    """A WET record: the page's text, as Common Crawl publishes it."""
    uri = f"http://ledger.example/news/{n}"
    return _record("conversion", uri, page_text(n).encode(), "text/plain")


def write_warc(path: Path, start: int, count: int, *, requests: bool = True) -> None:
    """``count`` HTML responses numbered from ``start`` (each after its request record), each
    record gzipped as a member of its own."""
    with path.open("wb") as fh:
        for n in range(start, start + count):
            if requests:
                fh.write(gzip.compress(request_record(n), compresslevel=1))
            fh.write(gzip.compress(response_record(n), compresslevel=1))


def write_wet(path: Path, start: int, count: int) -> None:
    """``count`` text records, as in Common Crawl's WET files."""
    with path.open("wb") as fh:
        for n in range(start, start + count):
            fh.write(gzip.compress(conversion_record(n), compresslevel=1))


def write_jsonl(path: Path, start: int, count: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for n in range(start, start + count):
            row = {"id": f"doc-{n}", "url": f"http://ledger.example/t/{n}", "text": page_text(n)}
            fh.write(json.dumps(row) + "\n")


def write_corpus(folder: Path, records: int, per_file: int = 10_000) -> tuple[int, int]:
    """Half the records as WET text records, half as JSONL lines, in files of ``per_file``
    records; returns (WET files, JSONL files)."""
    folder.mkdir(parents=True, exist_ok=True)
    half = records // 2
    warcs = jsonls = 0
    for start in range(0, half, per_file):
        write_wet(folder / f"crawl-{warcs:05d}.warc.wet.gz", start, min(per_file, half - start))
        warcs += 1
    for start in range(half, records, per_file):
        write_jsonl(folder / f"dump-{jsonls:05d}.jsonl", start, min(per_file, records - start))
        jsonls += 1
    return warcs, jsonls
