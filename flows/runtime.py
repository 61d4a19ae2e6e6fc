"""Where flows run: the Prefect API they report to and the task runner that runs batches."""

import atexit
import os
import signal
import sys
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from flows.server import TemporaryServer, running_server, server_home

if TYPE_CHECKING:
    from prefect.task_runners import TaskRunner

    from ingest.settings import Settings

LOG_LEVEL_ENV = "INGEST_LOG_LEVEL"
DASK_PRELOAD = "flows.dask_worker"


def prepare_environment(log_level: str | None = None) -> None:
    """Quiet defaults for Prefect, set before it is imported anywhere else.

    Prefect's console shows warnings and errors only unless asked for more; what is sent to
    the API (and shown in the UI) is not reduced.
    """
    os.environ.setdefault("PREFECT_HOME", str(server_home()))
    Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    level = (log_level or os.environ.get(LOG_LEVEL_ENV) or "WARNING").upper()
    os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] = level


def find_api() -> str | None:
    """The configured server (PREFECT_API_URL), else the background server if it is up."""
    if url := os.environ.get("PREFECT_API_URL"):
        return url
    if address := running_server():
        os.environ["PREFECT_API_URL"] = address.api_url
        _trust_own_server()
        return address.api_url
    return None


def _trust_own_server() -> None:
    """A server started by ingest runs this Prefect and no CSRF protection: the client need not
    ask for its version nor for CSRF tokens (two round trips per client, before the first run)."""
    os.environ.setdefault("PREFECT_CLIENT_SERVER_VERSION_CHECK_ENABLED", "false")
    os.environ.setdefault("PREFECT_CLIENT_CSRF_SUPPORT_ENABLED", "false")


def start_temporary_api() -> TemporaryServer:
    """Start a server for this command only; call `wait_ready` before the flow runs. Its
    address is exported at once, before Prefect is imported (Prefect reads its settings then),
    so this process and its workers report to it instead of starting servers of their own."""
    server = TemporaryServer(Path(os.environ["PREFECT_HOME"]))
    atexit.register(server.stop)
    os.environ["PREFECT_API_URL"] = server.address.api_url
    _trust_own_server()
    return server


def batches_run_here(settings: "Settings", small_run: bool) -> bool:
    """Whether batches run in threads of this process (see `task_runner_for`)."""
    from ingest.settings import TaskRunnerKind

    return _one_thread(settings, small_run) or settings.task_runner is TaskRunnerKind.thread


def _one_thread(settings: "Settings", small_run: bool) -> bool:
    """No runner asked for, and one batch at a time: a small run, or a single worker. A batch's
    page worker extracts HTML in a process of its own either way; a pool of one would only add
    a process to start and a hand-over of every batch and its result."""
    asked = "task_runner" in settings.model_fields_set
    return not asked and (small_run or settings.workers == 1)


def prestart_page_workers() -> None:
    """Start the page workers' forkserver now, so that its imports (trafilatura, lxml) run on
    another core while this process imports Prefect and creates the flow run. Started with
    SIGINT and SIGTERM blocked, as from a batch thread (`stopping.shield_worker_thread`), so
    the page workers it forks never see the terminal's Ctrl-C."""
    from flows.stopping import block_stop_signals
    from ingest.page_worker import start_forkserver

    previous = block_stop_signals()
    try:
        start_forkserver()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


class _NoPandas:
    """An import finder that has no pandas (see `spare_pandas_import`)."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "pandas":
            raise ImportError("pandas is not needed to write Parquet")


def spare_pandas_import() -> None:
    """pyarrow looks for pandas on its first conversion of a Python list and imports it (half a
    second) though no pandas object is converted here. Let that one look find none: an explicit
    pandas conversion later in the process (`to_pandas`) still imports it."""
    if "pandas" in sys.modules:
        return
    import pyarrow

    finder = _NoPandas()
    sys.meta_path.insert(0, finder)
    try:
        pyarrow.array([])
    finally:
        sys.meta_path.remove(finder)


def without_heartbeats() -> AbstractContextManager[object]:
    """No flow-run heartbeats: a small run ends within seconds, long before a heartbeat would
    tell anything, and ending Prefect's heartbeat thread holds the run's end up to a second."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    return temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})


def task_runner_for(settings: "Settings", small_run: bool = False) -> "TaskRunner":
    """The runner of the settings; one thread for a small run (see
    `flows.planning.small_run_files`) or a single worker that would have had the default process
    pool; a runner asked for is always used."""
    from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

    from flows.stopping import ignore_stop_signals
    from ingest.settings import TaskRunnerKind

    workers = settings.workers
    if _one_thread(settings, small_run):
        return ThreadPoolTaskRunner(max_workers=1)
    if settings.task_runner is TaskRunnerKind.thread:
        return ThreadPoolTaskRunner(max_workers=workers)
    if settings.task_runner is TaskRunnerKind.dask:
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        # Non-daemonic workers, so each can run its page worker process; they ignore Ctrl-C.
        import dask

        dask.config.set(
            {"distributed.worker.daemon": False, "distributed.worker.preload": [DASK_PRELOAD]}
        )
        return DaskTaskRunner(
            cluster_class="distributed.LocalCluster",
            cluster_kwargs={
                "n_workers": workers,
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": None,
            },
        )
    return ProcessPoolTaskRunner(max_workers=workers, initializer=ignore_stop_signals)


def release_workers() -> None:
    """End the current flow run's process pool once its batches are all done, rather than when
    the flow returns: the run's report is then read beside the flow process alone, and the
    peak memory of a run does not grow with its size. Other runners keep their workers."""
    from prefect.context import FlowRunContext
    from prefect.task_runners import ProcessPoolTaskRunner

    context = FlowRunContext.get()
    runner = context.task_runner if context else None
    if isinstance(runner, ProcessPoolTaskRunner):
        runner.cancel_all()
