"""The scheduled deployment of the ingest flow, served by `ingest serve`."""

import os
from datetime import timedelta

from prefect import serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy

from flows.ingest_flow import ingest_flow
from flows.runtime import task_runner_for
from ingest.settings import Settings

DEPLOYMENT_NAME = "scheduled"


def serve_ingest(settings: Settings, interval: float | None = None) -> None:
    """Serve until interrupted. Runs never overlap: one that comes while another is still
    running is cancelled, not stacked."""
    if not os.environ.get("PREFECT_API_URL"):
        raise SystemExit(
            "ingest serve needs a Prefect server: start one with `prefect server start` and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    flow = ingest_flow.with_options(task_runner=task_runner_for(settings))
    schedule = (
        {"interval": timedelta(seconds=interval)} if interval else {"cron": settings.schedule_cron}
    )
    deployment = flow.to_deployment(
        name=DEPLOYMENT_NAME,
        parameters={
            "paths": [str(settings.raw_dir.absolute())],
            "output_dir": str(settings.output_dir.absolute()),
        },
        concurrency_limit=ConcurrencyLimitConfig(
            limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW
        ),
        **schedule,
    )
    serve(deployment)
