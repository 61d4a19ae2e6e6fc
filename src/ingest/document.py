"""The typed rows of the output tables: every stage fills a Document, whose fields are exactly
the columns of `schema.DOCUMENTS` (and a Reject's those of `schema.REJECTS`)."""

from dataclasses import asdict, dataclass, field
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
        return asdict(self)


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
        return asdict(self)
