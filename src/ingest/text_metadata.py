"""Metadata read from the lines of a plain-text page: title, byline, dateline.

The headline is the best-scored candidate line (``ingest.textmeta.titles``); the byline and the
dateline are looked for around it first (a few lines above, more below), then in the head of
the page; a page without a byline may name its author in an author box further down. A date
is weighed by the label before it: a published date before a plain one, a plain one before an
updated one; a member's joining date, a founding year or a copyright is never the page's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import compress, count, repeat
from operator import contains, itemgetter, or_

from ingest.textmeta.address import address_words
from ingest.textmeta.bylines import (
    BYLINE_WORDS,
    POST_HEADER,
    biography,
    byline_name,
    dated_byline_name,
    is_user_name,
    lead_name,
    lead_only,
    opens_byline,
    part_name,
    person_name,
    poster_name,
    role_line,
    slash_byline_name,
)
from ingest.textmeta.dates import (
    OTHER,
    PLAIN,
    PUBLISHED,
    UPDATED,
    dates_in,
    first_date,
    labelled_date,
    writes_day_first,
)
from ingest.textmeta.lines import HeadLine, Page
from ingest.textmeta.titles import Candidates, best_title
from ingest.textmeta.vocab import (
    BYLINE_FIRST,
    BYLINE_ROLE,
    DATE_LEAD,
    READ_TIME,
    UI_WORDS,
    may_label_date,
    may_read_time,
)

#: how many non-blank lines from the top are searched when the headline gives no lead
HEAD_LINES = 40
#: bylines are looked for down to this many lines below the first run of prose
AFTER_RUN = 10
#: the headline's neighbourhood searched for a byline and a dateline
ABOVE, BELOW = 3, 8
#: the byline's neighbourhood searched for a dateline when the headline has none near
BESIDE = 2
#: how far below the headline a dateline is still read when none is near it
FAR_BELOW = 60
#: where the footer is taken to start, as a share of the page's lines
FOOTER_AFTER = 0.75
#: longest line read as a dateline
DATELINE_WORDS, DATELINE_CHARS = 20, 200
#: most words and characters of a dateline outside the note in parentheses it may carry
NOTED_WORDS, NOTED_CHARS = 6, 40
_PARENTHESES = re.compile(r"\([^()]*\)")
#: longest line read as a byline
BYLINE_CHARS = 120
#: longest line read as a name alone
NAME_CHARS = 60


@dataclass(frozen=True, slots=True)
class TextMetadata:
    title: str | None = None
    author: str | None = None
    published: date | None = None


_UNSEEN = object()
_BULLETS = "*•·-– "
#: the words of a name, as compared with the headline's
_NAME_WORD = re.compile(r"[^\W_]+")
_FIRST = itemgetter(0)
_19, _20 = repeat("19"), repeat("20")


class _Head:
    """The lines of one page and what each says (byline, dateline), looked up once."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self._meta: dict[int, bool] = {}
        self._dates: dict[int, date | None] = {}
        self._labelled: dict[int, tuple[date, int] | None] = {}
        self._day_first: bool | None = None

    def day_first(self) -> bool:
        """Whether the page writes numeric dates day first (read once, when a date either
        order reads is)."""
        if self._day_first is None:
            self._day_first = writes_day_first(self.page.text)
        return self._day_first

    def date(self, i: int) -> date | None:
        text = self.page.raw[i]
        if "19" not in text and "20" not in text:  # no year (as ``first_date`` tests first)
            return None
        found = self._dates.get(i, _UNSEEN)
        if found is _UNSEEN:
            page = self.page
            found = self._dates[i] = (
                first_date(text, self.day_first)
                if page.chars[i] <= DATELINE_CHARS and (not page.prose[i] or _noted(text))
                else None
            )
        return found

    def labelled(self, i: int) -> tuple[date, int] | None:
        """The date of a dateline most likely a publication date, and its kind (``dates``)."""
        if self.date(i) is None:
            return None
        found = self._labelled.get(i, _UNSEEN)
        if found is _UNSEEN:
            text = self.page.raw[i]
            found = self._labelled[i] = labelled_date(text, self.day_first)
            if found and found[1] == PLAIN and _read_time(text, text.lower()):
                # a reading time beside a date marks an article's dateline
                found = self._labelled[i] = (found[0], PUBLISHED)
        return found

    def meta(self, i: int) -> bool:
        """Whether line ``i`` is a byline, a dateline, a reading time or a job title."""
        found = self._meta.get(i)
        if found is None:
            found = self._meta[i] = self._says_meta(i)
        return found

    def _says_meta(self, i: int) -> bool:
        line = self.page.line(i)
        words = line.n_words
        if words > DATELINE_WORDS:
            return False
        text = line.text
        # the cheapest tests first: any one that holds decides. A byline (or its lead alone)
        # has at most 14 words and opens like one or holds a slash or a bar.
        return bool(
            (
                words <= BYLINE_WORDS
                and ("/" in text or "|" in text or opens_byline(line))
                and (lead_only(line) or byline_name(line))
            )
            or self.date(i) is not None
            or (words <= 6 and _read_time(text, line.key))
            or (
                words <= 4
                and (BYLINE_ROLE.match(text) or (line.last == ":" and DATE_LEAD.match(text)))
            )
        )

    def byline(self, title: HeadLine | None, head_end: int) -> tuple[str, int] | None:
        """The author and the line that names them: the first name found that is not words of
        the headline (a page's ``<title>`` line, "Headline | Site", reads like "Jane Doe |
        Paper")."""
        headline = frozenset(_NAME_WORD.findall(title.text.casefold())) if title else frozenset()
        return next(
            (
                (name, i)
                for name, i in self._bylines(title, head_end)
                if not headline.issuperset(_NAME_WORD.findall(name.casefold()))
            ),
            None,
        )

    def _bylines(self, title: HeadLine | None, head_end: int) -> Iterator[tuple[str, int]]:
        """The names the page's bylines give, and their lines, most likely the author first."""
        page = self.page
        n = len(page)
        if title is not None:
            start, end = max(0, title.index - ABOVE), min(n, title.index + 1 + BELOW)
            for i in range(start, end):
                line = page.line(i)
                if i == title.index:
                    continue
                name = byline_name(line, slash=False)
                if name:
                    yield name, i
                if lead_only(line) and i + 1 < n:
                    name = person_name(page.line(i + 1).text)
                    if name:
                        yield name, i + 1
            # the poster of a forum thread's first post, around the thread's title
            for i in range(start, end):
                if i == title.index or page.chars[i] > BYLINE_CHARS:
                    continue
                if name := poster_name(page.raw[i]) or self._lone_poster(i):
                    yield name, i
            # a name under the headline, dated in its own line, else beside a date, reading
            # time or job title (not the start of the headline printed again)
            names = [
                (name, i) for i in range(title.index + 1, end) if (name := self._name(i, title))
            ]
            yield from ((name, i) for name, i in names if self.date(i))
            for name, i in names:
                beside = [j for j in (i - 1, i + 1) if j != title.index and j < n]
                if any(map(self.meta, beside)) or self._role(beside):
                    yield name, i
            # a byline after a date or a separator in a dateline
            for i in range(start, end):
                if i != title.index and (name := self._dated_byline(i)):
                    yield name, i
        # the head of the page: only lines short enough and opening like a byline are read
        head = list(map(page.line, _may_open_bylines(page, min(n, head_end))))
        yield from ((name, line.index) for line in head if (name := byline_name(line, slash=False)))
        if found := self._author_box():
            yield found
        # last, "Jane Doe / Paper" around the headline: the shape of many a menu item, card or
        # product variant too
        if title is not None:
            for i in range(start, end):
                if name := slash_byline_name(page.line(i)):
                    yield name, i

    def _lone_poster(self, i: int) -> str | None:
        """A user name alone in line ``i`` beside its post's header: the first post's number and
        date ("11-29-2024, 09:03 AM #1"), "wrote", or the question's "asked May 2, 2024 at
        13:02"."""
        page = self.page
        user = page.raw[i]
        if " " in user or not is_user_name(user):
            return None
        for j in (i - 1, i + 1):
            header = POST_HEADER.match(page.raw[j]) if 0 <= j < len(page) else None
            if header and (header.group("numbered") is None or self.date(j)):
                return user
        return None

    def _author_box(self) -> tuple[str, int] | None:
        """The first author box of the page: a line that is a person's name over a biography
        that opens with the name and names a job ("Jane Doe" / "Jane Doe is a staff writer who
        covers ...")."""
        page = self.page
        raw, chars, prose = page.raw, page.chars, page.prose
        for i in range(len(page) - 1):
            if chars[i] > NAME_CHARS or not prose[i + 1] or not raw[i + 1].startswith(raw[i]):
                continue
            if biography(raw[i + 1][len(raw[i]) :]) and (name := person_name(raw[i])):
                return name, i
        return None

    def _name(self, i: int, title: HeadLine) -> str | None:
        """The name line ``i`` opens, unless it is the start of the headline printed again."""
        page = self.page
        name = lead_name(page.line(i).text) if page.chars[i] <= NAME_CHARS else None
        if name and name != page.raw[i] and page.raw[i] == page.raw[title.index]:
            return None
        return name

    def _role(self, lines: list[int]) -> bool:
        """Whether one of ``lines`` names a job or a role (a name's job title or biography)."""
        page = self.page
        return any(page.chars[j] <= NAME_CHARS and role_line(page.raw[j]) for j in lines)

    def _dated_byline(self, i: int) -> str | None:
        """The author a dateline names after its date or a separator."""
        page = self.page
        if page.chars[i] > BYLINE_CHARS:
            return None
        line = page.line(i)
        name = dated_byline_name(line)
        if name is None and self.date(i) is not None:
            name = part_name(line.text)
        return name

    def published(self, title: HeadLine | None, byline: int | None = None) -> date | None:
        n = len(self.page)
        if title is not None:
            # a headline printed above too (in the page's title): its one date, as below
            above = self.page.raw.index(self.page.raw[title.index]) < title.index
            found = self._nearest(_by_distance(title.index, n), alone=above)
            if found is not None:
                return found
            # the headline printed again (the page's title, then over the article): its one
            # date, not one of a list of dated links
            again = self._repeat(title.index)
            found = self._nearest(_by_distance(again, n), alone=True) if again else None
            if found is not None:
                return found
        if byline is not None:  # a dateline beside the byline, when the headline is not near
            found = self._nearest(_by_distance(byline, n, BESIDE, BESIDE), alone=True)
            if found is not None:
                return found
        # a date labelled as the publication's anywhere ("Published on 2021-01-18"), before a
        # plain one merely high on the page (an update log's, a list's)
        hinted = self._hinted()
        found = self._labelled_published(hinted)
        if found is not None:
            return found
        # the head of the page, then further down from the headline (an article's dateline
        # is often under a dek, a picture and its caption)
        far = range(title.index + 1 + BELOW, min(n, title.index + 1 + FAR_BELOW)) if title else ()
        found = self._first((*range(min(n, HEAD_LINES)), *far))
        if found is not None:
            return found
        # a labelled date anywhere; an "updated" one in the footer is often the site's
        return self._first(hinted, labelled=True, updated_end=int(n * FOOTER_AFTER))

    def _labelled_published(self, hinted: list[int]) -> date | None:
        """The first date of the ``hinted`` lines that its label calls the publication's."""
        for i in hinted:
            found = self.labelled(i)
            if found is not None and found[1] == PUBLISHED:
                return found[0]
        return None

    def _repeat(self, i: int) -> int | None:
        """The next line with the same text as line ``i`` (a headline printed twice: in the
        page's title and over the article)."""
        raw = self.page.raw
        try:
            return raw.index(raw[i], i + 1)
        except ValueError:
            return None

    def _hinted(self) -> list[int]:
        """The lines that may hold a labelled date: with a year-like number, short, not prose,
        with a label word (tested before reading any date)."""
        page = self.page
        raw, chars, prose = page.raw, page.chars, page.prose
        years = compress(count(), map(or_, map(contains, raw, _20), map(contains, raw, _19)))
        return [
            i
            for i in years
            if chars[i] <= DATELINE_CHARS and not prose[i] and may_label_date(raw[i])
        ]

    def _nearest(self, lines: list[int], *, alone: bool = False) -> date | None:
        """Of the datelines around the headline, the best kind, then the nearest; with
        ``alone``, none when they hold several days."""
        best = None
        days = set()
        for i in lines:
            found = self.labelled(i) or self._byline_sentence(i)
            if found is None or found[1] == OTHER:
                continue
            days.add(found[0])
            if best is None or found[1] < best[1]:
                best = found
        return best[0] if best and (not alone or len(days) == 1) else None

    def _byline_sentence(self, i: int) -> tuple[date, int] | None:
        """The date of a byline written as a sentence ("Reviewed by Jane Doe, on May 2,
        2024."), which the datelines leave out as prose."""
        page = self.page
        text = page.raw[i]
        if not page.prose[i] or page.chars[i] > DATELINE_CHARS or not opens_byline(page.line(i)):
            return None
        return labelled_date(text, self.day_first)

    def _first(
        self, lines: Iterable[int], *, labelled: bool = False, updated_end: int | None = None
    ) -> date | None:
        """The first dateline's date, but a published date after an updated one; with
        ``labelled``, only labelled dates count; updated dates only above ``updated_end``."""
        updated = None
        for i in lines:
            if self.date(i) is None:  # most lines: the cheap test before the labels' reading
                continue
            found = self.labelled(i)
            if found is None or found[1] == OTHER:
                continue
            kind = found[1]
            if kind == PUBLISHED or (updated is None and kind == PLAIN and not labelled):
                return found[0]
            if kind == UPDATED and updated is None and (updated_end is None or i < updated_end):
                updated = self._beside_updated(i, found[0])
        return updated

    def _beside_updated(self, i: int, updated: date) -> date:
        """The published date of an updated dateline: a plain date no later, on the line
        before or after it, or else the updated date."""
        for j in (i - 1, i + 1):
            found = self.labelled(j) if 0 <= j < len(self.page) else None
            if found is not None and found[1] == PLAIN and found[0] <= updated:
                return found[0]
        return updated


