"""Speed and memory of the ingest flow, measured end to end through the command line.

Usage (from the repository root, with the project's virtualenv):

    .venv/bin/python benchmarks/speed.py                       # everything, 10k vs 50k memory
    .venv/bin/python benchmarks/speed.py --skip-big            # no 50k HTML run (over an hour)
    .venv/bin/python benchmarks/speed.py --pages 5000 --big-pages 25000
    .venv/bin/python benchmarks/speed.py --only bare,w1,w2,text
    .venv/bin/python benchmarks/speed.py --only mem-text       # 10k vs 50k text pages, ~30 min
    .venv/bin/python benchmarks/speed.py --only mem-text --mem-text-big-pages 30000

What it does, in one run:

1. Builds a corpus in a temporary folder: the development set's HTML
   (../shared/bench/devset/html, 990 pages, ~145 KB each) repeated under distinct names to
   --pages pages, and its plain-text renderings repeated to --text-pages pages. Repeats are hard
   links to one inflated copy, so 50,000 pages cost no more disk than 990.
2. bare: a loop of trafilatura.extract(html, with_metadata=True) in this process (one core), warmed
   up first (ingest.extraction_warmup: the date parser's one-time start-up), over
   the first --bare-pages pages of the HTML corpus, in corpus order. Throughput is per page, so a
   sample stands for the whole corpus (the corpus is the same 990 pages over and over).
   bare2: the same loop in two processes at once, each over half of those pages: what two cores
   of this machine give to trafilatura alone, the ceiling for the 2-worker flow.
3. start-up: `python -m flows backfill` over a single page, after one warm-up run. Prefect's
   temporary API server, imports and the flow's own bookkeeping: the fixed cost of a run.
4. w1, w2: `python -m flows backfill HTML --workers 1` and `--workers 2` over the whole HTML
   corpus into fresh outputs. Throughput is reported on wall time less the start-up cost, and
   per CPU-second of the whole process tree (which other load on the machine does not distort).
5. text: the text corpus with --workers 1 (MB/s per core), beside a bare ``ftfy.fix_text`` loop
   over the same pages in this process (the ratio column: the flow's pages per second against
   the loop's).
   text-floor: the same with the cleaner switched off (INGEST_CLEANING__ENABLED=false): what
   reading, decoding, ftfy, text metadata, Parquet and orchestration cost without it, the
   most any speed-up of the cleaner alone could reach.
6. mem: peak memory of the whole process tree (sum of RSS, sampled every 0.2 s with psutil) for
   a run over --pages and one over --big-pages HTML pages, both with --workers 2. The 2-worker
   HTML run doubles as the --pages memory run.
7. mem-text: the same memory comparison on text pages, which take the same path through the
   flow, batching, state store and Parquet writing at several times the HTML rate, so that
   10,000 against 50,000 pages (--mem-text-pages, --mem-text-big-pages) fits in under an hour.
   Each size gets its own text corpus and a fresh output; peaks are split into the flow
   (main) process, Prefect's temporary server and the rest (batch workers and page children),
   and the big/small ratio of tree and main peaks is checked against the issue's 10%.

Wall time measured on a 2-core machine (devset pages average 145 KB, about 6 pages/s per core):
bare 400 pages 65 s; bare2 400 pages 31 s; start-up 30 s; w1 2000 pages 335 s; w2 2000 pages
183 s; text 3000 pages 81 s; text-floor 3000 pages 45 s; mem-text (load average about 4)
start-up 39 s, 10,000 text pages 361 s, 50,000 text pages 1312 s. The HTML defaults (10k and
50k pages) take hours on such a machine: scale with --pages, --big-pages and --text-pages. The
load average is printed: other processes on the machine slow wall-clock figures, not the
CPU-second ones.

The flow runs against Prefect's temporary server (as `ingest backfill` does for a user), with a
private PREFECT_HOME, or against --api-url if given.
"""

