"""The page-level signals the large web corpora filter on, as columns (no page is dropped here).

Definitions follow the filters' published code, datatrove's ``GopherQualityFilter``,
``GopherRepetitionFilter`` and ``FineWebQualityFilter`` (Rae et al. 2021, appendix A; Penedo et
al. 2024), and C4's rules (Raffel et al. 2020, section 2.2), with one simplification: words are
whitespace-separated tokens (datatrove tokenises per language). ``docs/analysis_columns.md``
documents each field. Ratios over an empty denominator are 0.
"""

from __future__ import annotations

import re
import string

import numpy as np
import pyarrow as pa

#: Gopher's stop words: a page needs two of them (appendix A)
STOP_WORDS = frozenset({"the", "be", "to", "of", "and", "that", "have", "with"})
BULLETS = ("•", "-")  # datatrove's bullet marks
ELLIPSES = ("...", "…")
#: line endings counted as final punctuation by FineWeb's line_punct_ratio (a subset of
#: datatrove's TERMINAL_PUNCTUATION: Latin, CJK, Arabic, Devanagari, Ethiopic, Armenian)
TERMINAL_PUNCTUATION = (
    ".", "!", "?", "…", "。", "！", "？", "．", "؟", "۔", "।", "॥", "።", "։", "‼", "⁇", "⁈", "⁉",
    '"', "”", "»", "'", "’", ")", "」", "』",
)  # fmt: skip
#: C4 keeps lines that end in one of these
C4_TERMINAL = (".", "!", "?", '"')
SHORT_LINE_CHARS = 30
_PUNCT_CHARS = string.punctuation + "…–—‘’“”«»¿¡·•"
_LETTER = re.compile(r"[^\W\d_]")
_PARAGRAPH_BREAK = re.compile(r"\n{2,}")
_LINE_BREAK = re.compile(r"\n+")
_LOREM = re.compile(r"lorem ipsum", re.IGNORECASE)

_F32 = pa.float32()
QUALITY = pa.struct(
    [
        pa.field("word_count", pa.int32()),
        pa.field("mean_word_length", _F32),
        pa.field("hash_to_word_ratio", _F32),
        pa.field("ellipsis_to_word_ratio", _F32),
        pa.field("bullet_line_share", _F32),
        pa.field("ellipsis_line_share", _F32),
        pa.field("alpha_word_share", _F32),
        pa.field("stop_word_count", pa.int8()),
        pa.field("dup_line_share", _F32),
        pa.field("dup_line_char_share", _F32),
        pa.field("dup_paragraph_share", _F32),
        pa.field("dup_paragraph_char_share", _F32),
        *(pa.field(f"top_{n}gram_char_share", _F32) for n in (2, 3, 4)),
        *(pa.field(f"dup_{n}gram_char_share", _F32) for n in range(5, 11)),
        pa.field("line_punct_share", _F32),
        pa.field("short_line_share", _F32),
        pa.field("fineweb_dup_line_char_share", _F32),
        pa.field("newline_to_word_ratio", _F32),
        pa.field("c4_terminal_line_share", _F32),
        pa.field("c4_lorem_ipsum", pa.bool_()),
        pa.field("c4_curly_bracket", pa.bool_()),
        pa.field("boilerplate_share", _F32),
    ]
)


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def find_duplicates(items: list[str]) -> tuple[int, int]:
    """(elements, characters) seen before in the list: every repeat after the first counts."""
    seen: set[str] = set()
    dup_elements = dup_chars = 0
    for item in items:
        if item in seen:
            dup_elements += 1
            dup_chars += len(item)
        else:
            seen.add(item)
    return dup_elements, dup_chars


_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_ONE = np.uint64(1)


def _word_ids(words: list[str]) -> np.ndarray:
    ids: dict[str, int] = {}
    return np.array([ids.setdefault(w, len(ids)) for w in words], dtype=np.uint64)


