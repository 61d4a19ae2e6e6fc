"""Language identification on pages of known language: accuracy, short texts, cost.

usage: python benchmarks/language.py [--all-sites]

Labelled pages, each read as its gold main text where the gold has one, else its text rendering:

- gold: ``lang`` in the gold of ``readability`` and ``fixtures``, and the seeds (English);
- declared: the ``<html lang>`` the page declares (``modern``, ``devset``): the publisher's word,
  not checked, so a disagreement may be the page's fault (a URL's TLD is not used at all).

Figures are on the test sites of ``benchmarks/site_split.json`` (``--all-sites``: every site).
Accuracy is per language on pages of >= 50 words; short texts are the first N words of those
pages; cost is the mean time of ``detect_language`` per page.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from ingest.analysis.language import detect_language  # noqa: E402

HTML_LANG = re.compile(rb"<html[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.IGNORECASE)
MIN_WORDS = 50
SHORT_WORDS = (1, 2, 3, 5, 8, 12, 20, 30)


def bench_dir() -> Path:
    env = os.environ.get("INGEST_BENCH_DIR")
    return Path(env) if env else REPO.parent / "shared" / "bench"


def split() -> dict[str, dict[str, str]]:
    return json.loads((REPO / "benchmarks" / "site_split.json").read_text(encoding="utf-8"))


def _rendering(set_name: str, page_id: str) -> str | None:
    path = bench_dir() / set_name / "text" / f"{page_id}.txt.gz"
    return gzip.decompress(path.read_bytes()).decode("utf-8", "replace") if path.exists() else None


def _declared(set_name: str, page_id: str) -> str | None:
    path = bench_dir() / set_name / "html" / f"{page_id}.html.gz"
    if not path.exists():
        return None
    found = HTML_LANG.search(gzip.decompress(path.read_bytes())[:50_000])
    return found.group(1).decode().lower()[:2] if found else None


def labelled(all_sites: bool) -> list[tuple[str, str, str, str]]:
    """(kind, page, language, text) of every labelled page of the chosen sites."""
    parts = split()
    out = []
    for set_name in ("readability", "fixtures", "modern", "devset"):
        gold = json.loads((bench_dir() / set_name / "gold.json").read_text(encoding="utf-8"))
        for page_id, entry in sorted(gold.items()):
            if not all_sites and parts[set_name].get(page_id) != "test":
                continue
            lang = (entry.get("lang") or "").lower()[:2]
            kind = "gold"
            if not lang:
                lang, kind = _declared(set_name, page_id) or "", "declared"
            text = entry.get("text") or _rendering(set_name, page_id)
            if lang and text:
                out.append((kind, f"{set_name}/{page_id}", lang, text))
    seeds = sorted((bench_dir().parent / "seeds").glob("*.txt"))
    out += [("gold", f"seeds/{p.name}", "en", p.read_text(encoding="utf-8")) for p in seeds]
    return out


def accuracy(pages: list[tuple[str, str, str, str]]) -> None:
    for kind in ("gold", "declared"):
        rows = [p for p in pages if p[0] == kind and len(p[3].split()) >= MIN_WORDS]
        hits: Counter[str] = Counter()
        totals: Counter[str] = Counter()
        misses = []
        for _, page, lang, text in rows:
            got, score = detect_language(text)
            totals[lang] += 1
            hits[lang] += got == lang
            if got != lang:
                misses.append(f"{page} {lang}->{got} ({score:.2f})")
        if not rows:
            continue
        print(f"\n{kind} labels, pages of >= {MIN_WORDS} words: ", end="")
        print(f"{sum(hits.values())}/{len(rows)} = {sum(hits.values()) / len(rows):.3f}")
        print("| language | pages | correct | accuracy |\n|---|---|---|---|")
        for lang, n in totals.most_common():
            print(f"| {lang} | {n} | {hits[lang]} | {hits[lang] / n:.3f} |")
        for miss in misses[:15]:
            print(f"  miss: {miss}")


def short_texts(pages: list[tuple[str, str, str, str]]) -> None:
    rows = [p for p in pages if len(p[3].split()) >= MIN_WORDS]
    print("\nshort texts (first N words of the pages above)")
    print(
        "| words | pages | no language | correct of answered | wrong | mean score "
        "| correct of score >= 0.5 |"
    )
    print("|---|---|---|---|---|---|---|")
    for n in SHORT_WORDS:
        results = [(lang, detect_language(" ".join(text.split()[:n]))) for _, _, lang, text in rows]
        answered = [(lang, got) for lang, (got, _) in results if got is not None]
        correct = sum(lang == got for lang, got in answered)
        mean = statistics.mean(score for _, (_, score) in results)
        sure = [lang == got for lang, (got, score) in results if score >= 0.5]
        print(
            f"| {n} | {len(results)} | {len(results) - len(answered)} | "
            f"{correct}/{len(answered)} | {len(answered) - correct} | {mean:.2f} "
            f"| {sum(sure)}/{len(sure)} |"
        )


def cost(pages: list[tuple[str, str, str, str]]) -> None:
    texts = [p[3] for p in pages]
    detect_language(texts[0])  # model load
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for text in texts:
            detect_language(text)
        best = min(best, time.perf_counter() - start)
    chars = statistics.mean(len(t) for t in texts)
    print(f"\ncost: {best / len(texts) * 1000:.3f} ms per page ({len(texts)} pages, ", end="")
    print(f"mean {chars:.0f} chars; best of 3)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all-sites", action="store_true", help="not only the test sites")
    args = parser.parse_args()
    pages = labelled(args.all_sites)
    by_kind = defaultdict(int)
    for kind, *_ in pages:
        by_kind[kind] += 1
    print(f"{'all' if args.all_sites else 'test'} sites: {dict(by_kind)} labelled pages")
    accuracy(pages)
    short_texts(pages)
    cost(pages)


if __name__ == "__main__":
    main()