import argparse
import contextlib
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
DEVSET = Path(os.environ.get("INGEST_BENCH_DIR", REPO.parent / "shared" / "bench")) / "devset"
SUMMARY = re.compile(
    r"(\d+) pages read: (\d+) written, (\d+) rejected, (\d+) unchanged .* in ([\d.]+) s"
)
MB = 1e6


@dataclass
class Corpus:
    root: Path
    html: Path
    text: Path
    one: Path
    html_pages: int = 0
    html_bytes: int = 0
    text_pages: int = 0
    text_bytes: int = 0
    html_files: list[Path] = field(default_factory=list)
    text_masters: list[Path] = field(default_factory=list)


def inflate_all(source: Path, target: Path, suffix: str) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    out = []
    for gz in sorted(source.glob(f"*{suffix}.gz")):
        dest = target / gz.name[: -len(".gz")]
        dest.write_bytes(gzip.decompress(gz.read_bytes()))
        out.append(dest)
    return out


def repeat(masters: list[Path], folder: Path, pages: int) -> tuple[list[Path], int]:
    """`pages` hard links to the masters, in rounds of distinct names: r000/, r001/, ..."""
    files, total = [], 0
    for i in range(pages):
        master = masters[i % len(masters)]
        dest = folder / f"r{i // len(masters):03d}" / master.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.link(master, dest)
        files.append(dest)
        total += master.stat().st_size
    return files, total


def html_masters(root: Path, kb: tuple[int, int] | None) -> list[Path]:
    """The development set's HTML pages; with ``kb``, the pages of every bench set whose size is
    within that range of kilobytes (small news pages, where per-page costs weigh most)."""
    if kb is None:
        return inflate_all(DEVSET / "html", root / "_masters" / "html", ".html")
    low, high = kb
    target = root / "_masters" / "html"
    target.mkdir(parents=True, exist_ok=True)
    out = []
    for source in sorted(DEVSET.parent.glob("*/html/*.html.gz")):
        data = gzip.decompress(source.read_bytes())
        if low * 1000 <= len(data) <= high * 1000:
            dest = target / f"{source.parts[-3]}-{source.name[: -len('.gz')]}"
            dest.write_bytes(data)
            out.append(dest)
    return out


def build_corpus(
    root: Path, pages: int, text_pages: int, big_pages: int, kb: tuple[int, int] | None = None
) -> tuple[Corpus, Path]:
    masters_html = html_masters(root, kb)
    masters_text = inflate_all(DEVSET / "text", root / "_masters" / "text", ".txt")
    corpus = Corpus(root=root, html=root / "html", text=root / "text", one=root / "one")
    corpus.text_masters = masters_text
    corpus.html_files, corpus.html_bytes = repeat(masters_html, corpus.html, pages)
    corpus.html_pages = pages
    _, corpus.text_bytes = repeat(masters_text, corpus.text, text_pages)
    corpus.text_pages = text_pages
    repeat(masters_html[:1], corpus.one, 1)
    big = root / "html_big"
    if big_pages:
        repeat(masters_html, big, big_pages)
    return corpus, big


def text_corpus(corpus: Corpus, pages: int) -> tuple[Path, int]:
    """A text corpus of its own folder per size, so each run discovers only its own pages."""
    folder = corpus.root / f"text_{pages}"
    _, size = repeat(corpus.text_masters, folder, pages)
    return folder, size


def timed_loop(files: list[Path], work: Callable[[str], object]) -> dict[str, float]:
    """``work`` over every page of ``files`` (decoded as the flow decodes them) in this process,
    timed after the files are read."""
    data = [f.read_bytes() for f in files]
    docs = [raw.decode("utf-8", "replace") for raw in data]
    cpu, wall = time.process_time(), time.perf_counter()
    for doc in docs:
        work(doc)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"pages": len(docs), "bytes": sum(map(len, data)), "wall": wall, "cpu": cpu}


