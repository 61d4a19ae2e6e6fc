"""A page as a list of non-blank lines with their features, computed once."""

from __future__ import annotations

import re
from collections import Counter

_BULLET = re.compile(r"^(?:[*•·◦▪▸►▶●○■□✓✔→>»›+\-–—|#]+\s*|\d{1,2}[.)]\s+)")
_TRAIL = re.compile(r"[\s:…»›>|/\-–—]+$|\.\.\.+$")
_TRAIL_CHARS = frozenset(":…»›>|/-–—")
_CAMEL = re.compile(r"(?<=[a-zà-ÿ])(?=[A-ZÀ-Þ])")
_ASCII_CAMEL = re.compile(r"[a-z][A-Z]")  # where ``_CAMEL`` splits an ASCII text
_WORD = re.compile(r"[^\W_]+(?:['’\-.][^\W_]+)*")
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_ALPHA = re.compile(r"[^\W\d_]")
_KEY_WORD = re.compile(r"[\w'’-]*")
_TERMINAL = frozenset(".!?。！？")
_CLOSERS = frozenset("\"'”’»)]“«")


def line_key(text: str, words: list[str] | None = None) -> str:
    """A line for matching: lower-cased, spaces collapsed, bullets and trailing marks removed."""
    return _key(words if words is not None else text.split()).lower()


def _key(words: list[str]) -> str:
    """``line_key`` of a line's words, without lower-casing them."""
    key = " ".join(words)
    if key and not key[0].isalnum():
        key = _BULLET.sub("", key)
    if key and not key[-1].isalnum():
        key = _strip_trail(key)
    return key


def _strip_trail(key: str) -> str:
    """``_TRAIL.sub("", key)`` without trying the pattern at every position of a long line."""
    end = len(key)
    while end and (key[end - 1] in _TRAIL_CHARS or key[end - 1].isspace()):
        end -= 1
    if end < len(key):
        return key[:end]
    return key.rstrip(".") if key.endswith("...") else key


def split_glued(text: str) -> str:
    """Split words glued by a rendering without spaces ("articleComments")."""
    return _CAMEL.sub(" ", text)


class Line:
    """One non-blank line of the page and its structural features."""

    __slots__ = (
        "_caps",
        "_toks",
        "_upper",
        "bullet",
        "chars",
        "colon",
        "ellipsis",
        "first",
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
    )

    def __init__(self, index: int, number: int, raw: str, gap_before: bool) -> None:
        self.index = index  # position among the page's non-blank lines
        self.number = number  # position among all lines of the input
        self.raw = raw
        text = raw.strip()
        self.text = text
        self.lower = lower = text.lower()  # once: slow on long non-ASCII lines
        words = lower.split()
        self.key = key = _key(words)
        self.first = _KEY_WORD.match(key).group()  # what the phrase matchers dispatch on
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
        self._caps = self._upper = None
        # a body paragraph: a sentence of some length with final punctuation, or a long line
        self.prose = (n_words >= 8 and self.terminal) or n_words >= 25

    @property
    def caps(self) -> float:
        """Share of words that start with a capital (lines of up to 20 words; else 0)."""
        if self._caps is None:
            words = self.text.split()
            self._caps = (
                sum([w[0].isupper() for w in words]) / len(words) if len(words) <= 20 else 0.0
            )
        return self._caps

    @property
    def upper(self) -> float:
        """Share of capitals among letters (lines of up to 20 words; else 0)."""
        if self._upper is None:
            upper = 0.0
            if self.n_words <= 20:
                text = self.text
                alpha = len(_ALPHA.findall(text))
                if alpha:
                    upper = sum(map(str.isupper, text)) / alpha
            self._upper = upper
        return self._upper

    @property
    def toks(self) -> list[str]:
        """Lower-case word tokens, glued words split (computed on first use)."""
        if self._toks is None:
            self._toks = tokens(self.text, self.lower)
        return self._toks

    def __repr__(self) -> str:
        return f"Line({self.index}, {self.text[:40]!r})"


def tokens(text: str, lower: str | None = None) -> list[str]:
    """Lower-case word tokens, glued words split; ``lower``: ``text.lower()``, if known."""
    if lower is not None and text.isascii() and not _ASCII_CAMEL.search(text):
        # nothing to split, and ASCII lower-casing keeps every token's bounds
        return _WORD.findall(lower)
    return [t.lower() for t in _WORD.findall(split_glued(text))]


#: the last page split: ``extract_text_metadata`` and ``clean`` split the same text in a row
#: (one slot, replaced by the next page; the lines are never changed after the split)
_last: tuple[str, tuple[list[str], list[Line]]] | None = None


def split_lines(text: str) -> tuple[list[str], list[Line]]:
    """All input lines, and the non-blank ones as ``Line`` objects with their features."""
    global _last
    last = _last
    if last is not None and (last[0] is text or last[0] == text):
        return last[1]
    found = _split_lines(text)
    _last = (text, found)
    return found


def _split_lines(text: str) -> tuple[list[str], list[Line]]:
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
