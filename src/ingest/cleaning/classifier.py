"""A tiny learned line classifier: logistic regression over structural features of a line and
its neighbours, scored in pure Python. Weights live in ``line_model.json`` next to this file and
are trained by ``scripts/train_line_model.py`` (labels come for free: what trafilatura keeps
from a page's HTML marks the body lines of the same page's text rendering).

It runs after the rule families, on the lines they kept, and removes lines under
``model.boilerplate``: navigation, footers, sidebars and link lists that no phrase names.
"""

from __future__ import annotations

import json
import math
import operator
import re
from functools import cache
from importlib import resources

from ingest.cleaning import vocab
from ingest.cleaning.rules import Page

STOPWORDS = vocab.words("stopwords", "stopword")
_SEPARATORS = ("|", "»", "›", " > ", "•", "·")
_SEPARATOR = re.compile("|".join(map(re.escape, _SEPARATORS)))
_DIGIT = re.compile(r"\d")
_PUNCT = ".,;:!?\"'()„“”«»"

BASE_FEATURES = (
    "bias",
    "log_words",
    "words_le2",
    "words_le5",
    "words_le10",
    "words_le20",
    "terminal",
    "ellipsis",
    "colon",
    "bullet",
    "has_url",
    "caps",
    "upper",
    "has_digit",
    "prose",
    "repeated",
    "position",
    "before_core",
    "after_core",
    "log_dist_core",
    "log_dist_prose",
    "prev_prose",
    "next_prose",
    "log_prev_words",
    "log_next_words",
    "gap_before",
    "gap_after",
    "density3",
    "density10",
    "log_short_run",
    "stopword_density",
    "page_prose_share",
    "log_page_lines",
    "separators",
    "log_word_length",
    "prev_removed",
    "next_removed",
    "removed_density3",
    "short_outside_core",
    "short_x_density3",
    "stop_x_short",
)
#: every feature but the bias, also multiplied by the page's share of prose lines: one linear
#: model then serves whole-page renderings (few prose lines) and extracted text (mostly prose)
FEATURES = BASE_FEATURES + tuple(f"{name}_x_share" for name in BASE_FEATURES[1:])


@cache
def load_model() -> tuple[tuple[float, ...], float, float]:
    """The shipped weights (in ``FEATURES`` order), the decision threshold, and the largest
    share of prose lines of a page the model runs on (above it the page is extracted text)."""
    text = resources.files(__package__).joinpath("line_model.json").read_text(encoding="utf-8")
    data = json.loads(text)
    weights = data["weights"]
    return (
        tuple(float(weights.get(name, 0.0)) for name in FEATURES),
        float(data["threshold"]),
        float(data.get("max_prose_share", 1.0)),
    )


def _core(page: Page) -> tuple[int, int]:
    """The main text region: the span of lines with the best sum of prose words minus short
    lines (a maximum-sum subarray)."""
    best, best_span = 0.0, (page.n, -1)
    run, start = 0.0, 0
    for line in page.lines:
        score = min(line.n_words, 80) / 10 if line.prose else -0.6
        if run <= 0:
            run, start = score, line.index
        else:
            run += score
        if run > best:
            best, best_span = run, (start, line.index)
    return best_span


def features(page: Page, *, skip_removed: bool = False) -> list[list[float] | None]:
    """Feature vectors of all lines of the page, in ``FEATURES`` order."""
    if not page.n:
        return []
    share = sum(line.prose for line in page.lines) / page.n
    rows = _rows(page, share, skip_removed=skip_removed)
    return [row if row is None else row + [v * share for v in row[1:]] for row in rows]


