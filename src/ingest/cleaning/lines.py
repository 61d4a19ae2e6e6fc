"""A page as a list of non-blank lines with their features, computed once."""

from __future__ import annotations

import re
from collections import Counter
from operator import itemgetter

_BULLET = re.compile(r"^(?:[*•·◦▪▸►▶●○■□✓✔→>»›+\-–—|#]+\s*|\d{1,2}[.)]\s+)")
_TRAIL = re.compile(r"[\s:…»›>|/\-–—]+$|\.\.\.+$")
_TRAIL_CHARS = frozenset(":…»›>|/-–—")
_CAMEL = re.compile(r"(?<=[a-zà-ÿ])(?=[A-ZÀ-Þ])")
_ASCII_CAMEL = re.compile(r"[a-z][A-Z]")  # where ``_CAMEL`` splits an ASCII text
_WORD = re.compile(r"[^\W_]+(?:['’\-.][^\W_]+)*")
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_KEY_WORD = re.compile(r"[\w'’-]*")
_DIGIT = re.compile(r"\d")
_TERMINAL = frozenset(".!?。！？")
_CLOSERS = frozenset("\"'”’»)]“«")


def line_key(text: str, words: list[str] | None = None) -> str:
    """A line for matching: lower-cased, spaces collapsed, bullets and trailing marks removed."""
    return _key(words if words is not None else text.split()).lower()


def _key(words: list[str]) -> str:
    """``line_key`` of a line's words, without lower-casing them."""
    return _trim_key(" ".join(words))


def _trim_key(key: str) -> str:
    """Bullets and trailing marks removed from words joined by single spaces."""
    if key and not key[0].isalnum():
        key = _BULLET.sub("", key)
    if key and not key[-1].isalnum():
        key = _strip_trail(key)
    return key


#: whitespace that ``str.split`` splits on, but for the space and the line break
_OTHER_SPACES = (
    "\t\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
    + "".join(map(chr, range(0x2000, 0x200B)))
)


def _single_spaced(text: str) -> bool:
    """Whether the only whitespace of ``text`` is single spaces and line breaks (as in
    normalised text): then a stripped line's words are its parts between spaces."""
    return "  " not in text and not any(space in text for space in _OTHER_SPACES)


def _strip_trail(key: str) -> str:
    """``_TRAIL.sub("", key)`` without trying the pattern at every position of a long line."""
    end = len(key)
    while end and (key[end - 1] in _TRAIL_CHARS or key[end - 1].isspace()):
        end -= 1
    if end < len(key):
        return key[:end]
    return key.rstrip(".") if key.endswith("...") else key


def _first_word(key: str) -> str:
    """The leading ``[\\w'’-]*`` run of a key."""
    head = key.partition(" ")[0]
    if head.isalnum():  # all word characters: the run ends at the space
        return head
    return _KEY_WORD.match(key).group()


def split_glued(text: str) -> str:
    """Split words glued by a rendering without spaces ("articleComments")."""
    return _CAMEL.sub(" ", text)


