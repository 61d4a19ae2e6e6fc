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
from itertools import accumulate

import numpy as np
from ahocorasick_rs import AhoCorasick, Implementation

from ingest.cleaning.vocab import prefilter

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


class NeedleSets:
    """Several sets of needles found in one pass over a text: a page is scanned once for all the
    sets its rules search rather than once a set (each pass costs about as much however few the
    needles)."""

    __slots__ = ("_automaton", "_column", "_member")

    def __init__(self, sets: tuple[tuple[str, ...], ...]) -> None:
        sets = tuple(dict.fromkeys(group for group in sets if group))
        needles = sorted({needle for group in sets for needle in group})
        at = {needle: i for i, needle in enumerate(needles)}
        #: whether needle i belongs to set j
        self._member = np.zeros((len(needles), len(sets)), dtype=bool)
        for j, group in enumerate(sets):
            self._member[[at[needle] for needle in group], j] = True
        self._column = {group: j for j, group in enumerate(sets)}
        # the standard match kind reports overlapping matches: every needle wherever it stands
        self._automaton = _dfa(needles) if needles else None

    def column(self, needles: tuple[str, ...]) -> int | None:
        """The set's column, if it is one of the sets."""
        return self._column.get(needles)

    def find(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Which needle stands at which position, every match of every needle in ``text``."""
        if self._automaton is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        hits = self._automaton.find_matches_as_indexes(text, overlapping=True)
        needle = np.fromiter((i for i, _, _ in hits), np.int64, len(hits))
        start = np.fromiter((start for _, start, _ in hits), np.int64, len(hits))
        return needle, start

    def members(self, needle: np.ndarray, column: int) -> np.ndarray:
        """Which of the found needles belong to the set of ``column``."""
        return self._member[needle, column]


class TextIndex:
    """The texts of a page's lines joined into one string, to find the lines holding one of
    many strings in one pass over the page instead of one search per string and line.
    ``sets``: the needle sets the page's rules search, found together in one pass."""

    __slots__ = ("_found", "_sets", "_starts", "n", "text")

    def __init__(self, texts: list[str], sets: NeedleSets | None = None) -> None:
        self.n = len(texts)
        self.text = "\n".join(texts)
        # where each text starts (the running sum of the lengths before it, each plus a
        # newline), then where the last one ends
        self._starts = np.fromiter(
            accumulate(map((1).__add__, map(len, texts)), initial=0), np.int64, self.n + 1
        )
        self._sets = sets
        #: every match of ``sets``' needles: the needle, and the text it stands in
        self._found: tuple[np.ndarray, np.ndarray] | None = None

    def holding(self, needles: tuple[str, ...]) -> set[int]:
        """Indices of the texts that contain one of ``needles`` (none holding a newline)."""
        if not self.n or not needles:
            return set()
        column = self._sets.column(needles) if self._sets is not None else None
        if column is not None:
            if self._found is None:
                needle, start = self._sets.find(self.text)
                self._found = needle, self._text_of(start)
            needle, text = self._found
            return set(text[self._sets.members(needle, column)].tolist())
        # non-overlapping matches suffice: a match never spans two texts, so every text that
        # holds a needle holds at least one match
        hits = _automaton(needles).find_matches_as_indexes(self.text)
        if not hits:
            return set()
        at = np.fromiter((start for _, start, _ in hits), np.int64, len(hits))
        return set(self._text_of(at).tolist())

    def _text_of(self, at: np.ndarray) -> np.ndarray:
        """The index of the text each position of the joined string stands in."""
        return np.searchsorted(self._starts, at, "right") - 1


@cache
def _automaton(needles: tuple[str, ...]) -> AhoCorasick:
    """One automaton for a set of needles (each set is a constant of the rules)."""
    return _dfa(list(needles))


def _dfa(needles: list[str]) -> AhoCorasick:
    """An automaton built as a DFA: a few hundred short needles make a small one, and it scans
    a page about twice as fast as the default NFA."""
    return AhoCorasick(needles, implementation=Implementation.DFA)


def minimal_needles(needles: tuple[str, ...]) -> tuple[str, ...]:
    """``needles`` less those that hold another one: a text holds one of the rest exactly when
    it holds one of ``needles``."""
    return tuple(
        needle
        for needle in needles
        if not any(other != needle and other in needle for other in needles)
    )


class KeyIndex(TextIndex):
    """The line keys of a page, also grouped by their first word."""

    __slots__ = ("by_first", "folds", "keys")

    def __init__(self, keys: list[str], firsts: list[str], sets: NeedleSets | None = None) -> None:
        super().__init__(keys, sets)
        self.keys = keys
        #: whether a key holds a character that IGNORECASE matches to another one ("ſ")
        self.folds = _folds(self.text)
        by_first: dict[str, list[int]] = {}
        for i, first in enumerate(firsts):
            by_first.setdefault(first, []).append(i)
        self.by_first = by_first


_FOLD_SPECIAL = re.compile("[" + re.escape("".join(sorted(prefilter.FOLD_SPECIAL))) + "]")


class Matcher:
    """Many anchored patterns, dispatched on the line's first word.

    Python's regex engine tries every branch of an alternation; with hundreds of phrases and
    hundreds of lines per page that dominates the cleaner's time. Patterns that start with a
    literal word are grouped under that word, so a line is tried only against the few patterns
    that share its first word. Of the other patterns, those whose possible first words can be
    listed (``prefilter.first_words``) join those groups; the rest are tried only on keys that
    hold one of their required strings (``prefilter.required_literals``), or on every key.
    """

    __slots__ = ("by_word", "fallback", "gate", "gated", "loose")

    def __init__(self, pats: list[str], *, suffix: str = "$") -> None:
        groups: dict[str, list[str]] = {}
        listed: list[str] = []
        gated: list[tuple[tuple[str, ...], str]] = []
        loose: list[str] = []
        for pat in pats:
            found = _FIRST_WORD.match(pat)
            if found and "\\" not in found.group(1):
                groups.setdefault(found.group(1).lower(), []).append(pat)
            elif (firsts := prefilter.first_words(pat, suffix)) is not None:
                listed.append(pat)
                for word in firsts:
                    groups.setdefault(word, []).append(pat)
            elif (lits := prefilter.required_literals(pat)) is not None:
                gated.append((lits, pat))
            else:
                loose.append(pat)
        self.by_word = {word: _anchored(group, suffix) for word, group in groups.items()}
        #: patterns found through first words, tried together on keys whose first word holds a
        #: character that IGNORECASE matches to another one
        self.fallback = _anchored(listed, suffix) if listed else None
        #: lower-case strings one of which a key must hold for ``gated`` to match
        self.gate = tuple(sorted({lit for group, _ in gated for lit in group}))
        self.gated = _anchored([pat for _, pat in gated], suffix) if gated else None
        self.loose = _anchored(loose, suffix) if loose else None

    def match(self, key: str, first: str | None = None) -> bool:
        """Whether the whole key (or its start, for a prefix matcher) is one of the patterns;
        ``first`` is the key's first word (``first_word(key)``) when the caller has it."""
        if first is None:
            first = _KEY_WORD.match(key).group()
        regex = self.by_word.get(first)
        if regex is not None and regex.match(key):
            return True
        if self.loose is not None and self.loose.match(key):
            return True
        if self.gated is not None and self._gate_open(key) and self.gated.match(key):
            return True
        return self.fallback is not None and _folds(first) and self.fallback.match(key) is not None

    def _gate_open(self, key: str) -> bool:
        return _folds(key) or any(lit in key for lit in self.gate)

    def matching(self, index: KeyIndex) -> set[int]:
        """Indices of the page's keys that ``match`` (each with its own first word)."""
        keys, by_first = index.keys, index.by_first
        found: set[int] = set()
        by_word = self.by_word
        for word in by_first.keys() & by_word.keys():
            regex = by_word[word]
            found.update(i for i in by_first[word] if regex.match(keys[i]))
        if self.loose is not None:
            found.update(i for i, key in enumerate(keys) if self.loose.match(key))
        if self.gated is not None:
            todo = index.holding(self.gate)
            if index.folds:  # as ``_gate_open``: a key that folds may match without a literal
                todo = todo.union(i for i, key in enumerate(keys) if _folds(key))
            found.update(i for i in todo if self.gated.match(keys[i]))
        if self.fallback is not None and index.folds:
            for word, items in by_first.items():
                if _folds(word):
                    found.update(i for i in items if self.fallback.match(keys[i]))
        return found


def _folds(text: str) -> bool:
    """Whether ``text`` holds a character that IGNORECASE matches to another lower-case one."""
    return not text.isascii() and _FOLD_SPECIAL.search(text) is not None


def _anchored(pats: list[str], suffix: str) -> re.Pattern[str]:
    """One regex: a key that starts with one of ``pats``, then ``suffix``."""
    return re.compile("^(?:" + "|".join(pats) + ")" + suffix, re.IGNORECASE)


def first_word(key: str) -> str:
    """The first word of a line key, as ``Matcher.match`` dispatches on it."""
    return _KEY_WORD.match(key).group()


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

    __slots__ = ("by_word", "gated", "general", "words")

    def __init__(self, pats: list[str]) -> None:
        groups: dict[str, list[str]] = {}
        general: list[str] = []
        gated: list[tuple[tuple[str, ...], re.Pattern[str]]] = []
        for pat in pats:
            found = _LEAD_WORD.match(pat)
            if found:
                groups.setdefault(found.group(1).lower(), []).append(pat)
            elif (lits := _literals(pat)) is not None:
                gated.append((lits, re.compile(pat, re.IGNORECASE)))
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
        #: patterns that must start with one of a few literal strings: searched only in lines
        #: that hold one of them (a regex engine tries an alternation at every position)
        self.gated = tuple(gated)

    def search(self, text: str, toks: list[str]) -> re.Match[str] | None:
        """The first pattern found in ``text`` whose tokens are ``toks``: the leftmost match
        among the patterns that need no particular word, else one of a word's patterns."""
        best = self._general(text, text.lower())
        if best is not None:
            return best
        for word in self.words.intersection(toks):
            found = self.by_word[word].search(text)
            if found:
                return found
        return None

    def search_line(self, line) -> re.Match[str] | None:
        """``search`` on a line, its tokens computed only when one of the words is in it."""
        best = self._general(line.text, line.lower)
        if best is not None:
            return best
        low = line.lower
        if len(self.words) <= 8 and not any(word in low for word in self.words):
            return None
        for word in self.words.intersection(line.toks):
            found = self.by_word[word].search(line.text)
            if found:
                return found
        return None

    def _general(self, text: str, low: str) -> re.Match[str] | None:
        best = self.general.search(text) if self.general is not None else None
        if self.gated:
            for lits, regex in self.gated:
                for lit in lits:
                    if lit in low:
                        found = regex.search(text)
                        if found and (best is None or found.start() < best.start()):
                            best = found
                        break
        return best


_META = set("\\()[]{}?*+|.^$")


def _literal_start(alt: str) -> str:
    """The literal characters an alternative starts with (a quantified last one dropped)."""
    out = []
    i = 0
    while i < len(alt):
        c = alt[i]
        if c == "\\" and i + 1 < len(alt) and alt[i + 1] in "()[]{}.?*+|/-":
            c, i = alt[i + 1], i + 1
        elif c in _META:
            if c in "?*{" and out:
                out.pop()
            break
        out.append(c)
        i += 1
    return "".join(out)


def _literals(pat: str) -> tuple[str, ...] | None:
    """Lower-case strings one of which every match of ``pat`` starts with (None: unknown)."""
    body = pat[2:] if pat.startswith("\\b") else pat
    if body.startswith("(") and not body.startswith("(?"):
        depth, end = 0, None
        alts, start = [], 1
        for k, c in enumerate(body):
            if c == "\\":
                continue
            if c == "(" and (k == 0 or body[k - 1] != "\\"):
                depth += 1
            elif c == ")" and body[k - 1] != "\\":
                depth -= 1
                if depth == 0:
                    end = k
                    break
            elif c == "|" and depth == 1 and body[k - 1] != "\\":
                alts.append(body[start:k])
                start = k + 1
        if end is None or (end + 1 < len(body) and body[end + 1] in "?*{"):
            return None
        alts.append(body[start:end])
        found = [_literal_start(a) for a in alts]
    else:
        found = [_literal_start(body)]
    if not all(found):
        return None
    return tuple(sorted({f.lower() for f in found}))


def anywhere(concept: str, role: str) -> Finder:
    """A finder of the role's patterns anywhere in a line."""
    return Finder(patterns(concept, role))


def prefix(concept: str, role: str, suffix: str = "") -> Matcher:
    """A matcher of line keys that start with one of the role's patterns (then ``suffix``)."""
    return Matcher(patterns(concept, role), suffix=suffix)


def words(concept: str, role: str) -> frozenset[str]:
    """The role's entries as a set of plain lower-case words."""
    return frozenset(p.lower() for p in patterns(concept, role))
