"""What readers hand out: references to records, records, and errors of broken records."""

from dataclasses import dataclass, field
from datetime import date, datetime

PAGE = "page"


@dataclass(frozen=True, slots=True)
class RecordRef:
    """One record of a file, small enough to carry in a batch: where it is, not what it holds.

    `key` is stable within the file: "" for a plain file, the WARC-Record-ID (else "offset:N")
    for WARC and ARC, "line:N" (1-based) for JSONL. `offset` is where reading it starts: the byte
    offset of the record in the file (WARC, ARC, plain JSONL), or of the line in the decompressed
    stream (compressed JSONL). `kind` is "page", or what the record is when it is passed over.
    """

    key: str
    offset: int = 0
    kind: str = PAGE

    @property
    def is_page(self) -> bool:
        return self.kind == PAGE


@dataclass(slots=True)
class Record:
    """One page's payload and what its container says about it."""

    key: str
    payload: bytes
    format_hint: str | None = None  # "html" | "text" | None (sniff)
    url: str | None = None
    fetched_at: datetime | None = None  # UTC
    content_type: str | None = None
    charset: str | None = None
    language: str | None = None
    record_id: str | None = None
    published: date | None = None
    meta: dict[str, object] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class RecordError:
    """A broken record, or a container that is not what it seems.

    `reason` is a RejectReason value; `detail` names the file and the byte offset reached.
    """

    key: str
    reason: str
    detail: str
