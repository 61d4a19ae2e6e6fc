"""Features of every non-blank line of a batch of pages, computed at once with numpy.

The pages are joined into one UTF-8 byte array; per-line counts are sums over each line's bytes
(byte classes several at once, packed in lanes of 64-bit words), and context (windows of prose
density, neighbours, distance to the main block, position) comes from cumulative sums over the
non-blank lines of each page. Nothing here is per line in Python, and nothing depends on one
renderer's layout (indentation, bullets of a kind).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from ingest.cleaning.lexicon import line_evidence, words_by_line

_BIG = 1 << 30


def _table(chars: bytes) -> np.ndarray:
    table = np.zeros(256, dtype=bool)
    table[list(chars)] = True
    return table


_SPACE = _table(b" \t\r\n")
_UPPER = _table(bytes(range(65, 91)))
_LOWER = _table(bytes(range(97, 123)))
_DIGIT = _table(b"0123456789")
_HIGH = np.arange(256) >= 0x80
_LEAD = np.arange(256) >= 0xC0  # first byte of a multi-byte character
_TERMINAL = _table(b".!?")
_CLOSER = _table(b"\"')")
_SEPARATOR = _table(b"|/")
_PUNCT = _table(b".,;:!?")


@dataclass(frozen=True, slots=True)
class BatchLines:
    """The non-blank lines of a batch: their page, their line number in the page, features."""

    page: np.ndarray  # page of each non-blank line
    number: np.ndarray  # its index among the page's lines (split on "\n")
    page_start: np.ndarray  # first non-blank line of each page (len = pages + 1)
    features: np.ndarray  # float32, one row a line


LINE_FEATURES = (
    "log_bytes",
    "log_words",
    "letter_share",
    "upper_share",
    "digit_share",
    "high_share",
    "punct_share",
    "comma_per_word",
    "mean_word_bytes",
    "short_word_share",
    "capital_word_share",
    "terminal",
    "colon_end",
    "ellipsis_end",
    "digit_start",
    "upper_start",
    "separators",
    "url",
    "copyright",
    "repeated",
)
CONTEXT_FEATURES = (
    "gap_before",
    "gap_after",
    "rel_position",
    "log_page_lines",
    "page_prose_share",
    "log_page_words",
    "prose",
    *(f"prose_words_w{r}" for r in (1, 3, 10, 30)),
    *(f"prose_share_w{r}" for r in (1, 3, 10, 30)),
    *(f"{k}_{d}" for d in ("p1", "n1", "p2", "n2") for k in ("log_words", "terminal")),
    "log_dist_prev_prose",
    "log_dist_next_prose",
    "before_first_prose",
    "after_last_prose",
    "log_dist_main",
    "signed_main",
    "rel_density10",
    "prose_mass_before",
    "in_core",
    "log_dist_core",
    "after_core",
    "core_share",
    "ruled",
    *(f"ruled_w{r}" for r in (1, 3, 10)),
    "question_end",
    *(f"stub_share_w{r}" for r in (3, 10)),
    "log_block_lines",
    "block_mean_words",
    "block_prose_share",
    "block_rel_position",
    "headline",
    "after_headline",
    "log_dist_headline",
)
#: what the line's words say (``lexicon.py``): the mean weight of its words, and the mean of
#: that over the three lines each side
LEXICAL_FEATURES = ("words_mean", "words_mean_w3")
#: the features of a line's layout and place, without its words
LAYOUT_FEATURES = LINE_FEATURES + CONTEXT_FEATURES
FEATURES = LAYOUT_FEATURES + LEXICAL_FEATURES
_GAP_BEFORE = FEATURES.index("gap_before")


#: Running sums over a batch are taken in fixed point (units of 2**-30): integer sums are exact,
#: so what a window of a page's lines sums to does not depend on the pages before it in the
#: batch, and a page is cleaned the same in any batch. Values are at most 2**8 a line.
_FIXED = float(1 << 30)


def _window_mean(values: np.ndarray, lo: np.ndarray, hi: np.ndarray, r: int) -> np.ndarray:
    """Mean of ``values`` over [k - r, k + r] clipped to each line's page [lo, hi)."""
    fixed = np.rint(np.asarray(values, dtype=np.float64) * _FIXED).astype(np.int64)
    cs = np.concatenate((np.zeros(1, dtype=np.int64), np.cumsum(fixed)))
    k = np.arange(len(values))
    a = np.maximum(k - r, lo)
    z = np.minimum(k + r + 1, hi)
    return (cs[z] - cs[a]) / _FIXED / np.maximum(z - a, 1)


