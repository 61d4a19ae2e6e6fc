"""What a flow run publishes in Prefect: its summary, a table of counts and a link to its
data-quality report, each under a key of its own so the UI keeps every run's."""

import re
from pathlib import Path

from prefect import get_run_logger
from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)

from ingest.quality_report import write_run_report_apart
from ingest.report import RunSummary

REPORTS = "_reports"


def artifact_key(kind: str, run_id: str) -> str:
    """Artifact keys allow lowercase letters, digits and dashes only."""
    return re.sub(r"[^a-z0-9-]+", "-", f"ingest-{kind}-{run_id}".lower()).strip("-")


def report_path(output: Path, run_id: str) -> Path:
    return output / REPORTS / f"{run_id}.html"


def publish_run_artifacts(summary: RunSummary) -> Path | None:
    """Publish the run's artifacts; returns its report file (None if it could not be written)."""
    logger = get_run_logger()
    output, run_id = Path(summary.output), summary.run_id
    create_markdown_artifact(
        markdown=summary.to_markdown(),
        key=artifact_key("run", run_id),
        description=summary.headline(),
    )
    counts = summary.counts_table()
    report: Path | None = None
    try:
        totals = write_run_report_apart(output, report_path(output, run_id), run_id)
        counts += [{"count": name, "value": value} for name, value in totals.items()]
        report = report_path(output, run_id)
    except Exception as exc:  # the report is a view of the run, never a reason to fail it
        logger.warning("no data-quality report for run %s: %r", run_id, exc)
    create_table_artifact(
        table=counts, key=artifact_key("counts", run_id), description=summary.headline()
    )
    if report is not None:
        create_link_artifact(
            link=report.as_uri(),
            link_text=f"data-quality report of run {run_id}",
            key=artifact_key("report", run_id),
            description=str(report),
        )
    return report
