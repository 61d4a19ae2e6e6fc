"""The ingest flow: discover pages, batch them, run one task per batch, commit, report."""

import hashlib
import json
import os
import queue
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from itertools import islice
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture

from flows import stopping
from flows.progress import Progress, ProgressWriter, pages_done, progress_file
from flows.run_artifacts import publish_run_artifacts
from flows.runtime import release_workers, spare_pandas_import
from ingest.analysis.stage import AnalysisStores
from ingest.batch import process_batch, reject_items
from ingest.batching import batches
from ingest.dataset import STATE, BatchResult, Dataset, OutputBusy, OutputLock, new_run_id
from ingest.discovery import discover
from ingest.report import RunSummary
from ingest.selection import (
    Plan,
    Selection,
    record_names,
    roots_for,
    run_plan,
    select,
    whole_roots,
)
from ingest.settings import Settings, load_settings
from ingest.state import FileState
from ingest.work import WorkItem


@task(
    name="process-batch",
    retries=2,
    retry_delay_seconds=[2, 10],
    cache_policy=NO_CACHE,
    persist_result=False,
    log_prints=False,
)
def process_batch_task(
    items: list[WorkItem],
    settings: Settings,
    run_id: str,
    batch: int,
    output: str,
    fingerprint: str,
) -> BatchResult | None:
    stopping.shield_worker_thread()
    spare_pandas_import()
    progress = ProgressWriter(progress_file(Path(output), run_id, batch))
    try:
        return process_batch(items, settings, run_id, batch, Path(output), fingerprint, progress)
    except Exception:
        if stopping.current().abandoned:  # stopped, its page worker killed: nothing is committed
            return None
        raise
    finally:
        progress.close()


def job_key(paths: list[str], since: datetime | None, until: datetime | None) -> str:
    """A reprocessing job is known again by its arguments, so a killed one resumes."""
    raw = json.dumps([sorted(os.path.abspath(p) for p in paths), str(since), str(until)])
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


@flow(name="ingest", persist_result=False, log_prints=False, validate_parameters=False)
def ingest_flow(
    paths: list[str] | None = None,
    output_dir: str | None = None,
    reprocess: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
    dry_run: bool = False,
    settings: Settings | None = None,
    show_progress: bool = False,
    stale: bool = False,
) -> dict[str, object]:
    """Process new or changed pages under `paths` (default: the raw folder) into `output_dir`."""
    settings = settings or load_settings()
    spare_pandas_import()
    logger = get_run_logger()
    output = Path(output_dir or settings.output_dir).absolute()
    paths = [str(p) for p in (paths or [settings.raw_dir])]
    run_id = new_run_id()
    summary = RunSummary(run_id=run_id, output=str(output))
    started = time.perf_counter()

    lock = OutputLock(output)
    try:
        lock.acquire(run_id)
    except OutputBusy as exc:
        logger.warning("%s", exc)
        summary.status = "busy"
        return summary.as_dict()
    try:
        dataset = Dataset(output)
        try:
            plan = run_plan(settings, reprocess=reprocess, stale=stale, since=since, until=until)
            _run_locked(dataset, paths, plan, dry_run, settings, summary, show_progress)
        finally:
            dataset.close()
    finally:
        lock.release()
    summary.seconds = time.perf_counter() - started

    logger.info("%s", summary.headline())
    if not summary.accounted:
        logger.error("pages seen and pages accounted for differ: %s", summary.as_dict())
    if not dry_run:
        release_workers()
        publish_run_artifacts(summary)
    return summary.as_dict()


def _run_locked(
    dataset: Dataset,
    paths: list[str],
    plan: Plan,
    dry_run: bool,
    settings: Settings,
    summary: RunSummary,
    show_progress: bool,
) -> None:
    """Recover, select, process and commit, while holding the output lock."""
    logger = get_run_logger()
    summary.recovered_commits = dataset.recover()
    if summary.recovered_commits:
        logger.info("finished %d commits of an interrupted run", summary.recovered_commits)
    if ended := dataset.state.end_unfinished_runs(stopping.INTERRUPTED):
        logger.info("marked %d runs whose process was gone as interrupted", ended)
    key = job_key(paths, plan.since, plan.until)
    if plan.reprocess and not dry_run:
        plan = replace(plan, processed_since=dataset.state.job_started_at(key))
    counts = Selection()
    roots = roots_for(paths, settings.raw_dir)
    selected = select(
        discover(roots),
        dataset.state,
        settings,
        plan,
        counts,
        whole_roots=whole_roots(roots),
    )
    if dry_run:
        summary.status = "dry_run"
        summary.files = [name for item in selected for name in record_names(item)]
    else:
        kind = "stale" if plan.stale else "reprocess" if plan.reprocess else "incremental"
        dataset.state.start_run(summary.run_id, kind)
        stopping.track_run(dataset.state.path, summary.run_id)
        try:
            _run_batches(selected, settings, plan.fingerprint, dataset, summary, show_progress)
        finally:
            dataset.discard_staging(summary.run_id)
        if counts.gone:
            summary.removed_missing = dataset.forget(summary.run_id, counts.gone, counts.gone_files)
            AnalysisStores(dataset.output / STATE).forget(counts.gone)
            logger.info(
                "removed %d rows of inputs gone from the raw folder", summary.removed_missing
            )
    summary.seen, summary.skipped_unchanged = (
        counts.seen,
        summary.skipped_unchanged + counts.unchanged,
    )
    summary.out_of_range = counts.out_of_range
    summary.passed_over.update(counts.passed_over)
    if not dry_run:
        dataset.state.finish_run(summary.run_id, summary.status, summary.as_dict())
        stopping.untrack_run(summary.status)
        if plan.reprocess:
            dataset.state.complete_job(key)


