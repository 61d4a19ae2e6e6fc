"""A progress bar of pages done of pages found, drawn only on a terminal."""

import sys

from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress


class Progress:
    def __init__(self, enabled: bool) -> None:
        self._bar: RichProgress | None = None
        if enabled and sys.stderr.isatty():
            self._bar = RichProgress(
                TextColumn("pages"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
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

    def advance(self, pages: int) -> None:
        if self._bar:
            self._bar.advance(self._task, pages)
