"""The whitespace-separated words of a batch of texts, as ids into the batch's vocabulary.

The analysis of a text works word by word; done page by page in Python that is most of its
cost. Taken for a whole batch at once, each distinct word is looked at once (a batch of pages
has far fewer distinct words than words) and per-word work becomes array work over the ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import count

import numpy as np


@dataclass(frozen=True)
class BatchWords:
    """``texts[i].split()`` for every text of a batch, one after another."""

    #: every word of the batch, the texts' words one after another
    words: list[str]
    #: the distinct words, in the order first seen
    vocab: list[str]
    #: the vocabulary id (index in ``vocab``) of each word of ``words``
    ids: np.ndarray
    #: text i's words are ``words[bounds[i]:bounds[i + 1]]``
    bounds: np.ndarray

    def __len__(self) -> int:
        return len(self.bounds) - 1

    def of(self, i: int) -> list[str]:
        """The words of text i."""
        return self.words[self.bounds[i] : self.bounds[i + 1]]

    @cached_property
    def counts(self) -> np.ndarray:
        """The number of words of each text."""
        return np.diff(self.bounds)

    @cached_property
    def sizes(self) -> np.ndarray:
        """The length of each word of ``vocab``."""
        return np.fromiter(map(len, self.vocab), dtype=np.int64, count=len(self.vocab))

    @cached_property
    def text_of(self) -> np.ndarray:
        """The index of the text each word is in."""
        return np.repeat(np.arange(len(self)), self.counts)

    def per_text(self, values: np.ndarray) -> np.ndarray:
        """The sum over each text's words of an int array with one value per word."""
        total = np.zeros(len(values) + 1, dtype=np.int64)
        np.cumsum(values, out=total[1:])
        return total[self.bounds[1:]] - total[self.bounds[:-1]]


def batch_words(texts: Sequence[str]) -> BatchWords:
    """The words of each text, ``text.split()``."""
    return words_of(text.split() for text in texts)


def words_of(word_lists: Iterable[list[str]]) -> BatchWords:
    """A batch of texts given as their words."""
    words: list[str] = []
    bounds = [0]
    for some in word_lists:
        words += some
        bounds.append(len(words))
    # one pass of dict lookups: each word gets the position where it was first seen...
    first: dict[str, int] = {}
    seen_at = np.fromiter(map(first.setdefault, words, count()), dtype=np.int64, count=len(words))
    # ...which is numbered in order of those positions
    new = seen_at == np.arange(len(words))
    vocab = [words[i] for i in np.flatnonzero(new).tolist()]
    ids = (np.cumsum(new) - 1)[seen_at]
    return BatchWords(words, vocab, ids, np.array(bounds, dtype=np.int64))
