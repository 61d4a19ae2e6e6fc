"""The typed rows of the output tables: every stage fills a Document, whose fields are exactly
the columns of `schema.DOCUMENTS` (and a Reject's those of `schema.REJECTS`)."""

from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from typing import Any


@dataclass(slots=True)
class Document:
    doc_id: str
    source_root: str
    source_path: str
    record_key: str
    container: str
    source_sha256: str
    url: str | None
    site: str | None
    hostname: str | None
    title: str | None
    author: str | None
    published: date | None
    fetched_at: datetime | None
    description: str | None
    categories: list[str]
    tags: list[str]
    language_declared: str | None
    language: str | None
    language_score: float
    text: str
    n_chars: int
    n_words: int
    raw_chars: int
    raw_bytes: int
    removed: list[dict[str, str]]
    removed_chars: int
    text_sha256: str
    duplicate_of: str | None
    near_duplicate_cluster: str | None
    quality: dict[str, Any]
    encoding: str
    format: str
    source_meta: str | None
    warnings: list[str]
    cleaning_fingerprint: str
    pipeline_version: str
    run_id: str
    ingested_at: datetime

    def as_row(self) -> dict[str, Any]:
        return _row(self)


@dataclass(slots=True)
class Reject:
    doc_id: str
    source_root: str
    source_path: str
    record_key: str
    source_sha256: str | None
    reason: str
    detail: str
    pipeline_version: str
    run_id: str
    rejected_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def as_row(self) -> dict[str, Any]:
        return _row(self)


def _row(record: Document | Reject) -> dict[str, Any]:
    """The record's fields by name; values are shared, not copied (``asdict`` deep-copies every
    nested list and dict, a large share of a row's cost), so a row is read, never changed."""
    return {name: getattr(record, name) for name in _FIELDS[type(record)]}


_FIELDS = {kind: tuple(f.name for f in fields(kind)) for kind in (Document, Reject)}
