"""Rule families of the cleaner. Each family is a function that marks lines of a ``Page``.

Structural signals come first (length, final punctuation, position, neighbours, repetition);
the phrase vocabularies (``vocab/*.toml``) name what a short line is. A rule marks a line only
when no earlier rule did; a removal is recorded under the first rule that marked it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from ingest.cleaning import vocab
from ingest.cleaning.lines import Line, line_key
from ingest.text_dumps import link_list as find_link_list

# --- compiled vocabularies (once, at import) -----------------------------------------------

COMMENT_LABEL = vocab.whole("comments", "label")
COMMENT_INSTRUCTION = vocab.anywhere("comments", "instruction")
COMMENT_AUTHOR = vocab.whole("comments", "author")
#: the heading of a comment section, then the title of the post it names
COMMENT_SECTION = vocab.prefix("comments", "section", r" \S")
_SECTION_TITLE = re.compile(
    r"^(?:" + "|".join(vocab.patterns("comments", "section")) + r") (?P<title>\S.*)$", re.IGNORECASE
)
#: the most words of a comment section's heading (a count, a noun, a preposition, a title)
SECTION_MAX_WORDS = 40
#: the fewest characters of a title a section heading may cut short and still name
SECTION_TITLE_MIN = 10
#: the most candidate headings of a comment section tried on a page (each is looked up among
#: the lines above it: a page of thousands would cost their square)
SECTION_HEADINGS_TRIED = 8
#: quotation marks around the title a comment section heading names
_TITLE_QUOTES = "\"'“”„‟«»‹›‘’‚ "
#: a comment instruction holds one of these (lower-case)
_COMMENT_HINTS = ("disqus", "comment", "kommentar", "gravatar", "netiquette")

DONATION_SALUTATION = vocab.whole("donation", "salutation")
DONATION_LEAD = vocab.whole("donation", "lead")
DONATION_OPTION = vocab.whole("donation", "option")
DONATION_APPEAL = vocab.anywhere("donation", "appeal")
DONATION_DISMISSAL = vocab.anywhere("donation", "dismissal")

NEWSLETTER_CTA = vocab.whole("newsletter", "cta")
NEWSLETTER_TERM = vocab.anywhere("newsletter", "term")
NEWSLETTER_WEAK = vocab.words("newsletter", "weak")

SHARE_CORE = vocab.words("share", "core")
SHARE_GLUE = vocab.words("share", "glue") | SHARE_CORE
SHARE_PHRASE = vocab.anywhere("share", "phrase")
COUNTER_LABEL = vocab.whole("share", "counter_label")
COUNTER = re.compile(
    r"^[\d.,]+\s?[kmb]?\+?$|^[\d.,]+\s?[kmb]?\+?\s(?:"
    + "|".join(vocab.patterns("share", "counter_label"))
    + ")$",
    re.IGNORECASE,
)

RELATED_LEAD = vocab.whole("related", "lead")
RELATED_INLINE = vocab.prefix("related", "inline", r"\s*(?::|»|›|>|→| -| –| —)\s*\S")

MEDIA_CREDIT = vocab.anywhere("media", "credit")
MEDIA_CREDIT_START = vocab.prefix("media", "credit_start")
MEDIA_CREDIT_HINTS = tuple(vocab.patterns("media", "hint"))
_MEDIA_HINTS_SEARCHED = vocab.minimal_needles(MEDIA_CREDIT_HINTS)
MEDIA_CREDIT_HINT = re.compile("|".join(map(re.escape, MEDIA_CREDIT_HINTS)))
MEDIA_CREDIT_UPPER = re.compile(r"\b(?:PHOTO|FOTO|BILD|IMAGE)S?\s?:")
MEDIA_LABEL = vocab.whole("media", "label")
MEDIA_EMBED = vocab.whole("media", "embed")
IMAGE_URL = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|bmp|tiff?|avif)\b|image|img|photo|pic|media|cdn|utm_|track|pixel",
    re.IGNORECASE,
)
IMAGE_FILE = re.compile(r"^\S+\.(?:jpe?g|png|gif|webp|svg)$", re.IGNORECASE)

#: characters of scripts written without spaces between words (Chinese, Japanese, Korean)
_UNSPACED = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
CHROME_LABEL = vocab.whole("chrome", "label")
CHROME_NOTICE = vocab.whole("chrome", "notice")
CHROME_CONSENT = vocab.whole("chrome", "consent")
CHROME_LABEL_PREFIX = vocab.prefix("chrome", "label_prefix", r"\s?:")
CHROME_WIRE = vocab.whole("chrome", "wire")
BYLINE = re.compile(
    r"^(?:" + "|".join(vocab.patterns("chrome", "byline")) + r")\s*:?\s+(?=[A-ZÀ-Þ])",
    re.IGNORECASE,
)
NAME = re.compile(
    r"^[A-ZÀ-Þ][\w'’.\-]+(?:\s+(?:[A-ZÀ-Þ][\w'’.\-]*|van|von|de|der|da|del|la|le|di|du|y|zu|und|and|&))*$"
)
SLASH_BYLINE = re.compile(
    r"^[A-ZÀ-Þ][\w'’.\-]+(?: [A-ZÀ-Þ][\w'’.\-]+){1,3} ?[/|] ?[A-ZÀ-Þ].{0,40}$"
)

DATE_WORDS = vocab.words("chrome", "date_word")
MONTH = re.compile(r"^(?:" + "|".join(vocab.patterns("chrome", "month")) + r")\.?$", re.IGNORECASE)
UNIT = "|".join(vocab.patterns("chrome", "unit"))
UNIT_WORD = re.compile(rf"^(?:{UNIT})$", re.IGNORECASE)
NUMERIC_DATE = re.compile(
    r"\b(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{1,2}:\d{2})\b"
)
DATE_TOKEN = re.compile(r"^(?:\d{1,4}(?:st|nd|rd|th|er|\.)?|\d{1,2}:\d{2}(?::\d{2})?)$")
FULL_DATE = re.compile(
    r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[./]\d{1,2}[./](?:19|20)\d{2}\b|"
    r"\b\d{1,2}\.?\s+[^\W\d_]{3,10}\.?\s+(?:19|20)\d{2}\b|\b[^\W\d_]{3,10}\.?\s+\d{1,2},?\s+(?:19|20)\d{2}\b"
)

#: pieces of script or style left in a text, each with a lower-case string its every match holds
_CODE_PARTS = (
    (r"function\s*\(", "function"),
    (r"\bvar \w+\s*=", "var "),
    ("=>", "=>"),
    (r"\$\(", "$("),
    (r"document\.", "document."),
    (r"window\.", "window."),
    ("googletag", "googletag"),
    ("adsbygoogle", "adsbygoogle"),
    (r"</?\w+[^>]*>", "<"),
    (r"/\*", "/*"),
    (r"\*/", "*/"),
    (r"\w+\s*:\s*[\w#.%-]+;", ";"),
    ("@media", "@media"),
    (r"\{\s*$", "{"),
    (r"^\s*\}", "}"),
    ("&nbsp;", "&nbsp;"),
    (r"\]\]>", "]]>"),
    ("<!--", "<!--"),
    ("-->", "-->"),
)
CODE = re.compile("|".join(pattern for pattern, _ in _CODE_PARTS), re.IGNORECASE)
#: a line ``CODE`` matches holds one of these in its lower-case text: the regex, which tries
#: every alternative at every position, runs only on such lines
_CODE_NEEDLES = vocab.minimal_needles(tuple(needle for _, needle in _CODE_PARTS))
SYMBOLS = re.compile(r"^[\W_]+$")
#: a line of code holds one of these
_CODE_CHARS = tuple("{}<>;=$&*")


class Page:
    """Lines of one page, the marks rules put on them, and what the rules share."""

    __slots__ = (
        "_hits",
        "_keys",
        "_lowers",
        "disabled",
        "first_prose",
        "last_prose",
        "lines",
        "marks",
        "n",
        "title_key",
    )

    def __init__(self, lines: list[Line], title: str | None, disabled: frozenset[str]) -> None:
        self.lines = lines
        self.n = len(lines)
        self.marks: list[str | None] = [None] * len(lines)
        self.disabled = disabled
        self.title_key = line_key(title) if title else None
        prose = [line.index for line in lines if line.prose]
        self.first_prose = prose[0] if prose else len(lines)
        self.last_prose = prose[-1] if prose else -1
        self._keys: vocab.KeyIndex | None = None
        self._lowers: vocab.TextIndex | None = None
        self._hits: dict[vocab.Matcher, set[int]] = {}

    def allowed(self, rule: str) -> bool:
        if not self.disabled:  # the usual case: asked once a marked line
            return True
        return rule not in self.disabled and rule.split(".", 1)[0] not in self.disabled

    def mark(self, i: int, rule: str) -> bool:
        if self.marks[i] is None and self.allowed(rule):
            self.marks[i] = rule
            return True
        return False

    def kept(self, i: int) -> bool:
        return 0 <= i < self.n and self.marks[i] is None

    def line(self, i: int) -> Line | None:
        return self.lines[i] if 0 <= i < self.n else None

    def matches(self, matcher: vocab.Matcher) -> set[int]:
        """Indices of the lines whose key ``matcher`` matches (one pass over the page)."""
        hits = self._hits.get(matcher)
        if hits is None:
            if self._keys is None:
                self._keys = vocab.KeyIndex(
                    [line.key for line in self.lines],
                    [line.first for line in self.lines],
                    _KEY_NEEDLES,
                )
            hits = self._hits[matcher] = matcher.matching(self._keys)
        return hits

    def holding(self, needles: tuple[str, ...], max_words: int | None = None) -> set[int]:
        """Indices of the lines (of at most ``max_words`` words, if given) whose lower-case text
        contains one of ``needles``."""
        found = self._lower_index().holding(needles)
        if max_words is None:
            return found
        lines = self.lines
        return {i for i in found if lines[i].n_words <= max_words}

    def lower_text(self) -> str:
        """The lower-case texts of the lines, one a line."""
        return self._lower_index().text

    def _lower_index(self) -> vocab.TextIndex:
        if self._lowers is None:
            self._lowers = vocab.TextIndex([line.lower for line in self.lines], _LOWER_NEEDLES)
        return self._lowers


def _short(line: Line, words: int = 8) -> bool:
    return line.n_words <= words and not line.prose


# --- comments ------------------------------------------------------------------------------


def comments(page: Page) -> None:
    labels = page.matches(COMMENT_LABEL)
    hinted = page.holding(_COMMENT_HINTS)
    for i in sorted(labels | hinted):
        line = page.lines[i]
        if line.n_words <= 14 and i in labels:
            page.mark(i, "comments.label")
        elif i in hinted and COMMENT_INSTRUCTION.search(line.text, line.toks):
            page.mark(i, "comments.instruction")
    # "Name says:" headers inside a comment section (next to another comment line)
    for line in page.lines:
        if line.colon and line.n_words <= 8 and COMMENT_AUTHOR.match(line.key, line.first):
            near = (
                page.marks[j] or "" for j in range(line.index - 3, line.index + 4) if page.line(j)
            )
            if any(m.startswith("comments.") for m in near):
                page.mark(line.index, "comments.author")
    start = _comment_section(page)
    if start is not None:
        for i in range(start, page.n):
            page.mark(i, "comments.section")
    for first, last in _comment_threads(page):
        for i in range(first, last):
            page.mark(i, "comments.thread")


#: a thread of reader comments holds at least this many
THREAD_COMMENTS = 3
#: the most lines of one comment, its header included
COMMENT_LINES = 12
#: the most words of a comment's header line (a name and a date)
COMMENT_HEADER_WORDS = 14
#: the words of prose above a thread: comments follow an article (a forum's replies follow a
#: question, most often shorter, and are the page's text)
THREAD_PROSE_WORDS = 300
#: the most lines between one comment's reply label and the next comment's header
THREAD_GAP = 2
_CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b")


def _comment_header(line: Line) -> bool:
    """A comment's header: a short line with a date or a time ("Name · March 10, 2017 at 12:20
    AM", "Name | Di, 21. April 2020 - 16:40")."""
    return (
        line.n_words <= COMMENT_HEADER_WORDS
        and not line.prose
        and line.digit
        and (_CLOCK.search(line.text) is not None or full_date(line))
    )


