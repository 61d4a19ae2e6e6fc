"""Metadata read from the lines of a plain-text page: title, byline, dateline."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class TextMetadata:
    title: str | None = None
    author: str | None = None
    published: date | None = None


def extract_text_metadata(text: str) -> TextMetadata:
    return TextMetadata()
