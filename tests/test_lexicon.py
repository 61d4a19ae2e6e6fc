"""Word weights: hashing words of a batch at once, line evidence, and learning the weights."""

import numpy as np

from ingest.cleaning.features import LEXICAL_FEATURES, batch_features
from ingest.cleaning.lexicon import (
    BUCKET_BITS,
    HEAD_BYTES,
    TAIL_BYTES,
    fit_lexicon,
    line_evidence,
    word_buckets,
)
from ingest.cleaning.line_model import load_model


def words(text: str) -> tuple[list[int], list[str]]:
    data = text.encode("utf-8")
    buckets, starts = word_buckets(np.frombuffer(data, dtype=np.uint8))
    spans = [data[s:].split(b" ")[0].decode("utf-8", "replace") for s in starts.tolist()]
    return buckets.tolist(), spans


def test_a_word_hashes_the_same_wherever_it_stands_and_in_any_ascii_case():
    buckets, spans = words("Harbour news: harbour, HARBOUR! (harbour) Grüße grüße")
    assert spans[0] == "Harbour" and len(buckets) == 7
    assert buckets[0] == buckets[2] == buckets[3] == buckets[4]
    assert buckets[1] != buckets[0]  # "news"
    assert buckets[5] == buckets[6]  # "Grüße" and "grüße": only ASCII letters are folded


def test_words_are_runs_of_letters_digits_and_non_ascii():
    buckets, _ = words("a-b c_d 2024 日本語")
    assert len(buckets) == 6  # a, b, c, d, 2024, 日本語
    assert all(0 <= b < 1 << BUCKET_BITS for b in buckets)
    assert words("") == ([], []) and words("... --- !!!") == ([], [])


def test_line_evidence_is_the_mean_weight_of_each_lines_words():
    lexicon = np.zeros(1 << BUCKET_BITS, dtype=np.float32)
    lexicon[[3, 5, 7]] = [1.0, -2.0, 4.0]
    got = line_evidence(np.array([3, 5, 7, 7]), np.array([0, 0, 0, 2]), lexicon, 3)
    assert got.tolist() == [1.0, 0.0, 4.0]


def test_weights_count_sites_not_lines():
    # word 1: body on three sites; word 2: boilerplate on three sites; word 3: boilerplate
    # a hundred times on one site only
    buckets = np.array([1, 1, 1, 2, 2, 2] + [3] * 100 + [4, 4, 4, 4])
    body = np.array([1, 1, 1, 0, 0, 0] + [0] * 100 + [1, 0, 1, 0], dtype=bool)
    sites = np.array([0, 1, 2, 0, 1, 2] + [0] * 100 + [0, 1, 2, 3])
    weight = fit_lexicon(buckets, body, sites)
    assert weight[1] > 0 > weight[2]
    assert weight[3] == 0.0  # one site's menu teaches nothing
    assert weight[4] != 0.0 and abs(weight[4]) < abs(weight[1])  # both ways: weak evidence


def test_the_shipped_lexicon_tells_a_signup_box_from_a_sentence():
    page = (
        "Subscribe to our newsletter\n\n"
        "The harbour board voted on Tuesday to rebuild the old pier before the winter storms."
    )
    lines = batch_features([page], lexicon=load_model().lexicon)
    mean = lines.features[:, -len(LEXICAL_FEATURES)]
    assert mean[0] < mean[1] - 0.5  # a signup box reads as boilerplate, a report as body


def test_a_word_hashes_the_same_beside_short_or_long_words():
    alone, _ = words("the")
    beside, _ = words("the extraordinarily")
    assert alone[0] == beside[0]


def reference_bucket(word: bytes) -> int:
    """The hash as defined, one word at a time: its length, its first ``HEAD_BYTES`` bytes
    (0 past its end), then its last ``TAIL_BYTES`` when longer (else 0s), ASCII lower-cased."""
    mod, p, mix = 1 << 64, 0x100000001B3, 0x9E3779B97F4A7C15
    low = word.lower()
    h = len(word) * mix % mod
    for k in range(HEAD_BYTES):
        h = (h * p + (low[k] if k < len(low) else 0)) % mod
    for k in range(1, TAIL_BYTES + 1):
        h = (h * p + (low[len(low) - k] if len(low) > HEAD_BYTES else 0)) % mod
    return (h * mix % mod) >> (64 - BUCKET_BITS)


def test_every_word_hashes_as_defined_whatever_its_length():
    text = "a Ab the Harbour extraordinarily 2024 x" + " bc" * 3 + " Grüße " + "w" * 40
    buckets, spans = words(text)
    assert [reference_bucket(s.encode()) for s in spans] == list(buckets)
