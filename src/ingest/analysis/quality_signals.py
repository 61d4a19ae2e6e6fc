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
from collections.abc import Sequence
from itertools import repeat

import numpy as np
import pyarrow as pa

from ingest.analysis.words import BatchWords, batch_words, words_of

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
_LOREM = re.compile(r"lorem ipsum", re.IGNORECASE)
_LOREM_WORD = re.compile(r"lorem$", re.IGNORECASE | re.MULTILINE)

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
    distinct = set(items)
    return len(items) - len(distinct), sum(map(len, items)) - sum(map(len, distinct))


class _NGrams:
    """The word n-grams of a batch's texts for n = 1, 2, ...: one key each, equal for equal
    n-grams of one text and only for them (exact: an n-gram's key is the pair of its first n-1
    words' key and its last word's id, and a 1-gram's key the pair of its text and its word).

    An n-gram that repeats starts with an (n-1)-gram that repeats, so :meth:`repeats` keeps
    only the positions of repeated n-grams, and the next steps look only at those: most of a
    text drops out in the first steps."""

    def __init__(self, words: BatchWords) -> None:
        self._ids = words.ids
        self._width = len(words.vocab)
        self._ends = np.repeat(words.bounds[1:], words.counts)  # end of each word's text
        self.n = 1
        self.positions = np.arange(len(words.ids))
        self.keys = words.text_of * self._width + words.ids
        #: whether the 2-grams' keys fit in 64 bits when the 1-grams' keys are not ranked first
        self.fits_unranked = len(words) * self._width**2 < 2**62

    def extend(self) -> None:
        """Step to the next n: each kept position with room for one more word in its text."""
        self.n += 1
        room = self.positions + self.n <= self._ends[self.positions]
        self.positions = self.positions[room]
        self.keys = self.keys[room] * self._width + self._ids[self.positions + self.n - 1]

    def repeats(self) -> tuple[np.ndarray, np.ndarray]:
        """Keep only the positions of repeated n-grams, their keys made ranks (below the number
        of positions); return the count and the first position of each repeated n-gram."""
        if not len(self.keys):
            return self.keys, self.keys
        order = np.argsort(self.keys)  # equal keys side by side, their positions in any order
        ordered = self.keys[order]
        starts = np.empty(len(ordered), dtype=bool)
        starts[0] = True
        np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
        firsts = np.flatnonzero(starts)
        counts = np.diff(firsts, append=len(ordered))
        ranks = np.empty(len(ordered), dtype=np.int64)
        ranks[order] = np.cumsum(starts) - 1
        repeated = counts[ranks] > 1
        more = counts > 1
        first_positions = np.minimum.reduceat(self.positions[order], firsts)[more]
        self.positions, self.keys = self.positions[repeated], ranks[repeated]
        return counts[more], first_positions


def _char_count(words: BatchWords) -> np.ndarray:
    """Cumulative characters of the words: ``out[j] - out[i]`` is the length of words i..j-1."""
    out = np.zeros(len(words.ids) + 1, dtype=np.int64)
    np.cumsum(words.sizes[words.ids], out=out[1:])
    return out


def top_ngram_chars(words: list[str], n: int) -> int:
    """Characters of the most frequent word n-gram (words joined by a space) times its count;
    0 when no n-gram repeats."""
    return _repetitions(words_of([words]), (n,), ())[0][0].get(n, 0)


def duplicated_ngram_chars(words: list[str], n: int) -> int:
    """Characters of n-grams that repeat an earlier one, without overlap: after a repeat the scan
    jumps past it (datatrove's ``find_all_duplicate``; an n-gram's characters are its words')."""
    return _repetitions(words_of([words]), (), (n,))[1][0].get(n, 0)


Found = list[dict[int, int]]


def _repetitions(
    words: BatchWords, tops: tuple[int, ...], dups: tuple[int, ...]
) -> tuple[Found, Found]:
    """Per text, top n-gram characters for each n of ``tops`` and duplicated n-gram characters
    for each n of ``dups``; an n missing from a text's dict has no repeat there (0)."""
    top: Found = [{} for _ in range(len(words))]
    dup: Found = [{} for _ in range(len(words))]
    grams = _NGrams(words)
    chars = _char_count(words)
    for n in range(1, max(tops + dups) + 1):
        if n > 1:
            grams.extend()
        elif n not in tops + dups and grams.fits_unranked:
            continue  # most words repeat in their text: pruning would keep most positions
        counts, firsts = grams.repeats()
        if not len(counts):
            break  # no n-gram repeats, so no longer one does
        if n in tops:
            _top(words.text_of[firsts], counts, firsts, chars, n, top)
        if n in dups:
            _scan_duplicates(grams.positions, grams.keys, words.text_of, chars, n, dup)
    return top, dup


