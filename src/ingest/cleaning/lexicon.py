"""Words as evidence of body text or boilerplate: a learned weight for every hashed word.

A word is a run of ASCII letters and digits or of non-ASCII bytes (ASCII lower-cased), hashed
into one of ``2**BUCKET_BITS`` buckets. The lexicon holds a log-odds weight per bucket: how much
more often the word stands in body lines than in boilerplate lines, counted in sites (a word
counts once per site and label), so that one site's menu does not make its words boilerplate
everywhere; a word counted fewer than ``MIN_SITES`` times so weighs nothing. The line model reads
the mean word weight of each line and of the lines around it.

Hashing is vectorised over the words of a whole batch: a polynomial hash of a word's length, its
first ``HEAD_BYTES`` bytes and, for a longer word, its last ``TAIL_BYTES``, a step per byte
position for all the words that reach it at once.
"""

from __future__ import annotations

import numpy as np

BUCKET_BITS = 18
MIN_SITES = 3
#: a word is hashed by its length, its first bytes and (when longer) its last ones
HEAD_BYTES = 12
TAIL_BYTES = 4
_P = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SHIFT = np.uint64(64 - BUCKET_BITS)

_LOWER = np.arange(256, dtype=np.uint64)
_LOWER[65:91] += 32
_WORD_BYTE = np.zeros(256, dtype=bool)
_WORD_BYTE[48:58] = _WORD_BYTE[65:91] = _WORD_BYTE[97:123] = _WORD_BYTE[128:] = True
_HASHED = HEAD_BYTES + TAIL_BYTES
#: the product that stands for the 0 bytes a word of ``i`` hashed bytes (head and tail) lacks
_PAST_END = np.array([pow(int(_P), _HASHED - i, 1 << 64) for i in range(_HASHED + 1)], np.uint64)


def word_buckets(b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The bucket and start offset of every word of the UTF-8 bytes ``b``."""
    word = _WORD_BYTE[b]
    before = np.concatenate(([False], word[:-1]))
    after = np.concatenate((word[1:], [False]))
    starts = np.flatnonzero(word & ~before)
    lengths = np.flatnonzero(word & ~after) + 1 - starts
    if not len(starts):
        return np.zeros(0, dtype=np.int64), starts
    # the words longest first (a linear sort of small keys): the words still going at a byte
    # position are then a prefix, and each step reads only them
    clipped = np.minimum(lengths, HEAD_BYTES + 1)
    order = np.argsort((HEAD_BYTES + 1 - clipped).astype(np.uint8), kind="stable")
    first, size = starts[order], lengths[order]
    # going[k]: how many words are longer than k bytes
    going = np.searchsorted(-clipped[order], -np.arange(HEAD_BYTES + 1), side="left")
    with np.errstate(over="ignore"):  # arithmetic modulo 2**64
        hashed = size.astype(np.uint64) * _MIX
        # the first bytes of every word, then the last ones of the longer words
        for k in range(HEAD_BYTES):
            head = hashed[: going[k]]
            head *= _P
            head += _LOWER[b[first[: going[k]] + k]]
        longer = going[HEAD_BYTES]
        for k in range(1, TAIL_BYTES + 1):
            tail = hashed[:longer]
            tail *= _P
            tail += _LOWER[b[first[:longer] + size[:longer] - k]]
        # a word's steps past its end each add a 0 byte: one product for them all
        hashed *= _PAST_END[np.minimum(size, HEAD_BYTES) + (size > HEAD_BYTES) * TAIL_BYTES]
        buckets = np.empty(len(starts), dtype=np.int64)
        buckets[order] = ((hashed * _MIX) >> _SHIFT).astype(np.int64)
    return buckets, starts


def words_by_line(b: np.ndarray, line_starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The bucket of every word of ``b`` and the line it stands in (lines start at
    ``line_starts``)."""
    buckets, starts = word_buckets(b)
    return buckets, np.searchsorted(line_starts, starts, side="right") - 1


def line_evidence(
    buckets: np.ndarray, word_line: np.ndarray, lexicon: np.ndarray, n_lines: int
) -> np.ndarray:
    """The mean weight of the words of each line (``word_line``: the line of each word,
    0..n_lines-1); 0 for a line without words."""
    count = np.bincount(word_line, minlength=n_lines)
    total = np.bincount(word_line, weights=lexicon[buckets], minlength=n_lines)
    return total / np.maximum(count, 1)


def fit_lexicon(
    buckets: np.ndarray, body: np.ndarray, sites: np.ndarray, smoothing: float = 1.0
) -> np.ndarray:
    """The weight of every bucket from words (``buckets``), whether each stands in a body line
    (``body``) and its site (``sites``, small non-negative integers)."""
    size = 1 << BUCKET_BITS
    key = (sites.astype(np.int64) * size + buckets) * 2 + body.astype(np.int64)
    seen = np.unique(key)  # each (site, word, label) once
    label, bucket = seen & 1, (seen >> 1) % size
    in_body = np.bincount(bucket[label == 1], minlength=size).astype(np.float64)
    in_boilerplate = np.bincount(bucket[label == 0], minlength=size).astype(np.float64)
    weight = np.log((in_body + smoothing) / (in_body.sum() + smoothing)) - np.log(
        (in_boilerplate + smoothing) / (in_boilerplate.sum() + smoothing)
    )
    weight[in_body + in_boilerplate < MIN_SITES] = 0.0
    return weight.astype(np.float32)
