"""Title, author and date read from whole-page text dumps, against the bench sets' gold.

Usage (from the repository root, with the project's virtualenv):

    .venv/bin/python benchmarks/text_metadata.py                  # test sites
    .venv/bin/python benchmarks/text_metadata.py --split train validation
    .venv/bin/python benchmarks/text_metadata.py --rev HEAD~3     # the module as of a commit
    .venv/bin/python benchmarks/text_metadata.py --misses --set modern  # the wrong titles
    .venv/bin/python benchmarks/text_metadata.py --rendering html_text  # the HTML, by html-text
    .venv/bin/python benchmarks/text_metadata.py --date-misses --split train  # the wrong dates
    .venv/bin/python benchmarks/text_metadata.py --no-address   # pages without their URL

Pages are whole-page text renderings of the ``modern``, ``readability`` and ``fixtures`` sets of
``../shared/bench`` (or ``$INGEST_BENCH_DIR``), normalised as the pipeline does before it reads
metadata, restricted to the sites of the chosen split of ``benchmarks/site_split.json``. Two
renderings (``--rendering``): ``text``, the shipped inscriptis dumps (``SET/text/ID.txt.gz``), and
``html_text``, html-text's rendering of the HTML (``SET/html/ID.html.gz``), which also prints the
``<title>`` element as the page's first line. Each page is read with its address (the gold's
``url``), as a WARC, WET or JSON-lines record brings one; ``--no-address`` reads it without, as a
bare text file comes.

What counts as right:

- title: equal to the gold title after folding (case, accents kept, punctuation and spacing
  dropped), or one contains the other (folded) and the shorter has at least 80% of the tokens
  of the longer, or the gold title is a ``<title>`` with a site part ("Headline | Site",
  "Site - Headline") and one of its parts is right by the same test. "in text" counts only the
  pages whose gold title (or one of its parts) is a folded substring of the page.
- author: the folded output equals the gold author or one of its names (gold may list several),
  or is contained in it with 80% token overlap; precision over pages with a gold author where
  an author was output, recall over all pages with a gold author; "extra" counts authors output
  on pages whose gold has none.
- date: equal to the gold ``publish_date``, over pages whose gold date is written in the text
  (a date of the page in any of the forms the module reads, found anywhere in it); "wrong"
  counts other dates output on those pages, "extra" dates output on the other pages (whose
  gold has no date, or one the text does not state).

Time is CPU per page of ``extract_text_metadata`` alone (best of ``--rounds``), and the time of a
15 KB page scaled from the mean bytes per page.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import inspect
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "benchmarks" / "_cache"
SETS = ("modern", "readability", "fixtures")
RENDERINGS = ("text", "html_text")
sys.path.insert(0, str(REPO / "src"))

from ingest.normalising import normalise  # noqa: E402
from ingest.text_metadata import find_dates  # noqa: E402


def bench_dir() -> Path:
    env = os.environ.get("INGEST_BENCH_DIR")
    return Path(env) if env else REPO.parent / "shared" / "bench"


def split_ids(name: str, splits: set[str]) -> list[str]:
    split = json.loads((REPO / "benchmarks" / "site_split.json").read_text(encoding="utf-8"))
    return sorted(page for page, part in split[name].items() if part in splits)


def _render_html(file: Path) -> str:
    import html_text

    from ingest.decoding import decode_page

    html = decode_page(gzip.decompress(file.read_bytes()), 1 << 30)
    try:
        return html_text.extract_text(html.text, guess_layout=True)
    except Exception:  # an unparsable page renders to nothing
        return ""


def texts(name: str, rendering: str = "text") -> dict[str, str]:
    """Normalised text pages of a set in one rendering, cached (normalising and rendering are
    not what is measured here)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    suffix = "" if rendering == "text" else f"_{rendering}"
    path = CACHE / f"text_metadata_{name}{suffix}.json.gz"
    if path.exists():
        return json.loads(gzip.decompress(path.read_bytes()))
    found = {}
    if rendering == "text":
        for file in sorted((bench_dir() / name / "text").glob("*.txt.gz")):
            raw = gzip.decompress(file.read_bytes()).decode("utf-8", errors="replace")
            found[file.name.removesuffix(".txt.gz")] = normalise(raw)
    else:
        for file in sorted((bench_dir() / name / "html").glob("*.html.gz")):
            found[file.name.removesuffix(".html.gz")] = normalise(_render_html(file))
    path.write_bytes(gzip.compress(json.dumps(found).encode()))
    return found


