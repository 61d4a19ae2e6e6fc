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
import re
from functools import cache
from importlib import resources
from itertools import accumulate, pairwise, repeat
from operator import attrgetter

from ingest.cleaning import vocab
from ingest.cleaning.lines import Line
from ingest.cleaning.rules import Page

STOPWORDS = vocab.words("stopwords", "stopword")
_SEPARATORS = ("|", "»", "›", " > ", "•", "·")
_SEPARATOR = re.compile("|".join(map(re.escape, _SEPARATORS)))
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
def load_model() -> tuple[tuple[float, ...], float]:
    """The shipped weights (in ``FEATURES`` order) and the decision threshold."""
    text = resources.files(__package__).joinpath("line_model.json").read_text(encoding="utf-8")
    data = json.loads(text)
    weights = data["weights"]
    return tuple(float(weights.get(name, 0.0)) for name in FEATURES), float(data["threshold"])


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


class _Context:
    """What the features of a line read from the rest of the page, computed once a page."""

    __slots__ = (
        "core_end",
        "core_start",
        "cum_prose",
        "cum_removed",
        "dist",
        "n",
        "prose",
        "removed",
        "runs",
    )

    def __init__(self, page: Page) -> None:
        n = self.n = page.n
        self.prose = prose = [1.0 if line.prose else 0.0 for line in page.lines]
        self.removed = removed = [0.0 if mark is None else 1.0 for mark in page.marks]
        self.cum_prose = list(accumulate(prose, initial=0.0))
        self.cum_removed = list(accumulate(removed, initial=0.0))
        self.dist, self.runs = _prose_gaps(page.lines)
        self.core_start, self.core_end = _core(page) if n else (0, -1)

    def window(self, cum: list[float], i: int, k: int) -> float:
        """The mean of a 0/1 line value over lines ``i - k`` to ``i + k`` (within the page)."""
        lo = i - k if i > k else 0
        hi = i + k + 1
        if hi > self.n:
            hi = self.n
        return (cum[hi] - cum[lo]) / (hi - lo)


