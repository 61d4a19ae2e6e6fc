"""Quality benchmark of the cleaner on the development set, both input forms.

usage: python benchmarks/quality.py [--sample N] [--json FILE] [--traf MODE ...] [--split]
                                   [--baseline] [--timing N] [--pin] [--end-to-end]

For every page of the development set (``../shared/bench/devset`` next to the repository, or
``$INGEST_BENCH_DIR``):

- text form: gunzip, normalise, read the title with ``extract_text_metadata``, ``clean``;
- html form: the product's reader and extractor (``decode_page``, then ``extract_html``:
  trafilatura with comments off and metadata; output cached once per extraction focus under
  ``benchmarks/_cache/``), normalise, then ``clean`` with the metadata title.

``--end-to-end`` instead runs the real product (``python -m flows backfill DEVSET --out TMP``)
over both folders and scores its Parquet output the way ``score.py`` does, with the wall time.

Scores use the development set's own ``score.py`` (same metric: snippet recall/precision, leaks
per kind). Also prints clean() time per page against trafilatura's time per page.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
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
CACHE = REPO / "benchmarks" / "_cache"
sys.path.insert(0, str(REPO / "src"))

from ingest.cleaning import clean  # noqa: E402
from ingest.decoding import decode_page  # noqa: E402
from ingest.extraction import extract_html  # noqa: E402
from ingest.settings import ExtractionFocus  # noqa: E402
from ingest.text_metadata import extract_text_metadata  # noqa: E402

#: trafilatura's focus compared by ``--traf``; the pipeline's default extraction_focus
TRAF_MODES = [focus.value for focus in ExtractionFocus]
BEST_TRAF_MODE = ExtractionFocus.balanced.value


def bench_dir() -> Path:
    env = os.environ.get("INGEST_BENCH_DIR")
    path = Path(env) if env else REPO.parent / "shared" / "bench"
    if not (path / "devset" / "gold.json").is_file():
        raise FileNotFoundError(f"development set not found at {path} (set INGEST_BENCH_DIR)")
    return path


def score_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_score", bench_dir() / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_gold() -> dict:
    return json.loads((bench_dir() / "devset" / "gold.json").read_text(encoding="utf-8"))


def page_ids() -> list[str]:
    return sorted(load_gold())


def sample_ids(ids: list[str], n: int | None) -> list[str]:
    """A fixed, evenly spaced sample of ``n`` ids (all when ``n`` is None)."""
    if not n or n >= len(ids):
        return list(ids)
    step = len(ids) / n
    return [ids[int(i * step)] for i in range(n)]


def held_out(page_id: str) -> bool:
    """The held-out half: pages whose id hashes to an odd number."""
    return hashlib.md5(page_id.encode()).digest()[0] % 2 == 1


# --- normalisation -------------------------------------------------------------------------

_BLANKS = re.compile(r"\n{3,}")


def _fallback_normalise(text: str) -> str:
    import ftfy

    text = ftfy.fix_text(text).replace("\u00a0", " ").replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip("\n")


def normalise(text: str) -> str:
    try:
        from ingest.normalising import normalise as project_normalise
    except ImportError:
        return _fallback_normalise(text)
    return project_normalise(text)


# --- text form -----------------------------------------------------------------------------


def read_text_page(page_id: str) -> str:
    raw = gzip.decompress((bench_dir() / "devset" / "text" / f"{page_id}.txt.gz").read_bytes())
    return raw.decode("utf-8", errors="replace")


def normalised_texts(ids: list[str]) -> dict[str, str]:
    """Normalised text pages, cached (normalising is not what this benchmark measures)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / "text_normalised.json.gz"
    cache = json.loads(gzip.decompress(path.read_bytes())) if path.exists() else {}
    missing = [i for i in ids if i not in cache]
    for page_id in missing:
        cache[page_id] = normalise(read_text_page(page_id))
    if missing:
        path.write_bytes(gzip.compress(json.dumps(cache).encode()))
    return {i: cache[i] for i in ids}


def run_text(ids: list[str]) -> tuple[dict[str, str], float]:
    texts = normalised_texts(ids)
    preds, spent = {}, 0.0
    for page_id in ids:
        start = time.perf_counter()
        meta = extract_text_metadata(texts[page_id])
        preds[page_id] = clean(texts[page_id], title=meta.title).text
        spent += time.perf_counter() - start
    return preds, spent / max(len(ids), 1)


# --- html form -----------------------------------------------------------------------------


def _extract(args: tuple[str, str, str]) -> tuple[str, dict]:
    page_id, mode, root = args
    data = (Path(root) / "devset" / "html" / f"{page_id}.html.gz").read_bytes()
    start = time.perf_counter()
    page = decode_page(data, 1 << 30)
    doc = extract_html(page.text, focus=ExtractionFocus(mode))
    seconds = time.perf_counter() - start
    return page_id, {"text": doc.text, "title": doc.title, "seconds": seconds}


