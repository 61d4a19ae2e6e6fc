"""Speed and memory of the readers: `index` and `read` over synthetic containers of small pages.

Writes (once, into --work) a WARC of N responses gzipped a member per record, the same WARC
gzipped as one stream, and JSONL files of N lines (plain, gzip, zstd); then runs each pass in a
fresh process and prints records per second and the process's peak resident memory.

usage: python benchmarks/readers_speed.py [--records 100000] [--work DIR]
"""

import argparse
import gzip
import io
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import zstandard
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from ingest.readers import RecordError, index, read
from ingest.settings import Settings


def page(i: int) -> bytes:
    return (
        f"<html><head><title>Page {i}</title></head><body><p>Paragraph {i} of a small page, with"
        " a few words in it.</p></body></html>"
    ).encode()


def make_warc(path: Path, n: int) -> None:
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for i in range(n):
            body = page(i)
            headers = StatusAndHeaders(
                "200 OK",
                [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
                protocol="HTTP/1.1",
            )
            record = writer.create_warc_record(
                f"http://example.org/p{i}",
                "response",
                payload=io.BytesIO(body),
                http_headers=headers,
            )
            writer.write_record(record)


def make_files(work: Path, n: int) -> list[Path]:
    work.mkdir(parents=True, exist_ok=True)
    warc = work / f"synthetic-{n}.warc.gz"
    if not warc.exists():
        make_warc(warc, n)
    one = work / f"synthetic-{n}-one-stream.warc.gz"
    if not one.exists():
        with gzip.open(warc, "rb") as src, gzip.open(one, "wb", compresslevel=6) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    lines = "".join(
        json.dumps({"id": i, "url": f"http://example.org/p{i}", "html": page(i).decode()}) + "\n"
        for i in range(n)
    ).encode()
    plain = work / f"synthetic-{n}.jsonl"
    plain.write_bytes(lines)
    (work / f"synthetic-{n}.jsonl.gz").write_bytes(gzip.compress(lines, 6))
    (work / f"synthetic-{n}.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(lines))
    return [warc, one, plain, work / f"synthetic-{n}.jsonl.gz", work / f"synthetic-{n}.jsonl.zst"]


def measure(path: Path, phase: str) -> None:
    """One pass in this process: prints records, seconds, peak RSS in MiB, and the RSS the
    process had before the pass (interpreter and imports), as JSON."""
    settings = Settings()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    refs = [r for r in index(path, settings) if not isinstance(r, RecordError)]
    if phase == "index":
        count = len(refs)
    else:
        start = time.perf_counter()  # read alone, given the refs
        count = sum(1 for r in read(path, refs, settings) if not isinstance(r, RecordError))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"records": count, "seconds": seconds, "peak_mib": peak, "base_mib": base}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/ingest-readers-bench"))
    parser.add_argument("--measure", nargs=2, metavar=("FILE", "PHASE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(Path(args.measure[0]), args.measure[1])
        return
    files = make_files(args.work, args.records)
    print(
        f"{'file':38} {'pass':5} {'records':>8} {'seconds':>8} {'records/s':>10}"
        f" {'peak MiB':>9} {'before':>7}"
    )
    for path in files:
        for phase in ("index", "read"):
            out = subprocess.run(
                [sys.executable, __file__, "--measure", str(path), phase],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            got = json.loads(out)
            rate = got["records"] / got["seconds"]
            print(
                f"{path.name:38} {phase:5} {got['records']:>8} {got['seconds']:>8.2f}"
                f" {rate:>10.0f} {got['peak_mib']:>9.0f} {got['base_mib']:>7.0f}"
            )


if __name__ == "__main__":
    main()
