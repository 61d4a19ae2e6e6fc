"""Imported by the page worker's forkserver before a long run, so that every child it forks
starts warm.

The date parser behind trafilatura's metadata compiles the patterns of about 200 locales the
first time a page needs it: about 4 s, paid again by every fresh child process (one per batch).
Paid once here, in the forkserver, the compiled patterns are inherited by each fork.
"""

from htmldate.extractors import external_date_parser

from ingest.extraction import extract_html

_SAMPLE = (
    "<html><head><title>Sample</title></head><body><article><h1>Sample</h1>"
    "<p>Published on 3 March 2021. A paragraph of text long enough to count as the main "
    "text of a page, with a few sentences in it. Another sentence follows here.</p>"
    "</article></body></html>"
)


def warm_up() -> None:
    """Run the lazy start-up of the extractor and its date parser in this process."""
    external_date_parser("an expression no locale knows 0", "%Y-%m-%d")  # tries every locale
    extract_html(_SAMPLE)


warm_up()