def _top(
    texts: np.ndarray, counts: np.ndarray, firsts: np.ndarray, chars: np.ndarray, n: int, out: Found
) -> None:
    """Per text, the characters of its most frequent repeated n-gram times its count (ties: the
    first seen, as Counter has it), given each repeated n-gram's text, count and first position."""
    best = np.lexsort((firsts, -counts, texts))
    lead = best[np.flatnonzero(np.diff(texts[best], prepend=-1))]
    starts = firsts[lead]
    size = chars[starts + n] - chars[starts] + n - 1
    for text, value in zip(texts[lead].tolist(), (size * counts[lead]).tolist(), strict=True):
        out[text][n] = value


def _scan_duplicates(
    positions: np.ndarray,
    keys: np.ndarray,
    texts: np.ndarray,
    chars: np.ndarray,
    n: int,
    out: Found,
) -> None:
    """datatrove's scan for repeats over the positions of repeated n-grams, in page order: only
    those can repeat, the others are added to its seen set and never looked up again. One scan
    serves the batch: keys of different texts differ, and a jump ends within its text."""
    seen: set[int] = set()
    resume = 0
    starts = chars[positions].tolist()
    ends = chars[positions + n].tolist()
    for pos, key, text, start, end in zip(
        positions.tolist(), keys.tolist(), texts[positions].tolist(), starts, ends, strict=True
    ):
        if pos < resume:
            continue
        if key in seen:
            out[text][n] = out[text].get(n, 0) + end - start
            resume = pos + n
        else:
            seen.add(key)


def _word_stats(words: BatchWords) -> dict[str, list[int]]:
    """Per text: its words that are not only punctuation and their characters, its words with a
    letter, and how many distinct stop words it has (case-folded); each worked out once per
    distinct word of the batch."""
    vocab, size = words.vocab, words.sizes
    letter = _has_letter(vocab)
    symbol = np.zeros(len(vocab), dtype=bool)
    for i in np.flatnonzero(~letter).tolist():
        # a word that starts with a letter or digit is not only punctuation
        symbol[i] = not vocab[i][0].isalnum() and not vocab[i].strip(_PUNCT_CHARS)
    ids = words.ids
    return {
        "words": words.per_text(~symbol[ids]).tolist(),
        "chars": words.per_text(np.where(symbol, 0, size)[ids]).tolist(),
        "alpha": words.per_text(letter[ids]).tolist(),
        "stop": _stop_words(words, size).tolist(),
    }


def _has_letter(vocab: list[str]) -> np.ndarray:
    """Whether each word is all letters or has a letter (the regular expression runs only on
    the few that are not all letters)."""
    out = np.fromiter(map(str.isalpha, vocab), dtype=bool, count=len(vocab))
    others = np.flatnonzero(~out)
    found = map(_LETTER.search, map(vocab.__getitem__, others.tolist()))
    out[others] = np.fromiter(map(bool, found), dtype=bool, count=len(others))
    return out


def _stop_words(words: BatchWords, size: np.ndarray) -> np.ndarray:
    """The number of distinct stop words of each text, case-folded."""
    # lower() never shortens a word: only words as short as the longest stop word can be one
    short = np.flatnonzero(size <= _STOP_CHARS)
    lowered = map(str.lower, map(words.vocab.__getitem__, short.tolist()))
    stop = np.full(len(size), -1, dtype=np.int64)
    stop[short] = np.fromiter(map(_STOP_INDEX.get, lowered, repeat(-1)), np.int64, len(short))
    word_stop = stop[words.ids]
    found = word_stop >= 0
    texts = len(words)
    seen = np.bincount(
        words.text_of[found] * len(STOP_WORDS) + word_stop[found], minlength=texts * len(STOP_WORDS)
    )
    return (seen.reshape(texts, len(STOP_WORDS)) > 0).sum(axis=1)


_STOP_CHARS = max(map(len, STOP_WORDS))
_STOP_INDEX = {word: i for i, word in enumerate(sorted(STOP_WORDS))}


def _lines(text: str) -> tuple[list[str], list[str]]:
    """The text's lines split on runs of line breaks (``re.split(r"\\n+", text)``: empty only at
    either end) and its non-blank lines."""
    parts = text.split("\n")
    runs = [parts[0], *filter(None, parts[1:-1]), parts[-1]] if len(parts) > 1 else parts
    return runs, list(filter(str.strip, parts))


def _paragraphs(text: str) -> list[str]:
    """``re.split(r"\\n{2,}", text.strip())``: splitting on pairs of line breaks leaves, of a
    longer run, empty parts and one line break at the start of the next part."""
    stripped = text.strip()
    if not stripped:
        return [stripped]
    return [p[1:] if p[0] == "\n" else p for p in stripped.split("\n\n") if p]


