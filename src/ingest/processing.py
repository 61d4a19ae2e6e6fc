"""One page from file to row: read, decode, extract, normalise, clean."""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ingest import __version__
from ingest.cleaning import CleanResult, clean
from ingest.decoding import MAX_MARKUP_DEPTH, PageFormat, decode_page, markup_depth
from ingest.extraction import Extracted, extract_html
from ingest.identity import doc_id_for, sha256_bytes
from ingest.normalising import normalise, normalise_whitespace
from ingest.readers import read_bytes
from ingest.rejection import PageRejected, RejectReason
from ingest.settings import Settings
from ingest.sidecars import load_sidecar
from ingest.text_metadata import extract_text_metadata

PIPELINE_VERSION = __version__
MAX_META_CHARS = 2000


@dataclass(frozen=True, slots=True)
class PageJob:
    """A page to process: where it is, and its path relative to the raw root."""

    path: str
    source_path: str


def process_page(job: PageJob, settings: Settings, run_id: str) -> dict[str, Any]:
    """The page's output row; raises PageRejected when it cannot become one."""
    path = Path(job.path)
    data = read_bytes(path, settings.max_file_bytes)
    sha = sha256_bytes(data)
    try:
        return _row(job, path, data, sha, settings, run_id)
    except PageRejected as exc:
        exc.sha256 = sha
        raise


def _row(
    job: PageJob, path: Path, data: bytes, sha: str, settings: Settings, run_id: str
) -> dict[str, Any]:
    page = decode_page(data, settings.max_inflated_bytes)
    fmt = page.format
    sidecar, warnings = load_sidecar(path, settings.max_sidecar_bytes)
    side = SidecarFields.parse(sidecar, warnings)
    if fmt is PageFormat.html:
        meta = _extract(page.text, side.url, settings)
        text = normalise(meta.text)
    else:
        text = normalise(page.text)
        found = extract_text_metadata(text)
        meta = Extracted(text="", title=found.title, author=found.author, published=found.published)
    result = clean(
        text, title=meta.title, config=settings.cleaning, extracted=fmt is PageFormat.html
    )
    text = normalise_whitespace(result.text)
    if not text:
        if fmt is PageFormat.html:
            _check_depth(page.text)
        raise PageRejected(RejectReason.no_text, _no_text_detail(fmt, meta, result))

    url = meta.url or side.url
    hostname = meta.hostname or _hostname(url)
    return {
        "doc_id": doc_id_for(job.source_path),
        "source_path": job.source_path,
        "source_sha256": sha,
        "url": url,
        "site": meta.site or side.get_str("site") or hostname,
        "hostname": hostname,
        "title": _short(meta.title or side.get_str("title")),
        "author": _short(meta.author or side.get_str("author")),
        "published": meta.published or side.published,
        "fetched_at": side.fetched_at,
        "description": _short(meta.description),
        "categories": meta.categories,
        "tags": meta.tags,
        "language": meta.language or side.get_str("language"),
        "text": text,
        "n_chars": len(text),
        "n_words": len(text.split()),
        "raw_chars": len(page.text),
        "raw_bytes": page.raw_bytes,
        "removed": [{"rule": r.rule, "text": r.text} for r in result.removed],
        "removed_chars": sum(len(r.text) for r in result.removed),
        "encoding": page.encoding,
        "format": fmt.value,
        "source_meta": json.dumps(sidecar, ensure_ascii=False, default=str) if sidecar else None,
        "warnings": side.warnings,
        "pipeline_version": PIPELINE_VERSION,
        "run_id": run_id,
        "ingested_at": datetime.now(UTC),
    }


def _extract(html: str, url: str | None, settings: Settings) -> Extracted:
    try:
        return extract_html(html, url=url, focus=settings.extraction_focus)
    except RecursionError as exc:
        raise PageRejected(RejectReason.extraction_failed, "markup nested too deeply") from exc
    except Exception as exc:
        raise PageRejected(
            RejectReason.extraction_failed, f"{type(exc).__name__}: {str(exc)[:300]}"
        ) from exc


def _check_depth(html: str) -> None:
    # lxml silently drops what nests deeper than it can hold, so a page that yields no text may
    # be one nested too deep: say so (measured only then, since it costs a scan of the markup).
    if (depth := markup_depth(html)) > MAX_MARKUP_DEPTH:
        raise PageRejected(
            RejectReason.too_deep,
            f"markup nested at least {depth} levels deep, cap is {MAX_MARKUP_DEPTH}",
        )


def _no_text_detail(fmt: PageFormat, meta: Extracted, result: CleanResult) -> str:
    if fmt is PageFormat.html and not meta.text.strip():
        return "the extractor found no main text"
    removed = sum(len(r.text) for r in result.removed)
    return f"cleaning removed everything ({removed} characters in {len(result.removed)} blocks)"


def _hostname(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def _short(value: str | None) -> str | None:
    return value[:MAX_META_CHARS] if value else value


@dataclass(slots=True)
class SidecarFields:
    """Typed view of a sidecar's fields; a field of the wrong type is dropped with a warning."""

    raw: dict[str, object]
    warnings: list[str]
    url: str | None = None
    fetched_at: datetime | None = None
    published: date | None = None

    @classmethod
    def parse(cls, raw: dict[str, object], warnings: list[str]) -> "SidecarFields":
        fields = cls(raw=raw, warnings=list(warnings))
        fields.url = fields.get_str("url")
        fields.fetched_at = fields._timestamp("fetched_at")
        stamp = fields._timestamp("published")
        fields.published = stamp.date() if stamp else None
        return fields

    def get_str(self, key: str) -> str | None:
        value = self.raw.get(key)
        if value is None:
            return None
        if isinstance(value, str) and value.strip():
            return _short(value.strip())
        self.warnings.append(f"sidecar field {key!r} is not a string, ignored")
        return None

    def _timestamp(self, key: str) -> datetime | None:
        value = self.raw.get(key)
        if value is None:
            return None
        try:
            if isinstance(value, bool):
                raise TypeError
            if isinstance(value, int | float):
                stamp = datetime.fromtimestamp(value, UTC)
            elif isinstance(value, str):
                stamp = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            else:
                raise TypeError
        except (TypeError, ValueError, OverflowError, OSError):
            self.warnings.append(f"sidecar field {key!r} is not a date or time, ignored")
            return None
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