class _NGrams:
    """The word n-grams of a page for n = 1, 2, ...: one 64-bit key each (a polynomial hash of
    its word ids; a collision between two different n-grams of one page has odds of about
    2**-64), kept only where the n-gram occurs more than once on the page.

    An n-gram that repeats starts with an (n-1)-gram that repeats, so each step looks only at
    the positions where the step before found repeats: most of a page drops out in the first
    steps."""

    def __init__(self, ids: np.ndarray) -> None:
        self._ids = ids
        self.n = 0
        self.positions = np.arange(len(ids))
        self.keys = np.zeros(len(ids), dtype=np.uint64)

    def grow(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Step to the next n; return the unique repeated keys, their counts and the first
        position of each."""
        self.n += 1
        # the kept positions are in page order: those with room for n words are a prefix
        pos = self.positions[self.positions + self.n <= len(self._ids)]
        keys = self.keys[: len(pos)]
        with np.errstate(over="ignore"):
            keys = keys * _MULTIPLIER + self._ids[pos + self.n - 1] + _ONE
        # equal keys side by side (a stable sort keeps each key's first position first)
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        starts = np.empty(len(ordered), dtype=bool)
        starts[:1] = True
        np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
        group = np.cumsum(starts) - 1
        counts = np.bincount(group) if len(group) else np.zeros(0, dtype=np.int64)
        repeated = np.empty(len(keys), dtype=bool)
        repeated[order] = counts[group] > 1
        self.positions, self.keys = pos[repeated], keys[repeated]
        more = counts > 1
        firsts = order[np.flatnonzero(starts)[more]]
        return keys[firsts], counts[more], pos[firsts]


def _char_count(words: list[str]) -> np.ndarray:
    """Cumulative characters of the words: ``out[j] - out[i]`` is the length of words i..j-1."""
    out = np.zeros(len(words) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, words), dtype=np.int64, count=len(words)), out=out[1:])
    return out


def top_ngram_chars(words: list[str], n: int, ids: np.ndarray | None = None) -> int:
    """Characters of the most frequent word n-gram (words joined by a space) times its count;
    0 when no n-gram repeats. ``ids``: the words as ids (:func:`_word_ids`), when known."""
    return _repetition(words, _word_ids(words) if ids is None else ids, n)[0]


def duplicated_ngram_chars(words: list[str], n: int, ids: np.ndarray | None = None) -> int:
    """Characters of n-grams that repeat an earlier one, without overlap: after a repeat the scan
    jumps past it (datatrove's ``find_all_duplicate``; an n-gram's characters are its words')."""
    return _repetition(words, _word_ids(words) if ids is None else ids, n)[1]


def _repetition(words: list[str], ids: np.ndarray, last: int) -> tuple[int, int]:
    """(``top_ngram_chars``, ``duplicated_ngram_chars``) for n = ``last``."""
    found = _repetitions(words, ids, (last,), (last,))
    return found[0].get(last, 0), found[1].get(last, 0)


def _repetitions(
    words: list[str], ids: np.ndarray, tops: tuple[int, ...], dups: tuple[int, ...]
) -> tuple[dict[int, int], dict[int, int]]:
    """Top n-gram characters for each n of ``tops``, duplicated n-gram characters for each n
    of ``dups``; an n missing from the result has no repeat (0)."""
    top: dict[int, int] = {}
    dup: dict[int, int] = {}
    grams = _NGrams(ids)
    chars = _char_count(words).tolist()
    for n in range(1, max(tops + dups) + 1):
        unique, counts, first = grams.grow()
        if not len(unique):
            break  # no n-gram repeats, so no longer one does
        if n in tops:
            count = int(counts.max())
            start = int(first[counts == count].min())  # ties: the first seen, as Counter has it
            top[n] = (chars[start + n] - chars[start] + n - 1) * count
        if n in dups:
            dup[n] = _scan_duplicates(grams.positions, grams.keys, chars, n)
    return top, dup


def _scan_duplicates(positions: np.ndarray, keys: np.ndarray, chars: list[int], n: int) -> int:
    """datatrove's scan for repeats over the positions of repeated n-grams, in page order: only
    those can repeat, the others are added to its seen set and never looked up again."""
    seen: set[int] = set()
    total = 0
    resume = 0
    for pos, key in zip(positions.tolist(), keys.tolist(), strict=True):
        if pos < resume:
            continue
        if key in seen:
            total += chars[pos + n] - chars[pos]
            resume = pos + n
        else:
            seen.add(key)
    return total


def _gopher_quality(text: str, words: list[str], lines: list[str]) -> dict[str, float | int]:
    n_words = len(words)
    # the words that are only punctuation (a word that starts with a letter or digit is not)
    symbols = [w for w in words if not w[0].isalnum() and not w.strip(_PUNCT_CHARS)]
    non_symbol = n_words - len(symbols)
    non_symbol_chars = sum(map(len, words)) - sum(map(len, symbols))
    return {
        "word_count": non_symbol,
        "mean_word_length": _ratio(non_symbol_chars, non_symbol),
        "hash_to_word_ratio": _ratio(text.count("#"), n_words),
        "ellipsis_to_word_ratio": _ratio(sum(text.count(e) for e in ELLIPSES), n_words),
        "bullet_line_share": _ratio(
            sum(ln.lstrip().startswith(BULLETS) for ln in lines), len(lines)
        ),
        "ellipsis_line_share": _ratio(
            sum(ln.rstrip().endswith(ELLIPSES) for ln in lines), len(lines)
        ),
        "alpha_word_share": _ratio(
            sum(1 for w in words if w.isalpha() or _LETTER.search(w)), n_words
        ),
        "stop_word_count": len(STOP_WORDS.intersection(text.lower().split())),
    }


def _gopher_repetition(text: str, words: list[str]) -> dict[str, float]:
    chars = len(text)
    paragraphs = _PARAGRAPH_BREAK.split(text.strip())
    lines = _LINE_BREAK.split(text)
    par_dups, par_chars = find_duplicates(paragraphs)
    line_dups, line_chars = find_duplicates(lines)
    out = {
        "dup_line_share": _ratio(line_dups, len(lines)),
        "dup_line_char_share": _ratio(line_chars, chars),
        "dup_paragraph_share": _ratio(par_dups, len(paragraphs)),
        "dup_paragraph_char_share": _ratio(par_chars, chars),
    }
    top, dup = _repetitions(words, _word_ids(words), (2, 3, 4), tuple(range(5, 11)))
    for n in (2, 3, 4):
        out[f"top_{n}gram_char_share"] = _ratio(top.get(n, 0), chars)
    for n in range(5, 11):
        out[f"dup_{n}gram_char_share"] = _ratio(dup.get(n, 0), chars)
    return out


def _fineweb(text: str, words: list[str]) -> dict[str, float]:
    lines = [ln for ln in text.split("\n") if ln.strip()]
    return {
        "line_punct_share": _ratio(
            sum(ln.endswith(TERMINAL_PUNCTUATION) for ln in lines), len(lines)
        ),
        "short_line_share": _ratio(sum(len(ln) <= SHORT_LINE_CHARS for ln in lines), len(lines)),
        "fineweb_dup_line_char_share": _ratio(
            find_duplicates(lines)[1], len(text.replace("\n", ""))
        ),
        "newline_to_word_ratio": _ratio(text.count("\n"), len(words)),
    }


def _c4(text: str, lines: list[str]) -> dict[str, float | bool]:
    return {
        "c4_terminal_line_share": _ratio(
            sum(ln.rstrip().endswith(C4_TERMINAL) for ln in lines), len(lines)
        ),
        "c4_lorem_ipsum": bool(_LOREM.search(text)),
        "c4_curly_bracket": "{" in text,
    }


def quality_signals(text: str, raw_chars: int, removed_chars: int) -> dict[str, float | int | bool]:
    """Every field of :data:`QUALITY` for one clean text; ``raw_chars`` and ``removed_chars``
    are the text's size before cleaning and what the cleaner removed (for boilerplate_share)."""
    words = text.split()
    lines = [ln for ln in text.split("\n") if ln.strip()]
    return {
        **_gopher_quality(text, words, lines),
        **_gopher_repetition(text, words),
        **_fineweb(text, words),
        **_c4(text, lines),
        "boilerplate_share": min(1.0, _ratio(removed_chars, raw_chars)),
    }
