"""One record from payload to row, in steps a batch runs over all its records together:
decode, (extract), normalise and read metadata, then, once the batch is cleaned, the row."""

import json
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

from ingest import __version__
from ingest.analysis.stage import RowAnalysis
from ingest.cleaning import CleanResult
from ingest.decoding import (
    MAX_MARKUP_DEPTH,
    DecodedPage,
    PageFormat,
    decode_page,
    markup_depth,
)
from ingest.document import Document, Reject
from ingest.extraction import Extracted
from ingest.identity import doc_id_for
from ingest.normalising import normalise, normalise_whitespace
from ingest.readers import Record
from ingest.rejection import PageRejected, RejectReason
from ingest.settings import Settings
from ingest.sidecars import SidecarFields
from ingest.text_metadata import extract_text_metadata
from ingest.work import WorkItem

PIPELINE_VERSION = __version__
MAX_META_CHARS = 2000
LANGUAGE_SNIFF_CHARS = 8192
HTML_LANG = re.compile(
    r"""<html\b[^>]*?\blang\s*=\s*["']?\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)""", re.I
)
META_LANGUAGE = re.compile(
    r"""<meta\b[^>]*?http-equiv\s*=\s*["']?content-language["']?[^>]*?content\s*=\s*["']?\s*([A-Za-z]{2,3})""",
    re.I,
)


@dataclass(slots=True)
class Pending:
    """A record on its way to a row."""

    item: WorkItem
    record: Record
    offset: int  # where the record starts in its file
    container: str
    sha256: str
    page: DecodedPage
    side: SidecarFields
    meta: Extracted = field(default_factory=lambda: Extracted(text=""))
    text: str = ""  # normalised text for the cleaner
    #: an HTML page whose extractor found no main text, cleaned as a whole-page text instead
    cleaned_as_text: bool = False
    #: the whole page as normalised text, beside the extractor's main text (HTML)
    rendering: str | None = None
    site: str | None = None  # once its metadata is known (site_of)

    @property
    def doc_id(self) -> str:
        return doc_id_for(self.item.root, self.item.source_path, self.record.key)

    @property
    def is_html(self) -> bool:
        return self.page.format is PageFormat.html

    @property
    def extracted(self) -> bool:
        """Whether the cleaner gets an extractor's main text rather than a whole page."""
        return self.is_html and not self.cleaned_as_text


def decode_record(
    item: WorkItem, record: Record, offset: int, container: str, sha256: str, settings: Settings
) -> Pending:
    """The record's payload as text, in the format its container declares or its bytes show."""
    page = decode_page(
        record.payload, settings.max_inflated_bytes, record.charset, record.format_hint
    )
    side = SidecarFields.parse(record.meta, list(record.warnings))
    pending = Pending(item, record, offset, container, sha256, page, side)
    if not pending.is_html:
        pending.text = normalise(page.text)
        found = extract_text_metadata(pending.text, pending.record.url or side.url)
        pending.meta = Extracted(
            text="", title=found.title, author=found.author, published=found.published
        )
    return pending


def attach_extraction(
    pending: Pending, extracted: Extracted, rendering: str | None, failure: str | None = None
) -> None:
    """The extractor's result for an HTML record; a page it found no main text in, or failed
    on (``failure``), is cleaned as the text of the whole page rather than rejected. The title,
    author and date the extractor leaves out are read from the page's rendering, as from a text
    page's."""
    if extracted.text.strip() or rendering is None:
        pending.text = normalise(extracted.text)
        pending.rendering = normalise(rendering) if rendering else None
    else:
        pending.cleaned_as_text = True
        pending.text = normalise(rendering)
        why = f"the extractor failed ({failure})" if failure else "the extractor found no main text"
        pending.side.warnings.append(f"{why}; cleaned as a whole page")
    whole = pending.text if pending.cleaned_as_text else pending.rendering
    pending.meta = fill_metadata(extracted, whole, pending.record.url or pending.side.url)


def fill_metadata(extracted: Extracted, whole: str | None, url: str | None) -> Extracted:
    """The extractor's metadata with the title, author and date it left out read from
    ``whole``, the page as normalised text (its rendering), as from a text page."""
    if not whole or (extracted.title and extracted.author and extracted.published):
        return extracted
    found = extract_text_metadata(whole, url)
    return replace(
        extracted,
        title=extracted.title or found.title,
        author=extracted.author or found.author,
        published=extracted.published or found.published,
    )


def clean_text(pending: Pending, result: CleanResult) -> str:
    """The row's text; raises PageRejected when cleaning left none."""
    text = normalise_whitespace(result.text)
    if not text:
        if pending.is_html:
            _check_depth(pending.page.text)
        raise PageRejected(RejectReason.no_text, _no_text_detail(pending, result))
    return text