class Line:
    """One non-blank line of the page and its structural features."""

    __slots__ = (
        "_caps",
        "_digit",
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

    def __init__(
        self,
        index: int,
        number: int,
        raw: str,
        gap_before: bool,
        text: str | None = None,
        single_spaced: bool = False,
    ) -> None:
        """``text``: ``raw`` stripped, when the caller has it; ``single_spaced``: whether the
        only whitespace of ``raw`` is single spaces."""
        self.index = index  # position among the page's non-blank lines
        self.number = number  # position among all lines of the input
        self.raw = raw
        if text is None:
            text = raw.strip()
        self.text = text
        self.lower = lower = text.lower()  # once: slow on long non-ASCII lines
        if single_spaced:
            self.n_words = n_words = lower.count(" ") + 1
            self.key = key = _trim_key(lower)
        else:
            words = lower.split()
            self.n_words = n_words = len(words)
            self.key = key = _key(words)
        self.first = _first_word(key)  # what the phrase matchers dispatch on
        self.chars = len(text)
        self.gap_before = gap_before
        self.gap_after = False
        self.repeats = 1
        self._toks = self._caps = self._upper = self._digit = None
        first = text[0]
        self.is_url = n_words == 1 and first in "hHwW" and _URL.match(text) is not None
        self.bullet = not first.isalnum() and _BULLET.match(text) is not None
        last = text[-1]
        if last in _CLOSERS and len(text) > 1:
            last = text.rstrip("\"'”’»)]“«")[-1:] or last
        self.ellipsis = ellipsis = last == "…" or text.endswith("...")
        self.terminal = terminal = last in _TERMINAL and not ellipsis
        self.colon = last == ":"
        # a body paragraph: a sentence of some length with final punctuation, or a long line
        self.prose = (n_words >= 8 and terminal) or n_words >= 25

    @property
    def digit(self) -> bool:
        """Whether the line holds a decimal digit (of any script)."""
        if self._digit is None:
            self._digit = _DIGIT.search(self.text) is not None
        return self._digit

    @property
    def caps(self) -> float:
        """Share of words that start with a capital (lines of up to 20 words; else 0)."""
        if self._caps is None:
            if self.n_words > 20:
                self._caps = 0.0
            else:
                words = self.text.split()
                self._caps = sum(map(str.isupper, map(_first_char, words))) / len(words)
        return self._caps

    @property
    def upper(self) -> float:
        """Share of capitals among letters (lines of up to 20 words; else 0)."""
        if self._upper is None:
            self._upper = _upper_share(self.text) if self.n_words <= 20 else 0.0
        return self._upper

    @property
    def toks(self) -> list[str]:
        """Lower-case word tokens, glued words split (computed on first use)."""
        if self._toks is None:
            self._toks = tokens(self.text, self.lower)
        return self._toks

    def __repr__(self) -> str:
        return f"Line({self.index}, {self.text[:40]!r})"


_first_char = itemgetter(0)
_ASCII_UPPER = bytes(range(ord("A"), ord("Z") + 1))
_ASCII_LETTERS = _ASCII_UPPER + _ASCII_UPPER.lower()


def _upper_share(text: str) -> float:
    """Share of capitals among the letters of ``text`` (0 without letters)."""
    if text.isascii():
        # in ASCII the letters are A-Z and a-z: counted by deleting them
        data = text.encode("ascii")
        alpha = len(data) - len(data.translate(None, _ASCII_LETTERS))
        upper = len(data) - len(data.translate(None, _ASCII_UPPER))
    else:
        # letters are what ``[^\W\d_]`` matches: alphanumeric but not decimal digits
        alpha = sum(map(str.isalnum, text)) - sum(map(str.isdecimal, text))
        upper = sum(map(str.isupper, text))
    return upper / alpha if alpha else 0.0


def tokens(text: str, lower: str | None = None) -> list[str]:
    """Lower-case word tokens, glued words split; ``lower``: ``text.lower()``, if known."""
    if lower is not None and text.isascii() and not _ASCII_CAMEL.search(text):
        # nothing to split, and ASCII lower-casing keeps every token's bounds
        return _WORD.findall(lower)
    return [t.lower() for t in _WORD.findall(split_glued(text))]


def split_lines(text: str) -> tuple[list[str], list[Line]]:
    """All input lines, and the non-blank ones as ``Line`` objects with their features."""
    raw_lines = text.split("\n")
    single = _single_spaced(text)
    lines: list[Line] = []
    append = lines.append
    gap = False
    last = None
    for number, raw in enumerate(raw_lines):
        stripped = raw.strip()
        if not stripped:
            gap = True
            if last is not None:
                last.gap_after = True
            continue
        last = Line(len(lines), number, raw, gap, stripped, single)
        append(last)
        gap = False
    counts = Counter([line.key for line in lines])
    for line in lines:
        if counts[line.key] > 1:
            line.repeats = counts[line.key]
    return raw_lines, lines
