"""Progress of pages done, per page, drawn only on a terminal.

A batch task runs in another process (or on another machine of a Dask cluster, with the output
on a shared file system), so it reports its pages through a small file in the run's staging
folder: `progress-<batch>` holds how many of its pages are done. The flow adds those counts to
the pages of committed batches while it waits. The total grows as batches are submitted, so the
time left is for the pages found so far.
"""

import os
import sys
import weakref
from pathlib import Path

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress
from rich.text import Text

from flows.stopping import check_abandoned
from ingest.dataset import staging_dir


def progress_file(output: Path, run_id: str, batch: int) -> Path:
    return staging_dir(output, run_id) / f"progress-{batch:05d}"


#: a count as the progress file holds it: one write of the same size each time, so a reader
#: sees the old count or the new one, never a mix
COUNT_WIDTH = 20


class ProgressWriter:
    """Records, in the batch's progress file, how many of its records are done. Told after each
    HTML page, it is also where a batch running in a thread of the command stops once the flow
    has abandoned it."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
        self.close = weakref.finalize(self, os.close, self._fd)

    def __call__(self, done: int) -> None:
        check_abandoned()
        os.pwrite(self._fd, str(done).rjust(COUNT_WIDTH).encode(), 0)


def pages_done(path: Path) -> int:
    try:
        return int(path.read_bytes() or 0)
    except (OSError, ValueError):
        return 0


class RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.1f} pages/s" if speed else "- pages/s")


class Progress:
    def __init__(self, enabled: bool) -> None:
        self._bar: RichProgress | None = None
        self._committed = 0
        if enabled and sys.stderr.isatty():
            self._bar = RichProgress(
                TextColumn("pages"),
                BarColumn(),
                MofNCompleteColumn(),
                RateColumn(),
                TimeElapsedColumn(),
                TextColumn("left"),
                TimeRemainingColumn(),
                transient=True,
            )
            self._task = self._bar.add_task("pages", total=0)

    def __enter__(self) -> "Progress":
        if self._bar:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar:
            self._bar.stop()

    def add_total(self, pages: int) -> None:
        if self._bar:
            self._bar.update(self._task, total=(self._bar.tasks[0].total or 0) + pages)

    def committed(self, pages: int) -> None:
        self._committed += pages
        self.running(0)

    def running(self, pages: int) -> None:
        """Pages done so far in batches not yet committed."""
        if self._bar:
            self._bar.update(self._task, completed=self._committed + pages)
