"""Calendar dates written in a line (ISO, numeric, with month names), and what the label
before each says it is: published, updated, or some other date."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from operator import itemgetter

from ingest.textmeta.vocab import DATE_LABEL, MONTHS

_MONTH = r"(?P<month>[^\W\d_]{3,12})\.?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
#: "17 December 2021", "17th Dec 2021", "17. Dezember 2021", "17 de diciembre de 2021",
#: "17-Dec-2021"
_DAY_NAMED_MONTH = re.compile(
    r"\b(?P<day>\d{1,2})(?:(?:st|nd|rd|th)?\.?\s+(?:de\s+)?|[.-])(?P<month>[^\W\d_]{3,12})"
    r"(?:\.?,?\s+(?:de\s+)?|\.?[.-])" + _YEAR + r"(?!\d)"
)
#: "December 19, 2025", "Dec 19th 2025", "December 19. 2025"
_NAMED_MONTH_DAY = re.compile(
    r"(?<![^\W\d_])"
    + _MONTH
    + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\s?[,.]?\s+"
    + _YEAR
    + r"(?!\d)"
)
#: "2019年4月13日", "2019년 4월 13일" (searched only in a text with one of the year signs)
_CJK = re.compile(
    r"(?<!\d)(?P<year>(?:19|20)\d{2})\s?[年년]\s?(?P<m>\d{1,2})\s?[月월]\s?(?P<day>\d{1,2})\s?[日일]"
)
#: month first ("09/25/2025"), or day first when the first number is no month ("25/09/2025")
_EITHER_ORDER = re.compile(
    r"\b(?P<m>\d{1,2})([/-])(?P<day>\d{1,2})\2(?P<year>(?:19|20)\d{2})(?!\d)"
)
#: every form, in the order ``dates_in`` tries them
_PATTERNS = [
    re.compile(r"(?<!\d)(?P<year>(?:19|20)\d{2})-(?P<m>\d{1,2})-(?P<day>\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<year>(?:19|20)\d{2})/(?P<m>\d{1,2})/(?P<day>\d{1,2})(?!\d)"),
    re.compile(r"\b(?P<day>\d{1,2})\.\s?(?P<m>\d{1,2})\.\s?(?P<year>(?:19|20)\d{2})(?!\d)"),
    _DAY_NAMED_MONTH,
    _NAMED_MONTH_DAY,
    _CJK,
    _EITHER_ORDER,
]
#: the patterns that name the month
_NAMED = (_DAY_NAMED_MONTH, _NAMED_MONTH_DAY)
#: the year every pattern above needs: a line without one holds no date
_YEAR = re.compile(r"(?:19|20)\d{2}")
#: whether the page writes numeric dates day first (``writes_day_first`` of it)
DayFirst = Callable[[], bool] | None


def writes_day_first(text: str) -> bool:
    """Whether a page writes its numeric dates day first (then "01/12/2025" on it is the 1st of
    December): some date reads only that way ("28/11/2025") and none reads only month first
    ("11/28/2025"); or, when every numeric date reads either way, the page names the month of a
    day-first reading and of no month-first one ("02-12-2025" over a list that says "December
    02, 2025"). One scan of the page for its numeric dates."""
    if "/" not in text and "-" not in text:
        return False
    day_first = False
    either: list[tuple[int, int, int]] = []
    for found in _EITHER_ORDER.finditer(text):
        start = found.start()
        if start and text[start - 1] in "/-":  # part of a longer run of numbers
            continue
        first, second = int(found["m"]), int(found["day"])
        if 1 <= first <= 12 and 13 <= second <= 31:
            return False
        if 13 <= first <= 31 and 1 <= second <= 12:
            day_first = True
        elif 1 <= first <= 12 and 1 <= second <= 12 and first != second:
            either.append((int(found["year"]), first, second))
    if day_first:
        return True
    return bool(either) and _named_day_first(text, either)


def _named_day_first(text: str, either: list[tuple[int, int, int]]) -> bool:
    """Whether a date the page writes with its month's name confirms the day-first reading of
    one of the numeric dates of ``either`` (year, first number, second number), and none
    confirms the month-first reading (only the lines with one of their years are read)."""
    years = {str(year) for year, _, _ in either}
    lines = "\n".join(line for line in text.split("\n") if any(y in line for y in years))
    named = set()
    for pattern in _NAMED:
        for found in pattern.finditer(lines):
            month = MONTHS.get(found["month"].lower())
            if month is not None:
                named.add((int(found["year"]), month, int(found["day"])))
    day_first = any((year, second, first) in named for year, first, second in either)
    month_first = any((year, first, second) in named for year, first, second in either)
    return day_first and not month_first


def dates_in(text: str, day_first: DayFirst = None) -> Iterator[tuple[int, date]]:
    """The valid dates of a text with where each starts (pattern order, then position); a
    numeric date that either order reads is read day first when ``day_first`` says so (asked
    only then: it reads the whole page)."""
    for pattern in _PATTERNS:
        if pattern is _CJK and "年" not in text and "년" not in text:
            continue
        for found in pattern.finditer(text):
            parts = found.groupdict()
            month = parts.get("m")
            if pattern is _EITHER_ORDER and (
                int(month) > 12
                or (day_first is not None and int(parts["day"]) <= 12 and day_first())
            ):
                month, parts["day"] = parts["day"], month
            elif month is None:
                month = MONTHS.get(parts["month"].lower())
                if month is None:
                    continue
            try:
                yield found.start(), date(int(parts["year"]), int(month), int(parts["day"]))
            except ValueError:
                continue


def first_date(text: str, day_first: DayFirst = None) -> date | None:
    """The date written first in a line (lines without a year are not searched)."""
    if ("19" not in text and "20" not in text) or _YEAR.search(text) is None:
        return None
    found = min(dates_in(text, day_first), default=None, key=lambda item: item[0])
    return found[1] if found else None


#: what the words before a date say it is, best first for a publication date
PUBLISHED, PLAIN, UPDATED, OTHER = range(4)
#: how far before a date its label is looked for
LABEL_CHARS = 40


def date_kind(text: str, start: int) -> int:
    """What the label just before ``start`` says the date there is (PLAIN when none)."""
    found = DATE_LABEL.search(text, max(0, start - LABEL_CHARS), start)
    if found is None:
        return PLAIN
    if found.group("published"):
        return PUBLISHED
    return UPDATED if found.group("updated") else OTHER


def labelled_date(text: str, day_first: DayFirst = None) -> tuple[date, int] | None:
    """The date of a line most likely a publication date, with its kind: a published one
    before a plain one, a plain one before an updated one, the first of equal kinds. A plain
    date beside an updated one ("May 2, 2024 · Updated May 5, 2024") is the published one."""
    if ("19" not in text and "20" not in text) or _YEAR.search(text) is None:
        return None
    best = None
    updated = None
    for start, day in sorted(dates_in(text, day_first), key=itemgetter(0)):
        kind = date_kind(text, start)
        if kind == UPDATED:
            updated = day
        if best is None or kind < best[1]:
            best = (day, kind)
            if kind == PUBLISHED:
                return best
    if best is not None and best[1] == PLAIN and updated and best[0] <= updated:
        return best[0], PUBLISHED
    return best
