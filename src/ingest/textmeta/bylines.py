"""Author names from byline lines ("By Jane Doe", "Autor: Anna Schmidt", "Jane Doe / Paper"),
forum posts' headers ("jdoe May 3, 2024, 8:45am") and author boxes ("Jane Doe is a staff
writer ...")."""

from __future__ import annotations

import re

from ingest.textmeta.dates import dates_in
from ingest.textmeta.lines import HeadLine
from ingest.textmeta.vocab import (
    BYLINE_FIRST,
    BYLINE_LEAD,
    DATE_LEADS,
    INNER_BYLINE_LEAD,
    MONTHS,
    NAME_PARTICLES,
    NAME_STOP,
    PHOTO_AGENCIES,
    ROLE_WORDS,
    USER_LEADS,
    WEEKDAYS,
)

#: where a byline's first name ends: a second author, an agency, a date, a role
_NAME_CUT = re.compile(
    r"\s+(?:with|mit|con|avec|and|und|y|et|for|für|para|pour|in|im|aus|from|on|am|el|le)\s+"
    r"|\s*[,;|/(•·–—»]\s*|\s+-\s+|\s*\d"
    # a dateline's label run into the name ("Jane DoePublished: ...")
    r"|(?<=[a-z])(?=(?:Published|Updated|Posted|Last\s+[Uu]pdated)\b)"
)
#: the most words of a byline (it may run on with a dateline: "By Jane Doe – Updated Sep 9,
#: 2025 at 1:00 PM EST | Fact-checked by John Roe")
BYLINE_WORDS = 20
#: the words of a dateline's labels ("Updated", "last updated")
_DATELINE_WORDS = {
    word for phrase in DATE_LEADS for word in phrase.split() if word not in NAME_PARTICLES
}
#: the most words of a byline that is a name and its social-media handle ("Jane Doe @jdoe")
HANDLE_BYLINE_WORDS = 5
_HANDLE = re.compile(r"^\w{2,30}$")
#: the most words of a byline that is a name and what it writes for ("Jane Doe / Paper")
SLASH_BYLINE_WORDS = 10
#: "Jane Doe / Paper", "Jane Doe | Paper": a space before the bar ("CI/CD", "X|S" are no names)
_SLASH = re.compile(r"^(?P<name>[^/|]{3,40}?)\s[/|]\s?\S")
_USER = re.compile(r"^[\w.@+-]{2,40}$")
_WORD_CHARS = re.compile(r"^[^\W\d_][\w'’.\-]*$")
#: what ends a dateline's part before a byline lead ("May 2, 2024 · By Jane Doe")
_PART_ENDS = frozenset("·•|–—,")
#: the separators between the parts of a dateline ("May 2, 2024 · 5 min · Jane Doe")
_PARTS = re.compile(r"\s+[·•|]\s+")
#: the most words of a line naming a role
ROLE_LINE_WORDS = 8
_ROLE_TOKEN = re.compile(r"[\w'’-]+")


def name_part(text: str) -> str | None:
    """The name that opens ``text``, up to a second name, a role, a date or a separator."""
    first = text[:1]
    if not first.isupper() and not first.isspace():  # a name starts with a capital
        return None
    head = _NAME_CUT.split(text, maxsplit=1)[0].strip()
    words = head.split()
    for k, word in enumerate(words):
        if word.lower().rstrip(".,") in MONTHS:  # "Jane Doe Dec. 17, 2021"
            head = " ".join(words[:k])
            break
    return person_name(_once(head))


def lead_name(text: str) -> str | None:
    """The name after a byline's lead, up to what a byline prints after it: a handle ("By Jane
    Doe @jdoe"), a date, a dateline's label ("By Jane Doe Updated May 2", "last updated") or a
    job title ("By Jane Doe Staff Writer"). A month's name as the name's first word opens no
    date ("Juli Clover"), and a job title that ends the line is a desk's name ("Travel
    Editor")."""
    if not text[:1].isupper():
        return None
    words = _NAME_CUT.split(text.partition("@")[0], maxsplit=1)[0].split()
    for k, word in enumerate(words):
        bare = word.lower().rstrip(".,:")
        dated = bare in _DATELINE_WORDS or (k >= 1 and bare in MONTHS)
        if dated or (k >= 2 and k < len(words) - 1 and bare in ROLE_WORDS):
            words = words[:k]
            break
    return person_name(_once(" ".join(words)))


