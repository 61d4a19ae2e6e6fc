"""Undo the layout of text-browser dumps (w3m, lynx, elinks, links): paragraphs wrapped at a fixed
width, and numbered links.

A browser that dumps a page as text breaks every paragraph into lines of at most its screen
width, at a space. A break was forced by the width when the next line's first word would not
have fitted on the line; a break before that point is the page's own (a paragraph's end, a list
item, a line break). The page's width is the one at which the most breaks were forced; the page
counts as wrapped only when nearly no line is wider, most of its full lines end in a forced
break and most of those breaks fall inside a sentence. Forced breaks are then joined with a
space, so that the metadata reader and the cleaner see a paragraph as one line, as in any other
dump. Chinese and Japanese, written without spaces, break at any character once a line is full:
there the full lines are joined, with nothing between. Lynx and elinks also number every link
("[12]Home") and list their addresses at the end.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

#: the narrowest and widest screens a dump is wrapped at
MIN_WIDTH, MAX_WIDTH = 40, 160
#: the fewest forced breaks that make a page wrapped
MIN_FORCED = 4
#: the shortest line that may end in a forced break (a screen's narrowest less a long word)
MIN_FULL = MIN_WIDTH // 2
#: a line at least this close to the width is full: most of them end in a forced break
FULL_SLACK = 20
FULL_SHARE = 0.6
#: of the forced breaks before a word with a case, the least share before a lower-case one: a
#: break inside a sentence (lines of a list or table of like length all start with a capital)
LOWER_SHARE = 0.3
#: the most lines with a space longer than the width (preformatted text): this share of the
#: page's lines, or this many
OVER_SHARE, OVER_MIN = 0.05, 2
#: a page with this many forced breaks for each line wider than the width is wrapped however many
#: of those there are (code a browser prints as it is, unwrapped)
FORCED_PER_OVER = 3
#: the longest word whose not fitting tells a forced break
MAX_WORD = 20
#: a line broken inside a script without spaces is this many columns short of the width at most
WIDE_SLACK = 2
#: full lines of which at least this share end in one character are the items of a list cut
#: to one length (headlines in brackets), not a paragraph broken at any character
ALIKE_SHARE = 0.5
#: a line wider than the screen overflows it when at least this many spaces stand in its first
#: screen's width (its words could have been wrapped)
OVERFLOW_WORDS = 4
#: a line that opens a list item (a new paragraph however full the line above)
_ITEM = re.compile(r"\s*(?:[*+•·◦▪o-]\s|\d{1,3}[.)]\s|\(\d{1,3}\)\s|[a-z][.)]\s|\d{1,3}、)")
_ALIGNED = re.compile(r"\S {2,}\S")  # columns aligned by spaces: a table or code


def unwrap(text: str) -> str:
    """``text`` with the breaks a dump's fixed width forced joined; unchanged when it shows
    no such width."""
    if text.count("\n") < 2 * MIN_FORCED:
        return text
    lines = text.split("\n")
    sizes = list(map(len, lines))
    allowed = _over_allowed(sizes)
    over = 0
    for size, line in zip(sizes, lines, strict=True):
        # paragraphs wider than any screen: not wrapped (most pages end here, after a few)
        if size > MAX_WIDTH and _overflows(line, MAX_WIDTH):
            over += 1
            if over > allowed:
                return text
    pairs = _breaks(lines, sizes)
    width = _width(lines, pairs, allowed)
    widths = _block_widths(lines, pairs, width) if width is not None else {}
    glued = _unspaced_breaks(lines, sizes, allowed) if _UNSPACED.search(text) else set()
    if width is None and not glued:
        return text
    out: list[str] = []
    for i, line in enumerate(lines):
        lo, hi = pairs.get(i - 1, (0, 0))
        if out and i - 1 in glued:
            out[-1] = out[-1].rstrip() + line.lstrip()
        elif out and width is not None and lo <= widths.get(_indent(lines[i - 1]), width) < hi:
            out[-1] = out[-1].rstrip() + " " + line.lstrip()
        else:
            out.append(line)
    return "\n".join(out)


def _unspaced_breaks(lines: list[str], sizes: list[int], allowed: float) -> set[int]:
    """The lines a dump broke inside a script written without spaces (Chinese, Japanese),
    where a line breaks at any character once it is full: the lines that end one column or
    two short of the page's width (the last character may not fit, or the browser keeps a
    closing mark with the character before it). The width is the size of the most full
    lines, in screen columns (w3m) or in characters (lynx); no line of the script is wider,
    and the full lines are distinct, end in no one character and some follow each other (the
    items of a list cut to one length do not)."""
    found = [
        i
        for i in range(len(lines) - 1)
        if MIN_FULL <= sizes[i] <= MAX_WIDTH and sizes[i + 1] and _glued(lines[i], lines[i + 1])
    ]
    if len(found) < MIN_FORCED:
        return set()
    wide = [line.rstrip() for line in lines if _WIDE.search(line)]
    best: set[int] = set()
    for measure in (columns, len):
        size = {i: measure(lines[i].rstrip()) for i in found}
        counts: dict[int, int] = {}
        for value in size.values():
            for w in range(value, value + WIDE_SLACK + 1):
                counts[w] = counts.get(w, 0) + 1
        width = max(counts, key=lambda w: (counts[w], w))
        full = {i for i, value in size.items() if width - WIDE_SLACK <= value <= width}
        near = sum(1 for value in size.values() if width - FULL_SLACK <= value <= width)
        distinct = len({lines[i].strip() for i in full})  # a list repeats its items
        runs = sum(1 for i in full if i + 1 in full)  # a paragraph of three lines or more
        ends = Counter(lines[i].rstrip()[-1] for i in full)
        if (
            width >= MIN_WIDTH
            and distinct >= max(MIN_FORCED, FULL_SHARE * near)
            and runs
            and ends.most_common(1)[0][1] < ALIKE_SHARE * len(full)
            and sum(measure(line) > width for line in wide) <= allowed
            and len(full) > len(best)
        ):
            best = full
    return best


def _glued(line: str, nxt: str) -> bool:
    """Whether the break between ``line`` and ``nxt`` falls between two wide characters."""
    text, head = line.rstrip(), nxt.lstrip()
    if not text.strip() or not head or _ITEM.match(head) or _aligned(text.strip()):
        return False
    return bool(_UNSPACED.match(text[-1]) and _UNSPACED.match(head[0]))


def _breaks(lines: list[str], sizes: list[int]) -> dict[int, tuple[int, int]]:
    """For each line followed by a non-blank line it may run on into: the widths at which the
    break after it was forced, as ``[lo, hi)``: from its length to its length with the next
    line's first word. Lines too short or too long for any screen's full line are left out."""
    found: dict[int, tuple[int, int]] = {}
    for i in range(len(lines) - 1):
        if not MIN_FULL <= sizes[i] <= MAX_WIDTH or not sizes[i + 1]:
            continue
        line, head = lines[i].rstrip(), lines[i + 1].lstrip()
        if not head or not line.strip() or _ITEM.match(head):
            continue
        if _aligned(line.strip()) or _aligned(head[:MAX_WIDTH]):
            continue
        first = head.split(" ", 1)[0]
        if len(first) > MAX_WORD:
            continue  # an address or a line of code, no word: its break tells nothing
        if not (line[-1].isascii() and first[0].isascii()) and (
            _WIDE.match(line[-1]) or _WIDE.match(first[0])
        ):
            continue  # a script written without spaces breaks anywhere: no word to measure
        size = columns(line)
        found[i] = (size, size + 1 + columns(first))
    return found


def _aligned(text: str) -> bool:
    """Whether ``text`` has columns aligned by runs of spaces (a table, code)."""
    return "  " in text and _ALIGNED.search(text) is not None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _block_widths(
    lines: list[str], pairs: dict[int, tuple[int, int]], width: int
) -> dict[int, int]:
    """The width of the lines of each indentation that has a width of its own, narrower than
    the page's (a quotation, a list: text browsers indent both margins of nested blocks)."""
    by_indent: dict[int, dict[int, tuple[int, int]]] = {}
    for i, span in pairs.items():
        by_indent.setdefault(_indent(lines[i]), {})[i] = span
    widths = {}
    for indent, spans in by_indent.items():
        found = _best_width(list(spans.values()), width)
        if found is not None and found[1] >= MIN_FORCED and _mid_sentence(lines, spans, found[0]):
            widths[indent] = found[0]
    return widths