def _rows(page: Page, page_prose: float, *, skip_removed: bool = True) -> list[list[float] | None]:
    """Base feature vectors (``BASE_FEATURES`` order) of the lines of the page."""
    lines = page.lines
    n = page.n
    if not n:
        return []
    log = math.log1p
    prose = [1.0 if line.prose else 0.0 for line in lines]
    removed = [0.0 if mark is None else 1.0 for mark in page.marks]
    cum_prose = [0.0]
    cum_removed = [0.0]
    for p, r in zip(prose, removed, strict=True):
        cum_prose.append(cum_prose[-1] + p)
        cum_removed.append(cum_removed[-1] + r)

    def window(cum: list[float], i: int, k: int) -> float:
        lo, hi = max(0, i - k), min(n, i + k + 1)
        return (cum[hi] - cum[lo]) / (hi - lo)

    # distance to the nearest prose line, both directions
    dist = [float(n)] * n
    last = None
    for i in range(n):
        if prose[i]:
            last = i
        if last is not None:
            dist[i] = i - last
    last = None
    for i in range(n - 1, -1, -1):
        if prose[i]:
            last = i
        if last is not None:
            dist[i] = min(dist[i], last - i)
    # length of the run of non-prose lines each line stands in
    runs = [0] * n
    i = 0
    while i < n:
        if prose[i]:
            i += 1
            continue
        j = i
        while j < n and not prose[j]:
            j += 1
        for k in range(i, j):
            runs[k] = j - i
        i = j
    core_start, core_end = _core(page)
    log_lines = log(n)
    rows = []
    is_stop = STOPWORDS.__contains__
    strip = str.strip
    for i, line in enumerate(lines):
        if skip_removed and page.marks[i] is not None:
            rows.append(None)
            continue
        w = line.n_words
        short = 0.0 if line.prose else 1.0
        toks = line.lower.split()
        stop = sum(map(is_stop, [strip(t, _PUNCT) for t in toks])) / len(toks)
        before = i < core_start
        after = i > core_end
        outside = core_start - i if before else (i - core_end if after else 0)
        density3 = window(cum_prose, i, 3)
        prev_line = lines[i - 1] if i else None
        next_line = lines[i + 1] if i + 1 < n else None
        text = line.text
        row = [
            1.0,
            log(w),
            1.0 if w <= 2 else 0.0,
            1.0 if w <= 5 else 0.0,
            1.0 if w <= 10 else 0.0,
            1.0 if w <= 20 else 0.0,
            1.0 if line.terminal else 0.0,
            1.0 if line.ellipsis else 0.0,
            1.0 if line.colon else 0.0,
            1.0 if line.bullet else 0.0,
            1.0 if ("http" in line.lower or "www." in line.lower) else 0.0,
            line.caps,
            line.upper,
            1.0 if _DIGIT.search(text) else 0.0,
            prose[i],
            1.0 if line.repeats > 1 else 0.0,
            i / n,
            1.0 if before else 0.0,
            1.0 if after else 0.0,
            log(outside),
            log(dist[i]),
            prose[i - 1] if i else 0.0,
            prose[i + 1] if i + 1 < n else 0.0,
            log(prev_line.n_words) if prev_line else 0.0,
            log(next_line.n_words) if next_line else 0.0,
            1.0 if line.gap_before else 0.0,
            1.0 if line.gap_after else 0.0,
            density3,
            window(cum_prose, i, 10),
            log(runs[i]),
            stop,
            page_prose,
            log_lines,
            1.0 if _SEPARATOR.search(text) else 0.0,
            log(line.chars / w),
            removed[i - 1] if i else 1.0,
            removed[i + 1] if i + 1 < n else 1.0,
            window(cum_removed, i, 3),
            short * (1.0 if outside else 0.0),
            short * density3,
            stop * short,
        ]
        rows.append(row)
    return rows


@cache
def _folded_weights() -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The weights of the base features and of their ``_x_share`` copies, apart: a line's score
    is ``base . row + share * (cross . row)``, so the copies need not be built per line."""
    weights = load_model()[0]
    k = len(BASE_FEATURES)
    return weights[:k], (0.0, *weights[k:])


def boilerplate_probabilities(page: Page) -> list[float]:
    """The model's probability that each line of the page is boilerplate (1.0 for lines the
    rules removed already)."""
    base, cross = _folded_weights()
    n = page.n
    if not n:
        return []
    shares = sum(line.prose for line in page.lines) / n
    folded = [b + shares * c for b, c in zip(base, cross, strict=True)]
    out = []
    exp = math.exp
    for row in _rows(page, shares):
        if row is None:
            out.append(1.0)
            continue
        z = sum(map(operator.mul, folded, row))
        out.append(1.0 / (1.0 + exp(-z)) if z > -30 else 0.0)
    return out


def apply(page: Page, threshold: float | None = None) -> None:
    """Mark the kept lines the model judges boilerplate."""
    if not page.allowed("model.boilerplate"):
        return
    _, default, max_prose_share = load_model()
    if sum(line.gap_before for line in page.lines) < MIN_BLANK_LINES:
        return  # (almost) no blank lines: extracted text (one paragraph a line), not a rendering
    kept = [line for line in page.lines if page.marks[line.index] is None]
    if not kept or sum(line.prose for line in kept) / len(kept) > max_prose_share:
        return  # mostly paragraphs already: extracted text, or a page without chrome
    limit = default if threshold is None else threshold
    marked = [
        i
        for i, p in enumerate(boilerplate_probabilities(page))
        if p > limit and page.mark(i, "model.boilerplate")
    ]
    _restore_between_paragraphs(page, marked)


#: fewer blank lines than this: the page is extracted text (trafilatura writes one paragraph a
#: line), where the model is not applied
MIN_BLANK_LINES = 3

#: the longest run of lines between two body paragraphs that is kept as part of the body
MAX_INNER_RUN = 30


def _restore_between_paragraphs(page: Page, marked: list[int]) -> None:
    """Body text is sacred: lines the model removed that stand between two kept body
    paragraphs (subheadings, lists, short paragraphs of the article) are kept after all."""
    done = set()
    for i in marked:
        if i in done:
            continue
        start = end = i
        while start > 0 and page.marks[start - 1] == "model.boilerplate":
            start -= 1
        while end + 1 < page.n and page.marks[end + 1] == "model.boilerplate":
            end += 1
        done.update(range(start, end + 1))
        if (
            end - start < MAX_INNER_RUN
            and _kept_prose(page, start - 1, -1)
            and _kept_prose(page, end + 1, 1)
        ):
            for k in range(start, end + 1):
                page.marks[k] = None


def _kept_prose(page: Page, i: int, step: int, reach: int = 12) -> bool:
    """Whether a kept body paragraph comes next from line ``i`` in direction ``step``, over
    kept lines only (at most ``reach`` of them)."""
    for _ in range(reach):
        if not page.kept(i):
            return False
        if page.lines[i].prose:
            return True
        i += step
    return False