# --- what counts as right ------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+")
_TITLE_PARTS = re.compile(r"\s+[|–—:»·-]\s+|\s+::\s+|\s*\|\s*")


def fold(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def close(found: str, gold: str) -> bool:
    a, b = fold(found), fold(gold)
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = sorted((" ".join(a), " ".join(b)), key=len)
    return short in long_ and min(len(a), len(b)) / max(len(a), len(b)) >= 0.8


def title_parts(gold: str) -> list[str]:
    return [gold] + [part for part in _TITLE_PARTS.split(gold) if len(fold(part)) >= 2]


def title_right(found: str | None, gold: str) -> bool:
    return bool(found) and any(close(found, part) for part in title_parts(gold))


def title_in_text(gold: str, text: str) -> bool:
    page = " ".join(fold(text))
    return any(" ".join(fold(part)) in page for part in title_parts(gold) if fold(part))


def author_right(found: str | None, gold: str) -> bool:
    if not found:
        return False
    names = [gold, *re.split(r"\s*(?:,|;|&|\band\b|\bund\b|\by\b|\bet\b)\s*", gold)]
    return any(close(found, name) for name in names if name.strip())


def gold_date(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


# --- scoring -------------------------------------------------------------------------------


def load_module(rev: str | None) -> ModuleType:
    """``ingest.text_metadata`` as in the work tree, or as of commit ``rev``."""
    if rev is None:
        import ingest.text_metadata as module

        return module
    source = subprocess.run(
        ["git", "show", f"{rev}:src/ingest/text_metadata.py"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    folder = Path(tempfile.mkdtemp())
    path = folder / "text_metadata_at_rev.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("text_metadata_at_rev", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def cpu_per_page(extract: Callable, pages: list[tuple[str, str | None]], rounds: int) -> float:
    """CPU seconds a page of ``extract`` over (text, address) pages, the best of ``rounds``; a
    page without an address is read without one."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for text, url in pages:
            extract(text, url) if url else extract(text)
        best = min(best, time.process_time() - start)
    return best / max(len(pages), 1)


def date_lines(text: str, gold: date) -> list[str]:
    """The lines of ``text`` that state the date ``gold``, for the listing of wrong dates."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    return [f"{k}: {line[:100]}" for k, line in enumerate(lines) if gold in find_dates(line)]


def print_date_miss(page_id: str, found: date | None, gold: date, text: str) -> None:
    print(f"  {page_id}: {found} | gold {gold}", file=sys.stderr)
    for line in date_lines(text, gold)[:3]:
        print(f"      {line}", file=sys.stderr)


def score_set(
    name: str,
    extract: Callable,
    splits: set[str],
    rounds: int,
    misses: bool,
    rendering: str,
    date_misses: bool = False,
    addresses: bool = True,
) -> dict:
    gold = json.loads((bench_dir() / name / "gold.json").read_text(encoding="utf-8"))
    pages = texts(name, rendering)
    ids = [i for i in split_ids(name, splits) if i in pages and i in gold]
    urls = {i: gold[i].get("url") if addresses and _takes_url(extract) else None for i in ids}
    n = {
        key: 0
        for key in (
            "pages titled",
            "title right",
            "titled in text",
            "title right in text",
            "gold authors",
            "author output",
            "author right",
            "author extra",
            "dates in text",
            "date right",
            "date output",
            "date wrong",
            "date extra",
        )
    }
    for page_id in ids:
        entry, text = gold[page_id], pages[page_id]
        url = urls[page_id]
        meta = extract(text, url) if url else extract(text)
        if entry.get("title"):
            right = title_right(meta.title, entry["title"])
            stated = title_in_text(entry["title"], text)
            n["pages titled"] += 1
            n["title right"] += right
            n["titled in text"] += stated
            n["title right in text"] += right and stated
            if misses and not right:
                print(f"  {page_id}: {meta.title!r} | gold {entry['title']!r}", file=sys.stderr)
        if entry.get("author"):
            n["gold authors"] += 1
            n["author output"] += bool(meta.author)
            n["author right"] += author_right(meta.author, entry["author"])
        elif "author" in entry or name == "modern":
            n["author extra"] += bool(meta.author)
        published = gold_date(entry.get("publish_date"))
        if meta.published and not (published and published in find_dates(text)):
            n["date extra"] += 1
        if published and published in find_dates(text):
            n["dates in text"] += 1
            n["date output"] += meta.published is not None
            n["date right"] += meta.published == published
            wrong = meta.published is not None and meta.published != published
            n["date wrong"] += wrong
            if date_misses and meta.published != published:
                print_date_miss(page_id, meta.published, published, text)
    texts_ = [pages[i] for i in ids]
    n["pages"] = len(ids)
    n["ms per page"] = 1000 * cpu_per_page(extract, [(pages[i], urls[i]) for i in ids], rounds)
    n["kB per page"] = sum(map(len, (t.encode() for t in texts_))) / max(len(ids), 1) / 1000
    return n


def _takes_url(extract: Callable) -> bool:
    """Whether the reader takes the page's address (it does since the headline reads slugs)."""
    return "url" in inspect.signature(extract).parameters


def share(a: int, b: int) -> str:
    return f"{a / b:.3f} ({a}/{b})" if b else "-"


def report(name: str, n: dict) -> None:
    per_15k = n["ms per page"] * 15 / n["kB per page"] if n["kB per page"] else 0.0
    print(f"{name}: {n['pages']} pages, {n['kB per page']:.1f} kB per page")
    print(f"  title right         {share(n['title right'], n['pages titled'])}")
    print(f"  title right in text {share(n['title right in text'], n['titled in text'])}")
    print(
        f"  author P {share(n['author right'], n['author output'])}"
        f"  R {share(n['author right'], n['gold authors'])}  extra {n['author extra']}"
    )
    print(
        f"  date right          {share(n['date right'], n['dates in text'])}"
        f"  wrong {n['date wrong']}  extra {n['date extra']}"
    )
    print(f"  ms per page {n['ms per page']:.3f}  (15 kB page: {per_15k:.3f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", nargs="+", default=["test"])
    parser.add_argument("--set", nargs="+", default=list(SETS), dest="sets")
    parser.add_argument("--rev", help="score the module as of this git commit")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--misses", action="store_true", help="list wrong titles on stderr")
    parser.add_argument(
        "--date-misses", action="store_true", help="list wrong or missing dates on stderr"
    )
    parser.add_argument("--rendering", choices=RENDERINGS, default="text")
    parser.add_argument(
        "--no-address",
        action="store_true",
        help="read every page without its address, as a text file that comes without one",
    )
    args = parser.parse_args()
    module = load_module(args.rev)
    label = f"as of {args.rev}" if args.rev else "work tree"
    print(f"text metadata ({label}), {args.rendering} rendering, sites: {' + '.join(args.split)}")
    for name in args.sets:
        result = score_set(
            name,
            module.extract_text_metadata,
            set(args.split),
            args.rounds,
            args.misses,
            args.rendering,
            args.date_misses,
            not args.no_address,
        )
        report(name, result)


if __name__ == "__main__":
    main()
