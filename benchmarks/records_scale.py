"""Reading, state and commit at scale: a synthetic crawl of many small records, cleaning off.

Usage (from the repository root, with the project's virtualenv):

    .venv/bin/python benchmarks/records_scale.py                     # 100k and 1M records
    .venv/bin/python benchmarks/records_scale.py --small 20000 --big 200000

Half the records are WET text records in `.warc.wet.gz` files, half JSONL lines, 10,000 records
a file (`synthetic.write_corpus`). Each size is one `python -m flows backfill` (2 workers,
INGEST_CLEANING__ENABLED=false, a private Prefect server) into a fresh output; reported: records
per second of wall time, peak RSS of the process tree and of the flow process (sampled every
0.2 s), and the time of state-store look-ups (10,000 record ids, and the records of 100 files)
in the small and the big store: indexed look-ups must not slow down as the store grows.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from speed import MB, backfill, load, memory_notes, print_table  # noqa: E402
from synthetic import write_corpus  # noqa: E402

from ingest.state import StateStore  # noqa: E402

LOOKUPS = 10_000
FILE_LOOKUPS = 100


def lookup_times(state: Path) -> tuple[float, float]:
    """ms per record look-up by id, and per listing of one file's records."""
    with closing(sqlite3.connect(state)) as db:
        ids = [r[0] for r in db.execute("SELECT doc_id FROM records")]
        files = list(db.execute("SELECT root, source_path FROM files"))
    rng = random.Random(7)
    sample = rng.sample(ids, min(LOOKUPS, len(ids)))
    picked = rng.sample(files, min(FILE_LOOKUPS, len(files)))
    store = StateStore(state)
    try:
        started = time.perf_counter()
        for start in range(0, len(sample), 500):
            store.records(sample[start : start + 500])
        by_id = (time.perf_counter() - started) / len(sample) * 1000
        started = time.perf_counter()
        for root, source_path in picked:
            store.records_of_file(root, source_path)
        by_file = (time.perf_counter() - started) / len(picked) * 1000
    finally:
        store.close()
    return by_id, by_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--per-file", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="ingest-scale-"))
    (root / "defaults.toml").write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INGEST_", "PREFECT_"))}
    env.update(
        PREFECT_HOME=str(root / "prefect-home"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        INGEST_CONFIG=str(root / "defaults.toml"),
        INGEST_CLEANING__ENABLED="false",
        PYTHONPATH=os.pathsep.join(filter(None, [str(HERE.parent / "src"), str(HERE.parent)])),
    )
    print(f"load average at start: {load()}")
    rows, results = [], []
    try:
        for records in (args.small, args.big):
            corpus = root / f"corpus-{records}"
            started = time.perf_counter()
            files = write_corpus(corpus, records, args.per_file)
            made = time.perf_counter() - started
            print(f"{records} records in {sum(files)} files, written in {made:.0f} s")
            out = root / f"out-{records}"
            result = backfill([corpus], out, 2, env, root / f"log-{records}.txt")
            by_id, by_file = lookup_times(out / "_state" / "state.sqlite")
            results.append(result)
            rows.append(
                (
                    f"{records:,}",
                    f"{result.seen:,}",
                    f"{result.wall:.0f}",
                    f"{result.seen / result.wall:,.0f}",
                    f"{result.peak_tree_rss / MB:.0f}",
                    f"{result.peak_main_rss / MB:.0f}",
                    f"{by_id:.4f}",
                    f"{by_file:.3f}",
                )
            )
            shutil.rmtree(corpus, ignore_errors=True)
        print_table(
            "| records | seen | wall s | records/s | peak tree MB | peak flow MB "
            "| ms per id look-up | ms per file listing |",
            rows,
        )
        for note in memory_notes(results[0], results[1]):
            print("-", note.replace("text pages", "records"))
        print(f"load average at end: {load()}")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
