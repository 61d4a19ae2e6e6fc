"""The learned line model: gradient-boosted trees and a GRU over the lines of a batch.

The first pass scores each non-blank line from its own features, its context (windows of
prose density, neighbours, distance to the main block, position) and what its words say (a
learned lexicon of word weights, shipped with the forests); the second pass reads the
first pass's scores of the line's neighbourhood (stacking). A bidirectional GRU reads the same
features page by page, in order (``sequence.py``); a line's body probability is the mean of
the trees' and the GRU's. All are trained by ``scripts/train_cleaner.py`` and ship in
``line_model.npz`` next to this file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ingest.cleaning.features import (
    FEATURES,
    SCORE_FEATURES,
    BatchLines,
    block_mean,
    score_context,
)
from ingest.cleaning.sequence import ARRAYS as SEQUENCE_ARRAYS
from ingest.cleaning.sequence import SequenceModel
from ingest.cleaning.trees import Forest

MODEL_FILE = "line_model.npz"
#: a line's probability is drawn toward the mean of its block (the lines between the gaps around
#: it, up to ``BLOCK_REACH`` lines away) by this share: a menu or a footer goes or stays whole
BLOCK_SHARE = 0.85
BLOCK_REACH = 10


@dataclass(frozen=True, slots=True)
class LineModel:
    first: Forest
    second: Forest
    #: a line is boilerplate when its body probability is below this
    threshold: float
    #: the weight of every word bucket (``lexicon.py``)
    lexicon: np.ndarray
    sequence: SequenceModel

    def body_probability(self, lines: BatchLines) -> np.ndarray:
        """The probability that each non-blank line of the batch is body text."""
        if not len(lines.page):
            return np.zeros(0)
        first = self.first.probability(lines.features)
        context = score_context(first, lines)
        trees = self.second.probability(np.hstack([lines.features, context]))
        body = 0.5 * (trees + self.sequence.probability(lines.features, lines.page_start))
        return (1.0 - BLOCK_SHARE) * body + BLOCK_SHARE * block_mean(body, lines, BLOCK_REACH)

    def save(self, path) -> None:
        np.savez_compressed(
            path,
            **self.first.to_arrays("first_"),
            **self.second.to_arrays("second_"),
            threshold=np.array([self.threshold]),
            lexicon=self.lexicon,
            **self.sequence.to_arrays("gru_"),
            features=np.array(FEATURES + SCORE_FEATURES),
        )


@cache
def load_model() -> LineModel:
    """The shipped model."""
    with resources.files(__package__).joinpath(MODEL_FILE).open("rb") as handle:
        return read_model(handle)


def read_model(source: BinaryIO | str | Path) -> LineModel:
    """A model saved by :meth:`LineModel.save`."""
    arrays = dict(np.load(source, allow_pickle=False))
    if tuple(arrays["features"]) != FEATURES + SCORE_FEATURES:
        raise RuntimeError(f"{MODEL_FILE} was trained on other features: retrain it")
    if not all(f"gru_{name}" in arrays for name in SEQUENCE_ARRAYS):
        raise RuntimeError(f"{MODEL_FILE} was saved without the GRU: retrain it")
    return LineModel(
        first=Forest.from_arrays(arrays, "first_"),
        second=Forest.from_arrays(arrays, "second_"),
        threshold=float(arrays["threshold"][0]),
        lexicon=arrays["lexicon"].astype(np.float32),
        sequence=SequenceModel.from_arrays(arrays, "gru_"),
    )
