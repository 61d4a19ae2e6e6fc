"""The ingest flow: discover pages, batch them, run one task per batch, commit, report."""

import hashlib
import json
import math
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import TypeVar

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture, as_completed

from flows import stopping
from flows.progress import CountingItems, Progress, pages_done, progress_file
from flows.run_artifacts import publish_run_artifacts
from ingest.batch import BatchItem, process_batch, reject_items
from ingest.dataset import BatchResult, Dataset, OutputBusy, OutputLock, new_run_id
from ingest.discovery import discover
from ingest.report import RunSummary
from ingest.selection import Selection, roots_for, select
from ingest.settings import Settings, load_settings

T = TypeVar("T")


@task(
    name="process-batch",
    retries=2,
    retry_delay_seconds=[2, 10],
    cache_policy=NO_CACHE,
    persist_result=False,
    log_prints=False,
)
def process_batch_task(
    items: list[BatchItem], settings: Settings, run_id: str, batch: int, output: str
) -> BatchResult:
    stopping.shield_worker_thread()
    counted = CountingItems(items, progress_file(Path(output), run_id, batch))
    return process_batch(counted, settings, run_id, batch, Path(output))


#: the smallest batch the end of a run is split into (each batch is a task and a Parquet file)
MIN_TAIL_BATCH = 50


_END = object()  # what ``next`` returns at the end of the input


def _no_size(_item: object) -> int:
    return 0


