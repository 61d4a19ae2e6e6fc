"""The headline of a text page: candidate lines scored by a small linear model.

A headline sits just before the article's first run of prose, often under a menu or a
breadcrumb and over a byline, dateline or reading time; it is a short line without final
period, capitalised like a title, and is sometimes repeated (teaser, share text). Each feature
below says one of these things about a line; ``title_model.json`` holds their weights, learnt
on the bench sets' training sites (``benchmarks/train_title_model.py``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from heapq import nlargest
from operator import itemgetter, mul, sub
from pathlib import Path

from ingest.textmeta.bylines import person_name
from ingest.textmeta.lines import HeadLine, Page, word_count
from ingest.textmeta.vocab import BYLINE_FIRST

#: a run of prose: a prose line starting RUN lines that hold RUN_CHARS characters of prose
RUN, RUN_CHARS = 5, 350
#: lines further than this below a line are not its "next lines" for the prose measures
FOLLOW = 8
NEAR = 3
MAX_WORDS = 30
MAX_CHARS = 250

FEATURES = (
    "follow",  # prose characters in the next FOLLOW lines, as a share of the page's most
    "follow_near",  # the same over the next NEAR lines
    "precede",  # prose characters in the FOLLOW lines before, as a share of the page's most
    "gap_1",  # the next line is prose
    "gap_2_3",
    "gap_4_6",
    "gap_far",
    "block_last",  # the last candidate before the page's densest run of prose
    "block_near",  # within 6 lines before it
    "block_after",  # after its start
    "words_1",
    "words_2",
    "words_3_4",
    "words_5_8",
    "words_9_15",
    "words_16",
    "end_period",
    "end_colon",
    "end_mark",  # ends with ? or !
    "inner_colon",
    "separator",  # " | " or " - ": a site name glued to it
    "capitalised",  # share of words with a capital
    "upper",  # mostly capitals
    "digits",  # many digits (phone numbers, prices, counters)
    "ui",  # share of words that name UI (menu, share, sign in)
    "quoted",  # written elsewhere in the page too (repeat, breadcrumb, teaser, share text)
    "meta_after",  # a byline, date or reading time in the next NEAR lines
    "meta_before",  # ... or in the 2 lines before
    "prev_bullet",
    "prev_short",
    "next_short",
    "position",  # where in the page, 0 to 1
    "long",  # over 120 characters
    "run_1",  # the next line starts the page's first run of prose
    "run_2_3",
    "run_4_8",
    "run_far",  # more than 8 lines above it
    "run_after",  # below its start
    "label_lead",  # "Credit: ...", "Tags: ..."
    "path",  # " / ", " > ", " » ": a breadcrumb
    "echo",  # share of its words of 4 letters or more that the article's prose uses
    "no_topic",  # it has no such word
    "meta_prev",  # the line above is a byline, date or reading time
    "meta_next",  # the line below is
    "lead_word",  # starts with a word that opens bylines ("by", "von")
    "person",  # shaped like a person's name
)

_MODEL = json.loads(Path(__file__).with_name("title_model.json").read_text(encoding="utf-8"))
WEIGHTS: tuple[float, ...] = tuple(_MODEL["weights"].get(name, 0.0) for name in FEATURES)


def _cheap_weights(weights: dict[str, float]) -> dict:
    """The weights of the features computed on every line, as lookup tables by value."""
    get = weights.get
    gap = [0.0, get("gap_1", 0.0)] + [get("gap_2_3", 0.0)] * 2 + [get("gap_4_6", 0.0)] * 3
    words = [0.0, get("words_1", 0.0), get("words_2", 0.0)] + [get("words_3_4", 0.0)] * 2
    words += [get("words_5_8", 0.0)] * 4 + [get("words_9_15", 0.0)] * 7 + [get("words_16", 0.0)]
    run = [get("run_after", 0.0), get("run_1", 0.0)] + [get("run_2_3", 0.0)] * 2
    run += [get("run_4_8", 0.0)] * 5 + [get("run_far", 0.0)]
    return {
        "gap": [*gap, get("gap_far", 0.0)],
        "words": words,
        "run": run,
        "precede": get("precede", 0.0),
        "follow_near": get("follow_near", 0.0),
        "block_after": get("block_after", 0.0),
        "position": get("position", 0.0),
    }


_CHEAP = _cheap_weights(_MODEL["weights"])


#: a candidate has prose at most this many lines below it
MAX_GAP = 40
#: the article's prose, for ``echo``: from this many lines above its first run of prose to
#: this many below
BODY_BEFORE, BODY_AFTER = 10, 60
_WORD = re.compile(r"[^\W\d_]+")
#: how many lines, the best by the features of every line, get all features computed
SHORTLIST = 12
#: first characters of list items (menus), never a headline
_MARKERS = frozenset("*+•·◦▪▸►▶●○■□-–—>")
_PATH_MARKS = (" / ", " > ", " » ")
_SEPARATORS = (" | ", " - ", " – ")


def _window(acc: list[int], size: int) -> list[int]:
    """For each line, prose characters in it and the ``size - 1`` lines under it."""
    n = len(acc) - 1
    return list(map(sub, acc[size:] + [acc[n]] * min(size, n), acc[:n]))


def _shaped(line: HeadLine) -> bool:
    """Whether a line can be a headline at all."""
    text = line.text
    return (
        not line.bullet
        and line.n_words <= MAX_WORDS
        and len(text) <= MAX_CHARS
        and not (line.prose and line.last == ".")
        and not text.startswith(("http://", "https://", "www."))
        and any(map(str.isalpha, text[:12]))
    )


class Candidates:
    """The page-level measures the features of every candidate line need, computed once."""

    def __init__(self, page: Page, meta: Callable[[int], bool], ui: frozenset[str]) -> None:
        self.page = page
        self.meta = meta  # whether line i is a byline, dateline or reading time
        self.ui = ui
        n = len(page)
        acc, prose = page.acc, page.prose
        # prose characters in the FOLLOW lines from each line on
        ahead = _window(acc, FOLLOW)
        self.follow_max = max(ahead, default=0) or 1
        # the densest run of prose starts at ``block``
        block = ahead.index(self.follow_max) if n and max(ahead) else 0
        while block < n and not prose[block]:
            block += 1
        self.block = block
        run_words = _window(acc, RUN)
        self.run = next((i for i in range(n) if prose[i] and run_words[i] >= RUN_CHARS), block)
        # the nearest prose line at or below each line
        next_prose = [n] * (n + 1)
        nearest = n
        for i in range(n - 1, -1, -1):
            if prose[i]:
                nearest = i
            next_prose[i] = nearest
        self.next_prose = next_prose
        #: prose characters in the NEAR lines under each line, in the FOLLOW lines above it
        self.near = [*_window(acc, NEAR)[1:], 0]
        self.precede = [0] * FOLLOW + ahead[: max(0, n - FOLLOW)]
        self.precede[:FOLLOW] = [acc[i] for i in range(min(FOLLOW, n))]
        self._body: str | None = None

    @property
    def body(self) -> str:
        """The prose lines around the page's first run of prose, lower-case, in one string."""
        if self._body is None:
            page = self.page
            start = max(0, self.run - BODY_BEFORE)
            end = min(len(page), self.run + BODY_AFTER)
            self._body = (
                " " + " ".join(page.raw[i] for i in range(start, end) if page.prose[i]).lower()
            )
        return self._body

    def shaped(self, keep: int | None = SHORTLIST) -> list[HeadLine]:
        """The lines that can be the headline: short, not prose, with prose soon below; the
        ``keep`` best by the features that cost nothing (all of them when None)."""
        page, next_prose, raw, chars = self.page, self.next_prose, self.page.raw, self.page.chars
        n, run, block = len(page), self.run, self.block
        w = _CHEAP
        w_gap, w_words, w_run, w_after = w["gap"], w["words"], w["run"], w["block_after"]
        w_precede = w["precede"] / self.follow_max
        w_near = w["follow_near"] / self.follow_max
        w_position = w["position"] / max(n, 1)
        near, precede = self.near, self.precede
        ranked = []
        for i in range(n):
            gap = next_prose[i + 1] - i
            if gap > MAX_GAP or chars[i] > MAX_CHARS or raw[i][0] in _MARKERS:
                continue
            size = word_count(raw[i])
            if size > MAX_WORDS:
                continue
            to_run = run - i
            score = (
                w_gap[gap if gap < 7 else 7]
                + w_words[size if size < 16 else 16]
                + w_run[0 if to_run < 0 else to_run if to_run < 9 else 9]
                + w_precede * precede[i]
                + w_near * near[i]
                + w_position * i
            )
            if i > block:
                score += w_after
            ranked.append((score, i))
        if keep is not None and len(ranked) > keep:
            ranked = nlargest(keep, ranked)
            ranked.sort(key=itemgetter(1))
        found = []
        for _, i in ranked:
            line = page.line(i)
            if _shaped(line) and not self.meta(i):
                found.append(line)
        return found

    def features(self, line: HeadLine, block_last: bool) -> list[float]:
        page, acc, n, i = self.page, self.page.acc, len(self.page), line.index
        follow = (acc[min(n, i + 1 + FOLLOW)] - acc[i + 1]) / self.follow_max
        near = (acc[min(n, i + 1 + NEAR)] - acc[i + 1]) / self.follow_max
        precede = (acc[i] - acc[max(0, i - FOLLOW)]) / self.follow_max
        gap = self.next_prose[i + 1] - i
        words = line.n_words
        text = line.text
        tokens = text.split()
        last = line.last
        caps = sum(map(str.isupper, (t[0] for t in tokens))) / len(tokens)
        letters = sum(map(str.isalpha, text)) or 1
        upper = sum(map(str.isupper, text)) / letters
        digits = sum(map(str.isdigit, text)) / len(text)
        ui = len(self.ui.intersection(line.key.split())) / words
        meta = self.meta
        meta_after = any(map(meta, range(i + 1, min(n, i + 1 + NEAR))))
        meta_before = any(map(meta, range(max(0, i - 2), i)))
        prev = page.line(i - 1) if i else None
        nxt_words = page.words(i + 1) if i + 1 < n else 0
        block = self.block
        run = self.run - i
        quoted = words >= 2 and page.text.count(line.text) > 1
        topical = [t for t in _WORD.findall(line.key) if len(t) >= 4]
        body = self.body
        # a word of the line starts a word of the prose (a substring test: no tokenising)
        echo = sum(f" {t}" in body for t in topical) / len(topical) if topical else 0.0
        return [
            follow,
            near,
            precede,
            gap == 1,
            2 <= gap <= 3,
            4 <= gap <= 6,
            gap > 6,
            block_last,
            0 < block - i <= 6,
            i > block,
            words == 1,
            words == 2,
            3 <= words <= 4,
            5 <= words <= 8,
            9 <= words <= 15,
            words >= 16,
            last == ".",
            last == ":",
            last in "?!",
            ": " in text,
            any(mark in text for mark in _SEPARATORS),
            caps,
            upper > 0.8,
            digits > 0.3,
            ui,
            quoted,
            meta_after,
            meta_before,
            prev is not None and prev.bullet,
            prev is not None and prev.n_words <= 3,
            0 < nxt_words <= 3,
            i / n,
            len(text) > 120,
            run == 1,
            2 <= run <= 3,
            4 <= run <= 8,
            run > 8,
            run <= 0,
            tokens[0][-1] == ":" or (len(tokens) > 1 and tokens[1][-1] == ":"),
            any(mark in text for mark in _PATH_MARKS),
            echo,
            not topical,
            i > 0 and meta(i - 1),
            i + 1 < n and meta(i + 1),
            line.key.partition(" ")[0] in BYLINE_FIRST,
            words <= 5 and person_name(text) is not None,
        ]

    def scored(self, keep: int | None = SHORTLIST) -> list[tuple[float, list[float], HeadLine]]:
        """The candidates with their features and score, in page order."""
        shaped = self.shaped(keep)
        before = [line.index for line in shaped if line.index < self.block]
        last_before = before[-1] if before else -1
        found = []
        for line in shaped:
            vector = self.features(line, line.index == last_before)
            found.append((sum(map(mul, WEIGHTS, vector)), vector, line))
        return found


def best_title(cands: Candidates) -> HeadLine | None:
    """The candidate line with the highest score, or None when there is none."""
    scored = cands.scored()
    if not scored:
        return None
    return max(scored, key=lambda item: item[0])[2]