def bare_loop(files: list[Path]) -> dict[str, float]:
    import trafilatura

    # the date parser's one-time start-up (seconds) is paid before the clock starts, as the
    # flow's page worker pays it once in its forkserver: both sides are timed warm
    import ingest.extraction_warmup  # noqa: F401

    return timed_loop(files, partial(trafilatura.extract, with_metadata=True))


def ftfy_loop(files: list[Path]) -> dict[str, float]:
    """A bare ``ftfy.fix_text`` over every page: the yardstick of the text path's speed."""
    import ftfy

    return timed_loop(files, ftfy.fix_text)


def bare_loops_in_parallel(shares: list[list[Path]]) -> dict[str, float]:
    """``bare_loop`` in one process per share, all started together; wall time of the slowest."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(len(shares)) as pool:
        list(pool.map(time.sleep, [0.5] * len(shares)))  # processes up before the clock starts
        start = time.perf_counter()
        results = list(pool.map(bare_loop, shares))
        wall = time.perf_counter() - start
    return {
        "pages": sum(r["pages"] for r in results),
        "bytes": sum(r["bytes"] for r in results),
        "wall": wall,
        "cpu": sum(r["cpu"] for r in results),
    }


def bare_row(name: str, b: dict[str, float], ratio: str, note: str) -> tuple[str, ...]:
    """A table row of a bare trafilatura loop (``bare_loop``'s figures)."""
    return (
        name,
        f"{b['pages']}",
        f"{b['wall']:.1f}",
        f"{b['pages'] / b['wall']:.1f}",
        f"{b['bytes'] / MB / b['wall']:.1f}",
        f"{b['pages'] / b['cpu']:.1f}",
        ratio,
        "",
        note,
    )


def print_table(header: str, rows: list[tuple[str, ...]]) -> None:
    """A Markdown table: ``header`` is its column names joined by " | "."""
    print(f"| {header} |")
    print("|" + "---|" * (header.count("|") + 1))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()


@dataclass
class RunResult:
    wall: float
    cpu: float
    flow_seconds: float
    seen: int
    written: int
    rejected: int
    peak_tree_rss: int
    peak_main_rss: int
    peak_server_rss: int
    peak_other_rss: int
    peak_procs: int
    returncode: int


def server_or_other(p: psutil.Process) -> str:
    """Prefect's temporary API server runs as `python -m uvicorn ...`."""
    return "server" if "uvicorn" in p.cmdline() else "other"


def backfill(
    paths: list[Path], out: Path, workers: int, env: dict[str, str], log: Path
) -> RunResult:
    """`python -m flows backfill` as a user runs it, with its process tree's RSS and CPU time
    sampled every 0.2 s (CPU per process as last seen: a process's final 0.2 s may be missed;
    getrusage(RUSAGE_CHILDREN) would miss grandchildren their parent never reaps).

    RSS is also split into the main process, Prefect's temporary server (uvicorn) and the rest
    (batch workers, their forkservers and page children), to tell which one grows."""
    argv = [
        sys.executable,
        "-m",
        "flows",
        "backfill",
        *map(str, paths),
        "--out",
        str(out),
        "--workers",
        str(workers),
    ]
    start = time.perf_counter()
    with log.open("wb") as fh:
        proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=fh, stderr=subprocess.STDOUT)
        peaks = {"tree": 0, "main": 0, "server": 0, "other": 0, "procs": 0}
        cpu: dict[tuple[int, float], float] = {}
        stop = threading.Event()

        def sample() -> None:
            try:
                root = psutil.Process(proc.pid)
            except psutil.NoSuchProcess:
                return
            while not stop.is_set():
                try:
                    tree = [root, *root.children(recursive=True)]
                except psutil.NoSuchProcess:
                    return
                rss = {"main": 0, "server": 0, "other": 0}
                procs = 0
                for p in tree:
                    with (
                        contextlib.suppress(psutil.NoSuchProcess, psutil.ZombieProcess),
                        p.oneshot(),
                    ):
                        role = "main" if p.pid == proc.pid else server_or_other(p)
                        rss[role] += p.memory_info().rss
                        procs += 1
                        times = p.cpu_times()
                        cpu[(p.pid, p.create_time())] = times.user + times.system
                for role, value in rss.items():
                    peaks[role] = max(peaks[role], value)
                peaks["tree"] = max(peaks["tree"], sum(rss.values()))
                peaks["procs"] = max(peaks["procs"], procs)
                stop.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = proc.wait()
        stop.set()
        sampler.join()
    wall = time.perf_counter() - start
    text = log.read_text(errors="replace")
    found = SUMMARY.findall(text)
    if code not in (0, 3) or not found:  # 3: some pages rejected, which the devset has
        tail = "\n".join(text.splitlines()[-30:])
        raise SystemExit(f"backfill failed (exit {code}), see {log}:\n{tail}")
    seen, written, rejected, _, seconds = found[-1]
    return RunResult(
        wall,
        sum(cpu.values()),
        float(seconds),
        int(seen),
        int(written),
        int(rejected),
        peaks["tree"],
        peaks["main"],
        peaks["server"],
        peaks["other"],
        peaks["procs"],
        code,
    )


