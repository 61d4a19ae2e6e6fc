"""What the command line reads from a dataset without running a flow: a dry run's plan, the
pages to retry, the state store's status."""

import os
from collections import Counter
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

from flows.stopping import INTERRUPTED
from ingest.dataset import REJECTS, Dataset, OutputBusy, OutputLock, new_run_id
from ingest.decoding import PageFormat, sniff_format
from ingest.discovery import Candidate, discover
from ingest.readers import PLAIN, kind_of, read_head
from ingest.report import RunSummary
from ingest.report_data import data_files, read_state, read_table
from ingest.selection import Selection, record_names, roots_for, run_plan, select, whole_roots
from ingest.settings import Settings

LAST_RUNS = 5
# Up to this many candidate files holding this many bytes, and unless a task runner was asked
# for, a run's one batch runs in a thread of the command instead of a process pool: starting a
# pool worker (which imports Prefect and the pipeline) costs more than such a batch. Its HTML is
# still extracted in page worker processes. The byte cap keeps a container of many records out.
SMALL_RUN_PAGES = 20
SMALL_RUN_BYTES = 2 * 1024 * 1024


def small_run_files(paths: list[str], raw_dir: Path) -> list[Candidate] | None:
    """The candidate files of a small run, or None when the run is not small."""
    found = list(islice(discover(roots_for(paths, raw_dir)), SMALL_RUN_PAGES + 1))
    if len(found) <= SMALL_RUN_PAGES and sum(c.size for c in found) <= SMALL_RUN_BYTES:
        return found
    return None


def may_hold_html(files: list[Candidate]) -> bool:
    """Whether any file is an HTML page or a container (whose records may be HTML), judged by
    its first bytes as the batch will judge it."""
    for candidate in files:
        try:
            head = read_head(Path(candidate.path))
        except OSError:
            continue
        if kind_of(head) != PLAIN or sniff_format(head) is PageFormat.html:
            return True
    return False


def plan(
    settings: Settings,
    paths: list[str],
    *,
    reprocess: bool = False,
    stale: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    """The records a run over `paths` would process (a dry run's summary); writes no data."""
    output = Path(settings.output_dir).absolute()
    summary = RunSummary(run_id=new_run_id(), output=str(output), status="dry_run")
    lock = OutputLock(output)
    lock.acquire(summary.run_id)
    try:
        dataset = Dataset(output)
        try:
            counts = Selection()
            roots = roots_for(paths, settings.raw_dir)
            selection = run_plan(
                settings, reprocess=reprocess, stale=stale, since=since, until=until
            )
            selected = select(
                discover(roots), dataset.state, settings, selection, counts,
                whole_roots=whole_roots(roots),
            )  # fmt: skip
            summary.files = [name for item in selected for name in record_names(item)]
        finally:
            dataset.close()
    finally:
        lock.release()
    summary.seen, summary.skipped_unchanged = counts.seen, counts.unchanged
    summary.out_of_range = counts.out_of_range
    summary.passed_over.update(counts.passed_over)
    return summary.as_dict()


def rejected_pages(settings: Settings) -> tuple[list[str], int]:
    """Files of the raw folder with records last rejected, and how many files with rejected
    records are not there (under other roots, or gone)."""
    import sqlite3

    state = Path(settings.output_dir) / "_state" / "state.sqlite"
    if not state.exists():
        return [], 0
    db = sqlite3.connect(f"file:{state.absolute()}?mode=ro", uri=True, timeout=30)
    try:
        rows = db.execute(
            "SELECT DISTINCT root, source_path FROM records WHERE outcome = 'reject'"
        ).fetchall()
    finally:
        db.close()
    raw = os.path.abspath(settings.raw_dir)
    found = [Path(root) / source_path for root, source_path in rows]
    present = sorted(
        str(p) for (root, _), p in zip(rows, found, strict=True) if root == raw and p.is_file()
    )
    return present, len(found) - len(present)


def output_busy(output: Path) -> bool:
    """Whether a run holds the output folder (the lock is released when its process ends)."""
    if not (output / "_state").is_dir():
        return False
    lock = OutputLock(output)
    try:
        lock.acquire("probe")
    except OutputBusy:
        return True
    lock.release()
    return False


def dataset_status(output: Path) -> dict[str, Any]:
    runs, outcomes = read_state(output)
    if any(run["status"] == "running" for run in runs) and not output_busy(output):
        for run in runs:  # no process holds the output: the next run records them so
            if run["status"] == "running":
                run["status"] = INTERRUPTED
    rejects = read_table(data_files(output, REJECTS), ("reason",), None)
    reasons = Counter(rejects["reason"].to_pylist()) if rejects.num_rows else Counter()
    return {
        "output": str(output),
        "pages": dict(outcomes.most_common()),
        "reject_reasons": dict(reasons.most_common()),
        "runs": runs[:LAST_RUNS],
    }
