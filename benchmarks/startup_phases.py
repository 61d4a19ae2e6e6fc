"""Run one `ingest` command with clock marks at the edges of its start-up phases.

    python benchmarks/startup_phases.py MARKS.json ARG...

Runs the command line of whichever tree is first on PYTHONPATH, as `python -m flows ARG...`
would, and writes to MARKS.json the wall-clock time (`time.time()`) of each mark it reached:
the script's start, the first import of Prefect, the flow module loaded, the flow run's body
entered and left, the batch task entered and left, the page worker's child started and the
command's end (before the interpreter exits). `benchmarks/startup.py` turns them into phases.
"""

import functools
import json
import sys
import time
from collections.abc import Callable
from typing import Any

MARKS: dict[str, float] = {"script": time.time()}


def mark(name: str) -> None:
    MARKS.setdefault(name, time.time())


class _PrefectImport:
    """Marks the first import of Prefect, then steps aside."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "prefect":
            mark("prefect import")
            sys.meta_path.remove(self)


def _timed(function: Callable[..., Any], start: str, end: str) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        mark(start)
        try:
            return function(*args, **kwargs)
        finally:
            mark(end)

    return wrapper


def _instrument_flow() -> None:
    """Once the flow module is loaded (the command asks for its task runner next)."""
    from flows import ingest_flow, runtime
    from ingest.page_worker import PageWorker

    mark("flow module loaded")
    flow, task = ingest_flow.ingest_flow, ingest_flow.process_batch_task
    flow.fn = _timed(flow.fn, "flow body", "flow body end")
    task.fn = _timed(task.fn, "batch", "batch end")
    PageWorker._ensure_child = _timed(PageWorker._ensure_child, "page worker", "page worker ready")
    runtime.task_runner_for = _original_runner


def main() -> None:
    global _original_runner
    out, argv = sys.argv[1], sys.argv[2:]
    sys.meta_path.insert(0, _PrefectImport())
    from flows import cli, runtime

    _original_runner = runtime.task_runner_for

    def task_runner_for(*args: Any, **kwargs: Any) -> Any:
        _instrument_flow()
        return _original_runner(*args, **kwargs)

    runtime.task_runner_for = task_runner_for

    def save() -> None:
        mark("command end")
        with open(out, "w") as fh:
            json.dump(MARKS, fh)

    import atexit

    atexit.register(save)  # runs before the exit handlers the command registered earlier
    sys.argv = ["ingest", *argv]
    cli.main()


_original_runner: Callable[..., Any]

if __name__ == "__main__":
    main()