MEMORY_PARTS = ("tree", "main", "server", "other")


def peak(r: RunResult, part: str) -> int:
    return getattr(r, f"peak_{part}_rss")


def memory_row(name: str, r: RunResult, startup: float) -> tuple[str, ...]:
    return (
        name,
        f"{r.seen}",
        f"{r.wall:.1f}",
        f"{r.seen / max(r.wall - startup, 1e-9):.1f}",
        *(f"{peak(r, part) / MB:.0f}" for part in MEMORY_PARTS),
        f"{r.peak_procs}",
    )


def memory_notes(small: RunResult, big: RunResult) -> list[str]:
    """The issue's criterion (peaks within 10% of each other), and which process grows."""
    notes = []
    for part, label in (("tree", "tree"), ("main", "main-process")):
        ratio = peak(big, part) / peak(small, part)
        verdict = "within" if abs(ratio - 1) <= 0.10 else "NOT within"
        notes.append(
            f"peak {label} RSS {big.seen} / {small.seen} text pages: {ratio:.3f} ({verdict} 10%)"
        )
    per_10k = 10_000 / (big.seen - small.seen)
    growth = ", ".join(
        f"{part} {(peak(big, part) - peak(small, part)) / MB * per_10k:+.1f} MB"
        for part in MEMORY_PARTS
    )
    notes.append(f"peak RSS change per 10,000 more text pages: {growth}")
    return notes


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=10_000, help="HTML pages (default 10000)")
    parser.add_argument(
        "--big-pages",
        type=int,
        default=50_000,
        help="HTML pages of the second memory run (default 50000)",
    )
    parser.add_argument("--skip-big", action="store_true", help="skip the --big-pages run")
    parser.add_argument("--text-pages", type=int, default=5_000, help="text pages (default 5000)")
    parser.add_argument(
        "--bare-pages",
        type=int,
        default=2_000,
        help="pages of the bare trafilatura loop (default 2000)",
    )
    parser.add_argument(
        "--mem-text-pages",
        type=int,
        default=10_000,
        help="text pages of the smaller mem-text run (default 10000)",
    )
    parser.add_argument(
        "--mem-text-big-pages",
        type=int,
        default=50_000,
        help="text pages of the larger mem-text run (default 50000)",
    )
    parser.add_argument(
        "--only",
        default="bare,bare2,w1,w2,text,text-floor,big,mem-text",
        help="comma-separated parts: bare,bare2,w1,w2,text,text-floor,big,mem-text",
    )
    parser.add_argument(
        "--api-url", help="report to this Prefect server instead of a temporary one"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--html-kb",
        help="HTML pages of this size range in KB from every bench set, e.g. 30:80 "
        "(default: the development set's pages)",
    )
    args = parser.parse_args()
    parts = set(args.only.split(","))
    kb = tuple(int(x) for x in args.html_kb.split(":")) if args.html_kb else None
    if args.skip_big:
        parts.discard("big")

    root = Path(tempfile.mkdtemp(prefix="ingest-speed-"))
    (root / "no-config.toml").write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INGEST_", "PREFECT_"))}
    env.update(
        PREFECT_HOME=str(root / "prefect-home"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        INGEST_CONFIG=str(root / "no-config.toml"),  # defaults, whatever ./ingest.toml says
        PYTHONPATH=os.pathsep.join(
            filter(None, [str(REPO / "src"), str(REPO), os.environ.get("PYTHONPATH")])
        ),
    )
    if args.api_url:
        env["PREFECT_API_URL"] = args.api_url
    rows: list[tuple[str, ...]] = []
    mem_rows: list[tuple[str, ...]] = []
    notes: list[str] = [f"machine: {os.cpu_count()} cores; load at start: {load()}"]
    try:
        t = time.perf_counter()
        corpus, big = build_corpus(
            root,
            args.pages if parts & {"bare", "w1", "w2"} else 0,
            args.text_pages if parts & {"text", "text-floor"} else 0,
            args.big_pages if "big" in parts else 0,
            kb,  # type: ignore[arg-type]
        )
        notes.append(
            f"corpus: {corpus.html_pages} HTML pages ({corpus.html_bytes / MB:.0f} MB), "
            f"{corpus.text_pages} text pages ({corpus.text_bytes / MB:.1f} MB), "
            f"built in {time.perf_counter() - t:.0f} s in {root} (mem-text corpora: below)"
        )
        print(notes[-1], flush=True)

        bare_pps = None
        if "bare" in parts:
            b = bare_loop(corpus.html_files[: args.bare_pages])
            bare_pps = b["pages"] / b["wall"]
            rows.append(bare_row("bare trafilatura.extract loop, 1 core", b, "1.00", ""))
            print(rows[-1], f"load {load()}", flush=True)
        if "bare2" in parts:
            files = corpus.html_files[: args.bare_pages]
            b = bare_loops_in_parallel([files[0::2], files[1::2]])
            ratio = f"{b['pages'] / b['wall'] / bare_pps:.2f}" if bare_pps else ""
            rows.append(
                bare_row("bare loop in 2 processes at once", b, ratio, "ratio against 1 core")
            )
            print(rows[-1], f"load {load()}", flush=True)

        # Start-up: the first run migrates a fresh PREFECT_HOME; the second is the fixed cost.
        backfill([corpus.one], root / "out-warmup", 1, env, root / "warmup.log")
        s = backfill([corpus.one], root / "out-one", 1, env, root / "one.log")
        startup = s.wall
        rows.append(
            (
                "start-up (1 page, warm Prefect home)",
                "1",
                f"{s.wall:.1f}",
                "",
                "",
                "",
                "",
                f"{s.peak_tree_rss / MB:.0f}",
                f"flow body {s.flow_seconds:.1f} s",
            )
        )
        print(rows[-1], f"load {load()}", flush=True)

        def report(name: str, r: RunResult, pages: int, size: int, baseline: float | None):
            net = max(r.wall - startup, 1e-9)
            pps = pages / net
            ratio = f"{pps / baseline:.2f}" if baseline else ""
            rows.append(
                (
                    name,
                    f"{pages}",
                    f"{r.wall:.1f}",
                    f"{pps:.1f}",
                    f"{size / MB / net:.2f}",
                    f"{pages / r.cpu:.1f}",
                    ratio,
                    f"{r.peak_tree_rss / MB:.0f}",
                    f"flow body {r.flow_seconds:.1f} s; {r.written} written, "
                    f"{r.rejected} rejected; peak {r.peak_procs} processes, main "
                    f"{r.peak_main_rss / MB:.0f} MB",
                )
            )
            print(rows[-1], f"load {load()}", flush=True)
            return pps

        w1 = None
        if "w1" in parts:
            r = backfill([corpus.html], root / "out-w1", 1, env, root / "w1.log")
            w1 = report(
                "flow, HTML, --workers 1", r, corpus.html_pages, corpus.html_bytes, bare_pps
            )
        mem_small = None
        if "w2" in parts:
            r = backfill([corpus.html], root / "out-w2", 2, env, root / "w2.log")
            report("flow, HTML, --workers 2", r, corpus.html_pages, corpus.html_bytes, w1)
            mem_small = r.peak_tree_rss
        if "text" in parts:
            fix = ftfy_loop(corpus.text_masters)
            rows.append(bare_row("bare ftfy.fix_text loop, text", fix, "", "the same pages, once"))
            print(rows[-1], f"load {load()}", flush=True)
            r = backfill([corpus.text], root / "out-text", 1, env, root / "text.log")
            fix_pps = fix["pages"] / fix["wall"]
            report("flow, text only, --workers 1", r, corpus.text_pages, corpus.text_bytes, fix_pps)
        if "text-floor" in parts:
            no_cleaner = {**env, "INGEST_CLEANING__ENABLED": "false"}
            r = backfill([corpus.text], root / "out-floor", 1, no_cleaner, root / "floor.log")
            report(
                "flow, text only, cleaner off, --workers 1",
                r,
                corpus.text_pages,
                corpus.text_bytes,
                None,
            )
        if "big" in parts:
            r = backfill([big], root / "out-big", 2, env, root / "big.log")
            big_bytes = sum(f.stat().st_size for f in big.rglob("*.html"))
            report("flow, HTML, --workers 2 (memory run)", r, args.big_pages, big_bytes, None)
            if mem_small:
                notes.append(
                    f"peak tree RSS {args.big_pages} pages / {args.pages} pages: "
                    f"{r.peak_tree_rss / mem_small:.3f}"
                )
        if "mem-text" in parts:
            runs = []
            for pages in (args.mem_text_pages, args.mem_text_big_pages):
                t = time.perf_counter()
                folder, size = text_corpus(corpus, pages)
                notes.append(
                    f"mem-text corpus: {pages} text pages ({size / MB:.0f} MB), "
                    f"built in {time.perf_counter() - t:.0f} s"
                )
                print(notes[-1], flush=True)
                r = backfill(
                    [folder], root / f"out-{folder.name}", 2, env, root / f"{folder.name}.log"
                )
                runs.append(r)
                mem_rows.append(memory_row("flow, text only, --workers 2", r, startup))
                print(mem_rows[-1], f"load {load()}", flush=True)
            notes.extend(memory_notes(*runs))
        notes.append(f"load at end: {load()}")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)

    print()
    print_table(
        "run | pages | wall s | pages/s (net) | MB/s (net) | pages per CPU-s | ratio | "
        "peak tree RSS MB | notes",
        rows,
    )
    if mem_rows:
        print()
        print_table(
            "memory run | pages | wall s | pages/s (net) | peak tree RSS MB | peak main RSS MB "
            "| peak Prefect server RSS MB | peak other RSS MB | peak processes",
            mem_rows,
        )
    print(
        "net: wall time less the start-up run's wall time. ratio: the 1-worker HTML row "
        "against the bare loop, the 2-worker row against the 1-worker row, the text row against "
        "the bare ftfy loop. Peaks are of sums over "
        "processes at one sample: main is the flow process, server Prefect's temporary API "
        "server, other the batch workers and their page children."
    )
    for note in notes:
        print(f"- {note}")


if __name__ == "__main__":
    main()
