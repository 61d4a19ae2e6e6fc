"""A text page as its non-blank lines, with the few per-line measures the readers use.

Every line gets only what list comprehensions compute fast (words, prose or not); the richer
``HeadLine`` is built on demand for the few lines a reader looks at.
"""

from __future__ import annotations

import re
from itertools import accumulate
from operator import mul

#: list markers of text renderings ("* ", "+ ", "o ", "- ", "1. ", "• ")
_BULLET = re.compile(r"^(?:[*+•·◦▪▸►▶●○■□\-–—>]+(?= )|o(?= )|\d{1,2}[.)](?= ))\s*")
_BULLET_START = frozenset("*+•·◦▪▸►▶●○■□-–—>o0123456789")
_TERMINAL = frozenset(".!。！")
_QUESTION = frozenset("?？")
_CLOSERS = "\"'”’»)]“«"
_ODD_ENDS = frozenset(_CLOSERS) | _QUESTION
_ODD_SPACE = re.compile(r"[^\S\n]{2,}|[^\S \n]")
#: a body paragraph: this many characters and final punctuation, or this many characters
PROSE_CHARS, LONG_CHARS = 45, 150
#: a line with fewer spaces than one in SPACED_CHARS characters is written without spaces
#: (Chinese, Japanese); it counts a word for every CJK_CHARS characters
SPACED_CHARS, CJK_CHARS = 20, 3
#: a question of fewer characters is read as a heading, not prose
QUESTION_CHARS = 75


class HeadLine:
    """One non-blank line: its text without list marker, and its shape."""

    __slots__ = ("bullet", "index", "key", "last", "n_words", "prose", "text")

    def __init__(self, index: int, raw: str, prose: bool) -> None:
        self.index = index
        self.prose = prose
        text = raw
        self.bullet = False
        if raw[0] in _BULLET_START:
            found = _BULLET.match(raw)
            if found and 0 < found.end() < len(raw):
                self.bullet = True
                text = raw[found.end() :]
        self.text = text
        words = text.count(" ") + 1  # word_count, inline: a HeadLine is made for many lines
        self.n_words = (
            words if words * SPACED_CHARS >= len(text) else max(words, len(text) // CJK_CHARS)
        )
        self.key = text.lower()
        last = text[-1]
        self.last = (text.rstrip(_CLOSERS)[-1:] or last) if last in _CLOSERS else last

    def __repr__(self) -> str:
        return f"HeadLine({self.index}, {self.text[:40]!r})"


class Page:
    """The non-blank lines of a page, their lengths and which are prose."""

    def __init__(self, text: str) -> None:
        if "  " in text or "\t" in text or "\r" in text:  # not normalised
            text = _ODD_SPACE.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
        lines = text.split("\n")
        stripped = list(map(str.strip, lines))
        # lines with spaces around them are stripped; when none has any whitespace there,
        # both ways give the same lines, and the text need not be searched for "\n "
        if stripped != lines and (
            text[:1] == " " or text[-1:] == " " or "\n " in text or " \n" in text
        ):
            lines = stripped
        raw = list(filter(None, lines))
        self.text = text
        self.raw = raw
        self.chars = chars = list(map(len, raw))
        # ``_terminal`` is called only for a closing quote or a question mark at the end
        self.prose = prose = [
            n >= LONG_CHARS
            or (
                n >= PROSE_CHARS
                and (
                    _terminal(s, n)
                    if s[-1] in _ODD_ENDS
                    else s[-1] in _TERMINAL and not s.endswith("...")
                )
            )
            for s, n in zip(raw, chars, strict=True)
        ]
        #: characters of prose in lines [a, b): acc[b] - acc[a]
        self.acc = [0, *accumulate(map(mul, chars, prose))]
        self._lines: dict[int, HeadLine] = {}

    def __len__(self) -> int:
        return len(self.raw)

    def words(self, i: int) -> int:
        return word_count(self.raw[i])

    def line(self, i: int) -> HeadLine:
        found = self._lines.get(i)
        if found is None:
            found = self._lines[i] = HeadLine(i, self.raw[i], self.prose[i])
        return found


def word_count(text: str) -> int:
    """Words of a line; in a line written without spaces, one per CJK_CHARS characters."""
    n = text.count(" ") + 1
    return n if n * SPACED_CHARS >= len(text) else max(n, len(text) // CJK_CHARS)


def _terminal(text: str, chars: int) -> bool:
    """Whether a line ends a sentence (a short question is more often a heading)."""
    last = text[-1]
    if last in _CLOSERS:
        last = text.rstrip(_CLOSERS)[-1:]
    if last in _QUESTION:
        return chars >= QUESTION_CHARS
    return last in _TERMINAL and not text.endswith("...")
