"""The words of a page's address that name the page: its slug.

Most sites build an article's address from its headline ("/2024/05/council-approves-budget/",
"/news/Council_approves_budget.html"). The headline reader scores each line by how much of
that slug it holds (``titles.Candidates``). A text page's address comes with its record (a WARC
or WET record's target URI, a JSON line's URL field, a sidecar's ``url``); a page without one
has no slug, and the reader goes by the text alone.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

_WORD = re.compile(r"[^\W_]+")
#: file endings of a page's address, not words of its name
_ENDING = re.compile(r"\.(?:s?html?|php\d?|aspx?|jsp|cfm|cgi)$", re.IGNORECASE)
#: a number of this many digits or more is an identifier (an article's id), not a word
ID_DIGITS = 5
#: a slug has at least this many words, and at most as many as a headline (a longer segment is
#: data, not a name: it is passed over, so that a hostile address costs nothing per line)
SLUG_WORDS, SLUG_MAX_WORDS = 2, 30


def address_words(url: str | None) -> frozenset[str]:
    """The lower-case words of the last segment of ``url``'s path that has ``SLUG_WORDS`` to
    ``SLUG_MAX_WORDS`` words (identifiers left out); empty without one."""
    if not url:
        return frozenset()
    try:
        path = urlsplit(url.strip()).path
    except ValueError:  # a malformed address names nothing
        return frozenset()
    for segment in reversed(unquote(path).split("/")):
        words = [
            word
            for word in _WORD.findall(_ENDING.sub("", segment).lower())
            if not (word.isdigit() and len(word) >= ID_DIGITS)
        ]
        if SLUG_WORDS <= len(words) <= SLUG_MAX_WORDS:
            return frozenset(words)
    return frozenset()


def address_match(key: str, address: frozenset[str]) -> tuple[float, float]:
    """Of a lower-case line: the share of ``address``'s words it holds, and the share of its
    words ``address`` holds (both 0 when it holds none)."""
    for word in address:  # most lines hold none: a substring test rules them out at once
        if word in key:
            break
    else:
        return 0.0, 0.0
    words = frozenset(_WORD.findall(key))
    shared = len(words & address)
    return (shared / len(address), shared / len(words)) if shared else (0.0, 0.0)
