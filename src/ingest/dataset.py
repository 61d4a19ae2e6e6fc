"""The output dataset: its layout, the run lock, and committing batches so readers never see
half a file or a page twice.

    OUTPUT/documents/ingest_date=YYYY-MM-DD/part-<run_id>-<batch>.parquet
    OUTPUT/rejects/ingest_date=YYYY-MM-DD/part-<run_id>-<batch>.parquet
    OUTPUT/_staging/<run_id>/...      batch files not yet committed
    OUTPUT/_state/state.sqlite        the state store
    OUTPUT/_state/lock                held by the one run writing here

A batch commits in three steps, journalled in the state store first so a killed run's commit is
finished by the next run: (1) rows of its pages in older files are removed, (2) its staged
files are renamed into place, (3) the state store records its pages.
"""

import fcntl
import os
import shutil
from collections.abc import Iterable
from dataclasses import asdict, astuple, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from ingest.parquet_io import fsync_dir, rewrite_without
from ingest.state import FileState, RecordState, StateStore, now_iso

DOCUMENTS = "documents"
REJECTS = "rejects"
STAGING = "_staging"
STATE = "_state"
FORGET_BATCH = -1  # the journal's batch number for removing rows of inputs that are gone


class OutputBusy(RuntimeError):
    """Another run holds the output folder."""


@dataclass(slots=True)
class RecordOutcome:
    """What a batch says of one processed record: the leading fields of its state store row
    (`RecordState`), which the commit completes."""

    doc_id: str
    root: str
    source_path: str
    record_key: str
    record_offset: int
    sha256: str | None
    outcome: str  # "document" or "reject"


@dataclass(slots=True)
class BatchResult:
    """Paths and counts a batch task hands back to the flow."""

    run_id: str
    batch: int
    pages: int = 0
    written: int = 0
    rejected: int = 0
    unchanged: int = 0
    reject_reasons: dict[str, int] = field(default_factory=dict)
    removed_chars: dict[str, int] = field(default_factory=dict)
    input_bytes: int = 0
    documents_file: str | None = None
    rejects_file: str | None = None
    records: list[RecordOutcome] = field(default_factory=list)
    seconds: float = 0.0


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + os.urandom(3).hex()


def staging_dir(output: Path, run_id: str) -> Path:
    return output / STAGING / run_id


def staged_file(output: Path, run_id: str, table: str, batch: int) -> Path:
    return staging_dir(output, run_id) / f"{table}-{batch:05d}.parquet"


def final_file(table: str, run_id: str, batch: int, day: str) -> str:
    """Relative to the output folder; made from fixed parts, never from page content."""
    return f"{table}/ingest_date={day}/part-{run_id}-{batch:05d}.parquet"


class OutputLock:
    """An exclusive lock on the output folder for the length of a run."""

    def __init__(self, output: Path) -> None:
        self.path = output / STATE / "lock"
        self._fh: IO[str] | None = None

    def acquire(self, run_id: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = self.path.open("a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            fh.close()
            raise OutputBusy(
                f"another ingest run is writing to {self.path.parent.parent} "
                f"({holder}); try again when it has finished"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"run {run_id}, pid {os.getpid()}, since {now_iso()}")
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


class Dataset:
    """The output folder of one run, opened under its lock."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.state = StateStore(output / STATE / "state.sqlite")

    def close(self) -> None:
        self.state.close()

    def recover(self) -> int:
        """Finish commits a killed run left half done, and drop its uncommitted files."""
        pending = self.state.pending()
        for run_id, batch, plan in pending:
            self._apply(run_id, batch, plan)
        shutil.rmtree(self.output / STAGING, ignore_errors=True)
        for table in (DOCUMENTS, REJECTS):
            for stray in (self.output / table).glob("**/.*.tmp"):
                stray.unlink(missing_ok=True)
        return len(pending)

    def discard_staging(self, run_id: str) -> None:
        shutil.rmtree(staging_dir(self.output, run_id), ignore_errors=True)

    def commit(
        self, result: BatchResult, fingerprint: str, files: Iterable[FileState] = ()
    ) -> list[str]:
        """Publish a staged batch, and the state of the input files it completes; returns the
        data files it added."""
        day = datetime.now(UTC).date().isoformat()
        moves: list[tuple[str, str]] = []
        if result.documents_file:
            moves.append(
                (result.documents_file, final_file(DOCUMENTS, result.run_id, result.batch, day))
            )
        if result.rejects_file:
            moves.append(
                (result.rejects_file, final_file(REJECTS, result.run_id, result.batch, day))
            )
        by_outcome = {
            "document": moves[0][1] if result.documents_file else None,
            "reject": moves[-1][1] if result.rejects_file else None,
        }
        stamp = now_iso()
        records = [
            asdict(
                RecordState(
                    *astuple(r), by_outcome[r.outcome] or "", result.run_id, stamp, fingerprint
                )
            )
            for r in result.records
        ]
        new_files = {dst for _, dst in moves}
        prune = {
            file: sorted(ids)
            for file, ids in self.state.files_holding(r.doc_id for r in result.records).items()
            if file not in new_files
        }
        plan = {
            "moves": moves,
            "prune": prune,
            "records": records,
            "files": [asdict(f) for f in files],
        }
        self.state.add_pending(result.run_id, result.batch, plan)
        self._apply(result.run_id, result.batch, plan)
        return [dst for _, dst in moves]

    def forget(self, run_id: str, doc_ids: list[str], files: list[tuple[str, str]]) -> int:
        """Remove the rows of records gone from the input, and their state; returns rows
        removed. Journalled like a batch, so a killed run's removal is finished by the next."""
        prune = {file: sorted(ids) for file, ids in self.state.files_holding(doc_ids).items()}
        plan = {"moves": [], "prune": prune, "forget": doc_ids, "forget_files": files}
        self.state.add_pending(run_id, FORGET_BATCH, plan)
        self._apply(run_id, FORGET_BATCH, plan)
        return sum(len(ids) for ids in prune.values())

    def _apply(self, run_id: str, batch: int, plan: dict[str, Any]) -> None:
        # Older rows go first: a reader may briefly miss a page being replaced, never see it twice.
        for file, doc_ids in plan["prune"].items():
            rewrite_without(self.output / file, set(doc_ids))
        for src, dst in plan["moves"]:
            target = self.output / dst
            if Path(src).exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, target)
                fsync_dir(target.parent)
        with self.state.transaction() as db:
            self.state.record(db, [RecordState(**r) for r in plan.get("records", [])])
            self.state.record_file(db, [FileState(**f) for f in plan.get("files", [])])
            if plan.get("forget") or plan.get("forget_files"):
                files = [tuple(f) for f in plan.get("forget_files", [])]
                self.state.forget(db, plan.get("forget", []), files)
            self.state.clear_pending(db, run_id, batch)