def _once(name: str) -> str:
    """A name written twice in a row once ("Jane Doe Jane Doe": a picture's text, then the
    name)."""
    words = name.split()
    half = len(words) // 2
    if half and len(words) % 2 == 0 and words[:half] == words[half:]:
        return " ".join(words[:half])
    return name


def person_name(text: str) -> str | None:
    """``text`` when it is shaped like a person's name: 2 to 5 capitalised words."""
    words = text.split()
    if not 2 <= len(words) <= 5:
        return None
    for word in words:
        lower = word.lower()
        if lower in NAME_PARTICLES:
            continue
        if not word[0].isupper() or not _WORD_CHARS.match(word) or lower in NAME_STOP:
            return None
    if words[0].lower() in NAME_PARTICLES or words[-1].lower() in NAME_PARTICLES:
        return None
    return text


def opens_byline(line: HeadLine) -> bool:
    """Whether the line's first word can open a byline (a test cheaper than the regex)."""
    return line.key.partition(" ")[0].rstrip(":") in BYLINE_FIRST


def lead_only(line: HeadLine) -> bool:
    """A line that is only a byline opener ("By", "Author:"): the name is on the next line."""
    if line.n_words > 3 or not opens_byline(line):
        return False
    found = BYLINE_LEAD.match(line.text)
    return found is not None and found.end() == len(line.text) and line.n_words <= 3


def _user_name(lead: str, rest: str) -> str | None:
    """A forum user's name after a lead that names users: one word, of any case."""
    if " ".join(lead.lower().split()).rstrip(": ") not in USER_LEADS:
        return None
    name = re.split(r"[,»]", rest, maxsplit=1)[0].strip()
    return name if _USER.match(name) else None


def byline_name(line: HeadLine, *, slash: bool = True) -> str | None:
    """The first author named by a byline line, or None."""
    if line.n_words > BYLINE_WORDS or line.last in ".!?":
        return None
    found = BYLINE_LEAD.match(line.text) if opens_byline(line) else None
    if found and found.end() < len(line.text):
        rest = line.text[found.end() :]
        return lead_name(rest) or _user_name(found.group(0), rest)
    if "@" in line.text and line.n_words <= HANDLE_BYLINE_WORDS:
        name, _, handle = line.text.partition("@")
        if _HANDLE.match(handle):
            return person_name(name.strip(" ,"))
    return slash_byline_name(line) if slash else None


def slash_byline_name(line: HeadLine) -> str | None:
    """The name of a byline that is a name, a slash or a bar, and what it writes for ("Jane
    Doe / Paper"): one separator, not in a list (a menu's items, "o South Korea | 대한민국",
    and a list of choices, "Toggle Light / Dark / Auto", are no bylines), no picture credit."""
    text = line.text
    if (
        line.bullet
        or line.n_words > SLASH_BYLINE_WORDS
        or line.last in ".!?"
        or text.count("/") + text.count("|") != 1
    ):
        return None
    found = _SLASH.match(text)
    if found and PHOTO_AGENCIES.isdisjoint(_ROLE_TOKEN.findall(line.key)):
        return person_name(found.group("name").strip())
    return None


def dated_byline_name(line: HeadLine) -> str | None:
    """The first author of a byline that follows a date or a separator in its line ("September
    1st, 2023 By Jane Doe", "May 2, 2024 · 3 min read · By Jane Doe")."""
    if line.n_words > BYLINE_WORDS:
        return None
    text = line.text
    for found in INNER_BYLINE_LEAD.finditer(text):
        before = text[: found.start()].rstrip()
        if not before or not (before[-1] in _PART_ENDS or any(map(str.isdigit, before))):
            continue
        name = lead_name(text[found.end() :])
        if name:
            return name
    return None


