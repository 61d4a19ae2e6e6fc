"""The cleaner: ordered named rules over blocks of lines."""

from ingest.cleaning.config import CleaningConfig
from ingest.cleaning.model import CleanResult


def clean(text: str, *, title: str | None = None, config: CleaningConfig | None = None) -> CleanResult:
    return CleanResult(text=text)