def trafilatura_outputs(ids: list[str], mode: str = BEST_TRAF_MODE) -> dict[str, dict]:
    """The extractor's text, title and time per page, cached per extraction focus."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"extracted_{mode}.json.gz"
    cache = json.loads(gzip.decompress(path.read_bytes())) if path.exists() else {}
    missing = [i for i in ids if i not in cache]
    if missing:
        root = str(bench_dir())
        with ProcessPoolExecutor(max_workers=2) as pool:
            for page_id, item in pool.map(
                _extract, [(i, mode, root) for i in missing], chunksize=8
            ):
                cache[page_id] = item
        path.write_bytes(gzip.compress(json.dumps(cache).encode()))
    return {i: cache[i] for i in ids}


def run_html(ids: list[str], mode: str = BEST_TRAF_MODE, *, cleaning: bool = True):
    outputs = trafilatura_outputs(ids, mode)
    preds, spent = {}, 0.0
    for page_id in ids:
        item = outputs[page_id]
        text = normalise(item["text"])
        if not cleaning:
            preds[page_id] = text
            continue
        start = time.perf_counter()
        preds[page_id] = clean(text, title=item["title"], extracted=True).text
        spent += time.perf_counter() - start
    traf = sum(outputs[i]["seconds"] for i in ids) / max(len(ids), 1)
    return preds, spent / max(len(ids), 1), traf


# --- scoring -------------------------------------------------------------------------------


def score(preds: dict[str, str], ids: list[str] | None = None) -> dict:
    gold = load_gold()
    if ids is not None:
        gold = {i: gold[i] for i in ids}
    return score_module().score(gold, preds)


def score_output_dir(path: str | Path, ids: list[str] | None = None) -> dict[str, dict]:
    """Score a pipeline's Parquet output (file or folder) for both forms, as score.py does."""
    module = score_module()
    gold = load_gold()
    if ids is not None:
        gold = {i: gold[i] for i in ids}
    preds = module.load_predictions(str(path))
    return {mode: module.score(gold, preds.get(mode, {})) for mode in ("html", "text")}


def end_to_end() -> tuple[dict[str, dict], float]:
    """Run the product over the whole development set into a temporary folder; its scores per
    form and the wall time in seconds."""
    import subprocess
    import tempfile

    devset = bench_dir() / "devset"
    with tempfile.TemporaryDirectory(prefix="ingest-e2e-") as tmp:
        out = Path(tmp) / "out"
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "flows", "backfill", str(devset), "--out", str(out)],
            cwd=REPO,
            check=False,
        )
        wall = time.perf_counter() - start
        # a non-zero status can mean "some pages rejected" (still scored: they count as empty)
        if not any(out.rglob("*.parquet")):
            raise RuntimeError(f"the pipeline wrote no Parquet (exit status {done.returncode})")
        if done.returncode:
            print(f"pipeline exit status {done.returncode}", file=sys.stderr)
        return score_output_dir(out), wall


def evaluate(ids: list[str], mode: str = BEST_TRAF_MODE) -> dict[str, dict]:
    """Scores of the product (both forms) on ``ids``, with timings."""
    text_preds, text_ms = run_text(ids)
    html_preds, html_ms, traf_s = run_html(ids, mode)
    results = {"html": score(html_preds, ids), "text": score(text_preds, ids)}
    results["html"]["clean_ms_per_page"] = html_ms * 1000
    results["text"]["clean_ms_per_page"] = text_ms * 1000
    results["html"]["trafilatura_ms_per_page"] = traf_s * 1000
    return results


GATE_EVERY = 16
SCORES_FILE = REPO / "benchmarks" / "quality_scores.json"


def gate_ids() -> list[str]:
    """The fixed sample of the quality gate: every 16th page by sorted id."""
    return page_ids()[::GATE_EVERY]


def timing(ids: list[str], mode: str = BEST_TRAF_MODE) -> dict[str, float]:
    """CPU milliseconds per page, measured in this process: decoding and trafilatura on the
    HTML, and text_metadata + clean on the text page and on trafilatura's output."""
    texts = normalised_texts(ids)
    out = {"trafilatura": 0.0, "clean_text": 0.0, "clean_html": 0.0}
    for page_id in ids:
        data = (bench_dir() / "devset" / "html" / f"{page_id}.html.gz").read_bytes()
        start = time.process_time()
        doc = extract_html(decode_page(data, 1 << 30).text, focus=ExtractionFocus(mode))
        out["trafilatura"] += time.process_time() - start
        start = time.process_time()
        clean(texts[page_id], title=extract_text_metadata(texts[page_id]).title)
        out["clean_text"] += time.process_time() - start
        extracted = normalise(doc.text)
        start = time.process_time()
        clean(extracted, title=doc.title, extracted=True)
        out["clean_html"] += time.process_time() - start
    return {k: v * 1000 / max(len(ids), 1) for k, v in out.items()}