def _comments_above_labels(page: Page) -> list[tuple[int, int]]:
    """Each (header, label) of a comment: a reply label the family marked (no count of
    comments: "14 comments" under a teaser) and the nearest header above it, no other label
    between them."""
    found = []
    previous = -1
    for k, mark in enumerate(page.marks):
        if mark != "comments.label" or page.lines[k].digit:
            continue
        for j in range(k - 1, max(previous, k - COMMENT_LINES - 1), -1):
            if _comment_header(page.lines[j]):
                found.append((j, k))
                break
        previous = k
    return found


def _comment_threads(page: Page) -> list[tuple[int, int]]:
    """The first line and the last label of each thread of reader comments under an article:
    ``THREAD_COMMENTS`` or more comments in a row, each a dated header, its text and a reply
    label, with ``THREAD_PROSE_WORDS`` of prose above the page's first comment."""
    comments = _comments_above_labels(page)
    if not comments:
        return []
    article = sum(line.n_words for line in page.lines[: comments[0][0]] if line.prose)
    if article < THREAD_PROSE_WORDS:
        return []
    runs = _runs(comments, THREAD_GAP)
    return [(run[0][0], run[-1][1]) for run in runs if len(run) >= THREAD_COMMENTS]


def _runs(spans: list[tuple[int, int]], gap: int) -> list[list[tuple[int, int]]]:
    """(first, last) line spans in page order, grouped into runs: a span joins the run before
    it when it starts at most ``gap`` lines after that run's last line."""
    runs: list[list[tuple[int, int]]] = []
    for span in spans:
        if runs and span[0] - runs[-1][-1][1] <= gap:
            runs[-1].append(span)
        else:
            runs.append([span])
    return runs