def _mid_sentence(lines: list[str], pairs: dict[int, tuple[int, int]], width: int) -> bool:
    """Whether enough of the breaks forced at ``width`` fall inside a sentence: the next line
    starts with a lower-case word. A script without case (Chinese, Arabic) shows nothing of
    the kind, and its page is left as it is."""
    cased = lower = 0
    for i, (lo, hi) in pairs.items():
        if lo <= width < hi:
            first = lines[i + 1].lstrip()[0]
            if first.islower() or first.isupper():
                cased += 1
                lower += first.islower()
    return cased >= MIN_FORCED and lower >= LOWER_SHARE * cased


#: characters a terminal shows two columns wide (East Asian wide and full-width forms)
_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
    "\U00020000-\U0003fffd]"
)


#: the wide characters of scripts written without spaces between words (Korean has spaces)
_UNSPACED = re.compile(
    "[\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uf900-\ufaff"
    "\ufe30-\ufe4f\uff00-\uff60\U00020000-\U0003fffd]"
)


def columns(text: str) -> int:
    """The screen columns ``text`` takes (wide East Asian characters take two)."""
    if text.isascii():
        return len(text)
    return len(text) + len(_WIDE.findall(text))


def _overflows(line: str, width: int) -> bool:
    """Whether ``line`` is wider than ``width`` though a screen line's worth of words opens it
    (one long word, an address, makes a line overflow in any dump)."""
    return len(line) > width and line.lstrip().count(" ", 0, width) >= OVERFLOW_WORDS


