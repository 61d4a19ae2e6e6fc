"""Where a command's start-up goes: wall time of whole commands, and of the parts they pay for.

    python benchmarks/startup.py [--repeat 3] [--checkout DIR]

Measures, each as the median of `--repeat` runs:
  - `ingest --help` (the command line itself), `backfill --dry-run`, a bad flag;
  - importing the flow module (Prefect and the pipeline's libraries);
  - a temporary Prefect server, from launch to its first healthy answer;
  - a process pool worker, from spawn to running its first task;
  - a page worker (forkserver and child), from start to ready;
  - a 1-page backfill (a text page, and an HTML page) with the background server up, and
    without any server;
  - where the time of a 1-page backfill with the server up goes, phase by phase (a table).
With `--checkout DIR` (a checkout of another commit) the same commands run from that tree too,
for a before/after comparison. Writes nothing outside a temporary folder.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TEXT_PAGE = sorted((REPO / "raw" / "text").glob("*.txt"))[0]
HTML_PAGE = REPO / "raw" / "html" / "harbour-bridge.html"


def median_of(repeat: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(repeat))


class Figures(dict[str, float]):
    """Printed as they are measured, so a long run shows its progress."""

    def __setitem__(self, key: str, seconds: float) -> None:
        super().__setitem__(key, seconds)
        print(f"{key:<48}  {seconds:6.2f} s", flush=True)


def command(args: list[str], env: dict[str, str], tree: Path, expect: set[int]) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "flows", *args],
        env={**env, "PYTHONPATH": f"{tree / 'src'}{os.pathsep}{tree}"},
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode not in expect:
        raise RuntimeError(f"{args}: exit {done.returncode}\n{done.stderr[-2000:]}")
    return seconds


def python_seconds(code: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def _import_flow() -> bool:
    import flows.ingest_flow  # noqa: F401

    return True


def pool_worker_seconds() -> float:
    """Spawn a worker that imports the flow module, as Prefect's process pool does."""
    started = time.perf_counter()
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        pool.submit(_import_flow).result()
    return time.perf_counter() - started


def page_worker_seconds() -> float:
    from ingest.page_worker import PageWorker
    from ingest.settings import Settings

    started = time.perf_counter()
    worker = PageWorker(Settings())
    worker._ensure_child()
    seconds = time.perf_counter() - started
    worker.close()
    return seconds


def temporary_server_seconds(home: Path) -> float:
    from flows.server import TemporaryServer

    started = time.perf_counter()
    server = TemporaryServer(home)
    try:
        server.wait_ready()
    finally:
        server.stop()
    return time.perf_counter() - started


PHASES = (  # (name, from mark, to mark), in the order a command goes through them
    ("python start", "launch", "script"),
    ("CLI, settings, checks, pipeline imports", "script", "prefect import"),
    ("Prefect and the flow module imported", "prefect import", "flow module loaded"),
    ("flow run created (API round trips)", "flow module loaded", "flow body"),
    ("lock, state store, selection, submit", "flow body", "batch"),
    ("batch: read, extract, clean, write", "batch", "batch end"),
    ("  of which page worker start", "page worker", "page worker ready"),
    ("commit, report, artifacts", "batch end", "flow body end"),
    ("flow run end (final state, logs)", "flow body end", "command end"),
    ("exit", "command end", "end"),
    ("total", "launch", "end"),
)


def phases(argv: list[str], env: dict[str, str], tree: Path, marks: Path) -> dict[str, float]:
    """Seconds of each phase of one command (see `startup_phases.py`)."""
    launch = time.time()
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "startup_phases.py"), str(marks), *argv],
        env={**env, "PYTHONPATH": f"{tree / 'src'}{os.pathsep}{tree}"},
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    )
    end = time.time()
    if done.returncode != 0:
        raise RuntimeError(f"{argv}: exit {done.returncode}\n{done.stderr[-2000:]}")
    at = json.loads(marks.read_text()) | {"launch": launch, "end": end}
    return {name: at[b] - at[a] for name, a, b in PHASES if a in at and b in at}


def median_phases(runs: list[dict[str, float]]) -> dict[str, float]:
    return {name: statistics.median(r[name] for r in runs) for name in runs[0]}