def _shift(values: np.ndarray, d: int, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The value of the line ``d`` away in the same page (0 past the page's ends)."""
    k = np.arange(len(values)) + d
    ok = (k >= lo) & (k < hi)
    out = np.zeros(len(values), dtype=np.float64)
    out[ok] = values[k[ok]]
    return out


def _per_page(reduce: np.ufunc, values: np.ndarray, starts: np.ndarray, empty: float) -> np.ndarray:
    """``reduce`` over each page's lines (``empty`` for a page without lines)."""
    n_pages = len(starts) - 1
    out = np.full(n_pages, empty, dtype=np.float64)
    full = starts[:-1] < starts[1:]
    if full.any():
        out[full] = reduce.reduceat(values, starts[:-1][full])
    return out


def _at(b: np.ndarray, where: np.ndarray, seq: bytes) -> np.ndarray:
    """Whether ``seq`` starts at each offset of ``where`` (offsets may be out of range)."""
    hit = np.ones(len(where), dtype=bool)
    for k, byte in enumerate(seq):
        at = where + k
        ok = (at >= 0) & (at < len(b))
        hit &= ok & (b[np.clip(at, 0, max(len(b) - 1, 0))] == byte)
    return hit


def _class_table() -> np.ndarray:
    """Byte -> one column per class counted on every line (a single gather for them all)."""
    columns = (
        ~_SPACE,  # non-space bytes
        _UPPER | _LOWER | _LEAD,  # letters (a multi-byte character counted once)
        _UPPER,
        _DIGIT,
        _LEAD,
        _HIGH & ~_LEAD,  # continuation bytes: bytes minus these is characters
        _PUNCT,
        _table(b","),
        _SEPARATOR,
    )
    return np.stack(columns, axis=1).astype(np.uint8)


_CLASSES = _class_table()

#: Byte classes are counted several at once: each gets a lane of ``_LANE_BITS`` bits in one
#: 64-bit word a byte, so one sum over a line's words counts them all. A lane holds a count up
#: to 2**21 - 1; the rare line of more bytes is counted again class by class.
_LANE_BITS = 21
_LANES = 64 // _LANE_BITS
_LANE_MASK = np.uint64((1 << _LANE_BITS) - 1)


def _pack(columns: np.ndarray) -> list[np.ndarray]:
    """Byte -> 64-bit words holding ``_LANES`` of the table's columns each."""
    out = []
    for first in range(0, columns.shape[1], _LANES):
        word = np.zeros(len(columns), dtype=np.uint64)
        for lane, column in enumerate(columns.T[first : first + _LANES]):
            word |= column.astype(np.uint64) << np.uint64(lane * _LANE_BITS)
        out.append(word)
    return out


_PACKED_CLASSES = _pack(_CLASSES)


def _lane_sums(words: list[np.ndarray], columns: int, seg: np.ndarray) -> np.ndarray:
    """Per-segment sums of the lanes of packed per-byte ``words``, one column a lane."""
    out = np.empty((len(seg), columns), dtype=np.int64)
    for w, word in enumerate(words):
        sums = np.add.reduceat(word, seg) if len(seg) else np.zeros(0, dtype=np.uint64)
        for lane in range(min(_LANES, columns - w * _LANES)):
            out[:, w * _LANES + lane] = (sums >> np.uint64(lane * _LANE_BITS)) & _LANE_MASK
    return out


def _fits_lanes(seg: np.ndarray, n: int) -> bool:
    """Whether every segment (from each start of ``seg`` to the next, the last to ``n``) is
    short enough for its counts to fit a lane."""
    return not len(seg) or int(np.diff(np.append(seg, n)).max()) < 1 << _LANE_BITS


def _class_counts(b: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """The bytes of each class (``_CLASSES``' columns) in each segment of ``b`` (bytes as
    ``intp``: a table indexed by them is gathered twice as fast as by ``uint8``)."""
    if _fits_lanes(seg, len(b)):
        return _lane_sums([word[b] for word in _PACKED_CLASSES], _CLASSES.shape[1], seg)
    return np.add.reduceat(_CLASSES[b], seg, axis=0, dtype=np.int64)


def batch_features(
    texts: list[str],
    ruled: list[list[int]] | None = None,
    lexicon: np.ndarray | None = None,
    headlines: list[int] | None = None,
) -> BatchLines:
    """Features of the non-blank lines of ``texts`` (normalised pages); ``ruled``: the numbers
    of the lines the rule families removed from each page (none when not given); ``lexicon``:
    the weight of every word bucket (``lexicon.py``; without it the words weigh nothing);
    ``headlines``: the number of each page's headline line, -1 for none (none when not
    given)."""
    counts = np.fromiter((t.count("\n") + 1 for t in texts), dtype=np.int64, count=len(texts))
    b = np.frombuffer("\n".join(texts).encode("utf-8", "replace"), dtype=np.uint8)
    nl = np.flatnonzero(b == 10)
    starts = np.concatenate(([0], nl + 1))
    ends = np.concatenate((nl, [len(b)]))
    line_page = np.repeat(np.arange(len(texts)), counts)

    # counts over the non-empty lines (a segment runs on over the empty lines after it, which
    # add only line breaks, counted by no class)
    full = np.flatnonzero(ends > starts)
    seg = starts[full]
    codes = b.astype(np.intp)  # the bytes as indices of the byte tables
    klass = _class_counts(codes, seg)
    keep = klass[:, 0] > 0
    idx, klass, seg = full[keep], klass[keep].astype(np.float64), seg[keep]
    nonspace, letters, upper, digits, leads, conts, punct, commas, seps = klass.T

    space = _SPACE[codes]
    word_start = ~space
    word_start[1:] &= space[:-1]
    ws = np.flatnonzero(word_start)
    # up to the next word, minus a space; a page's last word up to the page's end, as if the
    # page were alone (never into the next page of the batch)
    page_end = ends[np.cumsum(counts) - 1]
    following = np.concatenate((ws[1:], [len(b)]))
    wlen = np.minimum(following, page_end[np.searchsorted(page_end, ws)]) - ws - 1
    short = np.zeros(len(b), dtype=bool)
    short[ws[wlen <= 3]] = True
    n_words = np.add.reduceat(word_start, seg, dtype=np.int64) if len(seg) else np.zeros(0)
    n_short = np.add.reduceat(short, seg, dtype=np.int64) if len(seg) else np.zeros(0)
    n_capital = (
        np.add.reduceat(word_start & _UPPER[codes], seg, dtype=np.int64)
        if len(seg)
        else np.zeros(0)
    )
    w = n_words.astype(np.float64)

    s, e = starts[idx], ends[idx]
    last, prev_last, first = b[e - 1], b[np.maximum(e - 2, s)], b[s]
    wide_end = (
        _at(b, e - 3, "。".encode()) | _at(b, e - 3, "！".encode()) | _at(b, e - 3, "？".encode())
    )
    ellipsis_end = _at(b, e - 3, b"...") | _at(b, e - 3, "…".encode())
    terminal = (_TERMINAL[last] | (_CLOSER[last] & _TERMINAL[prev_last]) | wide_end) & ~ellipsis_end
    url = _at(b, s, b"http") | _at(b, s, b"www.")
    copyright_ = np.zeros(len(b), dtype=bool)
    copyright_[1:] = (b[1:] == 0xA9) & (b[:-1] == 0xC2)
    has_copyright = np.add.reduceat(copyright_, seg) > 0 if len(seg) else np.zeros(0, bool)

    # repeated lines of a page: a hash of the line's length, byte sum and byte-pair sum (of
    # the line's own bytes: a line hashes the same wherever it stands in the batch)
    pairs = np.zeros(len(b), dtype=np.int64)
    pairs[1:] = b[1:].astype(np.int64) * 131 + b[:-1]
    byte_sums = np.concatenate((np.zeros(1, np.int64), np.cumsum(b, dtype=np.int64)))
    pair_prefix = np.concatenate((np.zeros(1, np.int64), np.cumsum(pairs)))
    sums = byte_sums[e] - byte_sums[s]
    pair_sums = pair_prefix[e] - pair_prefix[np.minimum(s + 1, e)]
    page = line_page[idx]
    n_bytes = (e - s).astype(np.int64)
    key = (page * 1_000_003 + n_bytes) * 0x9E3779B1 + sums * 0x85EBCA6B + pair_sums
    _, inverse, dup = np.unique(key, return_inverse=True, return_counts=True)
    repeated = dup[inverse] > 1

    nbytes = n_bytes.astype(np.float64)
    nchars = np.maximum(nbytes - conts, 1)
    wd = np.maximum(w, 1)
    line = {
        "log_bytes": np.log1p(nbytes),
        "log_words": np.log1p(w),
        "letter_share": letters / np.maximum(nonspace - conts, 1),
        "upper_share": upper / np.maximum(letters, 1),
        "digit_share": digits / nchars,
        "high_share": leads / nchars,
        "punct_share": punct / nchars,
        "comma_per_word": commas / wd,
        "mean_word_bytes": nonspace / wd,
        "short_word_share": n_short / wd,
        "capital_word_share": n_capital / wd,
        "terminal": terminal,
        "colon_end": last == 58,
        "ellipsis_end": ellipsis_end,
        "digit_start": _DIGIT[first],
        "upper_start": _UPPER[first],
        "separators": np.log1p(seps),
        "url": url,
        "copyright": has_copyright,
        "repeated": repeated,
    }

    # context over each page's non-blank lines
    page_start = np.searchsorted(page, np.arange(len(texts) + 1))
    lo, hi = page_start[page], page_start[page + 1]
    k = np.arange(len(idx))
    n_page = (hi - lo).astype(np.float64)
    first_line = np.concatenate(([0], np.cumsum(counts)[:-1]))  # of each page, in the batch
    number = idx - np.repeat(first_line, counts)[idx]
    prev_number = _shift(number.astype(np.float64), -1, lo, hi)
    next_number = _shift(number.astype(np.float64), 1, lo, hi)
    is_term = line["terminal"].astype(np.float64)
    prose = ((w >= 10) & line["terminal"]) | (w >= 25)
    prose_f = prose.astype(np.float64)
    prose_words = np.minimum(w, 60) * prose_f
    ctx = {
        "gap_before": (k > lo) & (number - prev_number > 1),
        "gap_after": (k + 1 < hi) & (next_number - number > 1),
        "rel_position": (k - lo) / np.maximum(n_page, 1),
        "log_page_lines": np.log1p(n_page),
        "page_prose_share": _per_page(np.add, prose_f, page_start, 0.0)[page] / n_page,
        "log_page_words": np.log1p(_per_page(np.add, w, page_start, 0.0)[page]),
        "prose": prose,
    }
    density = {}
    for r in (1, 3, 10, 30):
        density[r] = _window_mean(prose_words, lo, hi, r)
        ctx[f"prose_words_w{r}"] = density[r]
        ctx[f"prose_share_w{r}"] = _window_mean(prose_f, lo, hi, r)
    log_w = np.log1p(w)
    for name, d in (("p1", -1), ("n1", 1), ("p2", -2), ("n2", 2)):
        ctx[f"log_words_{name}"] = _shift(log_w, d, lo, hi)
        ctx[f"terminal_{name}"] = _shift(is_term, d, lo, hi)
    last_prose = np.maximum.accumulate(np.where(prose, k, -_BIG))
    next_prose = np.minimum.accumulate(np.where(prose, k, _BIG)[::-1])[::-1]
    ctx["log_dist_prev_prose"] = np.log1p(np.where(last_prose >= lo, k - last_prose, 200))
    ctx["log_dist_next_prose"] = np.log1p(np.where(next_prose < hi, next_prose - k, 200))
    first_prose = _per_page(np.minimum, np.where(prose, k, _BIG), page_start, _BIG)[page]
    final_prose = _per_page(np.maximum, np.where(prose, k, -1), page_start, -1)[page]
    ctx["before_first_prose"] = k < first_prose
    ctx["after_last_prose"] = k > final_prose
    d10 = density[10]
    page_max = _per_page(np.maximum, d10, page_start, 0.0)[page]
    main = _per_page(np.minimum, np.where(d10 >= page_max, k, _BIG), page_start, _BIG)[page]
    ctx["log_dist_main"] = np.log1p(np.abs(k - main))
    ctx["signed_main"] = np.sign(k - main)
    ctx["rel_density10"] = d10 / np.maximum(page_max, 1e-9)

    cs = np.cumsum(prose_words)
    page_before = np.concatenate(([0.0], cs))[page_start[:-1]][page]
    page_total = _per_page(np.add, prose_words, page_start, 0.0)[page]
    ctx["prose_mass_before"] = (cs - prose_words - page_before) / np.maximum(page_total, 1.0)
    core_lo, core_hi = _core(w, prose, page, page_start)
    ctx["in_core"] = (k >= core_lo) & (k <= core_hi)
    ctx["log_dist_core"] = np.log1p(np.maximum(core_lo - k, 0) + np.maximum(k - core_hi, 0))
    ctx["after_core"] = k > core_hi
    ctx["core_share"] = (core_hi - core_lo + 1) / np.maximum(n_page, 1)

    marked = np.zeros(len(starts), dtype=np.float64)
    if ruled is not None:
        hits = [
            first_line[p] + np.asarray(numbers, dtype=np.int64) for p, numbers in enumerate(ruled)
        ]
        if hits:
            marked[np.concatenate(hits)] = 1.0
    marked = marked[idx]
    ctx["ruled"] = marked
    for r in (1, 3, 10):
        ctx[f"ruled_w{r}"] = _window_mean(marked, lo, hi, r)

    # the headline: the article starts under it, menus and section labels stand above it
    head = np.zeros(len(starts), dtype=bool)
    if headlines is not None:
        at = [first_line[p] + n for p, n in enumerate(headlines) if n >= 0]
        if at:
            head[np.asarray(at, dtype=np.int64)] = True
    head = head[idx]
    head_k = _per_page(np.minimum, np.where(head, k, _BIG), page_start, _BIG)[page]
    has_head = head_k < _BIG
    ctx["headline"] = head
    ctx["after_headline"] = has_head & (k > head_k)
    ctx["log_dist_headline"] = np.log1p(np.where(has_head, np.abs(k - head_k), 200))

    ctx["question_end"] = (last == 63) | _at(b, e - 3, "？".encode())
    # stubs: short lines without a sentence end (menu entries, labels, teaser titles)
    stub = ((w <= 4) & ~line["terminal"]).astype(np.float64)
    for r in (3, 10):
        ctx[f"stub_share_w{r}"] = _window_mean(stub, lo, hi, r)
    ctx.update(_blocks(ctx["gap_before"] | (k == lo), w, prose_f))
    ctx.update(_words(b, starts, idx, lo, hi, lexicon))

    columns = {**line, **ctx}
    features = np.empty((len(idx), len(FEATURES)), dtype=np.float32)
    for j, name in enumerate(FEATURES):
        features[:, j] = columns[name]
    return BatchLines(page=page, number=number, page_start=page_start, features=features)


def _words(
    b: np.ndarray,
    starts: np.ndarray,
    idx: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    lexicon: np.ndarray | None,
) -> dict[str, np.ndarray]:
    """``LEXICAL_FEATURES`` of the non-blank lines ``idx`` (of the lines starting at ``starts``)."""
    if lexicon is None:
        mean = np.zeros(len(idx))
    else:
        buckets, word_line = words_by_line(b, starts)
        mean = line_evidence(buckets, word_line, lexicon, len(starts))[idx]
    return {"words_mean": mean, "words_mean_w3": _window_mean(mean, lo, hi, 3)}


def _blocks(starts_block: np.ndarray, w: np.ndarray, prose: np.ndarray) -> dict[str, np.ndarray]:
    """Features of each line's block: the run of non-blank lines it stands in between gaps."""
    block = np.cumsum(starts_block) - 1
    n_blocks = int(block[-1]) + 1 if len(block) else 0
    size = np.bincount(block, minlength=n_blocks).astype(np.float64)
    first = np.flatnonzero(starts_block)
    words = np.bincount(block, weights=w, minlength=n_blocks)
    prose_lines = np.bincount(block, weights=prose, minlength=n_blocks)
    k = np.arange(len(w))
    return {
        "log_block_lines": np.log1p(size)[block],
        "block_mean_words": np.log1p(words / np.maximum(size, 1))[block],
        "block_prose_share": (prose_lines / np.maximum(size, 1))[block],
        "block_rel_position": (k - first[block]) / np.maximum(size[block], 1),
    }


def _core(
    w: np.ndarray, prose: np.ndarray, page: np.ndarray, page_start: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each line's page's main block: the span of lines with the best sum of prose words minus
    short lines."""
    return _best_span(np.where(prose, np.minimum(w, 80) / 10, -0.6), page, page_start)


def _best_span(
    v: np.ndarray, page: np.ndarray, page_start: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """First and last line of the span of each line's page with the largest sum of ``v`` (a
    maximum-sum subarray per page, from running minima of prefix sums). Page by page: a page's
    prefix sums then start at 0 in any batch, so its span does not depend on the batch."""
    starts = np.zeros(len(page_start) - 1, dtype=np.int64)
    ends = np.zeros(len(page_start) - 1, dtype=np.int64)
    for p, (lo, hi) in enumerate(pairwise(page_start.tolist())):
        if hi > lo:
            first, last = _page_span(v[lo:hi])
            starts[p], ends[p] = lo + first, lo + last
    return starts[page], ends[page]


def _page_span(v: np.ndarray) -> tuple[int, int]:
    """The maximum-sum span of one page's lines: (first, last); the earliest such span ends
    first, and starts at the first line where its prefix sum is lowest."""
    cs = np.cumsum(v)
    before = cs - v  # prefix sum before each line (compared as computed: exact)
    low = np.minimum.accumulate(before)
    gain = cs - low
    last = int(np.argmax(gain))
    first = int(np.flatnonzero(before[: last + 1] <= low[last])[0])
    return first, last


def block_bounds(lines: BatchLines) -> tuple[np.ndarray, np.ndarray]:
    """The first line of each line's block and the line after its last (a block: the non-blank
    lines between two gaps). A page without a gap (a dump that prints a block a line, as Common
    Crawl's WET text) has no blocks to go by: each of its lines is a block of its own."""
    k = np.arange(len(lines.page))
    first_of_page = k == lines.page_start[lines.page]
    gap = (lines.features[:, _GAP_BEFORE] > 0) & ~first_of_page
    gapless = np.bincount(lines.page, weights=gap, minlength=len(lines.page_start) - 1) == 0
    starts = gap | first_of_page | gapless[lines.page]
    block = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    after = np.append(first[1:], len(k))
    return first[block], after[block]


def block_mean(values: np.ndarray, lines: BatchLines, r: int) -> np.ndarray:
    """Mean of ``values`` over the lines of each line's block within ``r`` lines of it."""
    lo, hi = block_bounds(lines)
    return _window_mean(values, lo, hi, r)


def score_context(scores: np.ndarray, lines: BatchLines) -> np.ndarray:
    """Features of the second pass: the first pass's scores of a line's neighbourhood."""
    page, page_start = lines.page, lines.page_start
    lo, hi = page_start[page], page_start[page + 1]
    cols = [scores]
    for r in (1, 2, 5, 15):
        cols.append(_window_mean(scores, lo, hi, r))
    for d in (-2, -1, 1, 2):
        cols.append(_shift(scores, d, lo, hi))
    n_page = np.maximum(hi - lo, 1)
    cols.append(_per_page(np.add, scores, page_start, 0.0)[page] / n_page)
    body = (scores > 0.5).astype(np.float64)
    cs = np.concatenate(([0.0], np.cumsum(body)))
    k = np.arange(len(scores))
    cols.append((cs[k] - cs[lo]) / n_page)  # share of body lines before
    cols.append((cs[hi] - cs[k + 1]) / n_page)  # and after
    # the page's main span by these scores: lines weighed by their words, for or against
    v = (scores - 0.5) * (1.0 + lines.features[:, 1])
    span_lo, span_hi = _best_span(v, page, page_start)
    cols.append((k >= span_lo) & (k <= span_hi))
    cols.append(np.log1p(np.maximum(span_lo - k, 0) + np.maximum(k - span_hi, 0)))
    cols.append(np.sign(k - span_lo) + np.sign(k - span_hi))
    cols.append((span_hi - span_lo + 1) / n_page)
    return np.stack(cols, axis=1).astype(np.float32)


SCORE_FEATURES = (
    "score",
    *(f"score_w{r}" for r in (1, 2, 5, 15)),
    "score_p2",
    "score_p1",
    "score_n1",
    "score_n2",
    "page_mean_score",
    "body_before",
    "body_after",
    "in_span",
    "log_dist_span",
    "side_of_span",
    "span_share",
)