def _width(lines: list[str], pairs: dict[int, tuple[int, int]], allowed: float) -> int | None:
    """The screen width the page was wrapped at, if it was."""
    found = _best_width(list(pairs.values()), MAX_WIDTH)
    if found is None or found[1] < MIN_FORCED:
        return None
    width, best = found
    full = sum(1 for lo, _ in pairs.values() if width - FULL_SLACK <= lo <= width)
    if best < FULL_SHARE * full or not _mid_sentence(lines, pairs, width):
        return None
    over = sum(_overflows(line, width) and not _aligned(line.strip()) for line in lines)
    if over > max(allowed, best / FORCED_PER_OVER):
        return None
    return width


def _best_width(spans: list[tuple[int, int]], widest: int) -> tuple[int, int] | None:
    """The width (up to ``widest``) at which the most of ``spans`` were forced breaks, the
    widest of equals, and how many were."""
    counts = [0] * (widest + 2)
    for lo, hi in spans:
        if hi > MIN_WIDTH and lo <= widest:
            counts[max(lo, MIN_WIDTH)] += 1
            counts[min(hi, widest + 1)] -= 1
    best, width, running = 0, None, 0
    for w in range(MIN_WIDTH, widest + 1):
        running += counts[w]
        if running >= best and running:
            best, width = running, w
    return None if width is None else (width, best)


def _over_allowed(sizes: list[int]) -> float:
    """How many lines may be wider than the screen (preformatted text)."""
    return max(OVER_MIN, OVER_SHARE * (len(sizes) - sizes.count(0)))