def batches(
    items: Iterable[T],
    size: int,
    in_flight: int = 1,
    *,
    max_bytes: int | None = None,
    size_of: Callable[[T], int] = _no_size,
) -> Iterator[list[T]]:
    """Batches of at most ``size`` items and ``max_bytes`` bytes (``size_of`` each; a batch holds
    at least one item) that shrink at the end of the input.

    A byte cap keeps a batch of large pages within memory and lets a batch of small ones hold
    more of them, so that each task's fixed cost is shared by a similar amount of work.
    With full batches to the end, one worker idles while another finishes the last one: about
    half a batch of time per worker. The end is seen ``in_flight`` batches ahead (the flow keeps
    that many submitted); from there each batch takes an ``in_flight``-th of the items left, at
    least ``MIN_TAIL_BATCH`` of them.
    """
    cap = max_bytes if max_bytes is not None else math.inf
    source = iter(items)
    buffer: deque[tuple[T, int]] = deque()
    held = 0  # bytes in the buffer
    exhausted = False
    while True:
        # look ahead in_flight + 1 batches' worth, by count and by bytes
        while (
            not exhausted and len(buffer) < size * (in_flight + 1) and held < cap * (in_flight + 1)
        ):
            item = next(source, _END)
            if item is _END:
                exhausted = True
            else:
                weight = size_of(item)
                buffer.append((item, weight))
                held += weight
        if not buffer:
            return
        take = size
        if exhausted:
            take = min(size, max(-(-len(buffer) // in_flight), MIN_TAIL_BATCH))
        batch: list[T] = []
        total = 0
        while buffer and len(batch) < take and (not batch or total + buffer[0][1] <= cap):
            item, weight = buffer.popleft()
            batch.append(item)
            total += weight
        held -= total
        yield batch


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
) -> dict[str, object]:
    """Process new or changed pages under `paths` (default: the raw folder) into `output_dir`."""
    settings = settings or load_settings()
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
            _run_locked(
                dataset, paths, reprocess, since, until, dry_run, settings, summary, show_progress
            )
        finally:
            dataset.close()
    finally:
        lock.release()
    summary.seconds = time.perf_counter() - started

    logger.info("%s", summary.headline())
    if not summary.accounted:
        logger.error("pages seen and pages accounted for differ: %s", summary.as_dict())
    if not dry_run:
        publish_run_artifacts(summary)
    return summary.as_dict()


def _run_locked(
    dataset: Dataset,
    paths: list[str],
    reprocess: bool,
    since: datetime | None,
    until: datetime | None,
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
    key = job_key(paths, since, until)
    processed_since = dataset.state.job_started_at(key) if reprocess and not dry_run else None
    counts = Selection()
    selected = select(
        discover(roots_for(paths, settings.raw_dir)),
        dataset.state,
        reprocess=reprocess,
        processed_since=processed_since,
        since=since,
        until=until,
        counts=counts,
    )
    if dry_run:
        summary.status = "dry_run"
        summary.files = [item.job.source_path for item in selected]
    else:
        dataset.state.start_run(summary.run_id, "reprocess" if reprocess else "incremental")
        try:
            _run_batches(
                selected, settings, summary.run_id, dataset.output, dataset, summary, show_progress
            )
        finally:
            dataset.discard_staging(summary.run_id)
    summary.seen, summary.skipped_unchanged = counts.seen, counts.unchanged
    summary.out_of_range = counts.out_of_range
    if not dry_run:
        dataset.state.finish_run(summary.run_id, summary.status, summary.as_dict())
        if reprocess:
            dataset.state.complete_job(key)


def _input_bytes(item: BatchItem) -> int:
    return max(item.size, 0)


def _run_batches(
    selected: Iterator[BatchItem],
    settings: Settings,
    run_id: str,
    output: Path,
    dataset: Dataset,
    summary: RunSummary,
    show_progress: bool,
) -> None:
    """Keep a bounded number of batches in flight; commit each as soon as it is done."""
    logger = get_run_logger()
    window = max(2, settings.workers * 2)
    in_flight: dict[PrefectFuture[BatchResult], tuple[int, list[BatchItem]]] = {}
    numbered = enumerate(
        batches(
            selected,
            settings.batch_size,
            window,
            max_bytes=settings.batch_bytes,
            size_of=_input_bytes,
        )
    )
    run_batch = process_batch_task.with_options(retries=settings.task_retries)
    stop = stopping.current()
    stopping.reclaim_signals()
    with Progress(enabled=show_progress) as progress:
        while True:
            for number, items in islice(numbered, 0 if stop.requested else window - len(in_flight)):
                progress.add_total(len(items))
                future = run_batch.submit(items, settings, run_id, number, str(output))
                in_flight[future] = (number, items)
            if not in_flight:
                break
            done = _next_done(in_flight, stop, progress, output, run_id)
            if done is None:  # stopping, and the running batches had their time
                stopping.abandon_running_batches()
                logger.warning(
                    "abandoned %d running batches; the next run does them", len(in_flight)
                )
                break
            number, items = in_flight.pop(done)
            try:
                result = done.result()
            except Exception as exc:  # the task failed after its retries, or its worker died
                summary.failed_batches += 1
                detail = f"batch failed after {settings.task_retries} retries: {exc!r}"[:1000]
                logger.error("batch %d: %s", number, detail)
                result = reject_items(items, run_id, number, output, detail, settings)
            files = dataset.commit(result)
            summary.add(result, files)
            progress.committed(len(items))
            logger.info(
                "batch %d: %d pages, %d written, %d rejected, %.1f s",
                result.batch,
                result.pages,
                result.written,
                result.rejected,
                result.seconds,
            )
    if stop.requested:
        summary.status = "interrupted"


POLL_S = 0.5


def _next_done(
    in_flight: dict[PrefectFuture[BatchResult], tuple[int, list[BatchItem]]],
    stop: stopping.StopRequest,
    progress: Progress,
    output: Path,
    run_id: str,
) -> PrefectFuture[BatchResult] | None:
    """The next finished batch, updating per-page progress while waiting; None once a stop
    was requested and its grace period is over."""
    while not stop.grace_over():
        waiting = as_completed(list(in_flight), timeout=POLL_S)
        try:
            return next(waiting)
        except TimeoutError:
            running = (pages_done(progress_file(output, run_id, n)) for n, _ in in_flight.values())
            progress.running(sum(running))
        finally:
            waiting.close()  # leaves its timeout scope now, not when collected
    return None
