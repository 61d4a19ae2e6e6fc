"""The cleaner: ordered named rule families over the lines of each page, then the line model
over the lines of a whole batch at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from ingest.cleaning.additions import AdditionModel, load_additions, merge, page_lines
from ingest.cleaning.config import CleaningConfig
from ingest.cleaning.features import batch_features
from ingest.cleaning.line_model import LineModel, load_model
from ingest.cleaning.lines import split_lines
from ingest.cleaning.model import CleanResult, Removal
from ingest.cleaning.rules import FAMILIES, Page, keep_short_page

_DEFAULT = CleaningConfig()
#: families left out on an extractor's text: the extractor has already judged the page's chrome
#: (titles, bylines, dates, labels) from the markup, and this family costs main text there; only
#: a text that is nothing but the page's title still goes (``_title_only``)
_NOT_ON_EXTRACTED = frozenset({"chrome"})
TITLE_RULE = "chrome.title"
#: lines of the page's rendering added to an extractor's text (``additions``)
ADDITIONS = "model.additions"

#: what the model removes, named by where it stands against the body it keeps
BEFORE_BODY = "model.navigation"
INSIDE_BODY = "model.inset"
AFTER_BODY = "model.footer"


@dataclass(frozen=True, slots=True)
class PageText:
    """One page to clean."""

    #: normalised text: trafilatura's main text (HTML) or the whole page (text dump)
    text: str
    title: str | None = None
    #: True for an extractor's output (the line model then leaves the layout alone)
    extracted: bool = False
    #: the whole page as text, beside an extractor's text: lines of it that the extractor left
    #: out and that read as main text are added to it (``additions``)
    rendering: str | None = None
    language: str | None = None


def rule_page(text: str, title: str | None = None, disabled: frozenset[str] = frozenset()) -> Page:
    """The page with the marks of every rule family (before the line model)."""
    return _rule_page(text, title, disabled)[1]


@dataclass(frozen=True, slots=True)
class RuledLines:
    """What the rule families said of a page's lines, as the line model reads it."""

    #: the numbers of the lines a rule marked
    removed: list[int]
    #: the number of the first line the title rule marked, the page's headline (-1: none)
    headline: int


def ruled_lines(page: Page) -> RuledLines:
    """The lines of a ruled page that the rules removed, and its headline."""
    lines = page.lines
    marked = [(lines[i].number, mark) for i, mark in enumerate(page.marks) if mark]
    headline = next((number for number, mark in marked if mark == TITLE_RULE), -1)
    return RuledLines([number for number, _ in marked], headline)


def _rule_page(text: str, title: str | None, disabled: frozenset[str]) -> tuple[list[str], Page]:
    raw_lines, lines = split_lines(text)
    page = Page(lines, title, disabled)
    for _family, rule in FAMILIES:
        rule(page)
    return raw_lines, page


def clean_pages(
    pages: Sequence[PageText],
    config: CleaningConfig | None = None,
    *,
    model: LineModel | None = None,
    additions: AdditionModel | None = None,
) -> list[CleanResult]:
    """Clean a batch of pages: the rule families page by page, the line model over the
    lines of every whole-page text at once. Results are in the order of ``pages``. An
    extractor's text given with its page's rendering first gets the rendering's lines the
    addition model adds (``additions``; none when ``model`` or ``model.additions`` is disabled).

    Kept lines are returned unchanged and in order; blank lines between kept paragraphs are
    kept (at most one in a row)."""
    config = config or _DEFAULT
    if not config.enabled:
        return [CleanResult(text=page.text) for page in pages]
    disabled = frozenset(config.disabled_rules)
    on_extracted = disabled | _NOT_ON_EXTRACTED
    added: list[tuple[str, ...]] = [() for _ in pages]
    if not disabled & {"model", ADDITIONS}:
        pages, added = _add_rendering_lines(pages, disabled, model, additions)
    ruled = [
        _rule_page(page.text, page.title, on_extracted if page.extracted else disabled)
        if page.text.strip()
        else None
        for page in pages
    ]
    if "chrome" not in disabled and TITLE_RULE not in disabled:
        for page, done in zip(pages, ruled, strict=True):
            if done is not None and page.extracted:
                _title_only(done[1])
    whole = [i for i, page in enumerate(pages) if ruled[i] is not None and not page.extracted]
    if whole and "model" not in disabled:
        _apply_model(
            [pages[i].text for i in whole],
            [ruled[i][1] for i in whole],
            model or load_model(),
            config.model_threshold,
        )
    for i in whole:
        keep_short_page(ruled[i][1])
    return [
        CleanResult(text=page.text, added=extra) if done is None else _assemble(*done, extra)
        for page, done, extra in zip(pages, ruled, added, strict=True)
    ]


