"""The `ingest` command line: run, backfill, serve."""

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from flows.runtime import prepare_environment

prepare_environment()

# Exit codes, documented in the README.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_REJECTS = 3
EXIT_BUSY = 4

app = typer.Typer(
    help="Clean scraped web pages into Parquet, through Prefect flows.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

RawDir = Annotated[Path | None, typer.Option(help="Folder of raw pages. [env INGEST_RAW_DIR]")]
OutDir = Annotated[
    Path | None,
    typer.Option("--out", "--output-dir", help="Output folder. [env INGEST_OUTPUT_DIR]"),
]
BatchSize = Annotated[
    int | None, typer.Option(help="Most pages per batch task. [default 1000; also at most 32 MiB]")
]
Workers = Annotated[
    int | None, typer.Option(help="Batch tasks run at once. [default: number of cores]")
]
Runner = Annotated[
    str | None, typer.Option(help="Task runner: process, thread or dask. [default process]")
]
DaskAddress = Annotated[
    str | None,
    typer.Option(help="Dask scheduler address (task runner dask); none: a local cluster."),
]
Timeout = Annotated[float | None, typer.Option(help="Per-page deadline in seconds. [default 30]")]
MaxBytes = Annotated[
    int | None, typer.Option(help="Largest page accepted, in bytes. [default 50 MiB]")
]
Config = Annotated[
    Path | None, typer.Option(help="Settings file. [default ./ingest.toml, env INGEST_CONFIG]")
]


def _settings(**flags: object):
    import os

    config = flags.pop("config", None)
    if config is not None:
        os.environ["INGEST_CONFIG"] = str(config)
    from ingest.settings import SettingsError, load_settings

    try:
        return load_settings(**flags)
    except SettingsError as exc:
        typer.echo(f"ingest: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None


def _check_paths(paths: list[str]) -> None:
    """A path or pattern that matches nothing is a usage error, found before anything starts."""
    from ingest.selection import NoInput, check_paths

    try:
        check_paths(paths)
    except NoInput as exc:
        typer.echo(f"ingest: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None


def _run(settings, **kwargs: object) -> None:
    from flows.ingest_flow import ingest_flow
    from flows.runtime import ensure_api, task_runner_for
    from ingest.state import StateVersionError

    ensure_api()
    flow = ingest_flow.with_options(task_runner=task_runner_for(settings))
    try:
        summary = flow(settings=settings, show_progress=True, **kwargs)
    except StateVersionError as exc:
        typer.echo(f"ingest: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    except (OSError, sqlite3.Error) as exc:  # full disk, read-only or missing output folder
        typer.echo(f"ingest: cannot write to {settings.output_dir}: {exc}", err=True)
        raise typer.Exit(EXIT_FAILED) from None
    _print_summary(summary)
    if summary["status"] == "busy":
        raise typer.Exit(EXIT_BUSY)
    if summary["failed_batches"] or not summary["accounted"]:
        raise typer.Exit(EXIT_FAILED)
    if summary["rejected"]:
        raise typer.Exit(EXIT_REJECTS)


def _print_summary(summary: dict) -> None:
    echo = typer.echo
    if summary["status"] == "busy":
        echo("ingest: the output folder is in use by another run; nothing was done.", err=True)
        return
    if summary["status"] == "dry_run":
        for path in summary["files"]:
            echo(f"would process {path}")
        echo(
            f"dry run: {len(summary['files'])} pages would be processed, "
            f"{summary['skipped_unchanged']} unchanged, {summary['out_of_range']} out of range"
        )
        return
    check = "all accounted for" if summary["accounted"] else "NOT ALL ACCOUNTED FOR"
    echo(
        f"{summary['seen']} pages read: {summary['written']} written, "
        f"{summary['rejected']} rejected, {summary['skipped_unchanged']} unchanged ({check}) "
        f"in {summary['seconds']:.1f} s"
    )
    for reason, count in sorted(summary["reject_reasons"].items()):
        echo(f"  rejected as {reason}: {count}")
    if summary["passed_over"]:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(summary["passed_over"].items()))
        echo(f"  container records that are not pages, passed over: {kinds}")
    if summary["removed_missing"]:
        echo(f"  rows removed because their input is gone: {summary['removed_missing']}")
    output = summary["output"]
    echo(f"documents: {output}/documents/   rejects: {output}/rejects/")
    if summary["files"]:
        echo(f"files written this run: {len(summary['files'])}")


def _run_settings(
    raw_dir: Path | None,
    out: Path | None,
    batch_size: int | None,
    workers: int | None,
    task_runner: str | None,
    dask_address: str | None,
    page_timeout: float | None,
    max_file_bytes: int | None,
    config: Path | None,
):
    """Settings from the flags that `run` and `backfill` share."""
    return _settings(
        raw_dir=raw_dir,
        output_dir=out,
        batch_size=batch_size,
        workers=workers,
        task_runner=task_runner,
        dask_address=dask_address,
        page_timeout_s=page_timeout,
        max_file_bytes=max_file_bytes,
        config=config,
    )


@app.command()
def run(
    raw_dir: RawDir = None,
    out: OutDir = None,
    batch_size: BatchSize = None,
    workers: Workers = None,
    task_runner: Runner = None,
    dask_address: DaskAddress = None,
    page_timeout: Timeout = None,
    max_file_bytes: MaxBytes = None,
    config: Config = None,
    stale: Annotated[
        bool,
        typer.Option(
            help="Also process again the rows an older cleaning (rules, model, settings) made."
        ),
    ] = False,
) -> None:
    """Process the pages of the raw folder that are new or changed since the last run."""
    settings = _run_settings(
        raw_dir,
        out,
        batch_size,
        workers,
        task_runner,
        dask_address,
        page_timeout,
        max_file_bytes,
        config,
    )
    _check_paths([str(settings.raw_dir)])
    _run(settings, stale=stale)


@app.command()
def backfill(
    paths: Annotated[
        list[str], typer.Argument(help="Files, folders or glob patterns ('raw/**/*.html').")
    ],
    out: OutDir = None,
    since: Annotated[
        datetime | None,
        typer.Option(help="Only pages fetched or published at or after this (else file time)."),
    ] = None,
    until: Annotated[datetime | None, typer.Option(help="Only pages before this.")] = None,
    reprocess: Annotated[
        bool, typer.Option(help="Process pages again even if unchanged (rows are replaced).")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option(help="List what would be processed; write nothing.")
    ] = False,
    raw_dir: RawDir = None,
    batch_size: BatchSize = None,
    workers: Workers = None,
    task_runner: Runner = None,
    dask_address: DaskAddress = None,
    page_timeout: Timeout = None,
    max_file_bytes: MaxBytes = None,
    config: Config = None,
) -> None:
    """Run the ingest flow over any files or folders; resumable, and idempotent."""
    settings = _run_settings(
        raw_dir,
        out,
        batch_size,
        workers,
        task_runner,
        dask_address,
        page_timeout,
        max_file_bytes,
        config,
    )
    _check_paths(paths)
    _run(settings, paths=paths, reprocess=reprocess, since=since, until=until, dry_run=dry_run)


@app.command()
def serve(
    cron: Annotated[
        str | None,
        typer.Option(help="Cron schedule. [default */15 * * * *, env INGEST_SCHEDULE_CRON]"),
    ] = None,
    interval: Annotated[
        float | None, typer.Option(help="Run every N seconds instead of on a cron schedule.")
    ] = None,
    raw_dir: RawDir = None,
    out: OutDir = None,
    workers: Workers = None,
    task_runner: Runner = None,
    dask_address: DaskAddress = None,
    config: Config = None,
) -> None:
    """Serve the scheduled deployment of the ingest flow (needs PREFECT_API_URL of a server)."""
    settings = _settings(
        raw_dir=raw_dir,
        output_dir=out,
        schedule_cron=cron,
        workers=workers,
        task_runner=task_runner,
        dask_address=dask_address,
        config=config,
    )
    from flows.deployment import serve_ingest

    serve_ingest(settings, interval=interval)


def main() -> None:
    app()
