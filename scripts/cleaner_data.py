"""Training data of the line model: every page of the development corpora in two renderings,
each line labelled body or boilerplate.

usage: python scripts/cleaner_data.py [--sets devset modern ...] [--workers 2]

Per page (cached in ``benchmarks/_cache/cleaner/SET.json.gz``): the shipped inscriptis text
rendering and an html-text rendering of the HTML, both normalised as the product normalises,
and trafilatura's main text (the product's extractor); in ``SET.others.json.gz`` the main text
of two other extractors, readability (trafilatura's port of readability-lxml) and jusText.
Labels of a rendering's lines come from:

- ``gold``: the gold main text projected onto the lines (sets whose gold has ``text``);
- ``trafilatura``: trafilatura's main text of the same page projected the same way (every page);
- ``readability``, ``justext``, ``majority`` (two of the three extractors): measured, not
  trained on; where trafilatura labels a line, the other two weigh it (``confidence``);
- ``snippets``: lines holding a gold ``without`` snippet are boilerplate, lines inside a ``with``
  snippet body (devset, modern), overriding the projection.

``label_lines`` and ``confidence`` are what the training script calls;
``python scripts/cleaner_data.py --report`` measures each label source against the gold (a
perfect line classifier on it), on test sites.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "benchmarks" / "_cache" / "cleaner"
SETS = ("devset", "modern", "readability", "fixtures", "unlabelled")
TOKEN = re.compile(r"\w+")
SPACES = re.compile(r"\s+")


#: the whole-page renderings the line model learns from and is scored on: the shipped
#: inscriptis text, html-text's, and html-text's without blank lines ("flat": a block a line
#: and no gaps, as Common Crawl's WET text prints a page)
RENDERINGS = ("inscriptis", "html_text", "flat")


def rendering(page: dict, name: str) -> str:
    """One of ``RENDERINGS`` of a page of ``pages``."""
    if name == "flat":
        return "\n".join(line for line in page["html_text"].split("\n") if line.strip())
    return page[name]


def bench_dir() -> Path:
    env = os.environ.get("INGEST_BENCH_DIR")
    return Path(env) if env else REPO.parent / "shared" / "bench"


def site_split() -> dict[str, dict[str, str]]:
    return json.loads((REPO / "benchmarks" / "site_split.json").read_text())


def _render(args: tuple[str, str]) -> tuple[str, dict]:
    import html_text

    from ingest.decoding import decode_page
    from ingest.extraction import extract_html
    from ingest.normalising import normalise

    set_name, page_id = args
    root = bench_dir() / set_name
    text = gzip.decompress((root / "text" / f"{page_id}.txt.gz").read_bytes())
    html = decode_page(
        gzip.decompress((root / "html" / f"{page_id}.html.gz").read_bytes()), 1 << 30
    )
    try:
        rendered = html_text.extract_text(html.text, guess_layout=True)
    except Exception:  # an unparsable page renders to nothing
        rendered = ""
    start = time.perf_counter()
    doc = extract_html(html.text)
    seconds = time.perf_counter() - start
    return page_id, {
        "inscriptis": normalise(text.decode("utf-8", errors="replace")),
        "html_text": normalise(rendered),
        "trafilatura": normalise(doc.text),
        "title": doc.title,
        "traf_seconds": seconds,
    }


def pages(set_name: str, workers: int = 2) -> dict[str, dict]:
    """The renderings of every page of a set (cached)."""
    return _cached_map(CACHE / f"{set_name}.json.gz", _render, _jobs(set_name), workers, 4)


def _jobs(set_name: str, *, lang: bool = False) -> list[tuple]:
    """(set, page id[, the gold's language]) of every page of a set, in id order."""
    gold = json.loads((bench_dir() / set_name / "gold.json").read_text(encoding="utf-8"))
    return [(set_name, i, gold[i].get("lang")) if lang else (set_name, i) for i in sorted(gold)]


def _cached_map(
    path: Path,
    fn: Callable[[tuple], tuple[str, dict]],
    jobs: list[tuple],
    workers: int,
    chunksize: int,
) -> dict:
    """``dict(fn(job) for job in jobs)``, computed in worker processes once and cached at
    ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return json.loads(gzip.decompress(path.read_bytes()))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        out = dict(pool.map(fn, jobs, chunksize=chunksize))
    path.write_bytes(gzip.compress(json.dumps(out).encode()))
    return out


def _other_extractors(args: tuple[str, str, str | None]) -> tuple[str, dict]:
    import lxml.html
    from justext import core as justext_core
    from trafilatura.readability_lxml import Document

    from ingest.decoding import decode_page
    from ingest.normalising import normalise

    set_name, page_id, lang = args
    raw = gzip.decompress((bench_dir() / set_name / "html" / f"{page_id}.html.gz").read_bytes())
    html = decode_page(raw, 1 << 30).text
    out = {"readability": "", "justext": ""}
    try:
        summary = Document(lxml.html.fromstring(html)).summary()
        out["readability"] = normalise(lxml.html.fromstring(summary).text_content())
    except Exception:  # an unparsable page: no text from this extractor
        pass
    try:
        paragraphs = justext_core.justext(html.encode("utf-8"), _stoplist(lang))
        out["justext"] = normalise("\n".join(p.text for p in paragraphs if not p.is_boilerplate))
    except Exception:
        pass
    return page_id, out


def _stoplist(lang: str | None) -> frozenset[str]:
    import justext

    names = {code: name for name in justext.get_stoplists() for code in [name[:2].lower()]}
    known = {"de": "German", "en": "English", "fr": "French", "es": "Spanish", "pl": "Polish"}
    name = known.get(lang or "") or names.get(lang or "")
    if name in justext.get_stoplists():
        return justext.get_stoplist(name)
    return frozenset().union(*(justext.get_stoplist(n) for n in sorted(justext.get_stoplists())))


def other_extractors(set_name: str, workers: int = 2) -> dict[str, dict]:
    """Readability's (trafilatura's port) and jusText's main text of every page (cached)."""
    jobs = _jobs(set_name, lang=True)
    return _cached_map(CACHE / f"{set_name}.others.json.gz", _other_extractors, jobs, workers, 8)


# --- labels --------------------------------------------------------------------------------


def _grams(tokens: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def project(lines: list[str], reference: str) -> list[bool]:
    """Lines whose words are (mostly) in ``reference``: 4-gram overlap for long lines, the
    whole line as a contiguous sequence for short ones (then a neighbour must be body too)."""
    ref = TOKEN.findall(reference.lower())
    by_n = {n: _grams(ref, n) for n in (1, 2, 3, 4)}
    tokens = [TOKEN.findall(line.lower()) for line in lines]
    label = [False] * len(lines)
    short = []
    for i, toks in enumerate(tokens):
        if len(toks) >= 4:
            grams = [tuple(toks[j : j + 4]) for j in range(len(toks) - 3)]
            label[i] = sum(g in by_n[4] for g in grams) >= 0.5 * len(grams)
        elif toks and tuple(toks) in by_n[len(toks)]:
            short.append(i)
    nonblank = [i for i, t in enumerate(tokens) if t]
    pos = {i: k for k, i in enumerate(nonblank)}
    for i in short:
        k = pos[i]
        near = nonblank[max(0, k - 2) : k] + nonblank[k + 1 : k + 3]
        label[i] = any(label[j] for j in near)
    return label


def apply_snippets(lines: list[str], label: list[bool], item: dict) -> list[bool]:
    """Gold snippets override a projection: ``without`` marks boilerplate, ``with`` body."""
    label = list(label)
    keys = [SPACES.sub(" ", line).strip() for line in lines]
    for snippet in item.get("without") or []:
        s = SPACES.sub(" ", snippet).strip()
        for i, key in enumerate(keys):
            if key and (s in key or (len(key) > 15 and key in s)):
                label[i] = False
    for snippet in item.get("with") or []:
        s = SPACES.sub(" ", snippet).strip()
        for i, key in enumerate(keys):
            if key and (s in key or (len(key) > 15 and key in s)):
                label[i] = True
    return label


def label_lines(
    rendering: str, page: dict, item: dict, source: str, others: dict | None = None
) -> list[bool]:
    """Body (True) or boilerplate of every line of ``rendering`` by one label source
    (``others``: the page's ``other_extractors`` texts, for the sources that read them)."""
    lines = rendering.split("\n")
    if source == "gold":
        return project(lines, item["text"])
    if source == "trafilatura":
        return project(lines, page["trafilatura"])
    if source in ("readability", "justext"):
        return project(lines, others[source])
    if source == "majority":  # two of the three extractors
        votes = [project(lines, text) for text in (page["trafilatura"], *others.values())]
        return [sum(v) >= 2 for v in zip(*votes, strict=True)]
    if source == "training":  # what the model learns from
        ref = item["text"] if item.get("text") else page["trafilatura"]
        return apply_snippets(lines, project(lines, ref), item)
    raise ValueError(source)


def _snippet_lines(lines: list[str], item: dict) -> set[int]:
    keys = [SPACES.sub(" ", line).strip() for line in lines]
    out = set()
    for snippet in (item.get("without") or []) + (item.get("with") or []):
        s = SPACES.sub(" ", snippet).strip()
        out.update(
            i for i, key in enumerate(keys) if key and (s in key or (len(key) > 15 and key in s))
        )
    return out


def confidence(rendering: str, page: dict, others: dict, item: dict) -> list[float]:
    """How far to trust each line's training label: full where gold text or a gold snippet
    decides it; else by how many of readability and jusText agree with trafilatura's label
    (``AGREEMENT_WEIGHT`` by the number that agree)."""
    lines = rendering.split("\n")
    if item.get("text"):
        return [1.0] * len(lines)
    traf = project(lines, page["trafilatura"])
    votes = [project(lines, others[name]) for name in ("readability", "justext")]
    sure = _snippet_lines(lines, item)
    return [
        1.0 if i in sure else AGREEMENT_WEIGHT[sum(v[i] == label for v in votes)]
        for i, label in enumerate(traf)
    ]


#: a trafilatura label's weight when 0, 1 or 2 of the other extractors agree with it
AGREEMENT_WEIGHT = (0.4, 0.8, 1.0)


def keep(rendering: str, label: list[bool]) -> str:
    return "\n".join(line for line, body in zip(rendering.split("\n"), label, strict=True) if body)


def report(sets: list[str]) -> None:
    """Each label source as a perfect line classifier, scored on test sites."""
    sys.path.insert(0, str(bench_dir()))
    import score  # the bench's own scorer

    split = site_split()
    print("| set | rendering | labels | main-text F1 | P | R | snippet F1 | snippet R |")
    print("|---|---|---|---|---|---|---|---|")
    for set_name in sets:
        gold = json.loads((bench_dir() / set_name / "gold.json").read_text(encoding="utf-8"))
        data, others = pages(set_name), other_extractors(set_name)
        test = {i: gold[i] for i in gold if split[set_name].get(i) == "test"}
        for rendering in ("inscriptis", "html_text"):
            sources = ["trafilatura", "readability", "justext", "majority", "training"]
            sources += ["gold"] if set_name != "devset" else []
            for source in sources:
                pages_ = {i: g for i, g in test.items() if source != "gold" or g.get("text")}
                preds = {
                    i: keep(
                        data[i][rendering],
                        label_lines(data[i][rendering], data[i], g, source, others[i]),
                    )
                    for i, g in pages_.items()
                }
                t, s = score.score_text(pages_, preds), score.score_snippets(pages_, preds)
                tf = (
                    f"{t['f1']:.3f} | {t['precision']:.3f} | {t['recall']:.3f}"
                    if t
                    else "– | – | –"
                )
                sf = f"{s['f1']:.3f} | {s['recall']:.3f}" if s else "– | –"
                print(f"| {set_name} | {rendering} | {source} | {tf} | {sf} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", default=list(SETS))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--report", action="store_true")
    args = parser.parse_args()
    for set_name in args.sets:
        start = time.perf_counter()
        got = pages(set_name, args.workers)
        other_extractors(set_name, args.workers)
        print(f"{set_name}: {len(got)} pages ({time.perf_counter() - start:.0f} s)", flush=True)
    if args.report:
        report([s for s in args.sets if s != "unlabelled"])


if __name__ == "__main__":
    main()
