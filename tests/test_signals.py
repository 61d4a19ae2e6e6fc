"""Stopping a backfill with real signals: the first Ctrl-C (to the whole process group, as a
terminal sends it) or SIGTERM (to the command) commits what is done and exits 130 / 143 with a
summary; a second Ctrl-C exits at once. Either way nothing is half written, no process is left,
and the next run finishes the job without duplicating a row."""

import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from conftest import RAW, ingest_command, read_documents

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


def committed_pages(out: Path) -> int:
    db = sqlite3.connect(out / "_state" / "state.sqlite")
    try:
        return db.execute("SELECT count(*) FROM records").fetchone()[0]
    finally:
        db.close()


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
    done = committed_pages(out)
    assert 0 < done < PAGES, stdout  # a batch was running; others were never submitted
    assert f"interrupted: {done} pages committed" in stdout
    assert read_documents(out).num_rows == done  # exactly what the state store recorded
    assert not list((out / "_staging").glob("*/*.parquet"))
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
    # Committed batches stand; the files of the others never became data.
    done = committed_pages(out) if (out / "_state" / "state.sqlite").exists() else 0
    if (out / "documents").exists():
        assert read_documents(out).num_rows == done
    assert_resumes(corpus, out, cli_env, done)
