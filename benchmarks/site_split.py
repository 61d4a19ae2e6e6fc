"""The fixed split of the development corpora by site: train, validation and test.

Every page of a site lands in the same part, so a score on the test part is a score on sites
the cleaner never saw. The split is a pure function of the site name and ``SEED`` (a site's part
does not depend on which other pages exist); ``site_split.json`` beside this file is its written
form, checked by the tests.

usage: python benchmarks/site_split.py    # (re)writes site_split.json from ../shared/bench
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

SEED = "ingest-site-split-1"
PARTS = (("train", 0.6), ("validation", 0.2), ("test", 0.2))
SETS = ("devset", "modern", "readability", "fixtures", "unlabelled")
HERE = Path(__file__).resolve().parent
SPLIT_FILE = HERE / "site_split.json"


def bench_dir() -> Path:
    env = os.environ.get("INGEST_BENCH_DIR")
    return Path(env) if env else HERE.parent.parent / "shared" / "bench"


def site_of(page_id: str, entry: dict[str, object]) -> str:
    """The page's site: the gold's ``site``, else the host of its URL, else the page itself."""
    site = entry.get("site")
    if isinstance(site, str) and site:
        return site.lower()
    url = entry.get("url")
    if isinstance(url, str) and url:
        host = urlsplit(url).hostname
        if host:
            return host.lower()
    return f"page:{page_id}"


def part_of(site: str) -> str:
    """train, validation or test, from a hash of the site name."""
    host = site.removeprefix("www.")
    digest = hashlib.sha256(f"{SEED}:{host}".encode()).digest()
    share = int.from_bytes(digest[:8], "big") / 2**64
    edge = 0.0
    for name, fraction in PARTS:
        edge += fraction
        if share < edge:
            return name
    return PARTS[-1][0]


def build(bench: Path) -> dict[str, dict[str, str]]:
    split: dict[str, dict[str, str]] = {}
    for name in SETS:
        gold = json.loads((bench / name / "gold.json").read_text(encoding="utf-8"))
        split[name] = {pid: part_of(site_of(pid, entry)) for pid, entry in sorted(gold.items())}
    return split


def load() -> dict[str, dict[str, str]]:
    """{set: {page id: part}} as committed."""
    return json.loads(SPLIT_FILE.read_text(encoding="utf-8"))


def ids(set_name: str, part: str) -> list[str]:
    return sorted(pid for pid, p in load()[set_name].items() if p == part)


def main() -> None:
    split = build(bench_dir())
    SPLIT_FILE.write_text(json.dumps(split, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    for name, pages in split.items():
        counts = {part: sum(1 for p in pages.values() if p == part) for part, _ in PARTS}
        print(name, counts, file=sys.stderr)


if __name__ == "__main__":
    main()
