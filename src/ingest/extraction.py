"""Main text and metadata of an HTML page, by trafilatura.

trafilatura and lxml are imported where they are used: they run in the page worker process (its
forkserver preloads them), and a command that only hands pages to it need not load them. Nor
does the page worker load the settings (and the cleaner they name).
"""

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class ExtractionFocus(StrEnum):
    """trafilatura's precision/recall trade-off (the `extraction_focus` setting)."""

    balanced = "balanced"
    precision = "precision"
    recall = "recall"


#: elements that start a line of their own in a rendering of the page
BLOCK_TAGS = (
    *("p", "div", "br", "li", "ul", "ol", "dt", "dd", "tr", "table", "blockquote", "pre"),
    *("h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer", "nav"),
    "aside",
)


@dataclass(frozen=True, slots=True)
class Extracted:
    text: str
    title: str | None = None
    author: str | None = None
    published: date | None = None
    site: str | None = None
    hostname: str | None = None
    url: str | None = None
    description: str | None = None
    language: str | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def extract_html(
    html: str, *, url: str | None = None, focus: ExtractionFocus = ExtractionFocus.balanced
) -> Extracted:
    """trafilatura with comments off and metadata on; empty text when it finds no article.

    The date comes from the page's metadata, address and date elements (htmldate's fast mode):
    its extensive search of the page's free text dates many a page that states no date (a
    copyright year, a footer's "last updated"). A date stated only in the text is read from its
    dateline instead, by the text pages' reader (``processing.fill_metadata``)."""
    from trafilatura import bare_extraction
    from trafilatura.settings import set_date_params

    document = bare_extraction(
        html,
        url=url,
        include_comments=False,
        with_metadata=True,
        include_tables=True,
        favor_precision=focus is ExtractionFocus.precision,
        favor_recall=focus is ExtractionFocus.recall,
        deduplicate=False,
        date_extraction_params=set_date_params(extensive=False),
    )
    if document is None:
        return Extracted(text="")
    return Extracted(
        text=document.text or "",
        title=_clean(document.title),
        author=_clean(document.author),
        published=_parse_date(document.date),
        site=_clean(document.sitename),
        hostname=_clean(document.hostname),
        url=_clean(document.url),
        description=_clean(document.description),
        language=_clean(document.language),
        categories=[c for c in document.categories or [] if c],
        tags=[t for t in document.tags or [] if t],
    )


def release_caches() -> None:
    """trafilatura's caches grow with every page seen: clear them between batches."""
    from trafilatura.meta import reset_caches

    reset_caches()


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def render_html(html: str, *, captions: bool = True) -> str:
    """The whole page as text, a line per block (what a text dump of the page would hold);
    without figure captions when ``captions`` is false."""
    import lxml.etree
    import lxml.html

    try:
        tree = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return ""
    if not isinstance(tree.tag, str):  # a page that is only a comment or an instruction
        return ""
    hidden = "//script|//style|//noscript|//template" + ("" if captions else "|//figcaption")
    for element in tree.xpath(hidden):
        element.drop_tree()
    for block in tree.iter(*BLOCK_TAGS):
        block.text = "\n" + (block.text or "")
        block.tail = "\n" + (block.tail or "")
    lines = (line.strip() for line in tree.text_content().split("\n"))
    return "\n".join(line for line in lines if line)
