"""Phrase vocabularies of the cleaner, kept as data (one TOML file per concept).

Each file is a concept (comments, donation, newsletter, share, related, media, chrome); each of
its tables a role (``label``: the whole line is one; ``lead``: a line that opens a block; ...);
each key a language (or ``any``); each value a list of regular expressions. They are read and
compiled once, at import.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources

CONCEPTS = ("comments", "donation", "newsletter", "share", "related", "media", "chrome")


@cache
def load(concept: str) -> dict[str, dict[str, list[str]]]:
    """The raw vocabulary of one concept: role -> language -> patterns."""
    text = resources.files(__package__).joinpath(f"{concept}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def patterns(concept: str, role: str) -> list[str]:
    """All patterns of one role, every language together."""
    return [p for group in load(concept)[role].values() for p in group]


_FIRST_WORD = re.compile(r"^([\w'’-]+)(?: |$)")
_KEY_WORD = re.compile(r"[\w'’-]*")


class Matcher:
    """Many anchored patterns, dispatched on the line's first word.

    Python's regex engine tries every branch of an alternation; with hundreds of phrases and
    hundreds of lines per page that dominates the cleaner's time. Patterns that start with a
    literal word are grouped under that word, so a line is tried only against the few patterns
    that share its first word, plus those that start with a regex construct.
    """

    __slots__ = ("by_word", "general")

    def __init__(self, pats: list[str], *, suffix: str = "$") -> None:
        groups: dict[str, list[str]] = {}
        general: list[str] = []
        for pat in pats:
            found = _FIRST_WORD.match(pat)
            if found and "\\" not in found.group(1):
                groups.setdefault(found.group(1).lower(), []).append(pat)
            else:
                general.append(pat)
        self.by_word = {
            word: re.compile("^(?:" + "|".join(group) + ")" + suffix, re.IGNORECASE)
            for word, group in groups.items()
        }
        self.general = (
            re.compile("^(?:" + "|".join(general) + ")" + suffix, re.IGNORECASE)
            if general
            else None
        )

    def match(self, key: str) -> bool:
        """Whether the whole key (or its start, for a prefix matcher) is one of the patterns."""
        first = _KEY_WORD.match(key).group()
        regex = self.by_word.get(first)
        if regex is not None and regex.match(key):
            return True
        return self.general is not None and self.general.match(key) is not None


def whole(concept: str, role: str) -> Matcher:
    """A matcher of line keys equal to one of the role's patterns."""
    return Matcher(patterns(concept, role))


_LEAD_WORD = re.compile(r"^(?:\\b)?([\w'’-]+)(?= |\\b|\\s|:)")


class Finder:
    """Patterns searched anywhere in a line, tried only when the line holds their first word.

    A pattern that starts with a literal word (followed by a space or ``\\b``) is searched only in
    lines whose tokens include that word (the tokens of a line are computed once); the others
    (stems such as ``subscri``, patterns that open with a group) are searched in every line.
    """

    __slots__ = ("by_word", "general", "words")

    def __init__(self, pats: list[str]) -> None:
        groups: dict[str, list[str]] = {}
        general: list[str] = []
        for pat in pats:
            found = _LEAD_WORD.match(pat)
            if found:
                groups.setdefault(found.group(1).lower(), []).append(pat)
            else:
                general.append(pat)
        self.by_word = {
            word: re.compile("(?:" + "|".join(group) + ")", re.IGNORECASE)
            for word, group in groups.items()
        }
        self.words = frozenset(self.by_word)
        self.general = (
            re.compile("(?:" + "|".join(general) + ")", re.IGNORECASE) if general else None
        )

    def search(self, text: str, toks: list[str]) -> re.Match[str] | None:
        """The first pattern found in ``text`` whose tokens are ``toks``."""
        if self.general is not None:
            found = self.general.search(text)
            if found:
                return found
        for word in self.words.intersection(toks):
            found = self.by_word[word].search(text)
            if found:
                return found
        return None


def anywhere(concept: str, role: str) -> Finder:
    """A finder of the role's patterns anywhere in a line."""
    return Finder(patterns(concept, role))


def prefix(concept: str, role: str, suffix: str = "") -> Matcher:
    """A matcher of line keys that start with one of the role's patterns (then ``suffix``)."""
    return Matcher(patterns(concept, role), suffix=suffix)


def words(concept: str, role: str) -> frozenset[str]:
    """The role's entries as a set of plain lower-case words."""
    return frozenset(p.lower() for p in patterns(concept, role))
