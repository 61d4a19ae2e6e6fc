"""What the command line reads from a dataset without running a flow: a dry run's plan, the
pages to retry, the state store's status."""

import os
from collections import Counter
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

from ingest.dataset import REJECTS, Dataset, OutputLock, new_run_id
from ingest.discovery import discover
from ingest.report import RunSummary
from ingest.report_data import data_files, read_state, read_table
from ingest.selection import Selection, roots_for, select
from ingest.settings import Settings

LAST_RUNS = 5
# Up to this many candidate pages, and unless a task runner was asked for, a run's one batch runs
# in a thread of the command instead of a process pool: starting a pool worker (which imports
# Prefect and the pipeline) costs more than such a batch. Its pages are still processed in page
# worker processes.
SMALL_RUN_PAGES = 20


def is_small_run(paths: list[str], raw_dir: Path) -> bool:
    found = islice(discover(roots_for(paths, raw_dir)), SMALL_RUN_PAGES + 1)
    return sum(1 for _ in found) <= SMALL_RUN_PAGES


def plan(
    settings: Settings,
    paths: list[str],
    *,
    reprocess: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    """The pages a run over `paths` would process (a dry run's summary); writes no data."""
    output = Path(settings.output_dir).absolute()
    summary = RunSummary(run_id=new_run_id(), output=str(output), status="dry_run")
    lock = OutputLock(output)
    lock.acquire(summary.run_id)
    try:
        dataset = Dataset(output)
        try:
            counts = Selection()
            selected = select(
                discover(roots_for(paths, settings.raw_dir)),
                dataset.state,
                reprocess=reprocess,
                processed_since=None,
                since=since,
                until=until,
                counts=counts,
            )
            summary.files = [item.job.source_path for item in selected]
        finally:
            dataset.close()
    finally:
        lock.release()
    summary.seen, summary.skipped_unchanged = counts.seen, counts.unchanged
    summary.out_of_range = counts.out_of_range
    return summary.as_dict()


def rejected_pages(settings: Settings) -> tuple[list[str], int]:
    """Files of the raw folder whose pages were last rejected, and how many rejected pages are
    not there (from other roots, or gone)."""
    import sqlite3

    state = Path(settings.output_dir) / "_state" / "state.sqlite"
    if not state.exists():
        return [], 0
    db = sqlite3.connect(f"file:{state.absolute()}?mode=ro", uri=True, timeout=30)
    try:
        rows = db.execute("SELECT source_path FROM pages WHERE outcome = 'reject'").fetchall()
    finally:
        db.close()
    raw = Path(os.path.abspath(settings.raw_dir))
    found = [raw / row[0] for row in rows]
    present = sorted(str(p) for p in found if p.is_file())
    return present, len(found) - len(present)


def dataset_status(output: Path) -> dict[str, Any]:
    runs, outcomes = read_state(output)
    rejects = read_table(data_files(output, REJECTS), ("reason",), None)
    reasons = Counter(rejects["reason"].to_pylist()) if rejects.num_rows else Counter()
    return {
        "output": str(output),
        "pages": dict(outcomes.most_common()),
        "reject_reasons": dict(reasons.most_common()),
        "runs": runs[:LAST_RUNS],
    }
