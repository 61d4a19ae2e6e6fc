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
#: most rows a report holds in memory: beyond, it plots an even sample of them (every k-th row
#: of each file), so reporting a run of millions of pages costs no more than one of thousands
MAX_ROWS = 50_000
#: the pages that lost the most characters, kept exactly (not sampled): this many, these columns
TOP_LOSSES = 20
LOSS_COLUMNS = ("source_path", "site", "raw_chars", "n_chars", "removed_chars")


@dataclass(slots=True)
class ReportData:
    output: Path
    run_id: str | None
    documents: pa.Table
    rejects: pa.Table
    runs: list[dict[str, Any]] = field(default_factory=list)  # newest first
    outcomes: Counter[str] = field(default_factory=Counter)  # state store: pages by outcome
    totals: "Totals" = field(default_factory=lambda: Totals())

    @property
    def sampled(self) -> bool:
        """Whether the plots are of a sample of the reported documents."""
        return self.documents.num_rows < self.totals.documents

    def has(self, column: str) -> bool:
        return column in self.documents.column_names

    @property
    def run(self) -> dict[str, Any] | None:
        """The state store's record of the reported run, when one run is reported."""
        return next((r for r in self.runs if r["run_id"] == self.run_id), None)


@dataclass(slots=True)
class Totals:
    """Exact sums over every reported row, sampled or not."""

    documents: int = 0
    rejects: int = 0
    words: int | None = None
    blocks: int | None = None  # removals recorded by the cleaner
    losses: pa.Table | None = None  # the TOP_LOSSES rows with the most removed_chars


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


def run_files(files: list[Path], run_id: str) -> list[Path]:
    """The files holding a run's rows: those named after it."""
    return [p for p in files if p.name.startswith(f"part-{run_id}-")]


def read_table(
    files: list[Path],
    wanted: tuple[str, ...],
    run_id: str | None,
    totals: Totals | None = None,
    max_rows: int = MAX_ROWS,
) -> pa.Table:
    """The wanted columns that exist, across files whose schemas may differ (missing -> null);
    past ``max_rows`` rows in all, every k-th row of each file. A ``removed`` column keeps each
    removal's rule and its length in characters (``chars``), not its text. ``totals`` is
    filled with exact counts over all rows."""
    totals = totals if totals is not None else Totals()
    if run_id is not None:
        files = run_files(files, run_id)
    readable = []
    for path in files:
        meta = pq.read_metadata(path)
        columns = [c for c in wanted if c in meta.schema.to_arrow_schema().names]
        if run_id is not None and "run_id" not in columns:
            continue
        readable.append((path, columns, meta.num_rows))
    step = max(1, -(-sum(rows for _, _, rows in readable) // max_rows))
    tables = []
    for path, columns, _ in readable:
        table = pq.read_table(path, columns=columns)
        if run_id is not None:
            table = table.filter(pc.equal(table["run_id"], run_id))
        if "removed" in columns:
            table = table.set_column(
                columns.index("removed"), "removed", removal_sizes(table["removed"])
            )
        _count(table, totals)
        tables.append(table.take(pa.array(range(0, table.num_rows, step))) if step > 1 else table)
    if not tables:
        return pa.table({})
    return pa.concat_tables(tables, promote_options="default")


def _count(table: pa.Table, totals: Totals) -> None:
    totals.documents += table.num_rows
    names = table.column_names
    if "n_words" in names:
        totals.words = (totals.words or 0) + (pc.sum(table["n_words"]).as_py() or 0)
    if "removed" in names:
        totals.blocks = (totals.blocks or 0) + len(pc.list_flatten(table["removed"]))
    if all(c in names for c in LOSS_COLUMNS):
        rows = table.select(LOSS_COLUMNS)
        if totals.losses is not None:
            rows = pa.concat_tables([totals.losses, rows], promote_options="default")
        top = pc.select_k_unstable(rows, TOP_LOSSES, [("removed_chars", "descending")])
        totals.losses = rows.take(top)


def removal_sizes(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """list<struct<rule, text>> as list<struct<rule, chars>>: a removal's size, not its text."""
    chunks = []
    for chunk in column.chunks:
        flat = chunk.flatten()
        sizes = pa.StructArray.from_arrays(
            [pc.struct_field(flat, "rule"), pc.utf8_length(pc.struct_field(flat, "text"))],
            names=["rule", "chars"],
        )
        offsets = pc.subtract(chunk.offsets, chunk.offsets[0])
        chunks.append(pa.ListArray.from_arrays(offsets, sizes, mask=chunk.is_null()))
    return pa.chunked_array(chunks, type=pa.list_(chunks[0].type.value_type) if chunks else None)


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
    totals = Totals()
    documents = read_table(data_files(output, DOCUMENTS), DOCUMENT_COLUMNS, run_id, totals)
    rejected = Totals()
    rejects = read_table(data_files(output, REJECTS), REJECT_COLUMNS, run_id, rejected)
    totals.rejects = rejected.documents
    return ReportData(
        output=output,
        run_id=run_id,
        documents=documents,
        rejects=rejects,
        runs=runs,
        outcomes=outcomes,
        totals=totals,
    )