def _gopher_quality(
    text: str, lines: list[str], stripped: list[str], n_words: int, stats: dict[str, int]
) -> dict[str, float | int]:
    non_symbol = stats["words"]
    return {
        "word_count": non_symbol,
        "mean_word_length": _ratio(stats["chars"], non_symbol),
        "hash_to_word_ratio": _ratio(text.count("#"), n_words),
        "ellipsis_to_word_ratio": _ratio(sum(text.count(e) for e in ELLIPSES), n_words),
        "bullet_line_share": _ratio(
            sum(ln.lstrip().startswith(BULLETS) for ln in lines), len(lines)
        ),
        "ellipsis_line_share": _ratio(sum(ln.endswith(ELLIPSES) for ln in stripped), len(lines)),
        "alpha_word_share": _ratio(stats["alpha"], n_words),
        "stop_word_count": stats["stop"],
    }


def _gopher_repetition(
    text: str, line_runs: list[str], top: dict[int, int], dup: dict[int, int]
) -> dict[str, float]:
    chars = len(text)
    paragraphs = _paragraphs(text)
    par_dups, par_chars = find_duplicates(paragraphs)
    line_dups, line_chars = find_duplicates(line_runs)
    out = {
        "dup_line_share": _ratio(line_dups, len(line_runs)),
        "dup_line_char_share": _ratio(line_chars, chars),
        "dup_paragraph_share": _ratio(par_dups, len(paragraphs)),
        "dup_paragraph_char_share": _ratio(par_chars, chars),
    }
    for n in (2, 3, 4):
        out[f"top_{n}gram_char_share"] = _ratio(top.get(n, 0), chars)
    for n in range(5, 11):
        out[f"dup_{n}gram_char_share"] = _ratio(dup.get(n, 0), chars)
    return out


def _fineweb(text: str, lines: list[str], n_words: int) -> dict[str, float]:
    newlines = text.count("\n")
    return {
        "line_punct_share": _ratio(
            sum(ln.endswith(TERMINAL_PUNCTUATION) for ln in lines), len(lines)
        ),
        "short_line_share": _ratio(sum(len(ln) <= SHORT_LINE_CHARS for ln in lines), len(lines)),
        "fineweb_dup_line_char_share": _ratio(find_duplicates(lines)[1], len(text) - newlines),
        "newline_to_word_ratio": _ratio(newlines, n_words),
    }


def _c4(
    text: str, lines: list[str], stripped: list[str], maybe_lorem: bool
) -> dict[str, float | bool]:
    return {
        "c4_terminal_line_share": _ratio(
            sum(ln.endswith(C4_TERMINAL) for ln in stripped), len(lines)
        ),
        "c4_lorem_ipsum": maybe_lorem and bool(_LOREM.search(text)),
        "c4_curly_bracket": "{" in text,
    }


def quality_signals(text: str, raw_chars: int, removed_chars: int) -> dict[str, float | int | bool]:
    """Every field of :data:`QUALITY` for one clean text; ``raw_chars`` and ``removed_chars``
    are the text's size before cleaning and what the cleaner removed (for boilerplate_share)."""
    return batch_quality_signals([(text, raw_chars, removed_chars)])[0]


def batch_quality_signals(
    texts: Sequence[tuple[str, int, int]], words: BatchWords | None = None
) -> list[dict[str, float | int | bool]]:
    """:func:`quality_signals` of each (text, raw chars, removed chars), in order, the word
    statistics of all texts taken at once. ``words``: :func:`batch_words` of the texts, when
    known."""
    if words is None:
        words = batch_words([text for text, _, _ in texts])
    stats = _word_stats(words)
    top, dup = _repetitions(words, (2, 3, 4), tuple(range(5, 11)))
    # the "lorem" of "lorem ipsum" ends a word (a space follows it): without such a word in the
    # batch no text has it
    maybe_lorem = _LOREM_WORD.search("\n".join(words.vocab)) is not None
    out = []
    for i, (text, raw_chars, removed_chars) in enumerate(texts):
        n_words = int(words.counts[i])
        line_runs, lines = _lines(text)
        stripped = [ln.rstrip() for ln in lines]
        mine = {key: values[i] for key, values in stats.items()}
        out.append(
            {
                **_gopher_quality(text, lines, stripped, n_words, mine),
                **_gopher_repetition(text, line_runs, top[i], dup[i]),
                **_fineweb(text, lines, n_words),
                **_c4(text, lines, stripped, maybe_lorem),
                "boilerplate_share": min(1.0, _ratio(removed_chars, raw_chars)),
            }
        )
    return out