def _comment_section(page: Page) -> int | None:
    """Where the page's comment section begins: at a heading that names the post it is under
    ("59 comments on “Title”"), when that post's title stands above it (a line of the page, or
    else the page's title) with prose between the two. A count of comments in the post's own
    byline has no prose between it and the title, and opens nothing."""
    lines = page.lines
    headings = sorted(
        i for i in page.matches(COMMENT_SECTION) if lines[i].n_words <= SECTION_MAX_WORDS
    )
    for i in headings[:SECTION_HEADINGS_TRIED]:
        named = _SECTION_TITLE.match(lines[i].key).group("title")
        title = line_key(named.strip(_TITLE_QUOTES))
        above = next((j for j in range(i) if _names(title, lines[j].key)), None)
        if above is None:
            if _names(title, page.title_key) and i > page.first_prose:
                return i
        elif any(lines[j].prose for j in range(above + 1, i)):
            return i
    return None


def _names(title: str, key: str | None) -> bool:
    """Whether ``title`` is the line key ``key``, or its start cut short."""
    return key is not None and (
        title == key or (len(title) >= SECTION_TITLE_MIN and key.startswith(title))
    )


# --- donation ------------------------------------------------------------------------------


def _option(line: Line) -> bool:
    return line.n_words <= 7 and bool(DONATION_OPTION.match(line.key, line.first))


