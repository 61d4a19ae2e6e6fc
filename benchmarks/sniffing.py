"""HTML or text: how often format sniffing confuses the two, on the bench corpora.

Every `SET/html/*.html.gz` must sniff as HTML and every `SET/text/*.txt.gz` as text; so must each
text dump with a stray fragment of markup put in front of it (ad code, a script, a link, a lone
div, an iframe), the way scrapers leave them. Counts are given per part of the site split
(train+validation, test) and whole; confused pages are listed.

usage: python benchmarks/sniffing.py [--bench DIR]
"""

import argparse
import gzip
import json
from collections import Counter
from pathlib import Path

from ingest.decoding import PageFormat, sniff_format

HERE = Path(__file__).resolve().parent
FRAGMENTS = {
    "script": b'<script type="text/javascript">var slot = googletag.defineSlot("/1/top",'
    b" [728, 90]); googletag.enableServices();</script>\n",
    "script-src": b'<script async src="https://cdn.example.net/ads.js"></script>\n',
    "link": b'<a href="https://ads.example.net/click?id=12345&amp;c=spring">Sponsored offer</a>\n',
    "div": b"<div>\n",
    "ad-block": b'<div class="ad"><a href="https://ads.example.net/c?x=1"><img src="https://ads.'
    b'example.net/i.png" width="300" height="250"></a></div>\n',
    "iframe": b'<iframe src="https://ads.example.net/f?slot=top" width="728"></iframe>\n',
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", type=Path, default=HERE.parent.parent / "shared" / "bench")
    args = parser.parse_args()
    split = json.loads((HERE / "site_split.json").read_text())
    counts: Counter[tuple[str, str, str]] = Counter()  # (input, part, outcome)
    wrong: list[str] = []
    for form, expected in (("html", PageFormat.html), ("text", PageFormat.text)):
        for path in sorted(args.bench.glob(f"*/{form}/*.gz")):
            data = gzip.decompress(path.read_bytes())
            if not data.strip():
                continue  # empty pages are rejected before sniffing
            part = _part(split, path)
            variants = {form: data}
            if form == "text":
                variants |= {f"text+{name}": frag + data for name, frag in FRAGMENTS.items()}
            for label, variant in variants.items():
                ok = sniff_format(variant) is expected
                counts[(label, part, "right" if ok else "wrong")] += 1
                if not ok:
                    wrong.append(f"{label:18} {part:5} {path.relative_to(args.bench)}")
    print(f"{'input':18} {'must be':7} {'train+val':>15} {'test':>15} {'all':>15}")
    for label in dict.fromkeys(k[0] for k in counts):
        cells = []
        for part in ("tune", "test", None):
            right = sum(
                v
                for k, v in counts.items()
                if k[0] == label and k[2] == "right" and part in (None, k[1])
            )
            total = sum(v for k, v in counts.items() if k[0] == label and part in (None, k[1]))
            cells.append(f"{total - right:>5} wrong/{total:<5}")
        print(f"{label:18} {'html' if label == 'html' else 'text':7} " + " ".join(cells))
    for line in wrong:
        print("  confused:", line)


def _part(split: dict[str, dict[str, str]], path: Path) -> str:
    set_name = path.parent.parent.name
    page_id = path.name.removesuffix(".gz").removesuffix(".html").removesuffix(".txt")
    return "test" if split.get(set_name, {}).get(page_id) == "test" else "tune"


if __name__ == "__main__":
    main()
