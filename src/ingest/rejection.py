"""Why a page could not become a row: a small fixed vocabulary."""

from enum import StrEnum


class RejectReason(StrEnum):
    binary = "binary"  # not text: image, PDF, executable, random bytes
    empty = "empty"  # no bytes, or only whitespace
    too_large = "too_large"  # over the size cap on disk or once inflated
    too_deep = "too_deep"  # markup nested past what an HTML parser can hold
    corrupt = "corrupt"  # truncated or damaged compression
    undecodable = "undecodable"  # no encoding gives text
    unreadable = "unreadable"  # the file system refused (permissions, I/O error)
    missing = "missing"  # gone between listing and reading, or a dangling link
    outside_root = "outside_root"  # a link that leads out of the raw root (not followed)
    timeout = "timeout"  # processing ran past the per-page deadline
    extraction_failed = "extraction_failed"  # a crash, and no rendering to fall back on
    no_text = "no_text"  # nothing of the page is left after extraction and cleaning
    batch_failed = "batch_failed"  # its batch failed after all retries


class PageRejected(Exception):
    """Raised by the library when a page cannot become a row."""

    def __init__(self, reason: RejectReason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.sha256: str | None = None  # of the file, once it could be read
