"""Metadata read from the lines of a plain-text page: title, byline, dateline."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from ingest.cleaning import rules
from ingest.cleaning.lines import Line, split_lines

#: how many non-blank lines from the top are searched for the title, byline and dateline
HEAD_LINES = 40

_MONTHS = {
    # en
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9,
    "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12,
    "december": 12,
    # de
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "mai": 5, "juni": 6, "juli": 7,
    "okt": 10, "oktober": 10, "dez": 12, "dezember": 12,
    # es
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    # fr
    "janvier": 1, "février": 2, "mars": 3, "avril": 4, "juin": 6, "juillet": 7, "août": 8,
    "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12,
    # pl (genitive, as in dates)
    "stycznia": 1, "lutego": 2, "marca": 3, "kwietnia": 4, "maja": 5, "czerwca": 6, "lipca": 7,
    "sierpnia": 8, "września": 9, "października": 10, "listopada": 11, "grudnia": 12,
}  # fmt: skip

_MONTH = r"(?P<month>[^\W\d_]{3,12})\.?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_DATES = [
    re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<m>\d{1,2})-(?P<day>\d{1,2})\b"),
    re.compile(r"\b(?P<day>\d{1,2})\.\s?(?P<m>\d{1,2})\.\s?(?P<year>(?:19|20)\d{2})\b"),
    re.compile(r"\b(?P<day>\d{1,2})\.?\s+(?:de\s+)?" + _MONTH + r"\s+(?:de\s+)?" + _YEAR + r"\b"),
    re.compile(r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+" + _YEAR + r"\b"),
    re.compile(r"\b(?P<m>\d{1,2})/(?P<day>\d{1,2})/(?P<year>(?:19|20)\d{2})\b"),
]
_NAME_CUT = re.compile(
    r"\s+(?:with|mit|con|avec|and|und|y|et|for|für|para|pour|in|im|aus|from)\s+|\s*[,|/(•·–—-]\s*"
)
_NAME = re.compile(
    r"^[A-ZÀ-Þ][\w'’.\-]*(?:\s+(?:[A-ZÀ-Þ][\w'’.\-]*|van|von|de|der|da|del|di|du|zu)){1,4}$"
)


@dataclass(frozen=True, slots=True)
class TextMetadata:
    title: str | None = None
    author: str | None = None
    published: date | None = None


def _boilerplate(line: Line) -> bool:
    """A line that names a widget or UI element rather than an article."""
    key = line.key
    return bool(
        line.is_url
        or rules.CHROME_LABEL.match(key, line.first)
        or rules.DONATION_LEAD.match(key, line.first)
        or rules.DONATION_SALUTATION.match(key, line.first)
        or rules.NEWSLETTER_CTA.match(key, line.first)
        or rules.RELATED_LEAD.match(key, line.first)
        or rules.COMMENT_LABEL.match(key, line.first)
        or rules.MEDIA_LABEL.match(key, line.first)
        or rules.CHROME_LABEL_PREFIX.match(key, line.first)
        or rules.DATE_WORDS.issuperset(key.split())
        or rules.full_date(line)
        or _byline_name(line)
        or rules.credit_line(line)
    )


def _title(head: list[Line], first_prose: int) -> str | None:
    shaped = [
        line
        for line in head
        if line.index < first_prose
        and 3 <= line.n_words <= 30
        and not line.text.endswith((".", ":", ",", ";"))
        and not line.ellipsis
        and line.upper < 0.9
    ]
    # ``_boilerplate`` is the costly test: made only on the lines that can still be chosen,
    # once a line
    plain = cache(lambda line: not _boilerplate(line))
    # a line repeated near the top (heading and image alt, or heading and share text)
    for line in shaped:
        if line.repeats > 1 and plain(line):
            return line.text
    # otherwise the last headline-like line before the body, preferring longer ones
    near = [line for line in shaped if line.index >= first_prose - 12 and plain(line)]
    pool = near or list(filter(plain, shaped))
    if not pool:
        return None
    best = max(pool, key=lambda line: (min(line.n_words, 12), -line.index))
    return best.text


def _byline_name(line: Line, *, slash: bool = True) -> str | None:
    if line.n_words > 12 or line.terminal:
        return None
    text = line.text.strip("*•·-– ")
    found = rules.BYLINE.match(text)
    if found:
        rest = text[found.end() :]
    elif slash and rules.SLASH_BYLINE.match(text):
        rest = text
    else:
        return None
    name = _NAME_CUT.split(rest, maxsplit=1)[0].strip()
    if not _NAME.match(name) or rules.credit_line(line):  # a photo credit names no author
        return None
    return name


def _date(text: str) -> date | None:
    for pattern in _DATES:
        for found in pattern.finditer(text):
            parts = found.groupdict()
            month = parts.get("m")
            if month is None:
                month = _MONTHS.get(parts["month"].lower().rstrip("."))
                if month is None:
                    continue
            try:
                return date(int(parts["year"]), int(month), int(parts["day"]))
            except ValueError:
                continue
    return None


def extract_text_metadata(text: str) -> TextMetadata:
    """Title, byline author and dateline date from the head of a plain-text page."""
    _, lines = split_lines(text)
    if not lines:
        return TextMetadata()
    head = lines[:HEAD_LINES]
    first_prose = next((line.index for line in lines if line.prose), len(lines))
    title = _title(head, first_prose)
    author = next((name for line in head if (name := _byline_name(line, slash=False))), None)
    author = author or next((name for line in head if (name := _byline_name(line))), None)
    published = None
    for line in head:
        if line.n_words <= 15 and not line.prose and line.digit:  # every date has digits
            published = _date(line.text)
            if published:
                break
    return TextMetadata(title=title, author=author, published=published)