def print_phases(table: dict[str, dict[str, float]]) -> None:
    columns = list(table)
    print(f"{'phase (median s)':<42}" + "".join(f"{c:>16}" for c in columns))
    for name, _, _ in PHASES:
        cells = [f"{table[c][name]:16.2f}" if name in table[c] else f"{'-':>16}" for c in columns]
        print(f"{name:<42}" + "".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--checkout", type=Path, help="another commit's tree, to compare")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ingest-startup-"))
    home = work / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INGEST_", "PREFECT_"))}
    env |= {"PREFECT_HOME": str(home), "INGEST_SERVER_HOME": str(home)}
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    pages = {"text": work / "text", "html": work / "html"}
    for folder, source in ((pages["text"], TEXT_PAGE), (pages["html"], HTML_PAGE)):
        folder.mkdir()
        shutil.copy(source, folder)
    os.environ.update(PREFECT_HOME=str(home), INGEST_SERVER_HOME=str(home))
    figures = Figures()
    runs = 0

    def backfill_argv(kind: str) -> list[str]:
        nonlocal runs
        runs += 1  # a new output each time: the page is always processed
        return ["backfill", str(pages[kind]), "--out", str(work / f"out-{runs}"), "--workers", "1"]

    def backfill(tree: Path, kind: str, extra: dict[str, str] | None = None) -> float:
        return command(backfill_argv(kind), {**env, **(extra or {})}, tree, {0})

    trees = {"now": REPO} | ({"before": args.checkout.absolute()} if args.checkout else {})
    try:
        # A first run migrates the fresh home's database; not counted.
        backfill(REPO, "text")
        for name, tree in trees.items():
            figures[f"{name}: ingest --help"] = median_of(
                args.repeat, lambda t=tree: command(["--help"], env, t, {0})
            )
            figures[f"{name}: backfill --dry-run"] = median_of(
                args.repeat,
                lambda t=tree: command(
                    ["backfill", str(pages["text"]), "--out", str(work / "dry"), "--dry-run"],
                    env,
                    t,
                    {0},
                ),
            )
            figures[f"{name}: bad flag (--workers 0)"] = median_of(
                args.repeat, lambda t=tree: command(["run", "--workers", "0"], env, t, {1, 2})
            )
            for kind in pages:
                figures[f"{name}: 1-page {kind} backfill, no server up"] = median_of(
                    args.repeat, lambda t=tree, k=kind: backfill(t, k)
                )
        figures["import flows.ingest_flow"] = median_of(
            args.repeat, lambda: python_seconds("import flows.ingest_flow", env)
        )
        figures["temporary server, launch to healthy"] = median_of(
            args.repeat, lambda: temporary_server_seconds(home)
        )
        figures["process pool worker, spawn to first task"] = median_of(
            args.repeat, pool_worker_seconds
        )
        figures["page worker (forkserver + child) ready"] = median_of(
            args.repeat, page_worker_seconds
        )
        from flows.server import start_server, stop_server

        started = time.perf_counter()
        address = start_server(port=_free_port(), home=home)
        figures["ingest server start (existing home)"] = time.perf_counter() - started
        breakdown: dict[str, dict[str, float]] = {}
        try:
            for name, tree in trees.items():
                extra = {"PREFECT_API_URL": address.api_url} if name != "now" else None
                for kind in pages:
                    figures[f"{name}: 1-page {kind} backfill, background server up"] = median_of(
                        args.repeat, lambda t=tree, e=extra, k=kind: backfill(t, k, e)
                    )
                    breakdown[f"{name} {kind}"] = median_phases(
                        [
                            phases(backfill_argv(kind), {**env, **(extra or {})}, tree, work / "m")
                            for _ in range(args.repeat)
                        ]
                    )
        finally:
            stop_server(home)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n1-page backfill with the background server up, by phase:")
    print_phases(breakdown)
    load = os.getloadavg()[0]
    print(f"(load average at the end: {load:.1f} on {os.cpu_count()} cores)")
    print(json.dumps({k: round(v, 2) for k, v in figures.items()}))


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


if __name__ == "__main__":
    main()
