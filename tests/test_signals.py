"""Stopping a backfill with real signals: the first Ctrl-C (to the whole process group, as a
terminal sends it) or SIGTERM (to the command) commits what is done and exits 130 / 143 with a
summary; a second Ctrl-C exits at once. Either way nothing is half written, no process is left,
the run is not left marked running, and the next run finishes the job without duplicating a
row."""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from conftest import RAW, REPO, committed_pages, ingest_command, read_documents, read_rejects
from hostile import PARA

from flows.stopping import descendants

COPIES = 12  # of each sample text page: 60 pages, 12 batches of 5
PAGES = COPIES * 5
WAIT_S = 180


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    for copy in range(COPIES):
        for page in sorted((RAW / "text").glob("*.txt")):
            shutil.copy(page, folder / f"{copy:03d}-{page.name}")
    return folder


def start(corpus: Path, out: Path, env: dict[str, str], log: Path) -> subprocess.Popen:
    args = ["backfill", str(corpus), "--out", str(out), "--workers", "2", "--batch-size", "5"]
    return subprocess.Popen(
        [*ingest_command(), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=log.open("wb"),
        text=True,
        start_new_session=True,  # its own process group, like a job in a terminal
    )


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


def a_batch_is_running(out: Path) -> bool:
    return any((out / "_staging").glob("*/progress-*"))


def group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def committed(out: Path) -> int:
    """How many pages the output holds or will hold (``committed_pages``)."""
    return len(committed_pages(out))


def recorded(out: Path) -> int:
    """How many pages the state store holds (a journalled commit's pages not among them)."""
    with closing(sqlite3.connect(out / "_state" / "state.sqlite")) as db:
        return db.execute("SELECT count(*) FROM records").fetchone()[0]


def run_statuses(out: Path) -> list[str]:
    db = sqlite3.connect(out / "_state" / "state.sqlite")
    try:
        return [row[0] for row in db.execute("SELECT status FROM runs ORDER BY started_at")]
    finally:
        db.close()


def flow_run_state(api: str, corpus: Path) -> str:
    """The state of the Prefect flow run of the backfill of `corpus`."""
    reply = httpx.post(f"{api}/flow_runs/filter", json={"limit": 200}, timeout=30)
    reply.raise_for_status()
    (found,) = [r for r in reply.json() if r["parameters"].get("paths") == [str(corpus)]]
    return found["state"]["type"]


def finish(process: subprocess.Popen) -> str:
    stdout, _ = process.communicate(timeout=WAIT_S)
    wait_for(lambda: group_gone(process.pid), "the process group to end")
    return stdout


def assert_resumes(corpus: Path, out: Path, env: dict[str, str], done_before: int) -> None:
    again = subprocess.run(
        [*ingest_command(), "backfill", str(corpus), "--out", str(out), "--workers", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT_S * 2,
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"{PAGES - done_before} written" in again.stdout
    assert f"{done_before} unchanged" in again.stdout
    ids = read_documents(out).column("doc_id").to_pylist()
    assert len(ids) == len(set(ids)) == PAGES


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "to_group", "code"),
    [(signal.SIGINT, True, 130), (signal.SIGTERM, False, 143)],
    ids=["ctrl-c", "sigterm"],
)
def test_the_first_signal_commits_what_is_done_and_exits_with_a_summary(
    cli_env: dict[str, str],
    corpus: Path,
    tmp_path: Path,
    signum: int,
    to_group: bool,
    code: int,
) -> None:
    out, log = tmp_path / "out", tmp_path / "stderr.log"
    process = start(corpus, out, cli_env, log)
    wait_for(lambda: a_batch_is_running(out), "a batch to start")
    if to_group:
        os.killpg(process.pid, signum)
    else:
        process.send_signal(signum)
    stdout = finish(process)
    stderr = log.read_text()

    assert process.returncode == code, stderr[-3000:]
    assert "interrupted:" in stdout and "left for the next run" in stdout
    assert "Traceback" not in stderr and "ConnectError" not in stderr, stderr[-3000:]
    done = committed(out)
    assert 0 < done < PAGES, stdout  # a batch was running; others were never submitted
    assert f"interrupted: {done} pages committed" in stdout
    assert read_documents(out).num_rows == done  # exactly what the state store recorded
    assert not list((out / "_staging").glob("*/*.parquet"))
    assert run_statuses(out) == ["interrupted"]
    assert flow_run_state(cli_env["PREFECT_API_URL"], corpus) == "CANCELLED"
    if to_group:  # resuming after a stop is the same whichever signal it was
        assert_resumes(corpus, out, cli_env, done)


@pytest.mark.slow
def test_a_second_ctrl_c_exits_at_once(
    cli_env: dict[str, str], corpus: Path, tmp_path: Path
) -> None:
    out, log = tmp_path / "out", tmp_path / "stderr.log"
    process = start(corpus, out, cli_env, log)
    wait_for(lambda: a_batch_is_running(out), "a batch to start")
    os.killpg(process.pid, signal.SIGINT)
    wait_for(lambda: "stopping" in log.read_text(), "the stop to be acknowledged")
    os.killpg(process.pid, signal.SIGINT)
    finish(process)

    assert process.returncode == 130
    assert "stopped at once" in log.read_text()
    # Marked on the way out: neither the state store nor Prefect shows it running.
    assert run_statuses(out) == ["interrupted"]
    assert flow_run_state(cli_env["PREFECT_API_URL"], corpus) == "CANCELLED"
    # Committed batches stand; one stopped mid-commit has its journal, which the next run
    # finishes: its files may have been moved into place or not yet. The files of the other
    # batches never became data.
    done = committed(out) if (out / "_state" / "state.sqlite").exists() else 0
    if (out / "documents").exists():
        assert recorded(out) <= read_documents(out).num_rows <= done
    assert_resumes(corpus, out, cli_env, done)


# A flow that records its run interrupted, then gets the second Ctrl-C before the command has
# cancelled its flow run: the moment between the flow's end and the command's last step.
SECOND_SIGNAL_AFTER_THE_RUN = """
import os, signal, sys
from pathlib import Path
from prefect import flow
from prefect.runtime import flow_run
from flows import stopping

@flow
def stopped(store: str) -> None:
    print(flow_run.id, flush=True)
    stopping.reclaim_signals()
    stopping.track_run(Path(store), "run-1")
    os.kill(os.getpid(), signal.SIGINT)  # the first Ctrl-C: stop
    stopping.untrack_run(stopping.INTERRUPTED)  # the flow has recorded the run interrupted
    os.kill(os.getpid(), signal.SIGINT)  # the second: out at once
    print("not reached", flush=True)

with stopping.stop_on_signals():
    stopped(sys.argv[1])
"""


@pytest.mark.slow
def test_a_second_ctrl_c_after_the_run_is_recorded_still_cancels_its_flow_run(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SECOND_SIGNAL_AFTER_THE_RUN, str(tmp_path / "state.sqlite")],
        env=cli_env, capture_output=True, text=True, timeout=WAIT_S, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 130, done.stderr[-3000:]
    assert "stopped at once" in done.stderr and "not reached" not in done.stdout
    flow_run_id = done.stdout.split()[0]
    reply = httpx.get(f"{cli_env['PREFECT_API_URL']}/flow_runs/{flow_run_id}", timeout=30)
    assert reply.json()["state"]["type"] == "CANCELLED"


@pytest.mark.slow
def test_a_killed_run_is_shown_and_recorded_as_interrupted(
    cli_env: dict[str, str], corpus: Path, tmp_path: Path
) -> None:
    out, log = tmp_path / "out", tmp_path / "stderr.log"
    process = start(corpus, out, cli_env, log)
    wait_for(lambda: a_batch_is_running(out), "a batch to start")
    os.killpg(process.pid, signal.SIGKILL)  # no handler runs: the row says running
    finish(process)
    assert run_statuses(out) == ["running"]

    status = subprocess.run(
        [*ingest_command(), "status", str(out), "--json"],
        env=cli_env, capture_output=True, text=True, timeout=WAIT_S, check=True,
    )  # fmt: skip
    assert [run["status"] for run in json.loads(status.stdout)["runs"]] == ["interrupted"]
    assert_resumes(corpus, out, cli_env, committed(out))
    assert run_statuses(out) == ["interrupted", "completed"]


def page_worker(command: int) -> int | None:
    """A page worker of the command: a child of its forkserver."""
    for pid in descendants(command):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"forkserver" in cmdline and (children := descendants(pid)):
            return children[0]
    return None


@pytest.mark.slow
def test_a_batch_running_in_a_thread_is_abandoned_after_the_grace(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    corpus, out, log = tmp_path / "pages", tmp_path / "out", tmp_path / "stderr.log"
    corpus.mkdir()
    slow = "".join(f"<p>{PARA} {i}</p>" for i in range(30000))  # seconds to extract
    for copy in range(2):
        (corpus / f"{copy}-slow.html").write_text(f"<html><body>{slow}</body></html>")
        shutil.copy(RAW / "html" / "harbour-bridge.html", corpus / f"{copy}-page.html")
    args = ["backfill", str(corpus), "--out", str(out), "--task-runner", "thread"]
    process = subprocess.Popen(
        [*ingest_command(), *args, "--page-timeout", "3600"],
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=log.open("wb"),
        text=True,
        start_new_session=True,
    )
    found: list[int] = []
    wait_for(lambda: found.extend(filter(None, [page_worker(process.pid)])) or found, "a worker")
    # The page worker hangs: only abandoning the batch, not its page deadline, ends the run.
    os.kill(found[0], signal.SIGSTOP)
    os.killpg(process.pid, signal.SIGINT)
    stdout = finish(process)
    stderr = log.read_text()

    assert process.returncode == 130, stderr[-3000:]
    assert "interrupted: 0 pages committed" in stdout
    assert "abandoned 1 running batches" in stderr
    assert "Traceback" not in stderr, stderr[-3000:]
    assert run_statuses(out) == ["interrupted"]
    assert not (out / "documents").exists() and committed(out) == 0


@pytest.mark.slow
def test_a_ctrl_c_stops_a_dask_run_without_killing_its_workers(
    cli_env: dict[str, str], corpus: Path, tmp_path: Path
) -> None:
    out, log = tmp_path / "out", tmp_path / "stderr.log"
    args = ["backfill", str(corpus), "--out", str(out), "--workers", "2", "--batch-size", "5"]
    process = subprocess.Popen(
        [*ingest_command(), *args, "--task-runner", "dask"],
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=log.open("wb"),
        text=True,
        start_new_session=True,
    )
    wait_for(lambda: a_batch_is_running(out), "a batch to start")
    os.killpg(process.pid, signal.SIGINT)  # the workers are in the group too
    stdout = finish(process)
    stderr = log.read_text()

    assert process.returncode == 130, stderr[-3000:]
    assert "interrupted:" in stdout
    assert "KeyboardInterrupt" not in stderr, stderr[-3000:]
    rejects = read_rejects(out)
    assert rejects is None or "batch_failed" not in rejects.column("reason").to_pylist()
    done = committed(out)
    assert 0 < done < PAGES  # the running batches finished on living workers
    assert read_documents(out).num_rows == done
    assert_resumes(corpus, out, cli_env, done)


@pytest.mark.slow
def test_a_small_runs_page_worker_does_not_see_the_ctrl_c(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    """A small run's page workers are started early, from the command's main thread: the
    terminal's Ctrl-C must not reach them, so the running batch finishes within its grace."""
    corpus, out, log = tmp_path / "pages", tmp_path / "out", tmp_path / "stderr.log"
    corpus.mkdir()
    slow = "".join(f"<p>{PARA} {i}</p>" for i in range(5000))  # a second or so to extract
    for copy in range(2):  # 1.7 MB: still a small run
        (corpus / f"{copy}.html").write_text(f"<html><body><article>{slow}</article></body></html>")
    process = subprocess.Popen(
        [*ingest_command(), "backfill", str(corpus), "--out", str(out)],
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=log.open("wb"),
        text=True,
        start_new_session=True,
    )
    wait_for(lambda: page_worker(process.pid) is not None, "a page worker")
    os.killpg(process.pid, signal.SIGINT)
    stdout = finish(process)
    stderr = log.read_text()

    assert process.returncode == 130, stderr[-3000:]
    assert "interrupted: 2 pages committed (2 written" in stdout, stdout
    assert read_documents(out).num_rows == 2
    assert read_rejects(out) is None
