"""What a data-quality report reads: the dataset's Parquet (only the columns it plots) and the
state store's runs and page outcomes. Columns a dataset lacks are simply absent from the table."""

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ingest.dataset import DOCUMENTS, REJECTS, STATE

DOCUMENT_COLUMNS = (
    "doc_id",
    "source_path",
    "title",
    "site",
    "format",
    "language",
    "language_declared",
    "n_chars",
    "n_words",
    "raw_chars",
    "removed",
    "removed_chars",
    "text_sha256",
    "duplicate_of",
    "near_duplicate_cluster",
    "quality",
    "record_key",
    "run_id",
)
REJECT_COLUMNS = ("source_path", "reason", "detail", "run_id")


@dataclass(slots=True)
class ReportData:
    output: Path
    run_id: str | None
    documents: pa.Table
    rejects: pa.Table
    runs: list[dict[str, Any]] = field(default_factory=list)  # newest first
    outcomes: Counter[str] = field(default_factory=Counter)  # state store: pages by outcome

    def has(self, column: str) -> bool:
        return column in self.documents.column_names

    @property
    def run(self) -> dict[str, Any] | None:
        """The state store's record of the reported run, when one run is reported."""
        return next((r for r in self.runs if r["run_id"] == self.run_id), None)


def data_files(output: Path, table: str) -> list[Path]:
    """Committed files only: names starting with `.` or `_` are not data."""
    root = output / table
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.rglob("*.parquet")
        if not any(part.startswith((".", "_")) for part in p.relative_to(root).parts)
    )


def read_table(files: list[Path], wanted: tuple[str, ...], run_id: str | None) -> pa.Table:
    """The wanted columns that exist, across files whose schemas may differ (missing -> null)."""
    tables = []
    if run_id is not None:  # a run's rows are in the files named after it
        files = [p for p in files if p.name.startswith(f"part-{run_id}-")]
    for path in files:
        names = set(pq.read_schema(path).names)
        columns = [c for c in wanted if c in names]
        if run_id is not None and "run_id" not in columns:
            continue
        table = pq.read_table(path, columns=columns)
        if run_id is not None:
            table = table.filter(pc.equal(table["run_id"], run_id))
        tables.append(table)
    if not tables:
        return pa.table({})
    return pa.concat_tables(tables, promote_options="default")


def read_state(output: Path) -> tuple[list[dict[str, Any]], Counter[str]]:
    """Runs (newest first, summary parsed) and pages by outcome; empty without a state store."""
    path = output / STATE / "state.sqlite"
    if not path.exists():
        return [], Counter()
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        rows = db.execute(
            "SELECT run_id, kind, started_at, finished_at, status, summary FROM runs "
            "ORDER BY started_at DESC"
        ).fetchall()
        outcomes = Counter(dict(db.execute("SELECT outcome, count(*) FROM records GROUP BY 1")))
    finally:
        db.close()
    keys = ("run_id", "kind", "started_at", "finished_at", "status")
    runs = [{**dict(zip(keys, row[:5], strict=True)), "summary": _json(row[5])} for row in rows]
    return runs, outcomes


def _json(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def load_report_data(output: Path, run_id: str | None = None) -> ReportData:
    runs, outcomes = read_state(output)
    return ReportData(
        output=output,
        run_id=run_id,
        documents=read_table(data_files(output, DOCUMENTS), DOCUMENT_COLUMNS, run_id),
        rejects=read_table(data_files(output, REJECTS), REJECT_COLUMNS, run_id),
        runs=runs,
        outcomes=outcomes,
    )
