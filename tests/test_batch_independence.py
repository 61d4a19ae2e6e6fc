"""A page is cleaned the same whatever else is in its batch: the line model's features and
scores of a page alone equal its features and scores among other pages."""

import gzip

import numpy as np
from conftest import SHARED

from ingest.cleaning import PageText, clean_pages
from ingest.cleaning.cleaner import body_probabilities
from ingest.cleaning.features import batch_features
from ingest.cleaning.line_model import load_model
from ingest.normalising import normalise

DEVSET_TEXT = SHARED / "bench" / "devset" / "text"


def pages(count: int) -> list[str]:
    paths = sorted(DEVSET_TEXT.glob("*.txt.gz"))[:count]
    texts = [normalise(gzip.decompress(p.read_bytes()).decode("utf-8", "replace")) for p in paths]
    # and pages whose edges differ: trailing blank lines, a short last word, a repeated first line
    return [*texts, "Top\n\nTop\nA line ends in a cat", "", "word\n\n\n", texts[0] + "\n\n\nend"]


def test_a_pages_features_and_scores_do_not_depend_on_its_batch() -> None:
    texts = pages(60)
    lexicon = load_model().lexicon
    together = batch_features(texts, lexicon=lexicon)
    lines, scores = body_probabilities(texts)
    for i, text in enumerate(texts):
        alone = batch_features([text], lexicon=lexicon)
        mine = together.page == i
        assert np.array_equal(together.features[mine], alone.features), i
        assert np.array_equal(scores[lines.page == i], body_probabilities([text])[1]), i


def test_a_page_is_cleaned_the_same_alone_and_in_a_batch() -> None:
    texts = pages(60)
    batch = clean_pages([PageText(text) for text in texts])
    for text, result in zip(texts, batch, strict=True):
        alone = clean_pages([PageText(text)])[0]
        assert result.text == alone.text
        assert result.removed == alone.removed
