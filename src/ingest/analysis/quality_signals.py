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


def _word_ids(words: list[str]) -> np.ndarray:
    ids: dict[str, int] = {}
    return np.array([ids.setdefault(w, len(ids)) for w in words], dtype=np.uint64)


def _ngram_keys(ids: np.ndarray, n: int) -> np.ndarray:
    """One 64-bit key per word n-gram (a polynomial hash of its word ids; a collision between
    two different n-grams of one page has odds of about 2**-64)."""
    count = len(ids) - n + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    keys = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(n):
            keys = keys * _MULTIPLIER + ids[i : i + count] + np.uint64(1)
    return keys


def top_ngram_chars(words: list[str], n: int, ids: np.ndarray | None = None) -> int:
    """Characters of the most frequent word n-gram (words joined by a space) times its count;
    0 when no n-gram repeats. ``ids``: the words as ids (:func:`_word_ids`), when known."""
    keys = _ngram_keys(_word_ids(words) if ids is None else ids, n)
    if not len(keys):
        return 0
    _, first, counts = np.unique(keys, return_index=True, return_counts=True)
    count = int(counts.max())
    if count < 2:
        return 0
    start = int(first[counts == count].min())  # ties: the one seen first, as Counter has it
    return (sum(len(w) for w in words[start : start + n]) + n - 1) * count


def duplicated_ngram_chars(words: list[str], n: int, ids: np.ndarray | None = None) -> int:
    """Characters of n-grams that repeat an earlier one, without overlap: after a repeat the scan
    jumps past it (datatrove's ``find_all_duplicate``; an n-gram's characters are its words').

    Only n-grams found more than once can repeat, so the scan visits just their positions: the
    others are added to the seen set in the original and never looked up again."""
    keys = _ngram_keys(_word_ids(words) if ids is None else ids, n)
    if not len(keys):
        return 0
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    candidates = np.flatnonzero(counts[inverse] > 1)
    if not len(candidates):
        return 0
    seen: set[int] = set()
    chars = 0
    resume = 0
    for pos in candidates.tolist():
        if pos < resume:
            continue
        key = int(keys[pos])
        if key in seen:
            chars += sum(len(w) for w in words[pos : pos + n])
            resume = pos + n
        else:
            seen.add(key)
    return chars


def _gopher_quality(text: str, words: list[str], lines: list[str]) -> dict[str, float | int]:
    non_symbol = [w for w in words if w.strip(_PUNCT_CHARS)]
    n_words = len(words)
    lowered = {w.lower() for w in words}
    return {
        "word_count": len(non_symbol),
        "mean_word_length": _ratio(sum(len(w) for w in non_symbol), len(non_symbol)),
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
        "stop_word_count": len(STOP_WORDS & lowered),
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
    ids = _word_ids(words)
    for n in (2, 3, 4):
        out[f"top_{n}gram_char_share"] = _ratio(top_ngram_chars(words, n, ids), chars)
    for n in range(5, 11):
        out[f"dup_{n}gram_char_share"] = _ratio(duplicated_ngram_chars(words, n, ids), chars)
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
