"""Where flows run: the Prefect API they report to and the task runner that runs batches."""

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.settings import Settings, TaskRunnerKind

if TYPE_CHECKING:
    from prefect.task_runners import TaskRunner

DEFAULT_PREFECT_HOME = Path.home() / ".ingest" / "prefect"
# A fresh Prefect home migrates its database first: slower than the default 20 s allows.
SERVER_START_TIMEOUT_S = 180


def prepare_environment() -> None:
    """Quiet defaults for Prefect, set before it is imported anywhere else."""
    home = Path(os.environ.setdefault("PREFECT_HOME", str(DEFAULT_PREFECT_HOME)))
    home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def ensure_api() -> str:
    """The API flows report to: the configured server, or Prefect's temporary local server.

    The temporary server is started here, once, and its address exported, so that worker
    processes and Dask workers report to it instead of each starting a server of their own.
    """
    if url := os.environ.get("PREFECT_API_URL"):
        return url
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start(timeout=SERVER_START_TIMEOUT_S)
    os.environ["PREFECT_API_URL"] = server.api_url
    return server.api_url


def task_runner_for(settings: Settings) -> "TaskRunner":
    from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

    workers = settings.workers
    if settings.task_runner is TaskRunnerKind.thread:
        return ThreadPoolTaskRunner(max_workers=workers)
    if settings.task_runner is TaskRunnerKind.dask:
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        # Non-daemonic workers, so each can run its page worker process.
        import dask

        dask.config.set({"distributed.worker.daemon": False})
        return DaskTaskRunner(
            cluster_class="distributed.LocalCluster",
            cluster_kwargs={
                "n_workers": workers,
                "threads_per_worker": 1,
                "processes": True,
                "dashboard_address": None,
            },
        )
    return ProcessPoolTaskRunner(max_workers=workers)
