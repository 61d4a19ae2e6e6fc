"""A page as a list of non-blank lines with their features, computed once."""

from __future__ import annotations

import re
from collections import Counter

_BULLET = re.compile(r"^(?:[*•·◦▪▸►▶●○■□✓✔→>»›+\-–—|#]+\s*|\d{1,2}[.)]\s+)")
_TRAIL = re.compile(r"[\s:…»›>|/\-–—]+$|\.\.\.+$")
_CAMEL = re.compile(r"(?<=[a-zà-ÿ])(?=[A-ZÀ-Þ])")
_WORD = re.compile(r"[^\W_]+(?:['’\-.][^\W_]+)*")
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_TERMINAL = frozenset(".!?。！？")
_CLOSERS = frozenset("\"'”’»)]“«")


def line_key(text: str, words: list[str] | None = None) -> str:
    """A line for matching: lower-cased, spaces collapsed, bullets and trailing marks removed."""
    key = " ".join(words if words is not None else text.split())
    if key and not key[0].isalnum():
        key = _BULLET.sub("", key)
    if key and not key[-1].isalnum():
        key = _TRAIL.sub("", key)
    return key.lower()


def split_glued(text: str) -> str:
    """Split words glued by a rendering without spaces ("articleComments")."""
    return _CAMEL.sub(" ", text)


class Line:
    """One non-blank line of the page and its structural features."""

    __slots__ = (
        "_toks",
        "bullet",
        "caps",
        "chars",
        "colon",
        "ellipsis",
        "gap_after",
        "gap_before",
        "index",
        "is_url",
        "key",
        "lower",
        "n_words",
        "number",
        "prose",
        "raw",
        "repeats",
        "terminal",
        "text",
        "upper",
    )

    def __init__(self, index: int, number: int, raw: str, gap_before: bool) -> None:
        self.index = index  # position among the page's non-blank lines
        self.number = number  # position among all lines of the input
        self.raw = raw
        text = raw.strip()
        self.text = text
        words = text.split()
        self.key = line_key(text, words)
        self.lower = text.lower()
        self.n_words = n_words = len(words)
        self.chars = len(text)
        self.gap_before = gap_before
        self.gap_after = False
        self.repeats = 1
        self._toks = None
        first = text[0]
        self.is_url = n_words == 1 and first in "hHwW" and bool(_URL.match(text))
        self.bullet = not first.isalnum() and bool(_BULLET.match(text))
        last = text[-1]
        if last in _CLOSERS and len(text) > 1:
            last = text.rstrip("\"'”’»)]“«")[-1:] or last
        self.ellipsis = last == "…" or text.endswith("...")
        self.terminal = last in _TERMINAL and not self.ellipsis
        self.colon = last == ":"
        if n_words <= 20:  # shape of short lines only: labels, headlines, counters
            self.caps = sum([w[0].isupper() for w in words]) / n_words
            alpha = sum(map(str.isalpha, text))
            self.upper = sum(map(str.isupper, text)) / alpha if alpha else 0.0
        else:
            self.caps = self.upper = 0.0
        # a body paragraph: a sentence of some length with final punctuation, or a long line
        self.prose = (n_words >= 8 and self.terminal) or n_words >= 25

    @property
    def toks(self) -> list[str]:
        """Lower-case word tokens, glued words split (computed on first use)."""
        if self._toks is None:
            self._toks = tokens(self.text)
        return self._toks

    def __repr__(self) -> str:
        return f"Line({self.index}, {self.text[:40]!r})"


def tokens(text: str) -> list[str]:
    """Lower-case word tokens, glued words split."""
    return [t.lower() for t in _WORD.findall(split_glued(text))]


def split_lines(text: str) -> tuple[list[str], list[Line]]:
    """All input lines, and the non-blank ones as ``Line`` objects with their features."""
    raw_lines = text.split("\n")
    lines: list[Line] = []
    gap = False
    for number, raw in enumerate(raw_lines):
        if not raw.strip():
            gap = True
            if lines:
                lines[-1].gap_after = True
            continue
        lines.append(Line(len(lines), number, raw, gap))
        gap = False
    counts = Counter(line.key for line in lines)
    for line in lines:
        line.repeats = counts[line.key]
    return raw_lines, lines
