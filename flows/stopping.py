"""Stopping a run cleanly on SIGINT (Ctrl-C) or SIGTERM.

The first signal asks the flow to stop: it submits no more batches, waits up to
`GRACE_S` for the running ones, commits those that finished and abandons the rest (their worker
processes are killed; their pages were not recorded, so the next run does them). A second
signal exits at once. Worker processes ignore both signals (a terminal sends Ctrl-C to the whole
process group): only the command decides what to stop.
"""

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType

GRACE_S = 10.0
HANDLED = (signal.SIGINT, signal.SIGTERM)


class StopRequest:
    """Set by the first signal; read by the flow's batch loop."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self.at: float | None = None
        self._event = threading.Event()

    @property
    def requested(self) -> bool:
        return self._event.is_set()

    def request(self, signum: int) -> None:
        self.signum, self.at = signum, time.monotonic()
        self._event.set()

    def grace_over(self) -> bool:
        return self.at is not None and time.monotonic() - self.at >= GRACE_S

    @property
    def exit_code(self) -> int:
        """128 + the signal's number, as shells report it (130 for SIGINT, 143 for SIGTERM)."""
        return 128 + (self.signum or signal.SIGINT)


_current = StopRequest()


def current() -> StopRequest:
    return _current


def ignore_stop_signals() -> None:
    """For worker processes (a process pool initializer): the command stops them itself."""
    for signum in HANDLED:
        signal.signal(signum, signal.SIG_IGN)


def shield_worker_thread() -> None:
    """For a batch run in a thread of the command: block the signals in this thread, so the
    page worker processes it starts inherit them blocked (the main thread still gets them)."""
    if threading.current_thread() is not threading.main_thread():
        signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED)


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (Linux /proc), deepest last."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, queue = [], list(children.get(pid, []))
    while queue:
        child = queue.pop(0)
        found.append(child)
        queue.extend(children.get(child, []))
    return found


def kill_tree(pid: int, *, including_root: bool = True) -> None:
    for target in [*descendants(pid), *([pid] if including_root else [])]:
        with suppress(ProcessLookupError, PermissionError):
            os.kill(target, signal.SIGKILL)


def _handler(signum: int, _frame: FrameType | None) -> None:
    if _current.requested:
        # Second signal: leave now. Committed batches stand; staged files are not data.
        sys.stderr.write("ingest: stopped at once\n")
        kill_tree(os.getpid(), including_root=False)
        os._exit(_current.exit_code)
    _current.request(signum)
    sys.stderr.write(
        f"ingest: stopping: no new batches; running ones get {GRACE_S:.0f} s to finish "
        "(press Ctrl-C again to quit at once)\n"
    )


_active = False  # whether a command handles the signals (not so in a scheduled run)


@contextmanager
def stop_on_signals() -> Iterator[StopRequest]:
    """Handle SIGINT and SIGTERM as stop requests while the block runs (main thread only)."""
    global _active
    previous = {signum: signal.signal(signum, _handler) for signum in HANDLED}
    _active = True
    try:
        yield _current
    finally:
        _active = False
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def reclaim_signals() -> None:
    """Handle the signals again inside a flow run of a command: Prefect's engine turns SIGTERM
    into an abort of the run, which would lose the running batches' work. It restores the
    handler it found when the run ends."""
    if _active and threading.current_thread() is threading.main_thread():
        for signum in HANDLED:
            signal.signal(signum, _handler)


def abandon_running_batches() -> None:
    """Kill the process pool's workers (and their page workers) of the current flow run."""
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    executor = getattr(context.task_runner, "_executor", None) if context else None
    processes = getattr(executor, "_processes", None) or {}
    for pid in list(processes):
        kill_tree(pid)