def _noted(text: str) -> bool:
    """Whether a line is short but for a note in parentheses, as a post's dateline with its
    edit note ("2019-02-23, 09:14 PM (This post was last modified: 2024-01-05 by ...)")."""
    if "(" not in text:
        return False
    bare = _PARENTHESES.sub("", text)
    return len(bare) <= NOTED_CHARS and len(bare.split()) <= NOTED_WORDS


def _read_time(text: str, lower: str) -> bool:
    """Whether ``text`` (``lower``: it in lower case) states a reading time ("5 min read")."""
    return may_read_time(text, lower) and READ_TIME.search(text) is not None


def _by_distance(at: int, n: int, above: int = ABOVE, below: int = BELOW) -> list[int]:
    """Line ``at`` and the lines around it, nearest first, the one below before the one
    above at equal distance."""
    lines = [at]
    for step in range(1, max(above, below) + 1):
        if step <= below and at + step < n:
            lines.append(at + step)
        if step <= above and at - step >= 0:
            lines.append(at - step)
    return lines


def _may_open_bylines(page: Page, end: int) -> list[int]:
    """The lines above ``end`` that can be a byline ("By ...", "Autor: ...", "Jane Doe / Paper"):
    short enough, and a first word that opens bylines, a slash or a bar, or no first word (each
    string step is mapped over all the lines at once)."""
    raw = page.raw[:end]
    words = map(_FIRST, map(str.partition, raw, repeat(" ")))
    firsts = list(map(str.rstrip, map(str.lower, words), repeat(":")))
    opens = map(BYLINE_FIRST.__contains__, map(str.lstrip, firsts, repeat(_BULLETS)))
    lines = zip(raw, page.chars[:end], firsts, opens, strict=True)
    return [
        i
        for i, (text, chars, first, opener) in enumerate(lines)
        if chars <= BYLINE_CHARS and (opener or "/" in text or "|" in text or not first)
    ]


def find_dates(text: str) -> set[date]:
    """Every date written anywhere in ``text``, in the forms the dateline reader knows."""
    return {found for _, found in dates_in(text)}


def extract_text_metadata(text: str, url: str | None = None) -> TextMetadata:
    """Title, byline author and dateline date of a plain-text page; ``url``: the page's address,
    when its record has one (the words of its slug count for the line that holds them)."""
    page = Page(text)
    if not len(page):
        return TextMetadata()
    head = _Head(page)
    candidates = Candidates(page, head.meta, UI_WORDS, address_words(url))
    title = best_title(candidates)
    byline = head.byline(title, max(HEAD_LINES, candidates.run + AFTER_RUN))
    return TextMetadata(
        title=title.text if title else None,
        author=byline[0] if byline else None,
        published=head.published(title, byline[1] if byline else None),
    )
