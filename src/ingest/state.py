"""The state store: what each input file and each record was when last processed, and commits in
progress.

One SQLite file beside the output (`_state/state.sqlite`). Only the run holding the output lock
writes to it; every change is one transaction. Records are keyed by `doc_id`, which is derived
from where the record is (root, path under it, key within the file), so look-ups stay indexed
point queries however large the store grows.
"""

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

#: the layout below; a store of another version is refused rather than misread
STATE_VERSION = "2"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
    root TEXT NOT NULL,             -- absolute path of the folder the file is named under
    source_path TEXT NOT NULL,      -- relative to root
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    container TEXT NOT NULL,        -- plain, warc, arc, jsonl
    pages INTEGER NOT NULL,         -- page records it held
    passed_over TEXT NOT NULL,      -- JSON: records that are not pages, by kind
    PRIMARY KEY (root, source_path)
);
CREATE TABLE IF NOT EXISTS records (
    doc_id TEXT PRIMARY KEY,
    root TEXT NOT NULL,
    source_path TEXT NOT NULL,
    record_key TEXT NOT NULL,       -- '' for a plain file
    record_offset INTEGER NOT NULL, -- where the record starts in its file
    sha256 TEXT,                    -- of the record's payload; NULL: process it again next time
    outcome TEXT NOT NULL,          -- 'document' or 'reject'
    file TEXT NOT NULL,             -- data file holding its row, relative to the output folder
    run_id TEXT NOT NULL,
    processed_at TEXT NOT NULL,
    fingerprint TEXT NOT NULL       -- of the cleaning that made the row
);
CREATE INDEX IF NOT EXISTS records_file ON records (file);
CREATE INDEX IF NOT EXISTS records_source ON records (root, source_path);
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
    plan TEXT NOT NULL,             -- JSON: files to publish, rows to prune, state to record
    PRIMARY KEY (run_id, batch)
);
"""

CHUNK = 500  # SQLite's bound-parameter limit is 999 on older builds


class StateVersionError(RuntimeError):
    """The output folder's state store was written by an incompatible version."""


@dataclass(frozen=True, slots=True)
class FileState:
    root: str
    source_path: str
    size: int
    mtime_ns: int
    container: str
    pages: int
    passed_over: str  # JSON object


@dataclass(frozen=True, slots=True)
class RecordState:
    doc_id: str
    root: str
    source_path: str
    record_key: str
    record_offset: int
    sha256: str | None
    outcome: str
    file: str
    run_id: str
    processed_at: str
    fingerprint: str


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


class StateStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, timeout=60, isolation_level=None)
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self._check_version()
            self.db.executescript(SCHEMA)
            self.db.execute(
                "INSERT OR IGNORE INTO meta VALUES ('state_version', ?)", (STATE_VERSION,)
            )
        except (sqlite3.Error, StateVersionError):
            self.db.close()
            raise

    def _check_version(self) -> None:
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master")}
        if "pages" in tables and "records" not in tables:
            raise StateVersionError(
                f"{self.path} was written by ingest 0.2, whose page ids this version does not "
                "share; write to a new output folder (or remove this one) to start afresh"
            )
        if "meta" in tables:
            row = self.db.execute("SELECT value FROM meta WHERE key = 'state_version'").fetchone()
            if row and row[0] != STATE_VERSION:
                raise StateVersionError(
                    f"{self.path} has state version {row[0]}, this ingest reads {STATE_VERSION}"
                )

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

    # files
    def files(self, root: str, source_paths: Iterable[str]) -> dict[str, FileState]:
        found: dict[str, FileState] = {}
        for chunk in _chunks(list(source_paths)):
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT * FROM files WHERE root = ? AND source_path IN ({marks})", [root, *chunk]
            )
            for row in rows:
                found[row[1]] = FileState(*row)
        return found

    def file_paths(self, root: str) -> Iterator[str]:
        """Every file recorded under a root (for noticing deleted inputs)."""
        rows = self.db.execute("SELECT source_path FROM files WHERE root = ?", (root,))
        for (source_path,) in rows:
            yield source_path

    def record_file(self, db: sqlite3.Connection, files: Iterable[FileState]) -> None:
        db.executemany(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)", map(astuple, files)
        )

    # records
    def records(self, doc_ids: Iterable[str]) -> dict[str, RecordState]:
        found: dict[str, RecordState] = {}
        for chunk in _chunks(list(doc_ids)):
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(f"SELECT * FROM records WHERE doc_id IN ({marks})", chunk):
                found[row[0]] = RecordState(*row)
        return found

    def records_of_file(self, root: str, source_path: str) -> list[RecordState]:
        rows = self.db.execute(
            "SELECT * FROM records WHERE root = ? AND source_path = ? ORDER BY record_offset",
            (root, source_path),
        )
        return [RecordState(*row) for row in rows]

    def files_holding(self, doc_ids: Iterable[str]) -> dict[str, set[str]]:
        """Data files that hold rows of these documents: file -> doc_ids."""
        out: dict[str, set[str]] = {}
        for chunk in _chunks(list(doc_ids)):
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT file, doc_id FROM records WHERE doc_id IN ({marks})", chunk
            )
            for file, doc_id in rows:
                out.setdefault(file, set()).add(doc_id)
        return out

    def record(self, db: sqlite3.Connection, records: Iterable[RecordState]) -> None:
        db.executemany(
            "INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            map(astuple, records),
        )

    def forget(
        self, db: sqlite3.Connection, doc_ids: Iterable[str], files: Iterable[tuple[str, str]]
    ) -> None:
        """Records and files that are gone from the input."""
        for chunk in _chunks(list(doc_ids)):
            marks = ",".join("?" * len(chunk))
            db.execute(f"DELETE FROM records WHERE doc_id IN ({marks})", chunk)
        db.executemany("DELETE FROM files WHERE root = ? AND source_path = ?", list(files))

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

    def end_unfinished_runs(self, status: str) -> int:
        """Give runs still marked running (their process is gone: the caller holds the output
        lock) a final status; returns how many."""
        with self.transaction() as db:
            return db.execute(
                "UPDATE runs SET finished_at = ?, status = ? WHERE status = 'running'",
                (now_iso(), status),
            ).rowcount

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