def _add_rendering_lines(
    pages: Sequence[PageText],
    disabled: frozenset[str],
    model: LineModel | None,
    additions: AdditionModel | None,
) -> tuple[list[PageText], list[tuple[str, ...]]]:
    """The pages, an extractor's text with the lines of its rendering that the addition model
    adds; and the lines added to each page."""
    out, added = list(pages), [() for _ in pages]
    chosen = [
        i
        for i, page in enumerate(pages)
        if page.extracted and page.text.strip() and page.rendering and page.rendering.strip()
    ]
    if not chosen:
        return out, added
    chosen = [chosen[k] for k in _by_length([pages[i].rendering for i in chosen])]
    model, additions = model or load_model(), additions or load_additions()
    for part in _chunks([pages[i].rendering for i in chosen]):
        members = [chosen[k] for k in part]
        renderings = [pages[i].rendering for i in members]
        ruled = [
            ruled_lines(rule_page(pages[i].rendering, pages[i].title, disabled)) for i in members
        ]
        lines, body = body_probabilities(renderings, ruled, model)
        found = [
            page_lines(renderings[p], pages[i].text, ruled[p].removed, lines, body, p)
            for p, i in enumerate(members)
        ]
        # the addition model over the candidates of the whole chunk at once
        rows = [f.features[f.candidates] for f in found]
        if not sum(len(r) for r in rows):
            continue
        picked = additions.forest.probability(np.vstack(rows)) >= additions.threshold
        ends = np.cumsum([len(r) for r in rows])[:-1]
        for i, f, chosen_rows in zip(members, found, np.split(picked, ends), strict=True):
            if not chosen_rows.any():
                continue
            add = np.zeros(len(f.lines), dtype=bool)
            add[f.candidates] = chosen_rows
            out[i] = replace(pages[i], text=merge(pages[i].text, f.lines, f.alignment, add))
            added[i] = tuple(line for line, a in zip(f.lines, add, strict=True) if a)
    return out, added


def _by_length(texts: list[str]) -> list[int]:
    """The order of ``texts`` by their number of lines. Pages of like length then share a
    chunk: the GRU reads a chunk's pages side by side, a line of each a step, for as many
    steps as the chunk's longest page has lines. A page's scores do not depend on the others
    of its chunk."""
    return sorted(range(len(texts)), key=lambda i: texts[i].count("\n"))


def _chunks(texts: list[str]) -> list[range]:
    """Consecutive runs of ``texts`` of about ``CHUNK_CHARS`` each."""
    out, start, size = [], 0, 0
    for end, text in enumerate(texts, 1):
        size += len(text)
        if size >= CHUNK_CHARS or end == len(texts):
            out.append(range(start, end))
            start, size = end, 0
    return out


def clean(
    text: str,
    *,
    title: str | None = None,
    config: CleaningConfig | None = None,
    extracted: bool = False,
) -> CleanResult:
    """Remove boilerplate lines from one normalised page; record every removal.

    ``extracted`` says the text is an extractor's main text (trafilatura's, from HTML) rather
    than a whole-page rendering: the line model, which judges page layout (navigation, sidebars,
    footers), is then left out, since the extractor has judged the layout from the markup.
    """
    return clean_pages([PageText(text, title, extracted)], config)[0]


def _title_only(page: Page) -> None:
    """Mark an extractor's text that is nothing but the page's title (no main text found)."""
    if page.n == 1 and page.title_key and page.lines[0].key == page.title_key:
        page.marks[0] = TITLE_RULE


def body_probabilities(
    texts: list[str], ruled: list[RuledLines] | None = None, model: LineModel | None = None
):
    """The line model's body probability of every non-blank line of ``texts`` (with the
    batch's lines: page and line number of each); ``ruled``: what the rules said of each."""
    model = model or load_model()
    if ruled is None:
        lines = batch_features(texts, lexicon=model.lexicon)
    else:
        removed, headlines = [r.removed for r in ruled], [r.headline for r in ruled]
        lines = batch_features(texts, removed, model.lexicon, headlines)
    return lines, model.body_probability(lines)


#: the line model's features are computed over about 1 MB of text at a time: a batch's
#: arrays then stay small (the result is the same: a line's context stays in its page)
CHUNK_CHARS = 1_000_000


def _apply_model(
    texts: list[str], pages: list[Page], model: LineModel, threshold: float | None
) -> None:
    order = _by_length(texts)
    texts, pages = [texts[i] for i in order], [pages[i] for i in order]
    for part in _chunks(texts):
        chunk = slice(part.start, part.stop)
        _apply_model_chunk(texts[chunk], pages[chunk], model, threshold)


def _apply_model_chunk(
    texts: list[str], pages: list[Page], model: LineModel, threshold: float | None
) -> None:
    lines, body = body_probabilities(texts, [ruled_lines(p) for p in pages], model)
    limit = model.threshold if threshold is None else 1.0 - threshold
    boiler = body < limit
    starts = lines.page_start
    for p, page in enumerate(pages):
        a, z = starts[p], starts[p + 1]
        drop = np.flatnonzero(boiler[a:z])
        if not len(drop):
            continue
        kept = np.flatnonzero(~boiler[a:z])
        first = lines.number[a + kept[0]] if len(kept) else 1 << 60
        last = lines.number[a + kept[-1]] if len(kept) else -1
        numbers = lines.number[a + drop].tolist()
        if len(page.lines) == z - a:  # the same non-blank lines (the usual case): same order
            found = drop.tolist()
        else:
            index = {line.number: line.index for line in page.lines}
            found = [index.get(number) for number in numbers]
        for i, number in zip(found, numbers, strict=True):
            if i is None:
                continue
            kind = BEFORE_BODY if number < first else AFTER_BODY if number > last else INSIDE_BODY
            page.mark(i, kind)


def _assemble(raw_lines: list[str], page: Page, added: tuple[str, ...] = ()) -> CleanResult:
    out: list[str] = []
    removed: list[Removal] = []
    block: list[str] = []
    block_rule: str | None = None
    for line, mark in zip(page.lines, page.marks, strict=True):
        if mark is None:
            if block:
                removed.append(Removal(block_rule, "\n".join(block)))
                block, block_rule = [], None
            if out and line.gap_before:
                out.append("")
            out.append(raw_lines[line.number])
            continue
        if block and mark != block_rule:
            removed.append(Removal(block_rule, "\n".join(block)))
            block = []
        block_rule = mark
        block.append(line.text)
    if block:
        removed.append(Removal(block_rule, "\n".join(block)))
    return CleanResult(text="\n".join(out), removed=tuple(removed), added=added)
