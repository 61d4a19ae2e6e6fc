"""The cleaner on dumps of text browsers (w3m, lynx, elinks, links) and on the text a reader
copies from a page in a browser (Chromium), beside the shipped inscriptis renderings.

Usage (from the repository root, with the project's virtualenv and the browsers):

    .venv/bin/python benchmarks/text_dumps.py                      # test sites
    .venv/bin/python benchmarks/text_dumps.py --split train validation

Each page of the chosen sites of ``modern`` and ``readability`` (the sets with main-text gold) is
dumped from its HTML by each of ``w3m``, ``lynx``, ``elinks`` and ``links2`` that is installed, at
80 columns, and by a headless Chromium as ``document.body.innerText`` (what select-all and copy
gives, the form of the seeds; ``tests/browser.py``), with scripts off and every request blocked:
a page that shows its text only once its scripts run is then dumped without it, which the
no-cleaning recall shows. Dumps are cached in ``benchmarks/_cache/dumps``, then normalised, their
title read and cleaned as the pipeline does a text page. Printed per set and rendering: main-text
F1 of the page as dumped (no cleaning) and its recall, F1, precision and recall cleaned, and how
often the title read from the text is right (as ``text_metadata.py`` counts it).
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from browser import CHROMIUM, TextTab
from quality import CACHE, bench_dir, gold, inputs, score_module, test_ids
from text_metadata import title_right

from ingest.cleaning import PageText, clean_pages
from ingest.decoding import decode_page
from ingest.normalising import normalise
from ingest.text_metadata import extract_text_metadata

SETS = ("modern", "readability")
BROWSERS = {
    "w3m": ["w3m", "-dump", "-T", "text/html", "-cols", "80", "-O", "UTF-8"],
    "lynx": ["lynx", "-dump", "-force_html", "-width=80", "-display_charset=utf-8", "-stdin"],
    "elinks": ["elinks", "-dump", "-force-html", "-dump-width", "80", "-dump-charset", "utf-8"],
    "links": ["links2", "-dump", "-width", "80", "-codepage", "utf-8"],  # reads a file
    "chromium": [CHROMIUM],  # driven over DevTools (``copied``)
}


def dump_folder(set_name: str, browser: str) -> Path:
    """Where one browser's dumps of a set are cached."""
    return CACHE.parent / "dumps" / set_name / browser


def page_html(set_name: str, page_id: str) -> bytes:
    return gzip.decompress((bench_dir() / set_name / "html" / f"{page_id}.html.gz").read_bytes())


def dump(args: tuple[str, str, str]) -> None:
    """Dump one page with one browser into the cache (an empty dump if it fails)."""
    set_name, page_id, browser = args
    out = dump_folder(set_name, browser) / f"{page_id}.txt.gz"
    if out.exists():
        return
    html = page_html(set_name, page_id)
    try:
        text = _render(browser, html)
    except subprocess.TimeoutExpired:
        text = b""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(gzip.compress(text))


def _render(browser: str, html: bytes) -> bytes:
    """The browser's dump of ``html``, given on standard input (links reads only a file)."""
    if browser != "links":
        return subprocess.run(BROWSERS[browser], input=html, capture_output=True, timeout=60).stdout
    with tempfile.NamedTemporaryFile(suffix=".html") as page:
        page.write(html)
        page.flush()
        command = [*BROWSERS[browser], page.name]
        return subprocess.run(command, capture_output=True, timeout=60).stdout


def copied(set_name: str, ids: list[str]) -> None:
    """The text Chromium gives of each page not yet in the cache (one tab for them all)."""
    folder = dump_folder(set_name, "chromium")
    folder.mkdir(parents=True, exist_ok=True)
    with TextTab() as tab:
        for page_id in ids:
            out = folder / f"{page_id}.txt.gz"
            if out.exists():
                continue
            text = tab.text(decode_page(page_html(set_name, page_id), 1 << 30).text)
            out.write_bytes(gzip.compress(text.encode("utf-8")))


def dumps(set_name: str, ids: list[str], browser: str) -> dict[str, str]:
    if browser == "chromium":
        copied(set_name, ids)
    else:
        with ProcessPoolExecutor(max_workers=2) as pool:
            list(pool.map(dump, [(set_name, i, browser) for i in ids], chunksize=8))
    folder = dump_folder(set_name, browser)
    return {
        i: gzip.decompress((folder / f"{i}.txt.gz").read_bytes()).decode("utf-8", "replace")
        for i in ids
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", nargs="+", default=["test"])
    args = parser.parse_args()
    browsers = [b for b, command in BROWSERS.items() if shutil.which(command[0])]
    if not browsers:
        raise SystemExit("no browser installed (apt-get install w3m lynx elinks links2 chromium)")
    score = score_module()
    print(f"sites: {' + '.join(args.split)}")
    print(
        "| set | rendering | pages | no cleaning F1 | no cleaning R | cleaned F1 | P | R "
        "| title right |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for set_name in SETS:
        ids = test_ids(set_name, 1, tuple(args.split))
        truth = gold(set_name)
        truth = {i: truth[i] for i in ids}
        shipped = {i: d["text"] for i, d in inputs(set_name, ids).items()}
        renderings = {"inscriptis (shipped)": shipped}
        renderings |= {
            b: {i: normalise(t) for i, t in dumps(set_name, ids, b).items()} for b in browsers
        }
        for name, texts in renderings.items():
            metas = {i: extract_text_metadata(texts[i]) for i in ids}
            cleaned = clean_pages([PageText(texts[i], metas[i].title) for i in ids])
            raw = score.score_text(truth, texts)
            out = score.score_text(truth, {i: r.text for i, r in zip(ids, cleaned, strict=True)})
            titled = [i for i in ids if truth[i].get("title")]
            right = sum(title_right(metas[i].title, truth[i]["title"]) for i in titled)
            print(
                f"| {set_name} | {name} | {len(ids)} | {raw['f1']:.3f} | {raw['recall']:.3f} "
                f"| {out['f1']:.3f} "
                f"| {out['precision']:.3f} | {out['recall']:.3f} | {right}/{len(titled)} |"
            )


if __name__ == "__main__":
    main()
