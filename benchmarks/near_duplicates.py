"""Near-duplicate store at scale: time and memory per page, and how many planted copies it finds.

usage: python benchmarks/near_duplicates.py [--pages 100000] [--words 300] [--copies 0.1]
       python benchmarks/near_duplicates.py --curve 3000   # detection rate by true Jaccard

Synthetic pages: ``--words`` words drawn from the vocabulary of the development set's main
texts (Zipf-like, as they occur there); a share ``--copies`` of them are near copies of an earlier
page (its text with a different header and footer of 10 to 30 words, estimated Jaccard of the
shingle sets about 0.85-0.9). Signatures are computed in batches of 1000 (the task's part), then
assigned in commit order (the commit step's part); both are timed per page, and assignment is
timed again for the last batch, when the store is full. Memory: the process's peak RSS and the
SQLite file's size.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from ingest.analysis.duplicates import (  # noqa: E402
    DuplicateStore,
    shingles,
    signatures,
    text_sha256,
)

BATCH = 1000


def bench_dir() -> Path:
    env = os.environ.get("INGEST_BENCH_DIR")
    return Path(env) if env else REPO.parent / "shared" / "bench"


def vocabulary() -> list[str]:
    gold = json.loads((bench_dir() / "modern" / "gold.json").read_text(encoding="utf-8"))
    return [w for v in gold.values() for w in re.findall(r"\w+", v.get("text") or "")]


def pages(n: int, words: int, copies: float, seed: int = 7) -> tuple[list[str], dict[int, int]]:
    """The texts and, for each planted near copy, the index of its original."""
    rng = random.Random(seed)
    vocab = vocabulary()
    texts: list[str] = []
    origin: dict[int, int] = {}
    for i in range(n):
        if i > 10 and rng.random() < copies:
            source = rng.randrange(i)
            while source in origin:
                source = origin[source]
            header = " ".join(rng.choices(vocab, k=rng.randint(5, 15)))
            footer = " ".join(rng.choices(vocab, k=rng.randint(5, 15)))
            texts.append(f"{header}\n\n{texts[source]}\n\n{footer}")
            origin[i] = source
        else:
            texts.append(" ".join(rng.choices(vocab, k=words)))
    return texts, origin


def curve(pairs: int, words: int, seed: int = 11) -> None:
    """Share of pairs put in one cluster, by the true Jaccard similarity of their shingle sets:
    a page and a copy with a random share of its words replaced."""
    rng = random.Random(seed)
    vocab = vocabulary()
    hits: dict[int, list[int]] = {}
    with tempfile.TemporaryDirectory() as tmp, DuplicateStore(Path(tmp) / "c.sqlite") as store:
        for i in range(pairs):
            base = rng.choices(vocab, k=words)
            copy = [rng.choice(vocab) if rng.random() < rng.uniform(0, 0.06) else w for w in base]
            a, b = set(shingles(" ".join(base))), set(shingles(" ".join(copy)))
            jaccard = len(a & b) / len(a | b)
            infos = store.assign([(f"a{i}", " ".join(base)), (f"b{i}", " ".join(copy))])
            bucket = min(19, int(jaccard * 20))
            hits.setdefault(bucket, []).append(infos[1].near_duplicate_cluster == f"a{i}")
    print("\n| true Jaccard | pairs | clustered |\n|---|---|---|")
    for bucket in sorted(hits):
        found = hits[bucket]
        print(f"| {bucket / 20:.2f}-{(bucket + 1) / 20:.2f} | {len(found)} | ", end="")
        print(f"{sum(found) / len(found):.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--words", type=int, default=300)
    parser.add_argument("--copies", type=float, default=0.1)
    parser.add_argument("--curve", type=int, default=0, help="only the S-curve, of N pairs")
    args = parser.parse_args()
    if args.curve:
        curve(args.curve, args.words)
        return
    texts, origin = pages(args.pages, args.words, args.copies)
    ids = [f"p{i:07d}" for i in range(len(texts))]
    sign_s = assign_s = tail_s = 0.0
    tail_from = max(0, len(texts) - BATCH)
    found = wrong = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "duplicates.sqlite"
        with DuplicateStore(path) as store:
            for start in range(0, len(texts), BATCH):
                chunk = texts[start : start + BATCH]
                t0 = time.perf_counter()
                sigs = signatures(chunk)
                shas = [text_sha256(t) for t in chunk]
                t1 = time.perf_counter()
                infos = store.assign_signed(ids[start : start + BATCH], shas, sigs)
                t2 = time.perf_counter()
                sign_s += t1 - t0
                assign_s += t2 - t1
                if start >= tail_from:
                    tail_s += t2 - t1
                for offset, info in enumerate(infos):
                    i = start + offset
                    if i in origin:
                        found += info.near_duplicate_cluster == ids[origin[i]]
                    else:
                        wrong += info.near_duplicate_cluster != ids[i]
            size = path.stat().st_size + sum(
                p.stat().st_size for p in Path(tmp).glob("duplicates.sqlite-*")
            )
    n = len(texts)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pages: {n} of {args.words} words, planted near copies: {len(origin)}")
    print(f"signatures (task side): {sign_s / n * 1000:.3f} ms per page")
    print(f"assign (commit side):   {assign_s / n * 1000:.3f} ms per page overall, ", end="")
    print(f"{tail_s / (n - tail_from) * 1000:.3f} ms per page for the last {n - tail_from}")
    print(f"near copies found in their original's cluster: {found}/{len(origin)}")
    print(f"other pages put in another page's cluster: {wrong}/{n - len(origin)}")
    print(f"store on disk: {size / 2**20:.1f} MiB ({size / n:.0f} bytes per page)")
    print(f"peak RSS of this process (texts included): {rss:.0f} MiB")


if __name__ == "__main__":
    main()
