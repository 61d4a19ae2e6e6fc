"""Gain of per-site learned boilerplate on main-text F1, both input forms.

usage: python benchmarks/site_boilerplate.py [--parts test] [--grid] [--workers 1]

Pages of the sets whose gold has a main text (``modern``, ``readability``, ``fixtures``), grouped
by site (``site_split.site_of``, ``www.`` dropped). For each form the pipeline's own steps:

- text: the ``text/`` rendering, ``normalise``, title from ``extract_text_metadata``, ``clean``;
- html: ``decode_page``, ``extract_html`` (trafilatura), ``normalise``, ``clean(extracted=True)``.

Every page of a site is observed first (its normalised text before cleaning), then each page's
clean result goes through ``strip_repeated`` with the site's repeated lines. Main-text F1 (the
metric of ``../shared/bench/score.py``) before and after, per part of ``site_split.json`` and
per site size (pages of the site in the corpus, with or without gold text); sites seen once
cannot change and are shown to stay equal. ``--grid`` compares thresholds (tune on train and
validation, read the test part). Pipeline results are cached under ``benchmarks/_cache/``.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import sys
import tempfile
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "benchmarks" / "_cache" / "site_boilerplate.json.gz"
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "benchmarks"))

from site_split import site_of  # noqa: E402

from ingest.analysis.site_boilerplate import (  # noqa: E402
    MIN_PAGES,
    MIN_SHARE,
    RULE,
    SiteBoilerplateStore,
    strip_repeated,
)
from ingest.cleaning import CleanResult, Removal, clean  # noqa: E402
from ingest.decoding import decode_page  # noqa: E402
from ingest.extraction import extract_html  # noqa: E402
from ingest.normalising import normalise, normalise_whitespace  # noqa: E402
from ingest.text_metadata import extract_text_metadata  # noqa: E402

SETS = ("modern", "readability", "fixtures")
FORMS = ("text", "html")
SIZES = (("1 page", 1, 1), ("2 pages", 2, 2), ("3-4 pages", 3, 4), (">= 5 pages", 5, 10**9))
GRID = ((3, 0.3), (3, 0.2), (3, 0.5), (4, 0.3), (2, 0.3), (5, 0.3))


def bench_dir() -> Path:
    env = os.environ.get("INGEST_BENCH_DIR")
    return Path(env) if env else REPO.parent / "shared" / "bench"


def score_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_score", bench_dir() / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_page(job: tuple[str, str, str, str | None]) -> tuple[str, str, dict | None]:
    """(key, form, {"whole": normalised text before cleaning, "kept": ..., "removed": [...]})."""
    set_name, page_id, form, url = job
    folder = bench_dir() / set_name / form
    path = folder / (f"{page_id}.txt.gz" if form == "text" else f"{page_id}.html.gz")
    if not path.exists():
        return f"{set_name}/{page_id}", form, None
    if form == "text":
        whole = normalise(gzip.decompress(path.read_bytes()).decode("utf-8", "replace"))
        result = clean(whole, title=extract_text_metadata(whole).title)
    else:
        try:
            page = decode_page(path.read_bytes(), 200 * 2**20)
        except Exception:
            return f"{set_name}/{page_id}", form, None
        extracted = extract_html(page.text, url=url)
        whole = normalise(extracted.text)
        result = clean(whole, title=extracted.title, extracted=True)
    removed = [[r.rule, r.text] for r in result.removed]
    return f"{set_name}/{page_id}", form, {"whole": whole, "kept": result.text, "removed": removed}


def load_pages(workers: int) -> tuple[dict, dict]:
    """({key: gold entry + site + part}, {form: {key: pipeline result}})."""
    parts = json.loads((REPO / "benchmarks" / "site_split.json").read_text(encoding="utf-8"))
    meta = {}
    for set_name in SETS:
        gold = json.loads((bench_dir() / set_name / "gold.json").read_text(encoding="utf-8"))
        for page_id, entry in gold.items():
            meta[f"{set_name}/{page_id}"] = {
                "text": entry.get("text"),
                "site": f"{set_name}:{site_of(page_id, entry).removeprefix('www.')}",
                "part": parts[set_name][page_id],
                "url": entry.get("url"),
            }
    cached = json.loads(gzip.decompress(CACHE.read_bytes())) if CACHE.exists() else {}
    if set(cached.get("text", {})) != set(meta):
        jobs = [(*key.split("/", 1), form, meta[key]["url"]) for key in meta for form in FORMS]
        results: dict[str, dict] = {form: {} for form in FORMS}
        with ProcessPoolExecutor(workers) as pool:
            for key, form, result in pool.map(run_page, jobs, chunksize=8):
                if result is not None:
                    results[form][key] = result
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        CACHE.write_bytes(gzip.compress(json.dumps(results).encode()))
        cached = results
    return meta, cached


def stripped(meta: dict, results: dict, min_pages: int, min_share: float) -> dict[str, str]:
    """Each page's kept text after stripping its site's repeated lines."""
    with tempfile.TemporaryDirectory() as tmp, SiteBoilerplateStore(Path(tmp) / "s.db") as store:
        for key, result in results.items():
            store.observe(meta[key]["site"], key, result["whole"].split("\n"))
        repeated: dict[str, set[int]] = {}
        out = {}
        for key, result in results.items():
            site = meta[key]["site"]
            if site not in repeated:
                repeated[site] = store.repeated(site, min_pages, min_share)
            before = CleanResult(result["kept"], tuple(Removal(*r) for r in result["removed"]))
            after = strip_repeated(before, repeated[site])
            out[key] = normalise_whitespace(after.text)
    return out


def site_sizes(meta: dict) -> dict[str, int]:
    sizes: dict[str, int] = defaultdict(int)
    for entry in meta.values():
        sizes[entry["site"]] += 1
    return sizes


def f1(score: ModuleType, meta: dict, texts: dict[str, str], keys: list[str]) -> float:
    gold = {key: {"text": meta[key]["text"]} for key in keys}
    result = score.score_text(gold, {key: texts.get(key, "") for key in keys})
    return result["f1"] if result else float("nan")


def report(meta: dict, results: dict, parts: list[str], grid: bool) -> None:
    score = score_module()
    sizes = site_sizes(meta)
    settings = GRID if grid else ((MIN_PAGES, MIN_SHARE),)
    for form in FORMS:
        before = {key: normalise_whitespace(r["kept"]) for key, r in results[form].items()}
        print(f"\n### {form} form: main-text F1 before -> after (pages with gold text)")
        print(
            "| part | site size | sites | pages | before | "
            + " | ".join(f"after {p}p/{s:.0%}" for p, s in settings)
            + " |"
        )
        print("|---|---|---|---|---|" + "---|" * len(settings))
        afters = [stripped(meta, results[form], p, s) for p, s in settings]
        for part in parts:
            for label, low, high in SIZES:
                keys = [
                    key
                    for key in results[form]
                    if meta[key]["text"]
                    and meta[key]["part"] in part.split("+")
                    and low <= sizes[meta[key]["site"]] <= high
                ]
                if not keys:
                    continue
                n_sites = len({meta[key]["site"] for key in keys})
                cells = " | ".join(f"{f1(score, meta, a, keys):.3f}" for a in afters)
                print(
                    f"| {part} | {label} | {n_sites} | {len(keys)} | "
                    f"{f1(score, meta, before, keys):.3f} | {cells} |"
                )
        chosen = afters[0]
        changed = [k for k in results[form] if chosen[k] != before[k]]
        gone = sum(len(before[k]) - len(chosen[k]) for k in changed)
        print(
            f"{form}: {len(changed)} pages changed by `{RULE}` at {settings[0][0]} pages / "
            f"{settings[0][1]:.0%}, {gone} characters removed"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="+", default=["test", "train+validation"])
    parser.add_argument("--grid", action="store_true", help="compare thresholds")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    meta, results = load_pages(args.workers)
    report(meta, results, args.parts, args.grid)


if __name__ == "__main__":
    main()
