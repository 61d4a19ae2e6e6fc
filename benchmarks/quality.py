"""Quality of the cleaner on the test sites of the development corpora, both input forms.

usage: python benchmarks/quality.py [--every N] [--split PART ...] [--intervals] [--json FILE]
       [--pin]

For every page of the TEST sites (``benchmarks/site_split.json``) of devset, modern, readability
and fixtures (``../shared/bench`` next to the repository, or ``$INGEST_BENCH_DIR``):

- text form: the shipped text rendering, normalised, its title read by ``extract_text_metadata``
  with the page's address where the gold has one (as a WARC, WET or JSON-lines record brings it),
  cleaned by ``clean_pages`` (the whole set as one batch);
- flat text form: the same rendering without its blank lines, as dumps that print a block a
  line and no gaps come (Common Crawl's WET text): a layout the shipped rendering does not have;
- html form: the product's reader and extractor (``decode_page``, ``extract_html``), normalised,
  cleaned by ``clean_pages`` as extracted text beside the page's rendering (``render_html``).

Reference rows: no cleaning (text), a C4-style line filter (text: lines with terminal
punctuation and 3+ words), trafilatura alone (html). Scores use the bench's own ``score.py``:
main-text F1 / precision / recall where gold has ``text``, snippet F1 / recall where it has
snippets. Normalised pages and trafilatura's output are cached under ``benchmarks/_cache/``.
``--pin`` writes the scores of the gate sample (every ``GATE_EVERY``-th test page of each set)
to ``quality_scores.json``, which ``tests/test_quality_gate.py`` guards.
``--split train validation`` scores the sites a change may be tuned on instead (never pinned).
``--intervals`` adds each F1's 95% interval over draws of sites, and that of the HTML form's
gain over trafilatura (``site_bootstrap.py``): a gap inside it is one other sites could reverse.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "benchmarks" / "_cache" / "quality"
SCORES_FILE = REPO / "benchmarks" / "quality_scores.json"
SETS = ("devset", "modern", "readability", "fixtures")
GATE_EVERY = 5
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "benchmarks"))

from site_bootstrap import interval, page_stats  # noqa: E402
from site_split import site_of  # noqa: E402

from ingest.cleaning import PageText, clean_pages  # noqa: E402
from ingest.decoding import decode_page  # noqa: E402
from ingest.extraction import extract_html, render_html  # noqa: E402
from ingest.normalising import normalise  # noqa: E402
from ingest.text_metadata import extract_text_metadata  # noqa: E402


def bench_dir() -> Path:
    env = os.environ.get("INGEST_BENCH_DIR")
    path = Path(env) if env else REPO.parent / "shared" / "bench"
    if not (path / "devset" / "gold.json").is_file():
        raise FileNotFoundError(f"development corpora not found at {path} (set INGEST_BENCH_DIR)")
    return path


def score_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_score", bench_dir() / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def gold(set_name: str) -> dict:
    return json.loads((bench_dir() / set_name / "gold.json").read_text(encoding="utf-8"))


def test_ids(set_name: str, every: int = 1, parts: tuple[str, ...] = ("test",)) -> list[str]:
    """The pages of the set's test sites (or of ``parts``), sorted; every ``every``-th of them."""
    split = json.loads((REPO / "benchmarks" / "site_split.json").read_text())[set_name]
    return sorted(i for i, part in split.items() if part in parts)[::every]


# --- inputs (cached) -----------------------------------------------------------------------


def _prepare(args: tuple[str, str, str]) -> tuple[str, dict]:
    root, set_name, page_id = args
    folder = Path(root) / set_name
    text = gzip.decompress((folder / "text" / f"{page_id}.txt.gz").read_bytes())
    normalised = normalise(text.decode("utf-8", errors="replace"))
    start = time.perf_counter()
    html = decode_page(
        gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes()), 1 << 30
    )
    doc = extract_html(html.text)
    seconds = time.perf_counter() - start
    rendering = render_html(html.text, captions=False)  # as the page worker renders it
    return page_id, {
        "text": normalised,
        "extracted": normalise(doc.text),
        "title": doc.title,
        "seconds": seconds,
        "rendering": normalise(rendering),
        "render_seconds": time.perf_counter() - start - seconds,
    }


