"""The headline of a text page: candidate lines scored by two small linear models.

A headline sits just before the article's first run of prose, often under a menu or a
breadcrumb, a kicker or the page's ``<title>`` and over a dek, a byline, dateline or reading
time; it is a short line without final period, capitalised like a title, and is sometimes
repeated (title, teaser, share text); where the page's address is known, its slug usually
repeats the headline's words. Each feature below says one of these things about a line.
Every short line is first scored by the features that cost nothing (``CHEAP_FEATURES``); the
SHORTLIST best are scored by all of them (``FEATURES``). ``title_model.json`` holds both sets
of weights, learnt on the bench sets' training sites in two renderings
(``benchmarks/train_title_model.py``); the weights of the address's features last, the others
fixed, so that a page without an address is read as if no page had one.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from heapq import nlargest
from itertools import chain
from operator import itemgetter, mul, sub
from pathlib import Path

from ingest.textmeta.address import address_match
from ingest.textmeta.bylines import name_part, person_name
from ingest.textmeta.lines import CJK_CHARS, SPACED_CHARS, HeadLine, Page, word_count
from ingest.textmeta.vocab import BYLINE_FIRST

#: a run of prose: a prose line starting RUN lines that hold RUN_CHARS characters of prose
RUN, RUN_CHARS = 5, 350
#: lines further than this below a line are not its "next lines" for the prose measures
FOLLOW = 8
#: the longer window of ``follow_far``
FAR = 30
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
    "name_comma",  # a name then a comma: "Jane Doe, Senior Editor"
    "sentences",  # two sentences or more ("Thanks! We will reply soon")
    "first_line",  # the page's first line (some renderings print the <title> there)
    "prev_heading",  # the line above is shaped like a headline: this may be its dek
    "next_heading",  # the line below is: this may be a kicker or a section name over it
    "exclaim",  # ends with "!"
    "echo_next",  # share of its words of 4 letters or more that the prose just below it uses
    "repeats",  # written three times or more in the page (a menu item, the site's name)
    "ui_half",  # half its words or more name UI
    "in_first",  # the page's first line, or a part of it between separators (some
    # renderings print the <title>, "Headline | Site", there)
    "first_echo",  # share of its words of 4 letters or more in the first line, when that line
    # is split like a <title> and the article's prose uses half its words or more
    "has_dek",  # the line below is shaped like a headline and no shorter: a dek under it
    "echo_count",  # how many of its words of 4 letters or more the article's prose uses, to 6
    "follow_far",  # prose characters in the next FAR lines, as a share of the page's most
    "twice",  # printed again within 2 lines, or the end of the line above (a breadcrumb)
    "first_topical",  # the page's first line, and the article's prose uses half its words or
    # more (a <title>, not a site's name)
    "address_share",  # share of the words of the page's address (its slug) the line holds
    "address_cover",  # share of the line's words the slug holds
)

#: the features that cost nothing, computed on every line to shortlist the candidates
CHEAP_FEATURES = (
    *(f"gap_{k}" for k in range(1, 7)),
    "gap_far",
    *(f"words_{k}" for k in range(1, 9)),
    "words_9_15",
    "words_16",
    "run_after",
    *(f"run_{k}" for k in range(1, 5)),
    "run_5_8",
    "run_far",
    "precede",
    "follow_near",
    "block_after",
    "position",
    "first_line",
    "end_period",  # the line ends with "."
    "end_colon",  # ... with ":"
    "lower_start",  # starts with a lower-case letter
    "in_first",
    "twice",
    "follow_far",
    "address_share",
    "address_cover",
)

#: the bucket of each value of a cheap measure: gap to prose (1-7), words (0-16), lines to the
#: first run of prose (0 = at or above it, 1-9)
_GAP_BUCKETS = (None, 0, 1, 2, 3, 4, 5, 6)
_WORD_BUCKETS = (None, 7, 8, 9, 10, 11, 12, 13, 14, 15, 15, 15, 15, 15, 15, 15, 16)
_RUN_BUCKETS = (17, 18, 19, 20, 21, 22, 22, 22, 22, 23)
(
    _PRECEDE,
    _NEAR,
    _AFTER,
    _POSITION,
    _FIRST,
    _PERIOD,
    _COLON,
    _LOWER,
    _IN_FIRST,
    _TWICE,
    _FAR,
    _ADDRESS_SHARE,
    _ADDRESS_COVER,
) = range(24, 37)


def _load_weights(model: dict, names: tuple[str, ...]) -> tuple[float, ...]:
    return tuple(model.get(name, 0.0) for name in names)


_MODEL = json.loads(Path(__file__).with_name("title_model.json").read_text(encoding="utf-8"))
WEIGHTS = _load_weights(_MODEL["weights"], FEATURES)
CHEAP_WEIGHTS = _load_weights(_MODEL.get("shortlist", {}), CHEAP_FEATURES)


def _table(weights: tuple[float, ...], buckets: tuple[int | None, ...]) -> list[float]:
    return [0.0 if k is None else weights[k] for k in buckets]


_GAP_W = _table(CHEAP_WEIGHTS, _GAP_BUCKETS)
_WORDS_W = _table(CHEAP_WEIGHTS, _WORD_BUCKETS)
_RUN_W = _table(CHEAP_WEIGHTS, _RUN_BUCKETS)


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
#: the end of a sentence inside a line, another one after it
_SENTENCE_BREAK = re.compile(r"[^\W\d_]{3}[.!?] +[A-Z]")
_SCORE = itemgetter(1)
#: what separates a headline from a site's name in a ``<title>``
_TITLE_SEPARATOR = re.compile(r" +[|–—:»·-] +| *\| *| +:: +")


#: the features that cost the most to compute, each 0 to 1 (a share or a yes/no)
DEFERRED = (
    "upper",
    "digits",
    "meta_before",
    "next_short",
    "echo",
    "no_topic",
    "person",
    "name_comma",
    "sentences",
    "prev_heading",
    "next_heading",
    "echo_next",
    "first_echo",
    "has_dek",
    "echo_count",
    "first_topical",
)
(
    _UPPER,
    _DIGITS,
    _META_BEFORE,
    _NEXT_SHORT,
    _ECHO,
    _NO_TOPIC,
    _PERSON,
    _NAME_COMMA,
    _SENTENCES,
    _PREV_HEADING,
    _NEXT_HEADING,
    _ECHO_NEXT,
    _FIRST_ECHO,
    _HAS_DEK,
    _ECHO_COUNT,
    _FIRST_TOPICAL,
) = map(FEATURES.index, DEFERRED)
#: the most the features of DEFERRED add to a score
_DEFERRED_GAIN = sum(max(WEIGHTS[k], 0.0) for k in map(FEATURES.index, DEFERRED))
_FIRST_ECHO_GAIN = max(WEIGHTS[_FIRST_ECHO], 0.0)
#: far more than the rounding of a sum of FEATURES products: a bound this close is not trusted
_ROUNDING = 1e-9
_BOUND = itemgetter(0)
_ASCII_LETTERS = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ASCII_UPPER = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ASCII_DIGITS = b"0123456789"


def _char_counts(text: str) -> tuple[int, int, int]:
    """Letters, capitals and digits of ``text`` (by bytes when it is ASCII: the same counts)."""
    if text.isascii():
        data = text.encode("ascii")
        size = len(data)
        return (
            size - len(data.translate(None, _ASCII_LETTERS)),
            size - len(data.translate(None, _ASCII_UPPER)),
            size - len(data.translate(None, _ASCII_DIGITS)),
        )
    return sum(map(str.isalpha, text)), sum(map(str.isupper, text)), sum(map(str.isdigit, text))


def _window(acc: list[int], size: int) -> list[int]:
    """For each line, prose characters in it and the ``size - 1`` lines under it."""
    n = len(acc) - 1
    return list(map(sub, acc[size:] + [acc[n]] * min(size, n), acc[:n]))


def _title_parts(text: str) -> frozenset[str]:
    """A line and its parts between the separators of a ``<title>`` ("Headline | Site")."""
    return frozenset((text, *_TITLE_SEPARATOR.split(text)))


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


def _topical(key: str) -> list[str]:
    """The words of 4 letters or more of a lower-case line: those that say what it is about."""
    return [t for t in _WORD.findall(key) if len(t) >= 4]


def _echoed(words: list[str], prose: str) -> int:
    """How many of ``words`` start a word of ``prose`` (lower case, each word after a space: a
    substring test, no tokenising)."""
    return sum(f" {t}" in prose for t in words)


def _twice(raw: list[str]) -> list[bool]:
    """For each line, whether it is printed again within 2 lines or ends the line above after a
    word break: a headline is often printed twice, or under a breadcrumb that ends with it."""
    pad = ["", "", *raw, "", ""]
    return [
        s in (a, b, c, d) or (b.endswith(s) and not b[-len(s) - 1].isalnum())
        for s, a, b, c, d in zip(raw, pad, pad[1:], pad[3:], pad[4:], strict=False)
    ]


class Candidates:
    """The page-level measures the features of every candidate line need, computed once."""

    def __init__(
        self,
        page: Page,
        meta: Callable[[int], bool],
        ui: frozenset[str],
        address: frozenset[str] = frozenset(),
    ) -> None:
        self.page = page
        self.meta = meta  # whether line i is a byline, dateline or reading time
        self.ui = ui
        self.address = address  # the words of the page's address (``address.address_words``)
        n = len(page)
        acc, prose = page.acc, page.prose
        # prose characters in the FOLLOW lines from each line on
        ahead = _window(acc, FOLLOW)
        self.follow_max = max(ahead, default=0) or 1
        #: prose characters in the FAR lines under each line
        far = _window(acc, FAR)
        self.far_max = max(far, default=0) or 1
        self.far = [*far[1:], 0]
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
        # a first line printed three times or more is a menu item or a call to action, no <title>
        first = page.raw[0] if n else ""
        self.first_parts = _title_parts(first) if n and page.text.count(first) <= 2 else frozenset()
        self.twice = _twice(page.raw)
        self._first_key: str | None = None
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

    @property
    def first_key(self) -> str:
        """The page's first line, lower-case, when it is split like a <title> and the article's
        prose uses half its words or more (not a menu or a banner); else ""."""
        if self._first_key is None:
            key = self.page.raw[0].lower() if len(self.first_parts) > 2 else ""
            topical = _topical(key)
            echoed = _echoed(topical, self.body)
            self._first_key = key if topical and 2 * echoed >= len(topical) else ""
        return self._first_key

    def address_match(self, i: int) -> tuple[float, float]:
        """Of line ``i``: the share of the address's words it holds, and the share of its words
        the address holds (both 0 without an address)."""
        if not self.address:
            return 0.0, 0.0
        return address_match(self.page.raw[i].lower(), self.address)

    def _open(self) -> list[tuple[int, int, int]]:
        """(line, lines to the next prose line, words) of the lines short enough, not list
        items, with prose soon below."""
        next_prose, raw, chars = self.next_prose, self.page.raw, self.page.chars
        found = []
        for i in range(len(raw)):
            gap = next_prose[i + 1] - i
            if gap > MAX_GAP or chars[i] > MAX_CHARS or raw[i][0] in _MARKERS:
                continue
            size = word_count(raw[i])
            if size <= MAX_WORDS:
                found.append((i, gap, size))
        return found

    def cheap_vector(self, i: int, gap: int, size: int) -> list[float]:
        """The features of CHEAP_FEATURES of one line (what ``shaped`` adds up, for training)."""
        vector = [0.0] * len(CHEAP_FEATURES)
        to_run = self.run - i
        for k in (
            _GAP_BUCKETS[min(gap, 7)],
            _WORD_BUCKETS[min(size, 16)],
            _RUN_BUCKETS[min(max(to_run, 0), 9)],
        ):
            if k is not None:
                vector[k] = 1.0
        vector[_PRECEDE] = self.precede[i] / self.follow_max
        vector[_NEAR] = self.near[i] / self.follow_max
        vector[_AFTER] = float(i > self.block)
        vector[_POSITION] = i / len(self.page)
        vector[_FIRST] = float(i == 0)
        text = self.page.raw[i]
        vector[_PERIOD] = float(text[-1] == ".")
        vector[_COLON] = float(text[-1] == ":")
        vector[_LOWER] = float(text[0].islower())
        vector[_IN_FIRST] = float(i > 0 and size >= 2 and text in self.first_parts)
        vector[_TWICE] = float(self.twice[i])
        vector[_FAR] = self.far[i] / self.far_max
        vector[_ADDRESS_SHARE], vector[_ADDRESS_COVER] = self.address_match(i)
        return vector

    def shaped(self, keep: int | None = SHORTLIST) -> list[HeadLine]:
        """The lines that can be the headline: short, not prose, with prose soon below; the
        ``keep`` best by the features that cost nothing (all of them when None)."""
        if keep is None:
            ranked = [i for i, _, _ in self._open()]
        else:
            scores = self._open_scores()
            ranked = [i for i, _ in scores]
            if len(ranked) > keep:
                ranked = sorted(i for i, _ in nlargest(keep, scores, key=_SCORE))
        found = []
        for i in ranked:
            line = self.page.line(i)
            if _shaped(line) and not self.meta(i):
                found.append(line)
        return found

    def _near_prose(self) -> Iterator[int]:
        """The lines but those from the last prose line down to MAX_GAP lines above the end
        of the page: with nothing below them but the end, they are too far from prose."""
        n = len(self.page)
        prose = self.page.prose
        last = n - 1 - prose[::-1].index(True) if True in prose else 0
        return chain(range(last), range(max(last, n - MAX_GAP), n))

    def _open_scores(self) -> list[tuple[int, float]]:
        """(line, score by CHEAP_WEIGHTS) of the lines of ``_open``, in one pass: the same
        tests, and the weights of ``cheap_vector`` looked up in tables."""
        w = CHEAP_WEIGHTS
        w_precede = w[_PRECEDE] / self.follow_max
        w_near = w[_NEAR] / self.follow_max
        w_far = w[_FAR] / self.far_max
        w_after, w_position, w_first = w[_AFTER], w[_POSITION] / max(len(self.page), 1), w[_FIRST]
        w_end = {".": w[_PERIOD], ":": w[_COLON]}.get
        w_lower, w_in_first, w_twice = w[_LOWER], w[_IN_FIRST], w[_TWICE]
        w_share, w_cover = w[_ADDRESS_SHARE], w[_ADDRESS_COVER]
        address = self.address_match if self.address else None
        first, twice = self.first_parts, self.twice
        run, block, near, far, precede, next_prose = (
            self.run,
            self.block,
            self.near,
            self.far,
            self.precede,
            self.next_prose,
        )
        raw, sizes = self.page.raw, self.page.chars
        scores = []
        for i in self._near_prose():
            text, chars = raw[i], sizes[i]
            gap = next_prose[i + 1] - i
            if gap > MAX_GAP or chars > MAX_CHARS or text[0] in _MARKERS:
                continue
            size = text.count(" ") + 1  # word_count, inline
            if size * SPACED_CHARS < chars:
                size = max(size, chars // CJK_CHARS)
            if size > MAX_WORDS:
                continue
            to_run = run - i
            score = (
                _GAP_W[gap if gap < 7 else 7]
                + _WORDS_W[size if size < 16 else 16]
                + _RUN_W[0 if to_run < 0 else to_run if to_run < 9 else 9]
                + w_precede * precede[i]
                + w_near * near[i]
                + w_far * far[i]
                + w_position * i
            )
            if i > block:
                score += w_after
            if i == 0:
                score += w_first
            score += w_end(text[-1], 0.0)
            if text[0].islower():
                score += w_lower
            if i and size >= 2 and text in first:
                score += w_in_first
            if twice[i]:
                score += w_twice
            if address is not None:
                share, cover = address(i)
                score += w_share * share + w_cover * cover
            scores.append((i, score))
        return scores

    def features(self, line: HeadLine, block_last: bool) -> list[float]:
        """The values of FEATURES for one candidate line."""
        vector = self._first_features(line, block_last)
        self._add_deferred(vector, line)
        return vector

    def _first_features(self, line: HeadLine, block_last: bool) -> list[float]:
        """The features but those of DEFERRED, left at 0."""
        page, acc, n, i = self.page, self.page.acc, len(self.page), line.index
        follow_max = self.follow_max
        gap = self.next_prose[i + 1] - i
        words = line.n_words
        text = line.text
        tokens = text.split()
        last = line.last
        ui = len(self.ui.intersection(line.key.split())) / words
        meta = self.meta
        meta_next = i + 1 < n and meta(i + 1)
        prev = page.line(i - 1) if i else None
        block = self.block
        run = self.run - i
        copies = page.text.count(text) if words >= 2 else 1
        return [
            (acc[min(n, i + 1 + FOLLOW)] - acc[i + 1]) / follow_max,
            (acc[min(n, i + 1 + NEAR)] - acc[i + 1]) / follow_max,
            (acc[i] - acc[max(0, i - FOLLOW)]) / follow_max,
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
            " | " in text or " - " in text or " – " in text,
            sum(map(str.isupper, map(itemgetter(0), tokens))) / len(tokens),
            False,  # upper
            False,  # digits
            ui,
            copies > 1,
            meta_next or any(map(meta, range(i + 2, min(n, i + 1 + NEAR)))),
            False,  # meta_before
            prev is not None and prev.bullet,
            prev is not None and prev.n_words <= 3,
            False,  # next_short
            i / n,
            len(text) > 120,
            run == 1,
            2 <= run <= 3,
            4 <= run <= 8,
            run > 8,
            run <= 0,
            tokens[0][-1] == ":" or (len(tokens) > 1 and tokens[1][-1] == ":"),
            " / " in text or " > " in text or " » " in text,
            0.0,  # echo
            False,  # no_topic
            i > 0 and meta(i - 1),
            meta_next,
            line.key.partition(" ")[0] in BYLINE_FIRST,
            False,  # person
            False,  # name_comma
            False,  # sentences
            i == 0,
            False,  # prev_heading
            False,  # next_heading
            last == "!",
            0.0,  # echo_next
            copies > 2,
            ui >= 0.5,
            i > 0 and words >= 2 and text in self.first_parts,
            0.0,  # first_echo
            False,  # has_dek
            0.0,  # echo_count
            self.far[i] / self.far_max,
            self.twice[i],
            False,  # first_topical
            *self.address_match(i),
        ]

    def _add_deferred(self, vector: list[float], line: HeadLine) -> None:
        """Sets the features of DEFERRED in a vector of ``_first_features``."""
        page, n, i, text = self.page, len(self.page), line.index, line.text
        words = line.n_words
        letters, upper, digits = _char_counts(text)
        vector[_UPPER] = upper / (letters or 1) > 0.8
        vector[_DIGITS] = digits / len(text) > 0.3
        vector[_META_BEFORE] = any(map(self.meta, range(max(0, i - 2), i)))
        nxt_words = page.words(i + 1) if i + 1 < n else 0
        vector[_NEXT_SHORT] = 0 < nxt_words <= 3
        topical = _topical(line.key)
        vector[_NO_TOPIC] = not topical
        vector[_PERSON] = words <= 5 and person_name(text) is not None
        vector[_NAME_COMMA] = "," in text and name_part(text) is not None
        # a sentence break needs ". ", "! " or "? ": the regex runs only where one is
        vector[_SENTENCES] = (". " in text or "! " in text or "? " in text) and (
            _SENTENCE_BREAK.search(text) is not None
        )
        vector[_PREV_HEADING] = i > 0 and self._heading_like(i - 1)
        next_heading = vector[_NEXT_HEADING] = i + 1 < n and self._heading_like(i + 1)
        vector[_HAS_DEK] = next_heading and nxt_words >= words
        if topical:
            echoed = _echoed(topical, self.body)
            vector[_ECHO] = echoed / len(topical)
            vector[_ECHO_COUNT] = min(echoed, 6) / 6
            vector[_FIRST_TOPICAL] = i == 0 and 2 * echoed >= len(topical)
            vector[_ECHO_NEXT] = _echoed(topical, self._prose_below(i)) / len(topical)
            first = self.first_key
            if i and first:
                vector[_FIRST_ECHO] = sum(t in first for t in topical) / len(topical)

    def _prose_below(self, i: int) -> str:
        """The prose lines among the FOLLOW lines under line ``i``, lower-case, in one string."""
        page = self.page
        end = min(len(page), i + 1 + FOLLOW)
        return " " + " ".join(page.raw[j] for j in range(i + 1, end) if page.prose[j]).lower()

    def _heading_like(self, i: int) -> bool:
        """Whether line ``i`` is shaped like a headline: 4 to 30 words, not prose, not a list
        item, no final period."""
        page = self.page
        if page.prose[i] or page.raw[i][0] in _MARKERS:
            return False
        line = page.line(i)
        return 4 <= line.n_words <= MAX_WORDS and line.last not in ".:"

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
    """The candidate line with the highest score (the first in the page of equal ones), or None
    when there is none.

    The features of DEFERRED cost the most; each is 0 to 1, and most count against a headline.
    A candidate whose score without them, plus the most they can add, is below the best score
    found is not the headline, and they are not computed for it. The candidates go by that
    bound, highest first.
    """
    shaped = cands.shaped()
    before = [line.index for line in shaped if line.index < cands.block]
    last_before = before[-1] if before else -1
    # ``first_echo`` is 0 on every line when the first line does not read like a <title>
    gain = _DEFERRED_GAIN if cands.first_key else _DEFERRED_GAIN - _FIRST_ECHO_GAIN
    bounded = []
    for line in shaped:
        vector = cands._first_features(line, line.index == last_before)
        bounded.append((sum(map(mul, WEIGHTS, vector)) + gain, line, vector))
    bounded.sort(key=_BOUND, reverse=True)
    best, best_score = None, -math.inf
    for bound, line, vector in bounded:
        if bound < best_score - _ROUNDING:
            break
        cands._add_deferred(vector, line)
        score = sum(map(mul, WEIGHTS, vector))
        if score > best_score or (score == best_score and line.index < best.index):
            best, best_score = line, score
    return best
