"""CPU per page of each step of the plain-text path, in this process (no flow, no Parquet).

Usage (from the repository root, with the project's virtualenv):

    .venv/bin/python benchmarks/text_stages.py            # the development set's 990 text pages
    .venv/bin/python benchmarks/text_stages.py --rounds 5

Each step runs on every page in turn (the line model and the analysis on batches of pages), in
the order ``process_page`` runs them, and is timed in CPU seconds of this process (other load on the
machine barely moves them); the best of ``--rounds`` rounds is reported. ``speed.py --only
text`` gives the end-to-end figure through the flow; the difference between the two is
orchestration, page-worker IPC and Parquet writing. The last column says what the step alone
allows: a path at 5 MB/s per core has 1 / (5 MB/s) of CPU per byte for all its steps together.
A bare ``ftfy.fix_text`` loop over the same pages is printed for comparison.
"""

import argparse
import gzip
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ftfy

from ingest.analysis.duplicates import signatures, text_sha256
from ingest.analysis.language import detect_languages
from ingest.analysis.quality_signals import batch_quality_signals
from ingest.analysis.stage import MEASURE_CHUNK
from ingest.analysis.words import batch_words
from ingest.cleaning.cleaner import _apply_model, _assemble
from ingest.cleaning.line_model import load_model
from ingest.cleaning.lines import Line, split_lines
from ingest.cleaning.rules import FAMILIES, Page
from ingest.decoding import decode_page
from ingest.identity import sha256_bytes
from ingest.normalising import normalise, normalise_whitespace
from ingest.text_metadata import extract_text_metadata

REPO = Path(__file__).resolve().parent.parent
DEVSET = Path(os.environ.get("INGEST_BENCH_DIR", REPO.parent / "shared" / "bench")) / "devset"
MB = 1e6
INFLATED_CAP = 50 * 1024 * 1024
BATCH = 1000  # pages a batch task cleans and analyses at once (the pipeline's default batch_size)


def load_pages(folder: Path) -> list[bytes]:
    return [gzip.decompress(path.read_bytes()) for path in sorted(folder.glob("*.txt.gz"))]


def time_steps(pages: list[bytes]) -> dict[str, float]:
    """CPU seconds of each step over all pages (one round)."""
    spent: dict[str, float] = {}

    def step(name: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        out = fn(*args, **kwargs)
        spent[name] = spent.get(name, 0.0) + time.process_time() - start
        return out

    texts, ruled, raws = [], [], []
    for data in pages:
        step("sha-256", sha256_bytes, data)
        page = step("decode", decode_page, data, INFLATED_CAP)
        text = step("normalise (ftfy where needed)", normalise, page.text)
        meta = step("metadata from text", extract_text_metadata, text)
        # clean(), step by step: the page is split once, as the cleaner does
        raw_lines, lines = step("cleaner: split into lines", split_lines, text)
        texts.append(text)
        ruled.append(step("cleaner: rule families", apply_rules, lines, meta.title))
        raws.append(raw_lines)
    model = load_model()
    for start in range(0, len(texts), BATCH):  # the line model runs a batch at a time
        part = slice(start, start + BATCH)
        step("cleaner: line model (batches)", _apply_model, texts[part], ruled[part], model, None)
    clean = []
    for raw_lines, page in zip(raws, ruled, strict=True):
        result = step("cleaner: assembly", _assemble, raw_lines, page)
        clean.append(step("whitespace of the result", normalise_whitespace, result.text))
    sized = [(text, len(raw), len(raw) - len(text)) for text, raw in zip(clean, texts, strict=True)]
    for start in range(0, len(sized), BATCH):  # as ``measure`` takes a batch's texts
        step("analysis: language", detect_languages, clean[start : start + BATCH])
        for chunk in range(start, min(start + BATCH, len(sized)), MEASURE_CHUNK):
            time_analysis(step, sized[chunk : chunk + MEASURE_CHUNK])
    return spent


def apply_rules(lines: list[Line], title: str | None) -> Page:
    """The rule families over a page's split lines (what ``rule_page`` does after splitting)."""
    page = Page(lines, title, frozenset())
    for _family, rule in FAMILIES:
        rule(page)
    return page


def time_analysis(step: Callable[..., Any], texts: list[tuple[str, int, int]]) -> None:
    """The steps of the analysis stage's ``measure`` after the language over one chunk of
    (clean text, raw chars, removed chars)."""
    plain = [text for text, _, _ in texts]
    words = step("analysis: words of the texts", batch_words, plain)
    step("analysis: duplicate signatures", signatures, plain, words)
    step("analysis: quality signals", batch_quality_signals, texts, words)
    step(
        "analysis: sha-256 of the text",
        lambda: [text_sha256(t, words.of(i)) for i, t in enumerate(plain)],
    )


def time_ftfy(pages: list[bytes]) -> float:
    """CPU seconds of a bare ``ftfy.fix_text`` over every decoded page, for comparison."""
    texts = [decode_page(data, INFLATED_CAP).text for data in pages]
    start = time.process_time()
    for text in texts:
        ftfy.fix_text(text)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the best counts")
    parser.add_argument("--pages", type=Path, default=DEVSET / "text", help="*.txt.gz folder")
    args = parser.parse_args()
    pages = load_pages(args.pages)
    size = sum(map(len, pages))
    best: dict[str, float] = {}
    for _ in range(args.rounds):
        for name, seconds in time_steps(pages).items():
            best[name] = min(best.get(name, seconds), seconds)
    n = len(pages)
    path = sum(best.values())
    print(
        f"{n} text pages, {size / MB:.1f} MB, {size / n / 1e3:.1f} KB a page; best of {args.rounds}"
    )
    print()
    print("| step | ms per page | share of the path | MB/s of the step alone |")
    print("|---|---|---|---|")
    for name, seconds in best.items():
        alone = size / seconds / MB
        print(f"| {name} | {seconds / n * 1e3:.2f} | {seconds / path:.0%} | {alone:.1f} |")
    print(f"| **the path** | **{path / n * 1e3:.2f}** | 100% | **{size / path / MB:.2f}** |")
    cleaner = sum(v for k, v in best.items() if k.startswith("cleaner"))
    fix = min(time_ftfy(pages) for _ in range(args.rounds))
    print()
    print(f"the cleaner: {cleaner / n * 1e3:.2f} ms per page; a bare ftfy.fix_text loop on the")
    print(f"same pages: {fix / n * 1e3:.2f} ms per page")
    print()
    print(f"5 MB/s per core allows {size / n / (5 * MB) * 1e3:.2f} ms per page of this size.")


if __name__ == "__main__":
    main()
