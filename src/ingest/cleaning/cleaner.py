"""The cleaner: ordered named rule families over the lines of a page, then the line model."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.cleaning import classifier
from ingest.cleaning.config import CleaningConfig
from ingest.cleaning.lines import split_lines
from ingest.cleaning.model import CleanResult, Removal
from ingest.cleaning.rules import FAMILIES, Page

_DEFAULT = CleaningConfig()


def rule_page(text: str, title: str | None = None, disabled: frozenset[str] = frozenset()) -> Page:
    """The page with the marks of every rule family (before the line model)."""
    return _rule_page(text, title, disabled)[1]


def _rule_page(text: str, title: str | None, disabled: frozenset[str]) -> tuple[list[str], Page]:
    raw_lines, lines = split_lines(text)
    page = Page(lines, title, disabled)
    for _family, rule in FAMILIES:
        rule(page)
    return raw_lines, page


def clean(
    text: str,
    *,
    title: str | None = None,
    config: CleaningConfig | None = None,
    extracted: bool = False,
) -> CleanResult:
    """Remove boilerplate lines from a normalised page; record every removal.

    ``extracted`` says the text is an extractor's main text (trafilatura's, from HTML) rather
    than a whole-page rendering: the line model, which judges page layout (navigation, sidebars,
    footers), is then left out, since the extractor has judged the layout from the markup.

    Kept lines are returned unchanged and in order; blank lines between kept paragraphs are
    kept (at most one in a row).
    """
    config = config or _DEFAULT
    if not config.enabled or not text.strip():
        return CleanResult(text=text)
    raw_lines, page = _rule_page(text, title, frozenset(config.disabled_rules))
    if not extracted:
        classifier.apply(page, config.model_threshold)
    return _assemble(raw_lines, page)


def _assemble(raw_lines: list[str], page: Page) -> CleanResult:
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
    return CleanResult(text="\n".join(out), removed=tuple(removed))


@dataclass(frozen=True, slots=True)
class PageText:
    text: str
    title: str | None = None
    extracted: bool = False
    rendering: str | None = None
    language: str | None = None


def clean_pages(pages, config=None):
    return [clean(p.text, title=p.title, config=config, extracted=p.extracted) for p in pages]
