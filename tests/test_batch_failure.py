"""A batch whose worker process dies is retried, then its pages are rejected as batch_failed;
the other batches' output stands, and the next run tries those pages again."""

import time
from pathlib import Path

import psutil
from conftest import read_documents, read_rejects
from test_faults import assert_each_page_once, assert_no_half_files, cli, files, make_pages


def pool_workers(pid: int) -> list[psutil.Process]:
    """The process-pool workers the CLI started (spawned Pythons)."""
    found = []
    for child in psutil.Process(pid).children():
        try:
            if any("spawn_main" in part for part in child.cmdline()):
                found.append(child)
        except psutil.Error:
            continue
    return found


def test_a_dead_worker_fails_its_batches_and_nothing_else(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    names = make_pages(raw, 16, paragraphs=30)
    env = {**cli_env, "INGEST_TASK_RETRIES": "1"}
    proc = cli(raw, out, env, "--batch-size", "2", runner="process")
    deadline = time.monotonic() + 180
    killed = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if files(out, "documents"):
            for worker in pool_workers(proc.pid):
                worker.kill()
                killed += 1
            if killed:
                break
        time.sleep(0.005)
    stdout, stderr = proc.communicate(timeout=300)
    assert killed, f"the run ended before its worker could be killed: {stdout}"
    assert proc.returncode == 1, stderr[-2000:]
    assert "rejected as batch_failed" in stdout, stderr[-3000:]
    assert "(all accounted for)" in stdout

    written = read_documents(out).column("source_path").to_pylist()
    reasons = read_rejects(out).column("reason").to_pylist()
    assert written, "batches committed before the failure must stand"
    assert set(reasons) == {"batch_failed"}
    assert_each_page_once(out, names)
    assert_no_half_files(out)

    again = cli(raw, out, cli_env, "--batch-size", "2", runner="process")
    again_out, again_err = again.communicate(timeout=300)
    assert again.returncode == 0, again_err[-2000:]
    assert f"{len(names)} pages read: {len(reasons)} written" in again_out
    assert sorted(read_documents(out).column("source_path").to_pylist()) == sorted(names)
    rejects = read_rejects(out)
    assert rejects is None or rejects.num_rows == 0
