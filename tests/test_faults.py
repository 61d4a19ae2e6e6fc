"""Faults with real processes and signals: SIGKILL mid-run, two runs at once, a full disk, a
read-only output folder. Nothing is lost, nothing is duplicated, nothing half-written is seen."""

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import committed_pages, read_documents, read_rejects, run_flow
from hostile import PARA, prose

from ingest.dataset import OutputLock
from ingest.settings import Settings

# Each child Python, the forkserver and page workers included, refuses every connection that
# does not go to this machine and records the attempt: processing must never need the network.
SITECUSTOMIZE = """
import os, socket
_LOG = os.environ["NET_ATTEMPTS_LOG"]
_connect = socket.socket.connect

def _guarded(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if self.family in (socket.AF_INET, socket.AF_INET6) and host not in (
        "127.0.0.1", "::1", "localhost"):
        with open(_LOG, "a") as fh:
            fh.write(f"{os.getpid()} {address!r}\\n")
        raise OSError("network blocked by test")
    return _connect(self, address)

socket.socket.connect = _guarded
"""


def make_pages(raw: Path, count: int, paragraphs: int = 6) -> list[str]:
    raw.mkdir(parents=True, exist_ok=True)
    rng = random.Random(count * 1000 + paragraphs)
    names = []
    for i in range(count):
        name = f"p{i:03d}.txt"
        (raw / name).write_text(f"Page {i}. {PARA}\n\n" + prose(rng, paragraphs))
        names.append(name)
    return names