def _weight(item: WorkItem) -> int:
    return max(item.weight, 0)


def _records(item: WorkItem) -> int:
    return item.records


class _FileProgress:
    """Parts of each input file committed so far: a file's state is recorded once all its
    parts are, and never when one of them failed (the next run tries it again)."""

    def __init__(self) -> None:
        self.done: Counter[tuple[str, str]] = Counter()
        self.failed: set[tuple[str, str]] = set()

    def complete(self, items: list[WorkItem], failed: bool) -> list[FileState]:
        finished = []
        for item in items:
            where = (item.root, item.source_path)
            if failed:
                self.failed.add(where)
            self.done[where] += 1
            if self.done[where] == item.parts and where not in self.failed and item.file_state:
                finished.append(item.file_state)
        return finished


def _run_batches(
    selected: Iterator[WorkItem],
    settings: Settings,
    fingerprint: str,
    dataset: Dataset,
    summary: RunSummary,
    show_progress: bool,
) -> None:
    """Keep a bounded number of batches in flight; commit each as soon as it is done."""
    logger = get_run_logger()
    run_id, output = summary.run_id, dataset.output
    window = max(2, settings.workers * 2)
    in_flight: dict[PrefectFuture[BatchResult], tuple[int, list[WorkItem]]] = {}
    finished: Finished = queue.SimpleQueue()
    numbered = enumerate(
        batches(
            selected,
            settings.batch_size,
            window,
            max_bytes=settings.batch_bytes,
            size_of=_weight,
            count_of=_records,
        )
    )
    run_batch = process_batch_task.with_options(retries=settings.task_retries)
    files = _FileProgress()
    stop = stopping.current()
    stopping.reclaim_signals()
    with Progress(enabled=show_progress) as progress:
        while True:
            for number, items in islice(numbered, 0 if stop.requested else window - len(in_flight)):
                progress.add_total(sum(i.records for i in items))
                future = run_batch.submit(items, settings, run_id, number, str(output), fingerprint)
                in_flight[future] = (number, items)
                future.add_done_callback(finished.put)
            if not in_flight:
                break
            done = _next_done(finished, in_flight, stop, progress, output, run_id)
            if done is None:  # stopping, and the running batches had their time
                stopping.abandon_running_batches()
                logger.warning(
                    "abandoned %d running batches; the next run does them", len(in_flight)
                )
                break
            number, items = in_flight.pop(done)
            failed = False
            try:
                result = done.result()
            except Exception as exc:  # the task failed after its retries, or its worker died
                failed = True
                summary.failed_batches += 1
                detail = f"batch failed after {settings.task_retries} retries: {exc!r}"[:1000]
                logger.error("batch %d: %s", number, detail)
                result = reject_items(items, run_id, number, output, detail, settings, fingerprint)
            written = dataset.commit(result, fingerprint, files.complete(items, failed))
            summary.add(result, written)
            progress.committed(sum(i.records for i in items))
            logger.info(
                "batch %d: %d records, %d written, %d rejected, %d unchanged, %.1f s",
                result.batch,
                result.pages,
                result.written,
                result.rejected,
                result.unchanged,
                result.seconds,
            )
    if stop.requested:
        summary.status = "interrupted"


POLL_S = 0.5
#: batches whose futures are done, in the order they finished
Finished = queue.SimpleQueue[PrefectFuture[BatchResult]]


def _next_done(
    finished: Finished,
    in_flight: dict[PrefectFuture[BatchResult], tuple[int, list[WorkItem]]],
    stop: stopping.StopRequest,
    progress: Progress,
    output: Path,
    run_id: str,
) -> PrefectFuture[BatchResult] | None:
    """The next finished batch, updating per-page progress while waiting; None once a stop
    was requested and its grace period is over.

    Done callbacks fill a queue rather than Prefect's ``as_completed(timeout=...)``: in the
    main thread its timeout is an alarm signal, which can go off as its generator is closed
    and fail the whole run with a timeout."""
    while not stop.grace_over():
        try:
            return finished.get(timeout=POLL_S)
        except queue.Empty:
            running = (pages_done(progress_file(output, run_id, n)) for n, _ in in_flight.values())
            progress.running(sum(running))
    return None