def _dismissal(line: Line) -> bool:
    return line.n_words <= 12 and bool(DONATION_DISMISSAL.search(line.text, line.toks))


def donation(page: Page) -> None:
    salutations = page.matches(DONATION_SALUTATION)
    leads = page.matches(DONATION_LEAD)
    resume = 0
    for i in sorted(salutations | leads):
        if i >= resume and page.lines[i].n_words <= 12:
            resume = _appeal(page, i, i in leads)


def _appeal(page: Page, i: int, lead: bool) -> int:
    """Mark the appeal that line ``i`` (a salutation or call to give) opens; the next line to
    look at."""
    lines = page.lines
    line = lines[i]
    # look ahead for the payment options that close the appeal
    end = None
    j = i + 1
    while j < min(page.n, i + 30):
        candidate = lines[j]
        if _dismissal(candidate):
            end = j
            break
        if _option(candidate):
            if (j + 1 < page.n and _option(lines[j + 1])) or (
                j + 2 < page.n and _option(lines[j + 2])
            ):
                end = j
                break
        elif candidate.prose and not DONATION_APPEAL.search(candidate.text, candidate.toks):
            break
        j += 1
    if end is not None:
        # run through the option cluster and its trailing buttons
        k = end
        while k + 1 < page.n and (_option(lines[k + 1]) or _short(lines[k + 1], 6)):
            nxt = lines[k + 1]
            # a short line that is no option: part of the widget only when options follow
            if (
                not _option(nxt)
                and not DONATION_APPEAL.search(nxt.text, nxt.toks)
                and not (k + 2 < page.n and _option(lines[k + 2]))
            ):
                break
            k += 1
        for m in range(i, k + 1):
            page.mark(m, "donation.appeal")
        return k + 1
    if lead and line.n_words <= 8:
        page.mark(i, "donation.call")
    return i + 1


# --- newsletter ----------------------------------------------------------------------------


def _newsletter_term(line: Line) -> bool:
    if line.n_words > 60:
        return False
    if NEWSLETTER_TERM.search(line.text, line.toks):
        return True
    return line.n_words <= 30 and len(NEWSLETTER_WEAK.intersection(line.toks)) >= 2