def inputs(set_name: str, ids: list[str]) -> dict[str, dict]:
    """Normalised text page, its title, trafilatura's normalised text, title and time, the page's
    address. The text page's title is read afresh (not cached): it follows the metadata reader
    as it is now."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{set_name}.json.gz"
    cache = json.loads(gzip.decompress(path.read_bytes())) if path.exists() else {}
    missing = [i for i in ids if i not in cache]
    if missing:
        jobs = [(str(bench_dir()), set_name, i) for i in missing]
        with ProcessPoolExecutor(max_workers=2) as pool:
            cache.update(pool.map(_prepare, jobs, chunksize=4))
        path.write_bytes(gzip.compress(json.dumps(cache).encode()))
    urls = {i: item.get("url") for i, item in gold(set_name).items()}
    return {
        i: {**cache[i], "url": urls.get(i), "text_title": _text_title(cache[i]["text"], urls[i])}
        for i in ids
    }


def _text_title(text: str, url: str | None) -> str | None:
    return extract_text_metadata(text, url).title


# --- systems -------------------------------------------------------------------------------

_WORD = re.compile(r"\S+")


def c4_filter(text: str) -> str:
    """Lines that end in terminal punctuation and have 3+ words (C4's line filter)."""
    keep = [
        line
        for line in text.split("\n")
        if line.rstrip().endswith((".", "!", "?", '"', "。")) and len(_WORD.findall(line)) >= 3
    ]
    return "\n".join(keep)


def flat(text: str) -> str:
    """The text without its blank lines."""
    return "\n".join(line for line in text.split("\n") if line.strip())


def product(data: dict[str, dict], form: str) -> tuple[dict[str, str], float]:
    """The cleaner's output per page and its CPU milliseconds per page."""
    ids = list(data)
    if form == "text":
        pages = [PageText(data[i]["text"], data[i]["text_title"]) for i in ids]
    elif form == "flat text":
        flats = [flat(data[i]["text"]) for i in ids]
        pages = [
            PageText(text, _text_title(text, data[i]["url"]))
            for text, i in zip(flats, ids, strict=True)
        ]
    else:
        pages = [
            PageText(data[i]["extracted"], data[i]["title"], True, data[i]["rendering"])
            for i in ids
        ]
    start = time.process_time()
    results = clean_pages(pages)
    spent = (time.process_time() - start) * 1000 / max(len(ids), 1)
    return {i: r.text for i, r in zip(ids, results, strict=True)}, spent


def systems(set_name: str, ids: list[str]) -> dict[tuple[str, str], dict[str, str]]:
    data = inputs(set_name, ids)
    text, _ = product(data, "text")
    html, _ = product(data, "html")
    return {
        ("text", "ingest"): text,
        ("text", "no cleaning"): {i: d["text"] for i, d in data.items()},
        ("text", "C4-style filter"): {i: c4_filter(d["text"]) for i, d in data.items()},
        ("flat text", "ingest"): product(data, "flat text")[0],
        ("html", "ingest"): html,
        ("html", "trafilatura"): {i: d["extracted"] for i, d in data.items()},
    }


def evaluate(
    every: int = 1, parts: tuple[str, ...] = ("test",), intervals: bool = False
) -> dict[str, dict]:
    """Scores per ``set/form/system`` on the test sites (every ``every``-th page); with
    ``intervals``, each figure's 95% interval over draws of sites (``site_bootstrap``), and for
    the HTML form that of ingest's difference to trafilatura."""
    score = score_module()
    out = {}
    for set_name in SETS:
        ids = test_ids(set_name, every, parts)
        g = gold(set_name)
        g = {i: g[i] for i in ids}
        outputs = systems(set_name, ids)
        for (form, system), preds in outputs.items():
            out[f"{set_name}/{form}/{system}"] = {
                "pages": len(ids),
                "text": score.score_text(g, preds),
                "snippets": score.score_snippets(g, preds),
            }
        if intervals:
            _add_intervals(out, set_name, ids, g, outputs, score)
    return out


def _add_intervals(
    out: dict[str, dict],
    set_name: str,
    ids: list[str],
    g: dict,
    outputs: dict[tuple[str, str], dict[str, str]],
    score: ModuleType,
) -> None:
    sites = [site_of(i, g[i]) for i in ids]
    stats = {key: page_stats(score, g, preds, ids) for key, preds in outputs.items()}
    for (form, system), page in stats.items():
        result = out[f"{set_name}/{form}/{system}"]
        for kind in ("text", "snippets"):
            if result[kind]:
                result[kind]["interval"] = interval(page, sites, kind)
                if (form, system) == ("html", "ingest"):
                    baseline = stats[("html", "trafilatura")]
                    result[kind]["over_trafilatura"] = interval(page, sites, kind, baseline)


def _fmt(r: dict | None, keys: tuple[str, ...]) -> str:
    return " | ".join(f"{r[k]:.3f}" for k in keys) if r else " | ".join("–" for _ in keys)


def _span(r: dict | None, key: str = "interval") -> str:
    return f"[{r[key][0]:.3f}, {r[key][1]:.3f}]" if r and key in r else "–"


def table(results: dict[str, dict]) -> str:
    intervals = any(
        r[kind] and "interval" in r[kind] for r in results.values() for kind in ("text", "snippets")
    )
    head = "| set | form | system | pages | text F1 | text P | text R | snippet F1 | snippet R |"
    if intervals:
        head += " text F1 95% | snippet F1 95% |"
    lines = [head, "|---" * (head.count("|") - 1) + "|"]
    for key, r in results.items():
        set_name, form, system = key.split("/")
        row = (
            f"| {set_name} | {form} | {system} | {r['pages']} | "
            f"{_fmt(r['text'], ('f1', 'precision', 'recall'))} | "
            f"{_fmt(r['snippets'], ('f1', 'recall'))} |"
        )
        if intervals:
            row += f" {_span(r['text'])} | {_span(r['snippets'])} |"
        lines.append(row)
    if intervals:
        lines.append("")
        lines.append("HTML, ingest minus trafilatura, 95% interval over draws of sites:")
        for key, r in results.items():
            if key.endswith("/html/ingest"):
                figures = [
                    f"{kind} F1 {_span(r[kind], 'over_trafilatura')}"
                    for kind in ("text", "snippets")
                    if r[kind]
                ]
                lines.append(f"- {key.split('/')[0]}: " + ", ".join(figures))
    return "\n".join(lines)


def headline(result: dict) -> dict[str, float]:
    """The figures the gate guards: main-text F1 and snippet F1 / recall where present."""
    out = {}
    if result["text"]:
        out["text_f1"] = round(result["text"]["f1"], 4)
    if result["snippets"]:
        out["snippet_f1"] = round(result["snippets"]["f1"], 4)
        out["snippet_recall"] = round(result["snippets"]["recall"], 4)
    return out


def pin() -> dict:
    results = evaluate(GATE_EVERY)
    data = {
        "about": "scores of the cleaner on every "
        f"{GATE_EVERY}th test-site page of each set (benchmarks/quality.py --pin); "
        "tests/test_quality_gate.py fails when one drops by more than tolerance",
        "tolerance": 0.005,
        "every": GATE_EVERY,
        "scores": {k: headline(r) for k, r in results.items() if k.endswith("/ingest")},
    }
    SCORES_FILE.write_text(json.dumps(data, indent=1) + "\n")
    return data


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=1, help="every N-th test page only")
    parser.add_argument("--json", help="also write the scores here")
    parser.add_argument("--pin", action="store_true", help=f"write {SCORES_FILE.name}")
    parser.add_argument(
        "--split",
        nargs="+",
        choices=("train", "validation", "test"),
        default=["test"],
        help="the sites to score (default: test)",
    )
    parser.add_argument(
        "--intervals",
        action="store_true",
        help="95%% intervals of each F1 over draws of sites (benchmarks/site_bootstrap.py)",
    )
    args = parser.parse_args(argv)
    parts = tuple(args.split)
    if args.pin and parts != ("test",):
        parser.error("--pin scores the test sites only")
    if args.pin:
        print(json.dumps(pin(), indent=1))
        return
    results = evaluate(args.every, parts, args.intervals)
    print(table(results))
    traf, render, text_ms, html_ms, n = 0.0, 0.0, 0.0, 0.0, 0
    for set_name in SETS:
        data = inputs(set_name, test_ids(set_name, args.every, parts))
        traf += sum(d["seconds"] for d in data.values()) * 1000
        render += sum(d["render_seconds"] for d in data.values()) * 1000
        text_ms += product(data, "text")[1] * len(data)
        html_ms += product(data, "html")[1] * len(data)
        n += len(data)
    print(
        f"\nper page over {n} {'/'.join(parts)} pages: cleaner on text {text_ms / n:.2f} ms "
        f"CPU, on trafilatura's text and the rendering {html_ms / n:.2f} ms CPU; trafilatura (with "
        f"decoding, cached wall time) {traf / n:.1f} ms, the rendering {render / n:.1f} ms"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
