"""trafilatura on the sample HTML: main text and metadata, comments and furniture left out."""

from datetime import date
from pathlib import Path

from conftest import RAW

from ingest.decoding import decode_page
from ingest.extraction import extract_html
from ingest.settings import ExtractionFocus


def _html(name: str) -> str:
    return decode_page((RAW / "html" / name).read_bytes(), 10_000_000).text


def test_article_text_and_metadata() -> None:
    page = extract_html(_html("harbour-bridge.html"), url="https://example.org/a")
    assert page.title == "Harbour bridge reopens after two years of repairs"
    assert page.author == "Maria Okafor"
    assert str(page.published) == "2024-03-14"
    assert page.site == "The Coastal Ledger"
    assert page.url == "https://example.org/a" and page.hostname == "example.org"
    assert "corrosion in three of its steel girders" in page.text
    assert "Weight limit: 40 tonnes" in page.text


def test_comments_scripts_and_navigation_are_left_out() -> None:
    text = extract_html(_html("harbour-bridge.html")).text
    for absent in ("Finally! The detour was awful.", "dataLayer", "Terms of use", "Sport"):
        assert absent not in text


def test_legacy_encoding_in_gzip() -> None:
    page = decode_page((RAW / "html" / "stadtfest.html.gz").read_bytes(), 10_000_000)
    assert page.encoding == "cp1252"
    extracted = extract_html(page.text, focus=ExtractionFocus.precision)
    assert "Gül Özdemir" in extracted.text
    assert extracted.title == "Stadtfest lockt 40.000 Besucher in die Altstadt"


def test_page_without_article_gives_empty_text() -> None:
    html = "<html><head><script>var a = 1;</script><style>p{}</style></head><body></body></html>"
    assert extract_html(html).text == ""


def test_a_page_with_no_main_text_is_cleaned_as_the_whole_page(tmp_path: Path) -> None:
    """Markup the extractor finds no article in is rendered and cleaned as a text dump, not
    rejected: its text is kept, and the row says why."""
    from pages import run_page

    from ingest.settings import Settings

    page = tmp_path / "bare.html"
    sentence = "The harbour committee met on Tuesday evening."
    # broken markup: the post stands before the document's (empty) body
    page.write_text(f"<div><span>{sentence}</span></div><html><body></body></html>")
    kind, row = run_page(page, Settings())
    assert kind == "row", row
    assert row["format"] == "html" and sentence in row["text"]
    assert any("whole page" in w for w in row["warnings"])


def test_markup_that_is_only_a_comment_or_instruction_is_a_verdict_not_a_crash(
    tmp_path: Path,
) -> None:
    """A page whose markup parses to a lone comment or processing instruction has no text: it
    is rejected for that, not as an extractor's failure."""
    from pages import run_page

    from ingest.extraction import render_html
    from ingest.settings import Settings

    assert render_html("<?xml >\u2028<?") == ""
    page = tmp_path / "instruction.html"
    page.write_bytes(b"<?xml >\xe2\x80\xa8<?")
    kind, value = run_page(page, Settings())
    assert kind == "reject" and value[0] != "extraction_failed", value


def test_a_page_the_extractor_fails_on_is_cleaned_as_the_whole_page(tmp_path: Path) -> None:
    """Markup that makes a library of the extractor fail (here htmldate, on MathML around the
    document) loses nothing: the page is cleaned as its whole rendering, and the row says why."""
    from pages import run_page

    from ingest.settings import Settings

    sentence = "The harbour committee met on Tuesday evening to approve the budget for next year."
    page = tmp_path / "math.html"
    page.write_text(f"<math><html><body><p>{sentence}</p><math><p>x")
    kind, row = run_page(page, Settings())
    assert kind == "row", row
    assert sentence in row["text"]
    failed = [w for w in row["warnings"] if w.startswith("the extractor failed")]
    assert all("cleaned as a whole page" in w for w in failed)


def test_metadata_the_extractor_leaves_out_is_read_from_the_page_s_rendering(
    tmp_path: Path,
) -> None:
    """trafilatura finds no author in this page's markup; the author box under the article
    names one, as it would in a text dump of the page. What trafilatura does find stays."""
    from pages import run_page

    from ingest.settings import Settings

    body = "".join(
        f"<p>{s}</p>"
        for s in (
            "The council approved the new budget on Tuesday after a long debate about school "
            "funding and the cost of repairing the old bridge over the river.",
            "Members said the repairs would start in spring and take most of the year, with one "
            "lane of the bridge open to traffic throughout the works.",
        )
    )
    box = (
        "<aside><p>Jane Doe</p><p>Jane Doe is a staff writer who covers the city council and "
        "its budget for the paper.</p></aside>"
    )
    title = "Council approves the budget for next year"
    html = f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}"
    page = tmp_path / "box.html"
    page.write_text(f"{html}</article>{box}</body></html>")
    assert extract_html(page.read_text()).author is None
    kind, row = run_page(page, Settings())
    assert kind == "row", row
    assert (row["title"], row["author"]) == (title, "Jane Doe")
    kind, row = run_page(RAW / "html" / "harbour-bridge.html", Settings(), str(RAW))
    assert kind == "row" and row["author"] == "Maria Okafor"


def test_a_date_the_markup_does_not_declare_is_read_from_the_dateline_not_the_footer(
    tmp_path: Path,
) -> None:
    """A page whose markup declares no date is dated by its dateline under the headline, as a
    text page is; a footer's "last updated" or copyright year dates no page."""
    from pages import run_page

    from ingest.settings import Settings

    body = "".join(
        f"<p>{s}</p>"
        for s in (
            "The sheet set is woven from long-staple cotton in a crisp percale weave that stays "
            "cool through warm nights and softens with every wash.",
            "Each set holds a flat sheet, a fitted sheet with deep pockets and two pillowcases, "
            "all cut generously so they tuck in well.",
        )
    )
    footer = "<footer><p>© 2023 Example Store. Page last updated March 3, 2024.</p></footer>"
    pages = {
        "product.html": (f"<h1>Classic Sheet Set</h1>{body}{footer}", None),
        "article.html": (
            f"<article><h1>New sheets in store</h1><p>March 5, 2024</p>{body}",
            date(2024, 3, 5),
        ),
    }
    for name, (inner, published) in pages.items():
        page = tmp_path / name
        page.write_text(f"<html><head><title>Sheets</title></head><body>{inner}</body></html>")
        kind, row = run_page(page, Settings())
        assert kind == "row", row
        assert row["published"] == published, name
