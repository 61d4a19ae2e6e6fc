"""What the command line prints: run summaries, the state store's status, settings errors."""

import json
from dataclasses import dataclass
from typing import Any

import typer

# Settings that have a flag of their own; the others are named by variable and file key.
FLAGS = {
    "raw_dir": "--raw-dir",
    "output_dir": "--out",
    "batch_size": "--batch-size",
    "workers": "--workers",
    "task_runner": "--task-runner",
    "dask_address": "--dask-address",
    "page_timeout_s": "--page-timeout",
    "max_file_bytes": "--max-file-bytes",
    "schedule_cron": "--cron",
}


@dataclass(frozen=True, slots=True)
class Output:
    """How much a command prints: `quiet` only errors, `json` one JSON object on stdout."""

    quiet: bool = False
    json: bool = False

    @property
    def progress(self) -> bool:
        return not (self.quiet or self.json)

    def line(self, text: str) -> None:
        """A line for a person: on stdout, or on stderr when stdout carries JSON."""
        if not self.quiet:
            typer.echo(text, err=self.json)

    def data(self, value: dict[str, Any]) -> None:
        if self.json:
            typer.echo(json.dumps(value, indent=None, default=str))


def error(text: str) -> None:
    typer.echo(f"ingest: {text}", err=True)


def settings_errors(exc: Exception) -> list[str]:
    """One line per invalid setting, naming its flag and variable (no library links)."""
    key = getattr(exc, "key", None)
    if isinstance(key, str) and key in FLAGS and "unknown" not in str(exc):
        return [f"invalid {FLAGS[key]} (INGEST_{key.upper()}): {getattr(exc, 'detail', exc)}"]
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return [str(exc).splitlines()[0]]
    lines = []
    for item in errors(include_url=False):
        path = [str(part) for part in item.get("loc", ())]
        name = path[0] if path else "settings"
        variable = "INGEST_" + "__".join(path).upper()
        where = f"{FLAGS[name]} ({variable})" if name in FLAGS else f"{variable} / `{name}`"
        got = item.get("input")
        shown = f" (got {got!r})" if isinstance(got, str | int | float) else ""
        lines.append(f"invalid {where}: {item.get('msg', 'invalid value')}{shown}")
    return lines


def print_summary(summary: dict[str, Any], out: Output) -> None:
    out.data(summary)
    status = summary["status"]
    if status == "busy":
        error("the output folder is in use by another run; nothing was done.")
        return
    if status == "dry_run":
        for path in summary["files"]:
            out.line(f"would process {path}")
        out.line(
            f"dry run: {len(summary['files'])} records would be processed, "
            f"{summary['skipped_unchanged']} unchanged, {summary['out_of_range']} out of range"
        )
        return
    if status == "interrupted":
        done = summary["written"] + summary["rejected"]
        out.line(
            f"interrupted: {done} pages committed ({summary['written']} written, "
            f"{summary['rejected']} rejected), {summary['skipped_unchanged']} unchanged, "
            f"{summary['left']} left for the next run, in {summary['seconds']:.1f} s"
        )
    else:
        check = "all accounted for" if summary["accounted"] else "NOT ALL ACCOUNTED FOR"
        out.line(
            f"{summary['seen']} pages read: {summary['written']} written, "
            f"{summary['rejected']} rejected, {summary['skipped_unchanged']} unchanged ({check}) "
            f"in {summary['seconds']:.1f} s"
        )
    for reason, count in sorted(summary["reject_reasons"].items()):
        out.line(f"  rejected as {reason}: {count}")
    if summary.get("passed_over"):
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(summary["passed_over"].items()))
        out.line(f"  container records that are not pages, passed over: {kinds}")
    if summary.get("removed_missing"):
        out.line(f"  rows removed because their input is gone: {summary['removed_missing']}")
    output = summary["output"]
    out.line(f"documents: {output}/documents/   rejects: {output}/rejects/")
    if summary["files"]:
        out.line(f"files written this run: {len(summary['files'])}")
    if summary.get("report"):
        out.line(f"report: {summary['report']}")


def print_status(status: dict[str, Any], out: Output) -> None:
    out.data(status)
    if out.json:
        return
    echo = out.line
    echo(f"output: {status['output']}")
    pages = status["pages"]
    if not pages:
        echo("no pages recorded yet")
    for outcome, count in pages.items():
        echo(f"  {outcome}: {count}")
    for reason, count in status["reject_reasons"].items():
        echo(f"    rejected as {reason}: {count}")
    if status["runs"]:
        echo("last runs:")
    for run in status["runs"]:
        summary = run["summary"]
        echo(
            f"  {run['run_id']}  {run['kind']:<11} {run['status']:<11} "
            f"written {summary.get('written', 0)}, rejected {summary.get('rejected', 0)}, "
            f"unchanged {summary.get('skipped_unchanged', 0)}"
        )
    echo(f"Prefect server: {status['server'] or 'none running (ingest server start)'}")