def part_name(text: str) -> str | None:
    """A name standing as a part of a line split by separators, after its first part
    ("December 15, 2025 · 30 min · Jane Doe", "18/03/2019 | Jane Doe")."""
    for part in _PARTS.split(text)[1:]:
        name = name_part(part)
        if name:
            return name
    return None


def role_line(text: str) -> bool:
    """A short line naming a job or a role, as under an author's name ("Founder & CEO",
    "Tech Writer")."""
    if text.rstrip().endswith((".", "!", "?")):
        return False
    words = _ROLE_TOKEN.findall(text.lower())
    return 0 < len(words) <= ROLE_LINE_WORDS and not ROLE_WORDS.isdisjoint(words)


#: how a biography goes on after the name it opens with: "Jane Doe is a ...", "Jane Doe, a ..."
_BIO_VERB = re.compile(
    r"^(?:,|\s+\([^)]{1,30}\))?\s+(?:is|was|has|serves|joined|writes|covers|leads|holds)\b|^,\s"
)
#: the words of a biography read for a job title
BIO_WORDS = 30


def biography(rest: str) -> bool:
    """Whether ``rest``, what follows a name that opens a paragraph, goes on as the biography of
    the person: a verb or an apposition, and a job title among its first words ("is a staff
    writer", "(she/her) is CEO at ...")."""
    if not _BIO_VERB.match(rest):
        return False
    words = _ROLE_TOKEN.findall(rest.lower())[:BIO_WORDS]
    return not ROLE_WORDS.isdisjoint(words)


#: what a forum prints after a poster's name when not a date: a count, a join date or a role
#: ("jdoe Posts: 2 Joined: ...", "jdoe Member Registered: ...", "jdoe Admin")
_POSTER_LABEL = re.compile(
    r"^(?:(?:posts|messages|reputation)\s*:\s*\d|(?:joined|registered)\s*:\s*\S"
    r"|(?:member|moderator|admin|administrator)(?:\s+(?:registered|posts|joined)\b|\s*$))",
    re.IGNORECASE,
)
#: the line beside a user name alone that heads a forum post: the first post's number with its
#: date ("11-29-2024, 09:03 AM #1"), "wrote", a question's "asked May 2, 2024 at 13:02"
POST_HEADER = re.compile(r"^(?:wrote|asked)\b|.*?(?P<numbered>#1)\b", re.IGNORECASE)
#: a time of day, as a forum post's header prints it beside the date
_CLOCK = re.compile(r"\b\d{1,2}:\d{2}")
#: the most words of a forum post's header line
POSTER_WORDS = 10


def poster_name(text: str) -> str | None:
    """The user name that opens a forum post's header line: the name, then a date and time
    ("jdoe May 3, 2024, 8:45am #1", "jdoe (Jane Doe) 2 May 2025 18:48") or the poster's counts
    ("jdoe Posts: 2 Joined: ...")."""
    user, _, rest = text.partition(" ")
    if not rest or not is_user_name(user):
        return None
    if rest.startswith("(") and ")" in rest:  # the poster's display name beside the user name
        rest = rest.partition(")")[2].lstrip()
    if _POSTER_LABEL.match(rest):
        return user
    if text.count(" ") >= POSTER_WORDS or not _CLOCK.search(rest):
        return None
    return user if any(start == 0 for start, _ in dates_in(rest)) else None


def is_user_name(word: str) -> bool:
    """Whether a word can be a forum user's name: a word of ASCII letters, digits and ``._@+-``,
    starting with a letter, that is no month, weekday, dateline label or word of a page's
    chrome."""
    if not word.isascii() or not word[:1].isalpha() or not _USER.match(word):
        return False
    lower = word.lower().rstrip(".,:")
    return not (
        lower in NAME_STOP or lower in MONTHS or lower in _DATELINE_WORDS or lower in WEEKDAYS
    )