def newsletter(page: Page) -> None:
    signup = []
    for i in sorted(page.matches(NEWSLETTER_CTA)):
        if page.lines[i].n_words <= 20 and page.mark(i, "newsletter.signup"):
            signup.append(i)
    # the sign-up box around a call to action: neighbouring lines that speak of it
    todo = list(signup)
    while todo:
        i = todo.pop()
        for j in (i - 1, i + 1, i - 2, i + 2):
            line = page.line(j)
            if line is None or not page.kept(j):
                continue
            if abs(j - i) == 2 and page.kept((i + j) // 2):
                continue  # two lines away only across a removed line
            if _newsletter_term(line) and page.mark(j, "newsletter.box"):
                todo.append(j)


# --- share ---------------------------------------------------------------------------------


#: a share widget holds one of these in its lower-case text: a core token, a phrase's word or
#: one of the strings a phrase starts with (a token is a substring of the lower-case line)
_SHARE_NEEDLES = tuple(
    sorted(
        SHARE_CORE | SHARE_PHRASE.words | {lit for lits, _ in SHARE_PHRASE.gated for lit in lits}
    )
)


def _share_candidates(page: Page) -> list[int] | range:
    """The lines that may be share widgets, in order."""
    if SHARE_PHRASE.general is not None or any("σ" in s or "ς" in s for s in _SHARE_NEEDLES):
        return range(page.n)  # patterns found anywhere, or tokens whose lower case may differ
    return sorted(page.holding(_SHARE_SEARCHED, max_words=_SHARE_MAX_WORDS))


#: ``_SHARE_NEEDLES`` less those holding another one (a line holding them holds that one too)
_SHARE_SEARCHED = vocab.minimal_needles(_SHARE_NEEDLES)
#: the most words a share widget has
_SHARE_MAX_WORDS = 14


def _share_widget(line: Line) -> bool:
    if line.n_words > _SHARE_MAX_WORDS:
        return False
    toks = line.toks
    if not toks or len(toks) > 14:
        return False
    if toks[0] in SHARE_GLUE and SHARE_GLUE.issuperset(toks) and not SHARE_CORE.isdisjoint(toks):
        return True
    return bool(SHARE_PHRASE.search(line.text, toks))


def share(page: Page) -> None:
    for i in _share_candidates(page):
        if _share_widget(page.lines[i]):
            page.mark(i, "share.widget")
    # counters: a number next to its label ("483K+" / "Followers"), or both on one line
    for line in page.lines:
        if not line.key[:1].isdigit() or not COUNTER.match(line.key):
            continue
        has_label = (
            not line.key.replace("+", "").replace(",", "").replace(".", "").strip().isdigit()
        )
        neighbours = [page.line(line.index - 1), page.line(line.index + 1)]
        label_near = [n for n in neighbours if n and COUNTER_LABEL.match(n.key, n.first)]
        if has_label and re.search(r"[a-z]", line.key):
            page.mark(line.index, "share.counter")
        elif label_near:
            page.mark(line.index, "share.counter")
            for n in label_near:
                page.mark(n.index, "share.counter")


# --- related -------------------------------------------------------------------------------


def _label_line(line: Line | None) -> bool:
    """A category label of a card: one to three words, mostly capitals."""
    return line is not None and line.n_words <= 3 and line.upper > 0.7 and not line.terminal


def _card_part(page: Page, j: int) -> bool:
    """Whether line ``j`` may belong to a list of links or link cards: short link-like lines,
    a card's headline above its teaser, and teaser snippets (cut off with an ellipsis, or
    followed by a category label)."""
    line = page.lines[j]
    if not line.prose:
        if line.terminal:
            return line.n_words <= 5
        return line.n_words <= 15 or _ellipsis_teaser(page.line(j + 1))
    return line.ellipsis or _label_line(page.line(j + 1))


def _ellipsis_teaser(line: Line | None) -> bool:
    """A teaser snippet: a paragraph cut off with an ellipsis."""
    return line is not None and line.prose and line.ellipsis


#: the most lines a list of links under a related-links lead-in holds: a longer run of short
#: lines with no teaser among them is the page's own list (an index, a catalogue) or its menu
RELATED_LIST_MAX = 25


def _own_list(page: Page, run: range) -> bool:
    """Whether the lines of ``run`` under a related-links lead-in are the page's own list, left
    to the line model: many short lines, none a teaser (cards of other articles have them)."""
    return len(run) > RELATED_LIST_MAX and not any(page.lines[j].prose for j in run)


_NUMBERED = re.compile(r"\d{1,2}[.)] ")
_QUOTES = frozenset("\"“„«'‘")
_CODE_MARKS = frozenset("{};=<>")


def _own_line(text: str) -> bool:
    """A line between two paragraphs that is the article's own, never another article's
    headline: a numbered section heading, a quotation, a line of code."""
    return (
        _NUMBERED.match(text) is not None or text[0] in _QUOTES or not _CODE_MARKS.isdisjoint(text)
    )


def related(page: Page) -> None:
    lines = page.lines
    leads = page.matches(RELATED_LEAD)
    inline = page.matches(RELATED_INLINE)
    resume = 0
    for i in sorted(leads | inline):
        if i < resume:
            continue  # inside the list of a lead above
        line = lines[i]
        resume = i + 1
        if line.n_words <= 10 and not line.prose and i in leads:
            page.mark(i, "related.lead")
            while resume < page.n and _card_part(page, resume):
                resume += 1
            if not _own_list(page, range(i + 1, resume)):
                for j in range(i + 1, resume):
                    page.mark(j, "related.list")
        elif line.n_words <= 30 and (not line.terminal or line.text.endswith("?")) and i in inline:
            page.mark(i, "related.inline")
    # a lone headline of another article between two body paragraphs
    for line in lines:
        i = line.index
        if not (10 <= line.n_words <= 20) or line.prose or line.terminal or line.colon:
            continue
        if line.bullet or line.ellipsis or not (line.gap_before and line.gap_after):
            continue
        if _own_line(line.text):
            continue
        before, after = page.line(i - 1), page.line(i + 1)
        if not (before and after and before.prose and after.prose):
            continue
        if before.n_words < 15 or after.n_words < 15 or _heads(line, after):
            continue
        page.mark(i, "related.headline")
    # lists of other articles' cards: a headline and its teaser, cut off at one length
    for first, last in _teaser_lists(page):
        for j in range(first, last + 1):
            page.mark(j, "related.teaser")


#: a teaser list has at least this many cards
TEASER_CARDS = 3
#: the most lines between one card's teaser and the next card's headline
TEASER_GAP = 3
#: a teaser cut off at a fixed length: at least this many words, ending mid-sentence
TEASER_WORDS = 20
#: the teasers of one list are cut to about one length: the longest at most this times the
#: shortest (the paragraphs under an article's own list items vary far more)
TEASER_SPREAD = 1.5


def _card_headline(line: Line) -> bool:
    """A card's headline: a list item of 4 to 25 words, no sentence, no count in brackets."""
    return (
        line.bullet
        and 4 <= line.n_words <= 25
        and not line.terminal
        and not line.colon
        and not line.text.endswith(")")
    )


def _cut_teaser(line: Line) -> bool:
    """A teaser cut off mid-sentence: a long line, no list item, ending on a letter or digit."""
    return line.n_words >= TEASER_WORDS and not line.bullet and line.text[-1].isalnum()


def _teaser_under(page: Page, i: int) -> list[int]:
    """The first of the two lines under line ``i`` that is a cut teaser, if one is."""
    return [j for j in (i + 1, i + 2) if j < page.n and _cut_teaser(page.lines[j])][:1]


def _teaser_lists(page: Page) -> list[tuple[int, int]]:
    """The first and last line of each list of other articles' cards: a headline with a teaser
    cut off under it, ``TEASER_CARDS`` or more in a row, the teasers cut to about one length."""
    cards = [
        (line.index, j)
        for line in page.lines
        if _card_headline(line)
        for j in _teaser_under(page, line.index)
    ]
    found = []
    for run in _runs(cards, TEASER_GAP + 1):
        sizes = [len(page.lines[teaser].text) for _, teaser in run]
        if len(run) >= TEASER_CARDS and max(sizes) <= TEASER_SPREAD * min(sizes):
            found.append((run[0][0], run[-1][1]))
    return found


#: words of four letters or more: what a heading and the paragraph under it share
_CONTENT_WORD = re.compile(r"[^\W\d_]{4,}")
#: the share of a heading's words the paragraph under it uses that makes it the paragraph's
HEADS_SHARE = 1 / 3


def _heads(line: Line, after: Line) -> bool:
    """Whether ``line`` is the heading of the paragraph ``after`` it (a section of the article,
    not another article's headline): the paragraph uses a third of its words or more."""
    words = set(_CONTENT_WORD.findall(line.lower))
    if not words:
        return False
    shared = words.intersection(_CONTENT_WORD.findall(after.lower))
    return len(shared) >= HEADS_SHARE * len(words)


# --- media ---------------------------------------------------------------------------------


def credit_line(line: Line, starts: bool | None = None, hinted: bool | None = None) -> bool:
    """A photo credit; ``starts``: whether ``MEDIA_CREDIT_START`` matches the line, ``hinted``:
    whether its lower-case text holds one of ``MEDIA_CREDIT_HINTS``, if known."""
    if line.n_words > 60:
        return False
    if starts is None:
        starts = MEDIA_CREDIT_START.match(line.key, line.first)
    if starts or (":" in line.text and MEDIA_CREDIT_UPPER.search(line.text)):
        return True
    if hinted is None:
        hinted = MEDIA_CREDIT_HINT.search(line.lower) is not None
    if not hinted:
        return False
    found = MEDIA_CREDIT.search_line(line)
    if not found:
        return False
    return line.n_words <= 30 or found.start() > len(line.text) - 100


#: the most words of an embed's placeholder line (a "shared by" line names the account and a date)
EMBED_MAX_WORDS = 30


def media(page: Page) -> None:
    lines = page.lines
    starts = page.matches(MEDIA_CREDIT_START)
    labels = page.matches(MEDIA_LABEL)
    embeds = page.matches(MEDIA_EMBED)
    # an image file name is one word; a credit starts so, or holds a hint (":" among them)
    hinted = page.holding(_MEDIA_HINTS_SEARCHED)
    todo = starts | labels | embeds | hinted
    todo.update(i for i, line in enumerate(lines) if line.n_words == 1 or ":" in line.text)
    for i in sorted(todo):
        line = lines[i]
        if line.is_url:
            if IMAGE_URL.search(line.text):
                page.mark(i, "media.url")
        elif IMAGE_FILE.match(line.text):
            page.mark(i, "media.url")
        elif credit_line(line, i in starts, i in hinted):
            page.mark(i, "media.credit")
        elif line.n_words <= 6 and i in labels:
            page.mark(i, "media.video")
        elif line.n_words <= EMBED_MAX_WORDS and i in embeds:
            page.mark(i, "media.embed")
    _captions(page)


def _captions(page: Page) -> None:
    """A caption: a short line glued to a credit line, or the line under an image URL."""
    marks = page.marks
    near = {i - 1 for i, m in enumerate(marks) if m == "media.credit"}
    near.update(i + 1 for i, m in enumerate(marks) if m == "media.url")
    for i in sorted(near):
        line = page.line(i)
        if line is None or not page.kept(i) or line.n_words > 40:
            continue
        if (
            marks[i + 1 : i + 2] == ["media.credit"]
            and not line.gap_after
            and line.n_words <= 12
            and not _byline(line)
        ) or (i > 0 and not line.gap_before and marks[i - 1] == "media.url"):
            page.mark(i, "media.caption")


# --- chrome --------------------------------------------------------------------------------


def full_date(line: Line) -> bool:
    """Whether the line holds a full date (every one has digits)."""
    return line.digit and FULL_DATE.search(line.text) is not None


def _date_stamp(line: Line) -> bool:
    """A line that is only a date or time stamp ("5 days ago", "Updated 17.12.2021, 10:15")."""
    if line.n_words > 12 or line.prose:
        return False
    words = line.text.split()
    if _plain_date_kind(words[0]) is None or _plain_date_kind(words[-1]) is None:
        return False
    toks = line.toks
    if not toks:
        return False
    dated = False
    for t in toks:
        kind = _date_kind(t)
        if kind is None:
            return False
        dated = dated or kind
    return dated or bool(NUMERIC_DATE.search(line.text))


@lru_cache(maxsize=1 << 16)
def _plain_date_kind(word: str) -> bool | None:
    """``_date_kind`` of a word of a line when it is plain ASCII letters without a glued capital
    (then the word is one of the line's tokens); else False (unknown). Cheaper than tokenising
    the line, which most lines need not be."""
    if word.isascii() and word.isalpha() and (word[1:].islower() or word.isupper()):
        return _date_kind(word.lower())
    return False


@lru_cache(maxsize=1 << 16)
def _date_kind(token: str) -> bool | None:
    """True: a token that dates a line (a month, a time unit); False: one a date stamp may
    hold (numbers, "updated", ...); None: any other."""
    if MONTH.match(token) or UNIT_WORD.match(token):
        return True
    if DATE_TOKEN.match(token) or token.isdigit() or token in DATE_WORDS:
        return False
    return None


def _number(key: str) -> bool:
    """A key of digits, spaces, points and commas only, with a digit."""
    head = key[:1]
    if not (head.isdigit() or head in (".", ",")):
        return False  # the first character left after removing separators is no digit
    return key.replace(" ", "").replace(".", "").replace(",", "").isdigit()


#: the most words of a notice line (a disclosure or browser warning runs to three sentences)
NOTICE_MAX_WORDS = 60

#: how far down the page (share of its lines) a title may stand to head it
HEAD_TITLE_MAX_SHARE = 0.7

#: where the name of a byline ends: a second author, a list, a date or a reading time after it
_BYLINE_END = re.compile(
    r"\s+(?:with|mit|con|avec|and|und|y|et)\s+|,|\||/|·|•|\s+\d+\s*(?:min|minutes?|minuten)\b"
)


def _byline(line: Line) -> bool:
    if line.n_words > 10 or line.terminal:
        return False
    found = BYLINE.match(line.text.strip("*•·-– "))
    if found:
        rest = line.text.strip("*•·-– ")[found.end() :]
        rest = _BYLINE_END.split(rest)[0].strip()
        return bool(NAME.match(rest))
    return bool(SLASH_BYLINE.match(line.text.strip()))


def _spoken_words(line: Line) -> int:
    """The line's words, a pair of characters of a script without spaces counted as one (such a
    line is one "word" between spaces however long it is)."""
    if line.text.isascii():
        return line.n_words
    return line.n_words + len(_UNSPACED.findall(line.text)) // 2


def link_list(page: Page) -> None:
    """The list of link addresses a text browser (lynx, elinks, w3m) prints at the end of a dump."""
    found = find_link_list([line.text for line in page.lines])
    if found is not None:
        for i in range(found[0], page.n):
            page.mark(i, "chrome.links")


def title(page: Page) -> None:
    """The page title repeated in the body (runs first: a repeated title is chrome)."""
    if not page.title_key:
        return
    for line in page.lines:
        if line.key == page.title_key:
            page.mark(line.index, "chrome.title")


def chrome(page: Page) -> None:
    lines = page.lines
    title_index = next((i for i, m in enumerate(page.marks) if m == "chrome.title"), None)
    labels = page.matches(CHROME_LABEL)
    notices = page.matches(CHROME_NOTICE)
    consent = page.matches(CHROME_CONSENT)
    prefixed = page.matches(CHROME_LABEL_PREFIX)
    wires = page.matches(CHROME_WIRE)
    coded = page.holding(_CODE_CHARS) & page.holding(_CODE_NEEDLES)
    for line in lines:
        i = line.index
        if page.marks[i] is not None:
            continue
        if line.is_url:
            page.mark(i, "chrome.url")
        elif (not line.text[0].isalnum() and SYMBOLS.match(line.text)) or (
            i in coded and _script_debris(page, line)
        ):
            page.mark(i, "chrome.debris")
        elif (line.n_words <= 8 and i in labels) or (line.n_words <= 25 and i in prefixed):
            page.mark(i, "chrome.label")
        elif line.n_words <= NOTICE_MAX_WORDS and i in notices:
            page.mark(i, "chrome.notice")
        elif line.n_words <= NOTICE_MAX_WORDS and i in consent:
            page.mark(i, "chrome.consent")
        elif line.n_words <= 12 and i in wires:
            page.mark(i, "chrome.credit")
        elif _date_stamp(line) or (line.n_words <= 6 and not line.terminal and full_date(line)):
            page.mark(i, "chrome.date")
        elif _number(line.key):
            page.mark(i, "chrome.number")
    # bylines: in the head of the article (before its first paragraph, or right after the title)
    head_end = page.first_prose
    for line in lines:
        if line.index >= head_end + 1 and line.index > (title_index or -1) + 4:
            continue
        if _byline(line) and page.mark(line.index, "chrome.byline"):
            # the publisher name lines glued under a byline
            j = line.index + 1
            while (
                j < head_end
                and _short(lines[j], 4)
                and not lines[j].terminal
                and not _date_stamp(lines[j])
            ):
                page.mark(j, "chrome.byline")
                j += 1
    # the head of the page before the title: section labels, breadcrumbs (a title found near
    # the page's end, a shop's product name under its listing, say, heads no page)
    if (
        title_index is not None
        and title_index < page.first_prose
        and title_index <= HEAD_TITLE_MAX_SHARE * page.n
    ):
        for line in lines[:title_index]:
            if _spoken_words(line) <= 4 and not line.terminal:
                page.mark(line.index, "chrome.section")
    # short lines repeated within the page (menus, publisher names, labels)
    headings = _section_headings(page)
    for line in lines:
        if line.repeats < 2 or line.index in headings:
            continue
        if page.first_prose < line.index < page.last_prose and (
            line.colon or not _CODE_MARKS.isdisjoint(line.text)
        ):
            # a label of the body's own ("Pros:", "Key features:") before each part, or a line
            # of the article's code samples (as with script debris, left to the line model)
            continue
        if _short(line, 6) and not line.bullet and not line.terminal:
            page.mark(line.index, "chrome.repeated")


def _script_debris(page: Page, line: Line) -> bool:
    """A line of script or style left in the text: code outside the page's prose (within it, a
    line of code is an article's code sample, left to the line model)."""
    outside = line.index < page.first_prose or line.index > page.last_prose
    return outside and not line.prose and CODE.search(line.text) is not None


def _section_headings(page: Page) -> set[int]:
    """Repeated short lines that head a paragraph of the body: of the copies of a line (a
    section heading also listed in a table of contents, say), the one copy that is no list item
    and stands right above a prose line, within the page's prose."""
    lines = page.lines
    heading: dict[str, list[int]] = {}
    for line in lines:
        i = line.index
        if line.repeats > 1 and not line.bullet and i + 1 < page.n and lines[i + 1].prose:
            heading.setdefault(line.key, []).append(i)
    return {
        found[0]
        for found in heading.values()
        if len(found) == 1 and page.first_prose < found[0] < page.last_prose
    }


#: a whole-page text of at most this many words that the cleaner would empty is kept whole: a
#: page so short has no layout to tell chrome from body by (a one-line post, a title and a
#: sentence), and an empty page is the one certain loss
SHORT_PAGE_WORDS = 50


def keep_short_page(page: Page) -> None:
    """Unmark every line of a short page the rules and the model marked whole when each mark is
    a judgement that needs the page's context (the title's repeat, the line model's); a page
    with a widget, label or notice a rule names (share buttons, an error page, a loading or
    JavaScript notice) has no body to keep."""
    if not page.n or not all(page.marks):
        return
    if sum(line.n_words for line in page.lines) > SHORT_PAGE_WORDS:
        return
    if not all(mark == "chrome.title" or mark.startswith("model.") for mark in page.marks):
        return
    if page.matches(CHROME_LABEL) or page.matches(CHROME_NOTICE) or page.matches(CHROME_CONSENT):
        return  # a label or notice the title's mark came first on
    page.marks = [None] * page.n


#: the strings the rules search in a page's lower-case lines, found in one pass over it
_LOWER_NEEDLES = vocab.NeedleSets(
    (_COMMENT_HINTS, _SHARE_SEARCHED, _MEDIA_HINTS_SEARCHED, _CODE_CHARS, _CODE_NEEDLES)
)
#: the strings one of which a line key must hold for a phrase matcher's gated patterns
_KEY_NEEDLES = vocab.NeedleSets(
    tuple(
        matcher.gate
        for matcher in (
            COMMENT_LABEL,
            DONATION_SALUTATION,
            DONATION_LEAD,
            NEWSLETTER_CTA,
            RELATED_LEAD,
            RELATED_INLINE,
            MEDIA_CREDIT_START,
            MEDIA_LABEL,
            MEDIA_EMBED,
            COMMENT_SECTION,
            CHROME_LABEL,
            CHROME_NOTICE,
            CHROME_CONSENT,
            CHROME_LABEL_PREFIX,
            CHROME_WIRE,
        )
    )
)


FAMILIES: tuple[tuple[str, Callable[[Page], None]], ...] = (
    ("chrome", link_list),
    ("chrome", title),
    ("comments", comments),
    ("donation", donation),
    ("newsletter", newsletter),
    ("share", share),
    ("related", related),
    ("media", media),
    ("chrome", chrome),
)