def cli(raw: Path, out: Path, env: dict, *extra: str, runner: str = "thread") -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "flows",
        "backfill",
        str(raw),
        "--out",
        str(out),
        "--workers",
        "1",
        "--task-runner",
        runner,
        *extra,
    ]
    return subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def kill_when(proc: subprocess.Popen, ready: Callable[[], bool], limit: float = 120) -> bool:
    """SIGKILL the whole process group once `ready()`; False if the run ended first."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if ready():
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(30)
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.0005)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)
    raise AssertionError("the moment to kill never came")


def files(out: Path, table: str) -> list[Path]:
    return sorted((out / table).rglob("*.parquet")) if (out / table).exists() else []


def temp_files(folder: Path) -> Iterator[Path]:
    try:
        for entry in os.scandir(folder):
            if entry.is_dir(follow_symlinks=False):
                yield from temp_files(Path(entry.path))
            elif entry.name.endswith(".tmp"):
                yield Path(entry.path)
    except FileNotFoundError:
        return


def assert_no_half_files(out: Path) -> None:
    """Where readers look (documents/, rejects/), no temporary file and every file whole."""
    for table in ("documents", "rejects"):
        assert not list(temp_files(out / table)), f"temporary files in {table}/"
        for file in files(out, table):
            pq.read_table(file)  # raises on a truncated or corrupt file


def assert_each_page_once(out: Path, names: list[str]) -> None:
    docs = read_documents(out).column("source_path").to_pylist()
    rejects = read_rejects(out)
    rejected = rejects.column("source_path").to_pylist() if rejects is not None else []
    assert len(docs) == len(set(docs)), "a document row is duplicated"
    assert not set(docs) & set(rejected), "a page is both a row and a reject"
    assert sorted(docs + rejected) == sorted(names)


def pages_table(out: Path) -> list[tuple]:
    with closing(sqlite3.connect(out / "_state" / "state.sqlite")) as db:
        return db.execute("SELECT * FROM records ORDER BY source_path").fetchall()


@pytest.fixture
def guarded_env(cli_env: dict, tmp_path: Path) -> dict:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    log = tmp_path / "net-attempts.log"
    log.touch()
    return {
        **cli_env,
        "PYTHONPATH": os.pathsep.join([str(site), *sys.path]),
        "NET_ATTEMPTS_LOG": str(log),
    }


def resume(raw: Path, out: Path, names: list[str]) -> dict:
    settings = Settings(raw_dir=raw, output_dir=out, workers=1, task_runner="thread", batch_size=5)
    summary = run_flow([raw], out, settings=settings)
    assert summary["status"] == "completed", summary
    assert summary["accounted"] and summary["seen"] == len(names)
    assert summary["written"] + summary["rejected"] + summary["skipped_unchanged"] == len(names)
    return summary


@pytest.mark.parametrize("moment", ["extraction", "parquet_write"])
def test_sigkill_mid_run_then_the_next_run_completes(
    moment: str, tmp_path: Path, guarded_env: dict
) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    if moment == "extraction":
        names = make_pages(raw, 40)
        proc = cli(raw, out, guarded_env, "--batch-size", "2")

        def ready() -> bool:  # a batch is committed, the next is being extracted
            return len(files(out, "documents")) >= 2
    else:
        names = make_pages(raw, 30, paragraphs=300)  # big rows: writes take a while
        proc = cli(raw, out, guarded_env, "--batch-size", "10")

        def ready() -> bool:  # a Parquet file is half written in the staging folder
            return any(temp_files(out / "_staging"))

    assert kill_when(proc, ready), f"run ended before the kill: {proc.stderr.read()[-2000:]}"
    assert_no_half_files(out)
    committed = committed_pages(out)
    assert len(committed) < len(names)

    summary = resume(raw, out, names)
    assert summary["skipped_unchanged"] == len(committed)
    assert summary["written"] == len(names) - len(committed)
    assert_no_half_files(out)
    assert_each_page_once(out, names)
    assert not (out / "_staging").exists() or not any((out / "_staging").iterdir())
    assert Path(guarded_env["NET_ATTEMPTS_LOG"]).read_text() == ""


def test_two_runs_at_once_one_waits_its_turn_nothing_doubled(
    tmp_path: Path, guarded_env: dict, prefect_api: str
) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    names = make_pages(raw, 100, paragraphs=100)
    lock = out / "_state" / "lock"
    # two `ingest backfill` on the same output, started together
    runs = [cli(raw, out, guarded_env, "--batch-size", "1") for _ in range(2)]
    try:
        deadline = time.monotonic() + 180
        while not (lock.exists() and lock.read_text().startswith("run ")):
            assert any(r.poll() is None for r in runs), [r.stderr.read()[-2000:] for r in runs]
            assert time.monotonic() < deadline
            time.sleep(0.02)
        holder = int(re.search(r"pid (\d+)", lock.read_text()).group(1))
        assert holder in {r.pid for r in runs}
        # the holder is paused, so however fast it is it still holds the output while
        # the flow itself starts (a schedule firing during a backfill) and while the
        # other command, however slow to start, meets the output in use
        os.killpg(holder, signal.SIGSTOP)
        try:
            busy = run_flow(
                [raw],
                out,
                settings=Settings(raw_dir=raw, output_dir=out, workers=1, task_runner="thread"),
            )
            (other,) = [r for r in runs if r.pid != holder]
            other.wait(180)
        finally:
            os.killpg(holder, signal.SIGCONT)
        results = sorted((r.wait(300), r.communicate()[1]) for r in runs)
    finally:
        for r in runs:
            if r.poll() is None:
                os.killpg(r.pid, signal.SIGKILL)
    assert busy["status"] == "busy" and busy["written"] == 0
    (done, done_err), (waited, waited_err) = results
    assert done == 0, done_err[-2000:]
    assert waited == 4, waited_err[-2000:]
    assert "in use by another run" in waited_err
    assert_no_half_files(out)
    assert_each_page_once(out, names)
    assert Path(guarded_env["NET_ATTEMPTS_LOG"]).read_text() == ""


@pytest.fixture
def small_mount(tmp_path: Path) -> Iterator[Path]:
    """A 3 MiB tmpfs: a disk that fills up, and can be remounted read-only (needs root)."""
    point = tmp_path / "mnt"
    point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(point)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a small file system here (needs root)")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


def fill(mount: Path) -> Path:
    filler = mount / "filler"
    with pytest.raises(OSError), filler.open("wb", buffering=0) as fh:
        while True:
            fh.write(b"\1" * 65536)
    return filler


def first_run_on(tmp_path: Path, mount: Path) -> tuple[Path, Path, Settings, list[str]]:
    raw, out = tmp_path / "raw", mount / "out"
    names = make_pages(raw, 6)
    settings = Settings(
        raw_dir=raw, output_dir=out, workers=1, task_runner="thread", batch_size=3, task_retries=0
    )
    assert run_flow([raw], out, settings=settings)["written"] == 6
    more = make_pages(tmp_path / "more", 8, paragraphs=200)
    for name in more:
        os.replace(tmp_path / "more" / name, raw / f"new-{name}")
    return raw, out, settings, names + [f"new-{n}" for n in more]


def test_full_disk_clear_error_nothing_half_written(
    tmp_path: Path, small_mount: Path, prefect_api: str
) -> None:
    raw, out, settings, _ = first_run_on(tmp_path, small_mount)
    before = pages_table(out)
    documents_before = sorted(p.name for p in files(out, "documents"))
    filler = fill(small_mount)
    with pytest.raises(Exception) as caught:
        run_flow([raw], out, settings=settings)
    message = str(caught.value)
    assert "No space left" in message or "disk" in message.lower(), message
    assert_no_half_files(out)
    assert sorted(p.name for p in files(out, "documents")) == documents_before
    filler.unlink()
    assert pages_table(out) == before  # (read once there is room: SQLite needs its -shm file)


def test_read_only_output_clear_error_state_unchanged(
    tmp_path: Path, small_mount: Path, prefect_api: str
) -> None:
    raw, out, settings, names = first_run_on(tmp_path, small_mount)
    before = pages_table(out)
    documents_before = sorted(p.name for p in files(out, "documents"))
    subprocess.run(["mount", "-o", "remount,ro", str(small_mount)], check=True)
    with pytest.raises(Exception) as caught:
        run_flow([raw], out, settings=settings)
    message = str(caught.value)
    assert "Read-only file system" in message or "readonly" in message or "I/O" in message
    assert sorted(p.name for p in files(out, "documents")) == documents_before
    subprocess.run(["mount", "-o", "remount,rw", str(small_mount)], check=True)
    assert pages_table(out) == before
    assert_no_half_files(out)
    # writable again: the next run does the work
    summary = run_flow([raw], out, settings=settings)
    assert summary["accounted"] and summary["written"] == len(names) - 6
    assert_each_page_once(out, names)


def test_a_run_that_fails_to_open_the_state_store_releases_the_lock(
    tmp_path: Path, small_mount: Path, prefect_api: str
) -> None:
    raw, out, settings, _ = first_run_on(tmp_path, small_mount)
    filler = fill(small_mount)
    with pytest.raises(Exception, match="disk"):
        run_flow([raw], out, settings=settings)
    filler.unlink()
    lock = OutputLock(out)
    lock.acquire("next")  # raises OutputBusy while the failed run's lock is still held
    lock.release()


def test_sigkill_inside_a_large_warc_resumes_without_loss_or_duplicates(
    tmp_path: Path, guarded_env: dict
) -> None:
    """One container spread over many batches: the records committed before the kill are found
    unchanged, the others are processed, none twice."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from synthetic import write_warc

    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    total = 400
    write_warc(raw / "crawl.warc.gz", 0, total)
    proc = cli(raw, out, guarded_env, "--batch-size", "25")
    assert kill_when(proc, lambda: len(files(out, "documents")) >= 2), proc.stderr.read()[-2000:]
    assert_no_half_files(out)
    with closing(sqlite3.connect(out / "_state" / "state.sqlite")) as db:
        committed = db.execute("SELECT count(*) FROM records").fetchone()[0]
        committed += sum(
            len(json.loads(plan).get("records", []))
            for (plan,) in db.execute("SELECT plan FROM pending")
        )
    assert 0 < committed < total

    settings = Settings(raw_dir=raw, output_dir=out, workers=1, task_runner="thread")
    summary = run_flow([raw], out, settings=settings)
    assert summary["accounted"] and summary["seen"] == total
    assert summary["skipped_unchanged"] == committed
    assert summary["written"] == total - committed
    assert summary["passed_over"] == {"request": total}
    table = read_documents(out)
    keys = table.column("record_key").to_pylist()
    assert len(keys) == len(set(keys)) == total
    assert len(set(table.column("url").to_pylist())) == total
    assert set(table.column("container").to_pylist()) == {"warc"}
    again = run_flow([raw], out, settings=settings)
    assert (again["written"], again["skipped_unchanged"]) == (0, total)
