"""How far a bench score could move with other sites: a bootstrap over the sites of the pages.

A set's test part holds a few dozen to a few hundred pages from fewer sites, and pages of one
site fail together; a score's interval is therefore taken by drawing sites (with all their
pages) with replacement, ``ROUNDS`` times with a fixed seed, and scoring each draw as the bench's
``score.py`` scores a set: main-text F1 from the mean precision and the mean recall over pages
(``score_text``), snippet F1 from the pooled snippet counts (``score_snippets``). The difference
of two systems on the same pages is drawn the same way (paired), which says whether one is above
the other or the gap is within what other sites would change.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import numpy as np

ROUNDS = 2000
SEED = 20261202
#: the interval's coverage
LEVEL = 0.95


@dataclass(frozen=True)
class PageStats:
    """Per page of one system's output, in page order: main-text precision and recall (NaN
    where ``score_text`` leaves the page out of the mean), snippet counts."""

    precision: np.ndarray
    recall: np.ndarray
    hits: np.ndarray
    misses: np.ndarray
    leaks: np.ndarray


def page_stats(score: ModuleType, gold: dict, preds: dict[str, str], ids: list[str]) -> PageStats:
    """What ``score.score_text`` and ``score.score_snippets`` count, page by page."""
    n = len(ids)
    precision, recall = np.full(n, np.nan), np.full(n, np.nan)
    hits, misses, leaks = np.zeros(n), np.zeros(n), np.zeros(n)
    for k, page in enumerate(ids):
        item = gold[page]
        if item.get("text"):
            tp, fp, fn = score.page_counts(item["text"], preds.get(page))
            if tp + fp > 0:
                precision[k] = tp / (tp + fp)
            if tp + fn > 0:
                recall[k] = tp / (tp + fn)
        if item.get("with") or item.get("without"):
            out = score.norm(preds.get(page))
            found = sum(score.norm(w) in out for w in item["with"])
            hits[k], misses[k] = found, len(item["with"]) - found
            leaks[k] = sum(bool(out) and score.norm(w) in out for w in item["without"])
    return PageStats(precision, recall, hits, misses, leaks)


def _site_weights(sites: list[str], rounds: int, seed: int) -> np.ndarray:
    """rounds x pages: how often each page's site is drawn in each round."""
    names = {name: k for k, name in enumerate(sorted(set(sites)))}
    index = np.array([names[s] for s in sites])
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(names), size=(rounds, len(names)))
    counts = np.stack([np.bincount(row, minlength=len(names)) for row in draws])
    return counts[:, index].astype(np.float64)


def _figures(stats: PageStats, weights: np.ndarray, kind: str) -> np.ndarray:
    """The set's figure (main-text or snippet F1) under each round's page weights; NaN for a
    round that drew no page with that kind of gold."""
    with np.errstate(invalid="ignore", divide="ignore"):
        if kind == "text":
            p_ok, r_ok = ~np.isnan(stats.precision), ~np.isnan(stats.recall)
            p = (weights * np.nan_to_num(stats.precision)).sum(1) / (weights * p_ok).sum(1)
            r = (weights * np.nan_to_num(stats.recall)).sum(1) / (weights * r_ok).sum(1)
            f1 = np.where(p + r > 0, 2 * p * r / (p + r), 0.0)
            return np.where((weights * (p_ok | r_ok)).sum(1) > 0, f1, np.nan)
        tp, fn, fp = (weights @ stats.hits, weights @ stats.misses, weights @ stats.leaks)
        return np.where(tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), np.nan)


def interval(
    stats: PageStats,
    sites: list[str],
    kind: str,
    baseline: PageStats | None = None,
    rounds: int = ROUNDS,
) -> tuple[float, float]:
    """The ``LEVEL`` interval of the ``kind`` ("text" or "snippets") F1 over site draws; with
    ``baseline`` (another system on the same pages), of the difference to it."""
    weights = _site_weights(sites, rounds, SEED)
    values = _figures(stats, weights, kind)
    if baseline is not None:
        values = values - _figures(baseline, weights, kind)
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.nanpercentile(values, [tail, 100 - tail])
    return float(low), float(high)