# --- the numbered links of lynx, elinks and w3m --------------------------------------------

#: the heading of the list of link addresses a text browser prints at the end of a dump, and the
#: headings of its parts
LINK_LIST_OPENER = re.compile(r"\s*References:?\s*", re.IGNORECASE)
LINK_LIST_HEAD = re.compile(r"\s*(?:Visible links|Hidden links):?\s*", re.IGNORECASE)
#: one entry of that list: "12. https://..." (lynx, elinks) or "[12] https://..." (w3m); lynx
#: prints an escaped space in an address as a space; elinks prints a link by its text, with its
#: address (if it has one) on the line below
LINK_LIST_ITEM = re.compile(r"\s*(?:(\d{1,5})\.|\[(\d{1,5})\])\s+(\S.*)")
_ADDRESS = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
#: a line that is an address, whatever follows (a query with spaces): a scheme with "//", or
#: one of the schemes without
_ADDRESS_LINE = re.compile(r"(?:[a-zA-Z][a-zA-Z0-9+.-]*://|(?:mailto|javascript|tel|sms|data):)\S")
#: most entries of a link list are addresses (a page's own numbered list is not)
ADDRESS_SHARE = 0.8
#: the number a dump prints before each link's text, pointing into that list
_LINK_NUMBER = re.compile(r"\[(\d{1,5})\]")


def link_list(lines: Sequence[str]) -> tuple[int, int] | None:
    """The list of link addresses at the end of a dump, if the page ends with one (headings and
    numbered entries only, down to the last line, most of them an address, or a link's text
    over its address under a browser's heading): where it begins (its heading) and the highest
    number it lists."""
    start, addresses = None, 0
    numbers: dict[int, int] = {}  # line -> the number it lists
    # entries whose address stands on the line below their text (elinks): they count as
    # addresses only under a browser's own heading ("Visible links"), not in a page's own list
    # of references with their addresses
    address_below, below, headed = False, 0, False
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i].strip()
        if LINK_LIST_OPENER.fullmatch(line):
            start = i
            break
        if LINK_LIST_HEAD.fullmatch(line):
            start, headed = i, True
        elif found := LINK_LIST_ITEM.fullmatch(line):
            numbers[i] = int(found.group(1) or found.group(2))
            if _ADDRESS.match(found.group(3)):
                addresses += 1
            else:
                below += address_below
            address_below = False
        elif _ADDRESS_LINE.match(line):  # under its entry's text, spaces unescaped (elinks)
            address_below = True
        elif line and " " in line:
            break
        elif line:  # the rest of a long address run on over lines of one word (elinks)
            address_below = False
    listed = [number for i, number in numbers.items() if start is not None and i > start]
    if headed:
        addresses += below
    if not listed or addresses < ADDRESS_SHARE * len(numbers):
        return None
    return start, max(listed)


#: how lynx prints a form's button: the mark, then its label
_BUTTON = re.compile(r"\(BUTTON\) ?")


def drop_button_marks(text: str) -> str:
    """``text`` without the mark lynx prints before a button's label ("(BUTTON) Add to cart"):
    the label is what the page says (an FAQ's question, a call to action for the cleaner)."""
    return _BUTTON.sub("", text) if "(BUTTON)" in text else text


def drop_link_numbers(text: str) -> str:
    """``text`` without the numbers a dump prints before its links ("[12]Home"), when the page
    ends with the list they point into; the list itself is left to the cleaner. Every number up
    to the list's highest goes: elinks leaves some links out of its list (a script's, a form's)."""
    if "[" not in text:
        return text
    lines = text.split("\n")
    found = link_list(lines)
    if found is None:
        return text
    start, highest = found
    body = "\n".join(lines[:start])
    body = _LINK_NUMBER.sub(lambda m: "" if 0 < int(m.group(1)) <= highest else m.group(0), body)
    return "\n".join([body, *lines[start:]])
