"""The state store: what each page was when last processed, and commits in progress.

One SQLite file beside the output (`_state/state.sqlite`). Only the run holding the output
lock writes to it; every change is one transaction.
"""

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    source_path TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    sha256 TEXT,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    outcome TEXT NOT NULL,          -- 'document' or 'reject'
    file TEXT NOT NULL,             -- data file holding its row, relative to the output folder
    run_id TEXT NOT NULL,
    processed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS pages_file ON pages (file);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    summary TEXT
);
CREATE TABLE IF NOT EXISTS jobs (
    job_key TEXT PRIMARY KEY,       -- a backfill's arguments, hashed
    started_at TEXT NOT NULL,
    completed_at TEXT
);
CREATE TABLE IF NOT EXISTS pending (
    run_id TEXT NOT NULL,
    batch INTEGER NOT NULL,
    plan TEXT NOT NULL,             -- JSON: files to publish, rows to prune, pages to record
    PRIMARY KEY (run_id, batch)
);
"""


@dataclass(frozen=True, slots=True)
class PageState:
    source_path: str
    doc_id: str
    sha256: str | None
    size: int
    mtime_ns: int
    outcome: str
    file: str
    run_id: str
    processed_at: str


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class StateStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, timeout=60, isolation_level=None)
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.executescript(SCHEMA)
        except sqlite3.Error:
            self.db.close()
            raise

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def pages(self, source_paths: Iterable[str]) -> dict[str, PageState]:
        keys = list(source_paths)
        found: dict[str, PageState] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(f"SELECT * FROM pages WHERE source_path IN ({marks})", chunk)
            for row in rows:
                found[row[0]] = PageState(*row)
        return found

    def files_holding(self, doc_ids: Iterable[str]) -> dict[str, set[str]]:
        """Data files that hold rows of these documents: file -> doc_ids."""
        ids = list(doc_ids)
        out: dict[str, set[str]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT file, doc_id FROM pages WHERE doc_id IN ({marks})", chunk
            )
            for file, doc_id in rows:
                out.setdefault(file, set()).add(doc_id)
        return out

    def touch(self, source_path: str, size: int, mtime_ns: int) -> None:
        """The file's stat changed but its content did not."""
        with self.transaction() as db:
            db.execute(
                "UPDATE pages SET size = ?, mtime_ns = ? WHERE source_path = ?",
                (size, mtime_ns, source_path),
            )

    def record(self, db: sqlite3.Connection, pages: Iterable[PageState]) -> None:
        db.executemany(
            "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    p.source_path,
                    p.doc_id,
                    p.sha256,
                    p.size,
                    p.mtime_ns,
                    p.outcome,
                    p.file,
                    p.run_id,
                    p.processed_at,
                )
                for p in pages
            ],
        )

    # commits in progress
    def add_pending(self, run_id: str, batch: int, plan: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO pending VALUES (?, ?, ?)", (run_id, batch, json.dumps(plan))
            )

    def pending(self) -> list[tuple[str, int, dict[str, Any]]]:
        rows = self.db.execute("SELECT run_id, batch, plan FROM pending ORDER BY run_id, batch")
        return [(r, b, json.loads(p)) for r, b, p in rows]

    def clear_pending(self, db: sqlite3.Connection, run_id: str, batch: int) -> None:
        db.execute("DELETE FROM pending WHERE run_id = ? AND batch = ?", (run_id, batch))

    # runs and resumable jobs
    def start_run(self, run_id: str, kind: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, NULL, 'running', NULL)",
                (run_id, kind, now_iso()),
            )

    def finish_run(self, run_id: str, status: str, summary: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE run_id = ?",
                (now_iso(), status, json.dumps(summary), run_id),
            )

    def job_started_at(self, job_key: str) -> str:
        """When this job first started; a job not completed yet keeps its first start."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT started_at, completed_at FROM jobs WHERE job_key = ?", (job_key,)
            ).fetchone()
            if row and row[1] is None:
                return row[0]
            started = now_iso()
            db.execute("INSERT OR REPLACE INTO jobs VALUES (?, ?, NULL)", (job_key, started))
            return started

    def complete_job(self, job_key: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE jobs SET completed_at = ? WHERE job_key = ?", (now_iso(), job_key))