def _brief(result: dict) -> dict:
    """Scores without the timings (those vary with the machine)."""
    return {
        k: round(v, 4) if isinstance(v, float) else v
        for k, v in result.items()
        if not k.endswith("ms_per_page")
    }


def pin() -> dict:
    """Measure the full set, its halves and the gate sample; write quality_scores.json."""
    ids = page_ids()
    full = evaluate(ids)
    sample = evaluate(gate_ids())
    odd = evaluate([i for i in ids if held_out(i)])
    data = {
        "about": "scores of the cleaner on the development set (benchmarks/quality.py --pin); "
        "tests/test_quality_gate.py fails when the sample's F1 drops by more than tolerance",
        "tolerance": 0.005,
        "extraction_focus": BEST_TRAF_MODE,
        "full": {form: _brief(full[form]) for form in ("html", "text")},
        "held_out_odd_half": {form: _brief(odd[form]) for form in ("html", "text")},
        "sample": {
            "every": GATE_EVERY,
            "pages": len(gate_ids()),
            **{form: _brief(sample[form]) for form in ("html", "text")},
        },
    }
    SCORES_FILE.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    return data


def _table(rows: list[tuple[str, dict]]) -> str:
    kinds = list(score_module().KINDS)
    out = [
        "| input | F1 | precision | recall | pages missing | leaked: " + " | ".join(kinds) + " |",
        "|---|---|---|---|---|" + "---|" * len(kinds),
    ]
    for name, r in rows:
        leaks = " | ".join(r["leaks"][k] for k in kinds)
        out.append(
            f"| {name} | {r['f1']:.3f} | {r['precision']:.3f} | {r['recall']:.3f} "
            f"| {r['missing']} | {leaks} |"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, help="a fixed evenly spaced sample of N pages")
    parser.add_argument("--json", help="also write the scores here")
    parser.add_argument(
        "--traf", nargs="*", choices=TRAF_MODES, help="compare trafilatura's extraction focus"
    )
    parser.add_argument("--split", action="store_true", help="also score both hash halves")
    parser.add_argument("--baseline", action="store_true", help="also score without cleaning")
    parser.add_argument("--pin", action="store_true", help=f"write {SCORES_FILE.name}")
    parser.add_argument("--timing", type=int, default=40, help="pages timed in-process (0: off)")
    parser.add_argument(
        "--end-to-end", action="store_true", help="run the real pipeline (flows backfill), score it"
    )
    args = parser.parse_args(argv)
    if args.pin:
        print(json.dumps(pin(), indent=1))
        return
    if args.end_to_end:
        results, wall = end_to_end()
        print(_table([(form, results[form]) for form in ("html", "text")]))
        print(f"\nend to end: {2 * len(page_ids())} pages in {wall:.1f} s wall time")
        if args.json:
            Path(args.json).write_text(json.dumps({**results, "wall_seconds": wall}, indent=1))
        return

    ids = sample_ids(page_ids(), args.sample)
    results = evaluate(ids)
    rows = [("html", results["html"]), ("text", results["text"])]
    if args.baseline:
        texts = normalised_texts(ids)
        rows.insert(0, ("text, no cleaning", score(texts, ids)))
        rows.insert(0, ("html, trafilatura alone", score(run_html(ids, cleaning=False)[0], ids)))
    for mode in args.traf or []:
        preds = run_html(ids, mode)[0]
        rows.append((f"html, trafilatura {mode} + clean", score(preds, ids)))
        rows.append(
            (f"html, trafilatura {mode} alone", score(run_html(ids, mode, cleaning=False)[0], ids))
        )
    if args.split:
        for half, name in ((False, "even"), (True, "odd (held out)")):
            part = [i for i in ids if held_out(i) == half]
            sub = evaluate(part)
            rows.append((f"html, {name} half ({len(part)})", sub["html"]))
            rows.append((f"text, {name} half ({len(part)})", sub["text"]))
            results[f"split_{name.split()[0]}"] = sub
    print(_table(rows))
    print(
        f"\nwall time per page over {len(ids)} pages: clean() on text "
        f"{results['text']['clean_ms_per_page']:.2f} ms, on trafilatura output "
        f"{results['html']['clean_ms_per_page']:.2f} ms (trafilatura, cached, "
        f"{results['html']['trafilatura_ms_per_page']:.1f} ms)"
    )
    if args.timing:
        spent = timing(sample_ids(ids, args.timing))
        results["timing_cpu_ms_per_page"] = spent
        print(
            f"CPU time per page over {args.timing} pages, one process: trafilatura "
            f"{spent['trafilatura']:.1f} ms; clean() text {spent['clean_text']:.2f} ms "
            f"({spent['clean_text'] / spent['trafilatura']:.1%}), html "
            f"{spent['clean_html']:.2f} ms ({spent['clean_html'] / spent['trafilatura']:.1%})"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
