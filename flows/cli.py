"""The `ingest` command line: run, backfill, retry-rejected, status, report, serve, server.

Prefect and the pipeline's libraries are imported only by the commands that need them, and a
Prefect server is looked for (or started) only once the arguments are known to be good, so help,
usage errors and dry runs answer at once.
"""

import atexit
import logging
import os
import sqlite3
import sys
from contextlib import nullcontext, suppress
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, Any

import typer

from flows.console import Output, error, print_status, print_summary, settings_errors
from flows.runtime import prepare_environment

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
    rich_markup_mode=None,
)
server_app = typer.Typer(
    help="A Prefect server in the background, shared by every command while it is up.",
    no_args_is_help=True,
)
app.add_typer(server_app, name="server")

RawDir = Annotated[
    Path | None,
    typer.Option(help="Folder of raw pages (default raw; env INGEST_RAW_DIR)."),
]
OutDir = Annotated[
    Path | None,
    typer.Option(
        "--out", "--output-dir", help="Output folder (default output; env INGEST_OUTPUT_DIR)."
    ),
]
BatchSize = Annotated[
    int | None,
    typer.Option(
        help="Most pages per batch task (default 1000, and at most 32 MiB of pages; "
        "env INGEST_BATCH_SIZE)."
    ),
]
Workers = Annotated[
    int | None,
    typer.Option(help="Batch tasks run at once (default: number of cores; env INGEST_WORKERS)."),
]
Runner = Annotated[
    str | None,
    typer.Option(
        help="Task runner: process, thread or dask (default process; env INGEST_TASK_RUNNER)."
    ),
]
DaskAddress = Annotated[
    str | None,
    typer.Option(
        help="Dask scheduler address for the dask runner (default: a local cluster; "
        "env INGEST_DASK_ADDRESS)."
    ),
]
Timeout = Annotated[
    float | None,
    typer.Option(help="Per-page deadline in seconds (default 30; env INGEST_PAGE_TIMEOUT_S)."),
]
MaxBytes = Annotated[
    int | None,
    typer.Option(
        help="Largest page accepted, in bytes (default 52428800 = 50 MiB; "
        "env INGEST_MAX_FILE_BYTES)."
    ),
]
Config = Annotated[
    Path | None,
    typer.Option(help="Settings file (default ./ingest.toml; env INGEST_CONFIG)."),
]
Quiet = Annotated[
    bool, typer.Option("--quiet", "-q", help="Print errors only: no progress, no summary.")
]
Json = Annotated[
    bool,
    typer.Option("--json", help="Print the summary as one JSON object on stdout (for scripts)."),
]
LogLevel = Annotated[
    str | None,
    typer.Option(
        help="Prefect's console log level: DEBUG, INFO, WARNING, ERROR "
        "(default WARNING; env INGEST_LOG_LEVEL)."
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ingest {version('ingest')}")
        raise typer.Exit()


@app.callback()
def _main(
    show_version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Clean scraped web pages into Parquet, through Prefect flows."""


def _settings(**flags: Any):
    config = flags.pop("config", None)
    if config is not None:
        os.environ["INGEST_CONFIG"] = str(config)
    from pydantic import ValidationError

    from ingest.settings import load_settings

    try:
        return load_settings(**flags)
    except (ValidationError, ValueError, OSError) as exc:
        for line in settings_errors(exc):
            error(line)
        raise typer.Exit(EXIT_USAGE) from None


def _check_paths(paths: list[str]) -> None:
    """A path or pattern that matches nothing is a usage error, found before anything starts."""
    from ingest.selection import NoInput, check_paths

    try:
        check_paths(paths)
    except NoInput as exc:
        error(str(exc))
        raise typer.Exit(EXIT_USAGE) from None


def _open_state_error(output: Path) -> bool:
    """Whether the output folder's state store is of a version this ingest cannot read (said)."""
    from ingest.state import StateStore, StateVersionError

    path = output / "_state" / "state.sqlite"
    if not path.exists():
        return False
    try:
        StateStore(path).close()
    except StateVersionError as exc:
        error(str(exc))
        return True
    return False


def _run(settings, out: Output, log_level: str | None, **kwargs: Any) -> None:
    prepare_environment(log_level)
    _check_paths(kwargs.get("paths") or [str(settings.raw_dir)])
    output = Path(settings.output_dir).absolute()
    if _open_state_error(output):
        raise typer.Exit(EXIT_USAGE)
    from flows.planning import output_busy

    if output_busy(output):
        print_summary({"status": "busy", "output": str(output)}, out)
        raise typer.Exit(EXIT_BUSY)
    if kwargs.pop("dry_run", False):  # answered from the state store, without Prefect
        from flows.planning import plan

        paths = kwargs.pop("paths", None) or [str(settings.raw_dir)]
        print_summary(plan(settings, paths, **kwargs), out)
        return
    from flows import stopping
    from flows.planning import may_hold_html, small_run_files
    from flows.runtime import batches_run_here, find_api, prestart_page_workers, start_temporary_api

    with stopping.stop_on_signals() as stop:
        temporary = None if find_api() else start_temporary_api()
        small = small_run_files(kwargs.get("paths") or [str(settings.raw_dir)], settings.raw_dir)
        if batches_run_here(settings, small is not None) and may_hold_html(small or []):
            prestart_page_workers()
        # Imported while a temporary server and the page workers' forkserver start.
        from flows.ingest_flow import ingest_flow
        from flows.runtime import task_runner_for, without_heartbeats
        from flows.server import ServerError

        if temporary is not None:
            try:
                temporary.wait_ready()
            except ServerError as exc:
                error(str(exc))
                raise typer.Exit(EXIT_FAILED) from None
        runner = task_runner_for(settings, small is not None)
        flow = ingest_flow.with_options(task_runner=runner)
        try:  # a temporary server is stopped at exit, after Prefect has sent its last logs
            with without_heartbeats() if small is not None else nullcontext():
                summary = flow(settings=settings, show_progress=out.progress, **kwargs)
        except (OSError, sqlite3.Error) as exc:  # full disk, read-only or missing output folder
            error(f"cannot write to {settings.output_dir}: {exc}")
            raise typer.Exit(EXIT_FAILED) from None
        if summary["status"] == stopping.INTERRUPTED:
            committed = summary["written"] + summary["rejected"]
            stopping.cancel_stopped_flow_run(
                f"stopped by a signal: {committed} pages committed, {summary['left']} left"
            )
    from flows.run_artifacts import report_path

    report = report_path(Path(summary["output"]), summary["run_id"])
    summary["report"] = str(report) if report.exists() else None
    print_summary(summary, out)
    raise typer.Exit(_exit_code(summary, stop))


def _exit_code(summary: dict[str, Any], stop) -> int:
    if stop.requested:
        return stop.exit_code
    if summary["status"] == "busy":
        return EXIT_BUSY
    if summary["failed_batches"] or not summary["accounted"]:
        return EXIT_FAILED
    return EXIT_REJECTS if summary["rejected"] else EXIT_OK


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
    """Settings from the flags that `run`, `backfill` and `retry-rejected` share."""
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
    quiet: Quiet = False,
    json: Json = False,
    log_level: LogLevel = None,
    stale: Annotated[
        bool,
        typer.Option(
            help="Also process again the records whose rows an older cleaning (code, "
            "vocabularies, model, settings) made."
        ),
    ] = False,
) -> None:
    """Process the records of the raw folder that are new or changed since the last run."""
    settings = _run_settings(
        raw_dir, out, batch_size, workers, task_runner, dask_address, page_timeout,
        max_file_bytes, config,
    )  # fmt: skip
    _run(settings, Output(quiet, json), log_level, stale=stale)


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
    quiet: Quiet = False,
    json: Json = False,
    log_level: LogLevel = None,
) -> None:
    """Run the ingest flow over any files or folders; resumable, and idempotent."""
    settings = _run_settings(
        raw_dir, out, batch_size, workers, task_runner, dask_address, page_timeout,
        max_file_bytes, config,
    )  # fmt: skip
    _run(
        settings,
        Output(quiet, json),
        log_level,
        paths=paths,
        reprocess=reprocess,
        since=since,
        until=until,
        dry_run=dry_run,
    )


@app.command("retry-rejected")
def retry_rejected(
    raw_dir: RawDir = None,
    out: OutDir = None,
    dry_run: Annotated[
        bool, typer.Option(help="List the pages that would be retried; write nothing.")
    ] = False,
    batch_size: BatchSize = None,
    workers: Workers = None,
    task_runner: Runner = None,
    page_timeout: Timeout = None,
    max_file_bytes: MaxBytes = None,
    config: Config = None,
    quiet: Quiet = False,
    json: Json = False,
    log_level: LogLevel = None,
) -> None:
    """Process again only the pages of the raw folder that were rejected (rows are replaced)."""
    settings = _run_settings(
        raw_dir, out, batch_size, workers, task_runner, None, page_timeout, max_file_bytes,
        config,
    )  # fmt: skip
    from flows.planning import rejected_pages

    pages, elsewhere = rejected_pages(settings)
    output = Output(quiet, json)
    if elsewhere:
        output.line(
            f"{elsewhere} rejected pages are not under {settings.raw_dir}: retry them with "
            "`ingest backfill PATH --reprocess`"
        )
    if not pages:
        output.line("no rejected pages to retry")
        output.data({"status": "completed", "retried": 0, "elsewhere": elsewhere})
        return
    _run(settings, output, log_level, paths=pages, reprocess=True, dry_run=dry_run)


OutputArg = Annotated[
    Path | None,
    typer.Argument(help="Output folder (default: the settings' output_dir, usually output)."),
]


@app.command()
def status(
    output: OutputArg = None,
    json: Json = False,
    config: Config = None,
) -> None:
    """What the state store holds: pages by outcome, rejects by reason, the last runs."""
    folder = (output or _settings(config=config).output_dir).absolute()
    if not (folder / "_state" / "state.sqlite").exists():
        error(f"{folder} holds no ingest dataset")
        raise typer.Exit(EXIT_USAGE)
    from flows.planning import dataset_status
    from flows.server import running_server

    found = running_server()
    state = dataset_status(folder)
    state["server"] = found.ui_url if found else None
    print_status(state, Output(json=json))


@app.command()
def report(
    output: OutputArg = None,
    run: Annotated[
        str | None, typer.Option("--run", help="Report on this run only (default: all data).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="HTML file to write (default OUTPUT/_reports/<run or dataset>.html)."
        ),
    ] = None,
    config: Config = None,
) -> None:
    """Write a self-contained HTML data-quality report of one run or of the whole dataset."""
    folder = (output or _settings(config=config).output_dir).absolute()
    if not (folder / "documents").is_dir() and not (folder / "_state").is_dir():
        error(f"{folder} holds no ingest dataset")
        raise typer.Exit(EXIT_USAGE)
    from ingest.quality_report import write_report

    target = out or folder / "_reports" / f"{run or 'dataset'}.html"
    typer.echo(write_report(folder, target.absolute(), run))


@app.command()
def serve(
    cron: Annotated[
        str | None,
        typer.Option(help="Cron schedule (default '*/15 * * * *'; env INGEST_SCHEDULE_CRON)."),
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
    log_level: LogLevel = None,
) -> None:
    """Serve the scheduled deployment of the ingest flow, on the background server (ingest
    server start) or the one PREFECT_API_URL names."""
    settings = _settings(
        raw_dir=raw_dir,
        output_dir=out,
        schedule_cron=cron,
        workers=workers,
        task_runner=task_runner,
        dask_address=dask_address,
        config=config,
    )
    prepare_environment(log_level or "INFO")
    from flows.runtime import find_api
    from flows.server import healthy

    api = find_api()
    if api is None:
        error("no Prefect server: start one with `ingest server start` (or set PREFECT_API_URL)")
        raise typer.Exit(EXIT_USAGE)
    if not healthy(api, timeout=5):
        error(f"the Prefect server at {api} does not answer; is it running?")
        raise typer.Exit(EXIT_FAILED)
    from flows.deployment import serve_ingest

    typer.echo(f"serving ingest/scheduled on {api.removesuffix('/api')}", err=True)
    serve_ingest(settings, interval=interval)


Port = Annotated[int, typer.Option(help="Port of the server and its UI.")]


@server_app.command("start")
def server_start(port: Port = 4200) -> None:
    """Start a Prefect server in the background (home: INGEST_SERVER_HOME, default
    ~/.ingest/prefect) and print the UI's address."""
    from flows.server import ServerError, running_server, server_home, start_server

    if found := running_server():
        typer.echo(f"already running: UI at {found.ui_url}")
        return
    typer.echo(f"starting a Prefect server (home {server_home()}) ...", err=True)
    try:
        address = start_server(port=port)
    except ServerError as exc:
        error(str(exc))
        raise typer.Exit(EXIT_FAILED) from None
    typer.echo(f"Prefect server running: UI at {address.ui_url}, API at {address.api_url}")


@server_app.command("stop")
def server_stop() -> None:
    """Stop the background Prefect server."""
    from flows.server import stop_server

    typer.echo("stopped" if stop_server() else "no server was running")


@server_app.command("status")
def server_status() -> None:
    """Whether the background server is up, and its UI's address (exit 1 if it is not)."""
    from flows.server import running_server, server_home

    found = running_server()
    if found is None:
        typer.echo(f"no server running (home {server_home()})")
        raise typer.Exit(EXIT_FAILED)
    typer.echo(f"running: UI at {found.ui_url}, API at {found.api_url} (home {found.home})")


def main() -> None:
    global _final_code
    try:
        app()
    except SystemExit as exc:
        _final_code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        raise
    except BaseException:
        _final_code = 1
        raise
    _final_code = 0


_final_code: int | None = None  # the command's exit code, once `main` has finished


@atexit.register  # registered first, so it runs after every other exit handler
def _skip_interpreter_teardown() -> None:
    """Once a command has loaded Prefect, tearing the interpreter's modules down takes about a
    second. By now the exit handlers have run (Prefect has sent its last logs and events, a
    temporary server is stopped), so the process leaves without that teardown."""
    if _final_code is None or "prefect" not in sys.modules:
        return
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with suppress(Exception):
            stream.flush()
    os._exit(_final_code)
