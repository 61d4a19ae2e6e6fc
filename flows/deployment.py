"""The scheduled deployment of the ingest flow, served by `ingest serve`.

Each scheduled run is a new process that loads the flow from the deployment's entrypoint. That
entrypoint is `scheduled_ingest` below, not `flows.ingest_flow.ingest_flow`: the module-level
flow has Prefect's default thread pool, so the task runner of the settings (processes by default,
or Dask) would otherwise be lost in every scheduled run. `scheduled_ingest` is built when this
module is imported, in the run's own process, from the same settings sources as the command line
(INGEST_* variables, which the run inherits from `ingest serve`, and ingest.toml).
"""

import os
from datetime import timedelta

from prefect import serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.types.entrypoint import EntrypointType

from flows.ingest_flow import ingest_flow
from flows.runtime import task_runner_for
from ingest.settings import Settings, load_settings

DEPLOYMENT_NAME = "scheduled"
ENTRYPOINT = f"{__name__}.scheduled_ingest"

scheduled_ingest = ingest_flow.with_options(task_runner=task_runner_for(load_settings()))


def serve_ingest(settings: Settings, interval: float | None = None) -> None:
    """Serve until interrupted. Runs never overlap: one that comes while another is still
    running, or that is late while another runs, is cancelled, not stacked."""
    if not os.environ.get("PREFECT_API_URL"):
        raise SystemExit(
            "ingest serve needs a Prefect server: start one with `prefect server start` and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    # Scheduled runs read their settings afresh; pass on the runner settings given here.
    os.environ["INGEST_TASK_RUNNER"] = settings.task_runner.value
    os.environ["INGEST_WORKERS"] = str(settings.workers)
    if settings.dask_address:
        os.environ["INGEST_DASK_ADDRESS"] = settings.dask_address
    schedule = (
        {"interval": timedelta(seconds=interval)} if interval else {"cron": settings.schedule_cron}
    )
    deployment = scheduled_ingest.to_deployment(
        name=DEPLOYMENT_NAME,
        parameters={
            "paths": [str(settings.raw_dir.absolute())],
            "output_dir": str(settings.output_dir.absolute()),
        },
        concurrency_limit=ConcurrencyLimitConfig(
            limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW
        ),
        entrypoint_type=EntrypointType.MODULE_PATH,
        **schedule,
    )
    deployment.entrypoint = ENTRYPOINT
    serve(deployment)
