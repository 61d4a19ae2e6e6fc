"""Stopping a run cleanly on SIGINT (Ctrl-C) or SIGTERM.

The first signal asks the flow to stop: it submits no more batches, waits up to
`GRACE_S` for the running ones, commits those that finished and abandons the rest (their worker
processes are killed, or a batch running in a thread stops before its next page; their pages
were not recorded, so the next run does them). A second signal exits at once, marking the run
interrupted on the way out. Worker processes do not see the terminal's Ctrl-C (a terminal sends
it to the whole process group): only the command decides what to stop.
"""

import json
import os
import signal
import sqlite3
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

GRACE_S = 10.0
HANDLED = (signal.SIGINT, signal.SIGTERM)
# What marking a run interrupted may cost on the way out, each of the state store and the API.
MARK_TIMEOUT_S = 1.0
INTERRUPTED = "interrupted"


class BatchAbandoned(Exception):
    """Raised in a batch running in a thread of the command once the flow has abandoned it."""


class StopRequest:
    """Set by the first signal; read by the flow's batch loop."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self.at: float | None = None
        self.abandoned = False
        self._event = threading.Event()

    @property
    def requested(self) -> bool:
        return self._event.is_set()

    def request(self, signum: int) -> None:
        self.signum, self.at = signum, time.monotonic()
        self._event.set()

    def abandon(self) -> None:
        """Batches still running in threads of this process stop before their next page."""
        self.abandoned = True

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
        block_stop_signals()


def block_stop_signals() -> set[signal.Signals]:
    """Block SIGINT and SIGTERM in this thread; returns the mask it had. multiprocessing's
    resource tracker unblocks both in the thread that starts it, so it is started first."""
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()
    return signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED)


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


@dataclass(frozen=True, slots=True)
class TrackedRun:
    """The run a command is making: where it is recorded, to mark it if the command is killed."""

    state_store: Path
    run_id: str
    flow_run_id: str | None
    api_url: str | None


_tracked: TrackedRun | None = None


def track_run(state_store: Path, run_id: str) -> None:
    """Called by the flow once its run is recorded as running (in a command's flow run)."""
    global _tracked
    if not _active:
        return
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    flow_run = context.flow_run if context else None
    _tracked = TrackedRun(
        state_store,
        run_id,
        str(flow_run.id) if flow_run else None,
        os.environ.get("PREFECT_API_URL"),
    )


def untrack_run(status: str) -> None:
    """Called by the flow once its run is recorded as finished, with its ``status``."""
    global _tracked, _finished
    _tracked, _finished = None, _tracked if status == INTERRUPTED else None


#: the run the flow has just recorded as interrupted, until its flow run is cancelled
_finished: TrackedRun | None = None


def cancel_stopped_flow_run(message: str) -> None:
    """The flow run of a run that a signal stopped ends Cancelled in Prefect, as the state store
    has it interrupted (Prefect has it Completed: the flow returned normally)."""
    if _finished is not None:
        cancel_flow_run(_finished, message, timeout=5.0)


def cancel_flow_run(run: TrackedRun, message: str, timeout: float) -> None:
    if not (run.flow_run_id and run.api_url):
        return
    state = {"type": "CANCELLED", "name": "Cancelled", "message": message}
    request = urllib.request.Request(
        f"{run.api_url}/flow_runs/{run.flow_run_id}/set_state",
        data=json.dumps({"state": state, "force": True}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with suppress(OSError, ValueError):
        urllib.request.urlopen(request, timeout=timeout).close()


def mark_interrupted(run: TrackedRun) -> None:
    """Record the run as interrupted in the state store and as Cancelled in Prefect, each
    within MARK_TIMEOUT_S: what cannot be done in time is left to the next command (status and
    every run mark runs whose process is gone)."""
    from ingest.state import now_iso

    with suppress(sqlite3.Error):
        db = sqlite3.connect(run.state_store, timeout=MARK_TIMEOUT_S)
        try:
            with db:
                db.execute(
                    "UPDATE runs SET finished_at = ?, status = ? "
                    "WHERE run_id = ? AND status = 'running'",
                    (now_iso(), INTERRUPTED, run.run_id),
                )
        finally:
            db.close()
    cancel_flow_run(run, "stopped at once", MARK_TIMEOUT_S)


def _handler(signum: int, _frame: FrameType | None) -> None:
    if _current.requested:
        # Second signal: leave now. Committed batches stand; staged files are not data.
        sys.stderr.write("ingest: stopped at once\n")
        if _tracked is not None:
            mark_interrupted(_tracked)
        elif _finished is not None:  # recorded interrupted, its flow run not cancelled yet
            cancel_flow_run(_finished, "stopped at once", MARK_TIMEOUT_S)
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
    """Kill the process pool's workers (and their page workers) of the current flow run; a
    batch running in a thread of this process is told to stop and its page worker is killed,
    so that it stops before its next page."""
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    executor = getattr(context.task_runner, "_executor", None) if context else None
    processes = getattr(executor, "_processes", None) or {}
    for pid in list(processes):
        kill_tree(pid)
    _current.abandon()
    if server := forkserver_pid():
        kill_tree(server)


def forkserver_pid() -> int | None:
    """The process this process's page workers are forked from, if it was started."""
    from multiprocessing import forkserver

    return getattr(forkserver._forkserver, "_forkserver_pid", None)


def check_abandoned() -> None:
    """Between two pages of a batch running in a thread of the command."""
    if _current.abandoned and threading.current_thread() is not threading.main_thread():
        raise BatchAbandoned