def site_of(pending: Pending) -> str | None:
    """The page's site: its own name for itself, else the sidecar's, else its host name."""
    return pending.meta.site or pending.side.get_str("site") or _host(pending)


def _url(pending: Pending) -> str | None:
    return pending.record.url or pending.meta.url or pending.side.url


def _host(pending: Pending) -> str | None:
    return _hostname(_url(pending)) or pending.meta.hostname


def to_document(
    pending: Pending,
    text: str,
    result: CleanResult,
    analysis: RowAnalysis,
    run_id: str,
    fingerprint: str,
) -> Document:
    """The row of a record whose clean text is ``text``."""
    meta, side, record = pending.meta, pending.side, pending.record
    return Document(
        doc_id=pending.doc_id,
        source_root=pending.item.root,
        source_path=pending.item.source_path,
        record_key=record.key,
        container=pending.container,
        source_sha256=pending.sha256,
        url=_url(pending),
        site=pending.site,
        hostname=_host(pending),
        title=_short(meta.title or side.get_str("title")),
        author=_short(meta.author or side.get_str("author")),
        published=meta.published or side.published,
        fetched_at=record.fetched_at or side.fetched_at,
        description=_short(meta.description),
        categories=meta.categories,
        tags=meta.tags,
        language_declared=_language(
            record.language
            or side.get_str("language")
            or (_html_language(pending.page.text) if pending.is_html else None)
            or meta.language
        ),
        language=analysis.language,
        language_score=analysis.language_score,
        text=text,
        n_chars=len(text),
        n_words=len(text.split()),
        raw_chars=len(pending.page.text),
        raw_bytes=pending.page.raw_bytes,
        removed=[{"rule": r.rule, "text": r.text} for r in result.removed],
        removed_chars=removed_chars(result),
        text_sha256=analysis.text_sha256,
        duplicate_of=analysis.duplicate_of,
        near_duplicate_cluster=analysis.near_duplicate_cluster,
        quality=analysis.quality,
        encoding=pending.page.encoding,
        format=pending.page.format.value,
        source_meta=_source_meta(record, side),
        warnings=side.warnings,
        cleaning_fingerprint=fingerprint,
        pipeline_version=PIPELINE_VERSION,
        run_id=run_id,
        ingested_at=datetime.now(UTC),
    )


def removed_chars(result: CleanResult) -> int:
    return sum(len(r.text) for r in result.removed)


def reject(
    item: WorkItem, key: str, sha256: str | None, reason: str, detail: str, run_id: str
) -> Reject:
    return Reject(
        doc_id=doc_id_for(item.root, item.source_path, key),
        source_root=item.root,
        source_path=item.source_path,
        record_key=key,
        source_sha256=sha256,
        reason=reason,
        detail=detail,
        pipeline_version=PIPELINE_VERSION,
        run_id=run_id,
        rejected_at=datetime.now(UTC),
    )


def _check_depth(html: str) -> None:
    # lxml silently drops what nests deeper than it can hold, so a page that yields no text may
    # be one nested too deep: say so (measured only then, since it costs a scan of the markup).
    if (depth := markup_depth(html)) > MAX_MARKUP_DEPTH:
        raise PageRejected(
            RejectReason.too_deep,
            f"markup nested at least {depth} levels deep, cap is {MAX_MARKUP_DEPTH}",
        )


def _no_text_detail(pending: Pending, result: CleanResult) -> str:
    if pending.is_html and not pending.text.strip():
        return "the extractor found no main text"
    removed = sum(len(r.text) for r in result.removed)
    return f"cleaning removed everything ({removed} characters in {len(result.removed)} blocks)"


def _source_meta(record: Record, side: SidecarFields) -> str | None:
    meta = dict(side.raw)
    if record.record_id:
        meta.setdefault("record_id", record.record_id)
    if record.content_type:
        meta.setdefault("content_type", record.content_type)
    return json.dumps(meta, ensure_ascii=False, default=str) if meta else None


def _html_language(html: str) -> str | None:
    """`<html lang>`, else a content-language meta tag, from the head of the markup."""
    head = html[:LANGUAGE_SNIFF_CHARS]
    found = HTML_LANG.search(head) or META_LANGUAGE.search(head)
    return found.group(1) if found else None


def _language(value: str | None) -> str | None:
    """A declared language tag as its primary subtag, lower case ('en-GB' -> 'en')."""
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-")[0].split(",")[0].strip().lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def _hostname(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def _short(value: str | None) -> str | None:
    return value[:MAX_META_CHARS] if value else value
