"""What a vocabulary pattern needs from a line before it can match, read from its parse tree.

Two conservative facts, each ``None`` when the pattern is too loose to tell:

* ``first_words``: every first word (``[\\w'’-]*`` at the start, lower-cased) that a line key
  matched by the anchored pattern can have, so a matcher can be chosen by the key's first word;
* ``required_literals``: strings one of which every match contains, so a cheap substring search
  can rule a line out before the pattern itself is tried.

Both read the tree of Python's own regex parser; anything it does not recognise makes the answer
``None`` (the pattern is then tried on every line), so a wrong answer cannot make a match missed.
"""

from __future__ import annotations

import re
from typing import Any

try:  # the parser behind ``re`` (``sre_parse`` before Python 3.11)
    from re import _casefix as _casefix
    from re import _constants as _c
    from re import _parser as _parser
except ImportError:  # pragma: no cover
    _casefix = None
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _parser  # type: ignore[no-redef]

_KEY_CHAR = re.compile(r"[\w'’-]")
#: past this many candidate first words a pattern counts as loose
_MAX_WORDS = 256
_MAX_REPEAT_UNROLL = 4

#: characters that match another lower-case character under IGNORECASE ("ſ" and "s", "ı" and
#: "i", ...): a first word holding one is not looked up by its spelling
FOLD_SPECIAL: frozenset[str] = frozenset(
    chr(code)
    for key, values in (_casefix._EXTRA_CASES.items() if _casefix is not None else ())
    for code in (key, *values)
    if code > 127
)


class _Loose(Exception):
    """The pattern admits too many first words (or a construct this module does not read)."""


State = tuple[str, bool]  # (first word so far, whether it has ended)


def first_words(pattern: str, suffix: str = "$") -> frozenset[str] | None:
    """The first words of the keys that ``^(?:pattern)suffix`` matches (``None``: any)."""
    try:
        tree = _parser.parse(f"(?:{pattern}){suffix}", re.IGNORECASE)
        states = _sequence(list(tree), {("", False)})
    except (_Loose, re.error, RecursionError):
        return None
    if not all(done for _, done in states):
        return None  # a prefix matcher: the word may run on after the pattern
    return frozenset(word for word, _ in states)


def _sequence(items: list[Any], states: set[State]) -> set[State]:
    for op, av in items:
        done = {s for s in states if s[1]}
        open_ = {s for s in states if not s[1]}
        if not open_:
            return states
        states = done | _item(op, av, open_)
        if len(states) > _MAX_WORDS:
            raise _Loose
    return states


def _item(op: Any, av: Any, states: set[State]) -> set[State]:
    if op is _c.LITERAL:
        return _chars([chr(av)], states)
    if op is _c.IN:
        return _chars(_class_chars(av), states)
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, items = av
        if add_flags or del_flags:
            raise _Loose
        return _sequence(list(items), states)
    if op is _c.BRANCH:
        return set().union(*(_sequence(list(seq), states) for seq in av[1]))
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        return _repeat(av, states)
    if op is _c.AT:
        if av in (_c.AT_END, _c.AT_END_STRING):
            return {(word, True) for word, _ in states}
        return states  # other anchors consume nothing
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        return states
    raise _Loose


def _repeat(av: Any, states: set[State]) -> set[State]:
    low, high, items = av
    items = list(items)
    current = states
    for _ in range(low):
        current = _sequence(items, current)
    out = set(current)
    if high - low <= _MAX_REPEAT_UNROLL:
        for _ in range(low, high):
            current = _sequence(items, current)
            out |= current
        return out
    # unbounded: allowed only when one more pass always ends the word (a run of non-word chars)
    more = _sequence(items, current)
    if not all(done for _, done in more):
        raise _Loose
    return out | more


def _chars(chars: list[str], states: set[State]) -> set[State]:
    out: set[State] = set()
    for ch in chars:
        low = ch.lower()
        if _KEY_CHAR.match(ch):
            if len(low) != 1 or low in FOLD_SPECIAL:
                raise _Loose
            out |= {(word + low, False) for word, _ in states}
        else:
            out |= {(word, True) for word, _ in states}
    return out


def _class_chars(av: list[Any]) -> list[str]:
    """The characters of a ``[...]`` class; loose if it has word characters it cannot list."""
    chars: list[str] = []
    for op, arg in av:
        if op is _c.LITERAL:
            chars.append(chr(arg))
        elif op is _c.RANGE and arg[1] - arg[0] < 16:
            chars.extend(chr(code) for code in range(arg[0], arg[1] + 1))
        elif op is _c.CATEGORY and arg is _c.CATEGORY_SPACE:
            chars.append(" ")  # whitespace ends a word like a space
        else:
            raise _Loose
    return chars


def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Lower-case strings one of which every match of ``pattern`` holds (``None``: unknown)."""
    try:
        found = _required(list(_parser.parse(pattern, re.IGNORECASE)))
    except (re.error, RecursionError):
        return None
    if not found or min(map(len, found)) < 2:
        return None
    if any(len(lit.lower()) != len(lit) or "\n" in lit for lit in found):
        return None
    return tuple(sorted({lit.lower() for lit in found}))


def _required(items: list[Any]) -> frozenset[str] | None:
    """The most selective choice among the parts every match of the sequence passes through."""
    options: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        if run:
            options.append(frozenset(["".join(run)]))
            run = []
        part = _required_item(op, av)
        if part:
            options.append(part)
    if run:
        options.append(frozenset(["".join(run)]))
    if not options:
        return None
    return max(options, key=lambda lits: (min(map(len, lits)), -len(lits)))


def _required_item(op: Any, av: Any) -> frozenset[str] | None:
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, items = av
        return None if add_flags or del_flags else _required(list(items))
    if op is _c.BRANCH:
        parts = [_required(list(seq)) for seq in av[1]]
        if any(not part for part in parts):
            return None
        return frozenset().union(*parts)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] >= 1:
        return _required(list(av[2]))
    return None
