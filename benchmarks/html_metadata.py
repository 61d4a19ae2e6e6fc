"""Title, author and date of HTML pages: trafilatura's alone, and the pipeline's (what
trafilatura leaves out read from the page's rendering), against the bench sets' gold.

Usage (from the repository root, with the project's virtualenv):

    .venv/bin/python benchmarks/html_metadata.py                  # test sites
    .venv/bin/python benchmarks/html_metadata.py --split train validation --set modern

Each HTML page of the ``modern``, ``readability`` and ``fixtures`` sets of ``../shared/bench`` (or
``$INGEST_BENCH_DIR``), restricted to the sites of the chosen split of
``benchmarks/site_split.json``, is extracted with its address as the page worker extracts it
(``run_extraction``: trafilatura's main text and metadata, and the page's rendering); the
pipeline's metadata is then that with the gaps filled from the normalised rendering
(``processing.fill_metadata``). Title and author count as right as in ``text_metadata.py``;
dates are scored over every page with a gold date ("wrong": another date output there; "extra":
a date output on a page whose gold has none). Time is CPU per page of the extraction and of the
filling.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections import Counter

from text_metadata import SETS, author_right, bench_dir, gold_date, share, split_ids, title_right

from ingest.decoding import decode_page
from ingest.extraction import Extracted, ExtractionFocus
from ingest.normalising import normalise
from ingest.page_worker import run_extraction
from ingest.processing import fill_metadata

MAX_BYTES = 1 << 30


def score(meta: Extracted, entry: dict, into: Counter[str], modern: bool) -> None:
    if entry.get("title"):
        into["pages titled"] += 1
        into["title right"] += title_right(meta.title, entry["title"])
    if entry.get("author"):
        into["gold authors"] += 1
        into["author output"] += bool(meta.author)
        into["author right"] += author_right(meta.author, entry["author"])
    elif "author" in entry or modern:
        into["author extra"] += bool(meta.author)
    published = gold_date(entry.get("publish_date"))
    if published:
        into["gold dates"] += 1
        into["date right"] += meta.published == published
        into["date wrong"] += meta.published is not None and meta.published != published
    else:
        into["date extra"] += meta.published is not None


def report(name: str, system: str, s: Counter[str]) -> None:
    print(
        f"| {name} | {system} | {share(s['title right'], s['pages titled'])} "
        f"| {share(s['author right'], s['author output'])} "
        f"| {share(s['author right'], s['gold authors'])} | {s['author extra']} "
        f"| {share(s['date right'], s['gold dates'])} | {s['date wrong']} | {s['date extra']} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", nargs="+", default=["test"])
    parser.add_argument("--set", nargs="+", default=list(SETS), dest="sets")
    args = parser.parse_args()
    print(f"HTML metadata, sites: {' + '.join(args.split)}")
    print()
    print(
        "| set | metadata | title right | author P | author R | author extra | date right "
        "| date wrong | date extra |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    extracting = filling = 0.0
    pages = 0
    for name in args.sets:
        gold = json.loads((bench_dir() / name / "gold.json").read_text(encoding="utf-8"))
        alone: Counter[str] = Counter()
        filled: Counter[str] = Counter()
        for page_id in split_ids(name, set(args.split)):
            path = bench_dir() / name / "html" / f"{page_id}.html.gz"
            if page_id not in gold or not path.exists():
                continue
            entry = gold[page_id]
            html = decode_page(gzip.decompress(path.read_bytes()), MAX_BYTES).text
            start = time.process_time()
            kind, value = run_extraction(html, entry.get("url"), ExtractionFocus.balanced)
            extracting += time.process_time() - start
            if kind != "ok":
                continue
            extracted = value.extracted
            start = time.process_time()
            whole = normalise(value.rendering) if value.rendering else None
            meta = fill_metadata(extracted, whole, entry.get("url"))
            filling += time.process_time() - start
            pages += 1
            score(extracted, entry, alone, name == "modern")
            score(meta, entry, filled, name == "modern")
        report(name, "trafilatura", alone)
        report(name, "ingest", filled)
    print()
    print(
        f"CPU per page over {pages} pages: extraction and rendering "
        f"{1000 * extracting / max(pages, 1):.1f} ms, filling the gaps "
        f"{1000 * filling / max(pages, 1):.2f} ms (normalising the rendering included)"
    )


if __name__ == "__main__":
    main()