def _prose_gaps(lines: list[Line]) -> tuple[list[int], list[int]]:
    """For each line, the distance to the nearest prose line either way (the line count if
    none) and the length of the run of non-prose lines it stands in (0 for prose lines); built
    a gap between prose lines at a time."""
    n = len(lines)
    at = [i for i, line in enumerate(lines) if line.prose]
    if not at:
        return [n] * n, [n] * n
    first, last = at[0], at[-1]
    dist = list(range(first, 0, -1))
    runs = [first] * first
    for a, b in pairwise(at):
        gap = b - a - 1
        dist.append(0)
        dist.extend(range(1, (gap + 1) // 2 + 1))
        dist.extend(range(gap // 2, 0, -1))
        runs.append(0)
        runs.extend([gap] * gap)
    tail = n - last - 1
    dist.append(0)
    dist.extend(range(1, tail + 1))
    runs.append(0)
    runs.extend([tail] * tail)
    return dist, runs


def _stopword_share(line: Line) -> float:
    """Share of the line's words that are stopwords (punctuation around a word ignored)."""
    toks = line.lower.split()
    is_stop = STOPWORDS.__contains__
    return sum(map(is_stop, [t.strip(_PUNCT) for t in toks])) / len(toks)


def _stopword_shares(lines: list[Line]) -> list[float]:
    """``_stopword_share`` of each of the lines, from one split of their joined text (the
    token loop runs in C: cheaper than a cache of tokens)."""
    toks = " ".join([line.lower for line in lines]).split()
    stripped = map(str.strip, toks, repeat(_PUNCT))
    cum = list(accumulate(map(STOPWORDS.__contains__, stripped), initial=0))
    counts = [line.n_words for line in lines]
    ends = accumulate(counts)
    return [(cum[end] - cum[end - count]) / count for end, count in zip(ends, counts, strict=True)]


#: a line holding one of these (lower-case) has a URL
_URL_NEEDLES = ("http", "www.")


def _has_url(line: Line) -> bool:
    low = line.lower
    return any(needle in low for needle in _URL_NEEDLES)


def features(page: Page, *, skip_removed: bool = False) -> list[list[float] | None]:
    """Feature vectors of all lines of the page, in ``FEATURES`` order."""
    if not page.n:
        return []
    share = sum(line.prose for line in page.lines) / page.n
    rows = _rows(page, share, skip_removed=skip_removed)
    return [row if row is None else row + [v * share for v in row[1:]] for row in rows]


def _rows(page: Page, page_prose: float, *, skip_removed: bool = True) -> list[list[float] | None]:
    """Base feature vectors (``BASE_FEATURES`` order) of the lines of the page."""
    if not page.n:
        return []
    ctx = _Context(page)
    return [
        None if skip_removed and mark is not None else _row(page, ctx, i, page_prose)
        for i, mark in enumerate(page.marks)
    ]


def _row(page: Page, ctx: _Context, i: int, page_prose: float) -> list[float]:
    """The base feature vector of line ``i``."""
    log = math.log1p
    lines, n, prose, removed = page.lines, ctx.n, ctx.prose, ctx.removed
    line = lines[i]
    w = line.n_words
    short = 0.0 if line.prose else 1.0
    stop = _stopword_share(line)
    before = i < ctx.core_start
    after = i > ctx.core_end
    outside = ctx.core_start - i if before else (i - ctx.core_end if after else 0)
    density3 = ctx.window(ctx.cum_prose, i, 3)
    prev_line = lines[i - 1] if i else None
    next_line = lines[i + 1] if i + 1 < n else None
    text = line.text
    return [
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
        1.0 if _has_url(line) else 0.0,
        line.caps,
        line.upper,
        1.0 if line.digit else 0.0,
        prose[i],
        1.0 if line.repeats > 1 else 0.0,
        i / n,
        1.0 if before else 0.0,
        1.0 if after else 0.0,
        log(outside),
        log(ctx.dist[i]),
        prose[i - 1] if i else 0.0,
        prose[i + 1] if i + 1 < n else 0.0,
        log(prev_line.n_words) if prev_line else 0.0,
        log(next_line.n_words) if next_line else 0.0,
        1.0 if line.gap_before else 0.0,
        1.0 if line.gap_after else 0.0,
        density3,
        ctx.window(ctx.cum_prose, i, 10),
        log(ctx.runs[i]),
        stop,
        page_prose,
        log(n),
        1.0 if _SEPARATOR.search(text) else 0.0,
        log(line.chars / w),
        removed[i - 1] if i else 1.0,
        removed[i + 1] if i + 1 < n else 1.0,
        ctx.window(ctx.cum_removed, i, 3),
        short * (1.0 if outside else 0.0),
        short * density3,
        stop * short,
    ]


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
    n = page.n
    if not n:
        return []
    base, cross = _folded_weights()
    share = sum(map(_prose, page.lines)) / n
    weights = [b + share * c for b, c in zip(base, cross, strict=True)]
    scores = _scores(page, weights, share)
    exp = math.exp
    return [1.0 if z is None else (1.0 / (1.0 + exp(-z)) if z > -30 else 0.0) for z in scores]


def _scores(page: Page, weights: list[float], share: float) -> list[float | None]:
    """``weights . row`` of each kept line (None for removed ones), without building the rows:
    binary features add their weight when set, what depends on the page alone is summed once
    and what depends on a word count once a word count."""
    # the weights, in BASE_FEATURES order
    (
        w_bias, w_log_words, w_le2, w_le5, w_le10, w_le20, w_terminal, w_ellipsis, w_colon,
        w_bullet, w_url, w_caps, w_upper, w_digit, w_prose, w_repeated, w_position,
        w_before_core, w_after_core, w_log_dist_core, w_log_dist_prose, w_prev_prose,
        w_next_prose, w_prev_words, w_next_words, w_gap_before, w_gap_after, w_density3,
        w_density10, w_short_run, w_stop, w_page_prose, w_page_lines, w_separators,
        w_word_length, w_prev_removed, w_next_removed, w_removed3, w_short_outside,
        w_short_density3, w_stop_short,
    ) = weights  # fmt: skip
    lines, marks, n = page.lines, page.marks, page.n
    ctx = _Context(page)
    prose, removed, dist, runs = ctx.prose, ctx.removed, ctx.dist, ctx.runs
    cum_prose, cum_removed = ctx.cum_prose, ctx.cum_removed
    core_start, core_end = ctx.core_start, ctx.core_end
    log = math.log1p
    log_words = [log(line.n_words) for line in lines]
    constant = w_bias + w_page_prose * share + w_page_lines * log(n)
    kept = [i for i, mark in enumerate(marks) if mark is None]
    kept_lines = [lines[i] for i in kept]
    stops = _stopword_shares(kept_lines)
    by_words: dict[int, float] = {}
    # lower-casing leaves the separators (and makes none of them)
    separated = page.holding(_SEPARATORS)
    urls = page.holding(_URL_NEEDLES)
    last = n - 1
    out: list[float | None] = [None] * n
    for i, line, stop in zip(kept, kept_lines, stops, strict=True):
        w = line.n_words
        z = by_words.get(w)
        if z is None:
            z = by_words[w] = (
                constant
                + w_log_words * log_words[i]
                + (w_le2 if w <= 2 else 0.0)
                + (w_le5 if w <= 5 else 0.0)
                + (w_le10 if w <= 10 else 0.0)
                + (w_le20 if w <= 20 else 0.0)
            )
        # the line alone
        z += w_caps * line.caps + w_upper * line.upper + w_word_length * log(line.chars / w)
        if line.terminal:
            z += w_terminal
        if line.ellipsis:
            z += w_ellipsis
        if line.colon:
            z += w_colon
        if line.bullet:
            z += w_bullet
        if i in urls:
            z += w_url
        if line.digit:
            z += w_digit
        if line.repeats > 1:
            z += w_repeated
        if line.gap_before:
            z += w_gap_before
        if line.gap_after:
            z += w_gap_after
        if i in separated:
            z += w_separators
        z += w_stop * stop
        # its place in the page
        lo = i - 3 if i > 3 else 0
        hi = i + 4 if i + 4 < n else n
        density3 = (cum_prose[hi] - cum_prose[lo]) / (hi - lo)
        z += w_density3 * density3 + w_removed3 * (cum_removed[hi] - cum_removed[lo]) / (hi - lo)
        lo = i - 10 if i > 10 else 0
        hi = i + 11 if i + 11 < n else n
        z += w_density10 * (cum_prose[hi] - cum_prose[lo]) / (hi - lo)
        # neighbours beyond the page count as removed and not prose, with no words
        z += (
            w_position * (i / n)
            + w_log_dist_prose * log(dist[i])
            + (
                w_prev_prose * prose[i - 1]
                + w_prev_words * log_words[i - 1]
                + w_prev_removed * removed[i - 1]
                if i
                else w_prev_removed
            )
            + (
                w_next_prose * prose[i + 1]
                + w_next_words * log_words[i + 1]
                + w_next_removed * removed[i + 1]
                if i < last
                else w_next_removed
            )
        )
        # a page without a core has every line both before and after it
        outside = 0
        if i > core_end:
            outside = i - core_end
            z += w_after_core
        if i < core_start:
            outside = core_start - i
            z += w_before_core
        if outside:
            z += w_log_dist_core * log(outside)
        if line.prose:
            z += w_prose
        else:
            z += w_short_run * log(runs[i]) + w_short_density3 * density3 + w_stop_short * stop
            if outside:
                z += w_short_outside
        out[i] = z
    return out


_RULE = "model.boilerplate"
_prose = attrgetter("prose")
_gap_before = attrgetter("gap_before")


def apply(page: Page, threshold: float | None = None) -> None:
    """Mark the kept lines the model judges boilerplate."""
    if not page.allowed(_RULE):
        return
    _, default = load_model()
    lines, marks = page.lines, page.marks
    if page.n < MIN_LINES or sum(map(_gap_before, lines)) < MIN_BLANK_LINES:
        return  # a short text, or one paragraph a line: not a whole-page rendering
    kept = [line for line, mark in zip(lines, marks, strict=True) if mark is None]
    if not kept or sum(map(_prose, kept)) / len(kept) > MAX_PROSE_SHARE:
        return  # mostly paragraphs already: a page without chrome
    limit = default if threshold is None else threshold
    probabilities = boilerplate_probabilities(page)
    marked = [i for i, p in enumerate(probabilities) if p > limit and marks[i] is None]
    for i in marked:
        marks[i] = _RULE  # what page.mark does, the rule being allowed
    _restore_between_paragraphs(page, marked)


#: The model judges the layout of whole-page renderings (navigation, sidebars, footers around
#: an article); it is not applied to texts that are not one: fewer non-blank lines than
#: MIN_LINES, fewer blank lines than MIN_BLANK_LINES (one paragraph a line, as extractors
#: write), or a larger share of body paragraphs among the lines the rules kept than
#: MAX_PROSE_SHARE. None of the three costs F1 on the development set.
MIN_LINES = 20
MIN_BLANK_LINES = 3
MAX_PROSE_SHARE = 0.7

#: the longest run of lines between two body paragraphs that is kept as part of the body
MAX_INNER_RUN = 30


def _restore_between_paragraphs(page: Page, marked: list[int]) -> None:
    """Body text is sacred: lines the model removed that stand between two kept body
    paragraphs (subheadings, lists, short paragraphs of the article) are kept after all.
    ``marked``: the lines the model marked, in page order."""
    marks, n = page.marks, page.n
    end = -1
    for i in marked:
        if i <= end:
            continue  # in the run of lines done last
        start = end = i
        while start > 0 and marks[start - 1] == _RULE:
            start -= 1
        while end + 1 < n and marks[end + 1] == _RULE:
            end += 1
        if (
            end - start < MAX_INNER_RUN
            and _kept_prose(page, start - 1, -1)
            and _kept_prose(page, end + 1, 1)
        ):
            marks[start : end + 1] = [None] * (end + 1 - start)


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
