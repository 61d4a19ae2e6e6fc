"""The words the metadata readers look for, kept as data in ``vocab.json``."""

from __future__ import annotations

import json
import re
from pathlib import Path

_DATA = json.loads((Path(__file__).with_name("vocab.json")).read_text(encoding="utf-8"))


def _alternatives(phrases: list[str]) -> str:
    """A regex alternation of phrases, longest first, spaces matching any whitespace."""
    ordered = sorted(phrases, key=len, reverse=True)
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in ordered)


MONTHS: dict[str, int] = _DATA["months"]
WEEKDAYS = frozenset(_DATA["weekdays"])
NAME_PARTICLES = frozenset(_DATA["name_particles"])
NAME_STOP = frozenset(_DATA["name_stop"])
UI_WORDS = frozenset(_DATA["ui_words"])
#: the names of picture agencies, lower-case: "Jane Doe / Getty Images" credits a photographer
PHOTO_AGENCIES = frozenset(_DATA["photo_agencies"])
#: byline leads of forums, which name a user: "Thread starter jdoe42"
USER_LEADS = frozenset(_DATA["user_leads"])

#: the first words of the byline openers, lower-case, to rule lines out before the regex
BYLINE_FIRST = frozenset(phrase.split()[0] for phrase in _DATA["byline_leads"])
#: "By", "Written by", "Autor:" at the start of a line
BYLINE_LEAD = re.compile(
    r"^(?:" + _alternatives(_DATA["byline_leads"]) + r")(?:\s*:\s*|\s+|$)", re.IGNORECASE
)
#: a job title under a name ("Staff Writer", "Trending Editor")
BYLINE_ROLE = re.compile(r"^(?:" + _alternatives(_DATA["byline_roles"]) + r")\b", re.IGNORECASE)
#: a byline lead inside a line, after a date or a separator ("May 2, 2024 · By Jane Doe")
INNER_BYLINE_LEAD = re.compile(
    r"(?<=\s)(?:" + _alternatives(_DATA["byline_leads"]) + r")(?:\s*:\s*|\s+)", re.IGNORECASE
)
#: words of a job title or a short biography under an author's name ("Founder & CEO",
#: "Tech Writer", "Former McKinsey Consultant")
ROLE_WORDS = frozenset(_DATA["role_words"])
#: "Published", "Last updated:" before a date
DATE_LEADS: list[str] = _DATA["date_leads"]
DATE_LEAD = re.compile(r"^(?:" + _alternatives(DATE_LEADS) + r")\b", re.IGNORECASE)
#: the word just before a date that says what the date is: "Published", "Updated", "Joined"
#: (a weekday or "on" may come between)
DATE_LABEL = re.compile(
    r"(?<![^\W\d_])(?:(?P<published>"
    + _alternatives(_DATA["published_labels"])
    + r")|(?P<updated>"
    + _alternatives(_DATA["updated_labels"])
    + r")|(?P<other>"
    + _alternatives(_DATA["other_labels"])
    + r"))(?![^\W\d_])[\s:,.|»–—-]*(?:(?:on|am|le|el|de|the|at)\s+)?(?:[^\W\d_]{2,9}\.?,?\s+)?$",
    re.IGNORECASE,
)
#: the last word of each label of a published or updated date and of each reading time
_HINT_WORDS = frozenset(
    phrase.split()[-1]
    for phrase in _DATA["published_labels"] + _DATA["updated_labels"] + _DATA["read_time"]
)
_LETTERS = re.compile(r"[^\W\d_]+")


def may_label_date(text: str) -> bool:
    """Whether ``text`` holds a word that ends a date label or a reading time (a test much
    cheaper than the labels' regex)."""
    return not _HINT_WORDS.isdisjoint(_LETTERS.findall(text.lower()))


#: "5 min read", "Lesezeit: 3 Minuten"
READ_TIME = re.compile(r"(?:" + _alternatives(_DATA["read_time"]) + r")", re.IGNORECASE)


def _ascii_words(phrases: list[str]) -> tuple[str, ...] | None:
    """Words, lower-case, at least one of which is in each phrase (the last ASCII word of each,
    less those holding another); None when a phrase has no ASCII word."""
    words = set()
    for phrase in phrases:
        ascii_words = [word for word in phrase.lower().split() if word.isascii()]
        if not ascii_words:
            return None
        words.add(ascii_words[-1])
    return tuple(sorted(w for w in words if not any(o in w for o in words if o != w)))


_READ_TIME_WORDS = _ascii_words(_DATA["read_time"])
#: the only letters that IGNORECASE matches to ASCII ones while ``str.lower`` does not: İ ı ſ K
_CASE_ODD = ("\u0130", "\u0131", "\u017f", "\u212a")


def may_read_time(text: str, key: str) -> bool:
    """Whether ``READ_TIME`` can match ``text`` (``key`` is it in lower case): a match holds
    one of _READ_TIME_WORDS in ASCII letters of either case, or a letter of _CASE_ODD."""
    if _READ_TIME_WORDS is None or any(word in key for word in _READ_TIME_WORDS):
        return True
    return not text.isascii() and any(letter in text for letter in _CASE_ODD)
