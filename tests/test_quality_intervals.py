"""Site-bootstrap intervals of the bench scores (benchmarks/site_bootstrap.py), against the
bench's own score.py (../shared/bench, or $INGEST_BENCH_DIR)."""

import importlib
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]


def _modules():
    if str(REPO / "benchmarks") not in sys.path:
        sys.path.insert(0, str(REPO / "benchmarks"))
    quality = importlib.import_module("quality")
    return quality.score_module(), importlib.import_module("site_bootstrap")


BODY = "The council approved the new budget on Tuesday after a long debate about the schools."
MORE = "Residents will see the first changes in the spring, when the new bus routes start."
GOLD = {
    "a1": {"text": f"{BODY}\n\n{MORE}"},
    "a2": {"text": BODY},
    "b1": {"text": MORE},
    "c1": {"text": f"{MORE}\n\n{BODY}"},
    "s1": {"with": ["new budget", "bus routes"], "without": ["Sign up", "Share this"]},
    "s2": {"with": ["the schools"], "without": ["Cookie settings"]},
}
SITES = {"a1": "a.org", "a2": "a.org", "b1": "b.org", "c1": "c.org", "s1": "s.org", "s2": "t.org"}
GOOD = {
    "a1": f"{BODY}\n{MORE}",
    "a2": BODY,
    "b1": f"{MORE}\nSign up for our newsletter to get the news.",
    "c1": MORE,
    "s1": "the new budget and bus routes. Share this",
    "s2": "the schools",
}
WORSE = {
    "a1": f"{BODY}\nMenu Home News Sport Weather Contact About us Jobs",
    "a2": f"{BODY}\nSign up for our newsletter to get the news every morning.",
    "b1": "Sign up for our newsletter to get the news.",
    "c1": "Cookie settings Accept all Reject all Manage preferences here",
    "s1": "Sign up. Share this. new budget",
    "s2": "Cookie settings",
}


def _stats(score, boot, preds):
    ids = sorted(GOLD)
    return boot.page_stats(score, GOLD, preds, ids), [SITES[i] for i in ids]


@pytest.mark.parametrize("preds", [GOOD, WORSE])
def test_every_site_once_gives_the_bench_score(preds):
    score, boot = _modules()
    stats, _ = _stats(score, boot, preds)
    once = np.ones((1, len(GOLD)))
    text = score.score_text(GOLD, preds)["f1"]
    snippets = score.score_snippets(GOLD, preds)["f1"]
    assert boot._figures(stats, once, "text")[0] == pytest.approx(text)
    assert boot._figures(stats, once, "snippets")[0] == pytest.approx(snippets)


def test_interval_holds_the_score_and_draws_whole_sites():
    score, boot = _modules()
    stats, sites = _stats(score, boot, GOOD)
    low, high = boot.interval(stats, sites, "text")
    assert low <= score.score_text(GOLD, GOOD)["f1"] <= high
    assert low < high  # sites differ, so draws differ
    weights = boot._site_weights(sites, 50, boot.SEED)
    # both pages of a.org are drawn together, as often as each other
    assert np.array_equal(weights[:, 0], weights[:, 1])
    assert (weights.sum(1) > 0).all()


def test_paired_difference():
    score, boot = _modules()
    good, sites = _stats(score, boot, GOOD)
    worse, _ = _stats(score, boot, WORSE)
    assert boot.interval(good, sites, "text", baseline=good) == (0.0, 0.0)
    low, _ = boot.interval(good, sites, "text", baseline=worse)
    assert low > 0  # better on every site: above in every draw
    _, high = boot.interval(worse, sites, "snippets", baseline=good)
    assert high < 0
