"""The `ingest` command line, run as a user runs it: a real subprocess and a real flow."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import ingest_command, read_documents, read_rejects

from ingest.dataset import OutputLock

BODY = "This paragraph is long enough to be a real paragraph of an article, and it ends well.\n"


def ingest(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*ingest_command(), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    raw = tmp_path / "pages"
    (raw / "2023").mkdir(parents=True)
    (raw / "2024").mkdir()
    (raw / "2023" / "old.txt").write_text("Old news\n\n" + BODY)
    (raw / "2023" / "old.txt.json").write_text(json.dumps({"fetched_at": "2023-05-01T00:00:00Z"}))
    (raw / "2024" / "new.txt").write_text("New news\n\n" + BODY)
    (raw / "2024" / "new.txt.json").write_text(json.dumps({"fetched_at": "2024-05-01T00:00:00Z"}))
    (raw / "2024" / "empty.html").write_text("")
    return raw


def test_help_is_complete(cli_env: dict[str, str], tmp_path: Path) -> None:
    top = ingest(["--help"], cli_env, tmp_path)
    assert top.returncode == 0
    for command in ("run", "backfill", "retry-rejected", "status", "report", "serve", "server"):
        assert command in top.stdout
    backfill = ingest(["backfill", "--help"], cli_env, tmp_path).stdout
    for option in (
        "--out",
        "--since",
        "--until",
        "--reprocess",
        "--dry-run",
        "--workers",
        "--batch-size",
        "--task-runner",
        "--quiet",
        "--json",
        "--log-level",
    ):
        assert option in backfill
    # defaults and environment variables are shown, not swallowed as markup
    flat = " ".join(backfill.split())
    for shown in ("default 1000", "INGEST_BATCH_SIZE", "default 30", "INGEST_OUTPUT_DIR"):
        assert shown in flat


def test_version(cli_env: dict[str, str], tmp_path: Path) -> None:
    result = ingest(["--version"], cli_env, tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("ingest ") and result.stdout.split()[1][0].isdigit()


def test_backfill_dry_run_and_date_range(
    cli_env: dict[str, str], pages: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    dry = ingest(["backfill", str(pages), "--out", str(out), "--dry-run"], cli_env, tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "would process 2023/old.txt" in dry.stdout
    assert "3 records would be processed" in dry.stdout
    assert not (out / "documents").exists()

    ranged = ingest(
        ["backfill", str(pages), "--out", str(out), "--since", "2024-01-01", "--workers", "1"],
        cli_env,
        tmp_path,
    )
    assert ranged.returncode == 3, ranged.stderr  # the empty page was rejected
    assert "2 pages read: 1 written, 1 rejected, 0 unchanged (all accounted for)" in ranged.stdout
    assert "rejected as empty: 1" in ranged.stdout
    assert read_documents(out).column("source_path").to_pylist() == ["2024/new.txt"]
    assert read_rejects(out).column("reason").to_pylist() == ["empty"]


def test_run_reruns_and_reprocess_replace_rows(
    cli_env: dict[str, str], pages: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    (pages / "2024" / "empty.html").unlink()
    env = {**cli_env, "INGEST_RAW_DIR": str(pages), "INGEST_OUTPUT_DIR": str(out)}
    first = ingest(["run", "--workers", "1"], env, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "2 pages read: 2 written, 0 rejected" in first.stdout
    second = ingest(["run"], env, tmp_path)
    assert "2 pages read: 0 written, 0 rejected, 2 unchanged" in second.stdout
    before = {r["doc_id"]: r["run_id"] for r in read_documents(out).to_pylist()}

    again = ingest(["backfill", str(pages / "2023"), "--reprocess"], env, tmp_path)
    assert again.returncode == 0, again.stderr
    after = {r["doc_id"]: r["run_id"] for r in read_documents(out).to_pylist()}
    assert after.keys() == before.keys()  # same pages, same ids, no duplicates
    changed = [d for d in after if after[d] != before[d]]
    assert len(changed) == 1  # only the 2023 page was reprocessed


def test_a_run_on_a_busy_output_stops_with_a_message(
    cli_env: dict[str, str], pages: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    lock = OutputLock(out)
    lock.acquire("someone-else")
    try:
        busy = ingest(["backfill", str(pages), "--out", str(out)], cli_env, tmp_path)
    finally:
        lock.release()
    assert busy.returncode == 4
    assert "in use by another run" in busy.stderr
    assert not (out / "documents").exists()


def no_server_env(cli_env: dict[str, str], home: Path) -> dict[str, str]:
    """No Prefect server configured or running: a command that needed one would start it."""
    env = {k: v for k, v in cli_env.items() if k != "PREFECT_API_URL"}
    return {**env, "PREFECT_HOME": str(home), "INGEST_SERVER_HOME": str(home)}


def test_invalid_settings_name_the_flag(cli_env: dict[str, str], tmp_path: Path) -> None:
    env = {**cli_env, "INGEST_BATCH_SIZE": "zero"}
    result = ingest(["run"], env, tmp_path)
    assert result.returncode == 2
    assert "invalid --batch-size (INGEST_BATCH_SIZE)" in result.stderr
    assert "'zero'" in result.stderr and "pydantic" not in result.stderr
    assert os.listdir(tmp_path) == []

    flag = ingest(["run", "--workers", "0"], cli_env, tmp_path)
    assert flag.returncode == 2
    assert "invalid --workers" in flag.stderr and "http" not in flag.stderr


def test_dry_runs_and_busy_outputs_start_no_server(
    cli_env: dict[str, str], pages: Path, tmp_path: Path
) -> None:
    home, out = tmp_path / "home", tmp_path / "out"
    env = no_server_env(cli_env, home)
    dry = ingest(["backfill", str(pages), "--out", str(out), "--dry-run", "--json"], env, tmp_path)
    assert dry.returncode == 0, dry.stderr
    summary = json.loads(dry.stdout)
    assert summary["status"] == "dry_run" and len(summary["files"]) == 3

    lock = OutputLock(out)
    lock.acquire("someone-else")
    try:
        busy = ingest(["backfill", str(pages), "--out", str(out)], env, tmp_path)
    finally:
        lock.release()
    assert busy.returncode == 4 and "in use by another run" in busy.stderr
    assert not (home / "prefect.db").exists()  # no server ever started
    assert not (out / "documents").exists()

    # A real run, with no server up, starts one for itself (in that home) and reports to it.
    done = ingest(["backfill", str(pages), "--out", str(out), "--json"], env, tmp_path)
    assert done.returncode == 3, done.stderr[-3000:]
    assert json.loads(done.stdout)["written"] == 2
    assert (home / "prefect.db").exists()
    assert "ephemeral" not in done.stderr.lower()


def test_json_status_report_and_retry_rejected(
    cli_env: dict[str, str], pages: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    env = {**cli_env, "INGEST_RAW_DIR": str(pages), "INGEST_OUTPUT_DIR": str(out)}
    first = ingest(["run", "--workers", "1", "--json"], env, tmp_path)
    assert first.returncode == 3, first.stderr
    summary = json.loads(first.stdout)
    assert summary["written"] == 2 and summary["reject_reasons"] == {"empty": 1}
    assert Path(summary["report"]).is_file()

    status = ingest(["status", "--json"], env, tmp_path)
    assert status.returncode == 0, status.stderr
    held = json.loads(status.stdout)
    assert held["pages"] == {"document": 2, "reject": 1}
    assert held["reject_reasons"] == {"empty": 1}
    assert held["runs"][0]["run_id"] == summary["run_id"]
    assert "document: 2" in ingest(["status", str(out)], env, tmp_path).stdout

    report = ingest(["report", str(out), "--out", str(tmp_path / "r.html")], env, tmp_path)
    assert report.returncode == 0, report.stderr
    assert "pages per site" in (tmp_path / "r.html").read_text()

    (pages / "2024" / "empty.html").write_text("<html><body><p>" + BODY * 3 + "</p></body></html>")
    retry = ingest(["retry-rejected", "--workers", "1"], env, tmp_path)
    assert retry.returncode == 0, retry.stderr
    assert "1 pages read: 1 written, 0 rejected" in retry.stdout
    assert read_rejects(out).num_rows == 0
    assert read_documents(out).num_rows == 3
    again = ingest(["retry-rejected"], env, tmp_path)
    assert again.returncode == 0 and "no rejected pages to retry" in again.stdout


def test_quiet_prints_nothing_on_success(
    cli_env: dict[str, str], pages: Path, tmp_path: Path
) -> None:
    (pages / "2024" / "empty.html").unlink()
    args = ["backfill", str(pages), "--out", str(tmp_path / "out"), "--workers", "1", "--quiet"]
    result = ingest(args, cli_env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_a_batch_records_its_progress_page_by_page(tmp_path: Path) -> None:
    from flows.progress import ProgressWriter, pages_done, progress_file
    from ingest.batch import process_items
    from ingest.selection import work_for_file
    from ingest.settings import Settings

    pages = tmp_path / "pages"
    pages.mkdir()
    for i in range(12):
        (pages / f"p{i}.html").write_text(
            f"<html><body><article><p>Page {i}. {'A sentence of the article. ' * 20}</p>"
            "</article></body></html>"
        )
    path = progress_file(tmp_path, "run", 7)
    writer = ProgressWriter(path)
    seen: list[int] = []

    def record(done: int) -> None:
        writer(done)
        seen.append(pages_done(path))

    settings = Settings()
    items = [work_for_file(str(p), settings) for p in sorted(pages.iterdir())]
    process_items(items, settings, "run", "f", on_progress=record)
    assert seen == sorted(seen) and len(seen) >= 3  # page by page, never backwards
    assert 0 <= seen[0] < 12 and pages_done(path) == 12


def test_writing_parquet_leaves_pandas_unloaded_until_it_is_asked_for(tmp_path: Path) -> None:
    """pyarrow's first look for pandas is spared (half a second of a command's start-up); a
    pandas conversion still works afterwards."""
    code = f"""
import sys
from pathlib import Path
from flows.runtime import spare_pandas_import
from ingest import schema
from ingest.parquet_io import write_parquet_atomic
import pyarrow.parquet as pq

spare_pandas_import()
path = Path({str(tmp_path / "rows.parquet")!r})
write_parquet_atomic([], schema.REJECTS, path, {{"run_id": "r"}})
print("pandas" in sys.modules)
frame = pq.read_table(path).to_pandas()
print(type(frame).__module__.split(".")[0])
"""
    done = subprocess.run(
        [*ingest_command()[:1], "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["False", "pandas"]
