"""The flow on a 2-worker Dask LocalCluster (prefect-dask) writes what a local run writes, and
its Dask workers can start the page worker's child process (per-page deadlines still hold)."""

import multiprocessing
import os
from pathlib import Path

import pytest
from conftest import RAW, read_documents, run_flow
from prefect import flow, task

from ingest.page_worker import PageWorker
from ingest.settings import Settings, TaskRunnerKind

pytestmark = pytest.mark.slow

COLUMNS = ["doc_id", "source_path", "title", "author", "published", "text", "n_words"]


def rows_by_id(out: Path) -> dict[str, dict]:
    table = read_documents(out).select(COLUMNS).to_pylist()
    return {row["doc_id"]: row for row in table}


def test_dask_run_writes_the_same_rows_as_a_local_run(
    prefect_api: str, raw_copy: Path, tmp_path: Path
) -> None:
    local_out, dask_out = tmp_path / "local", tmp_path / "dask"
    local = run_flow(
        [raw_copy],
        local_out,
        settings=Settings(raw_dir=raw_copy, output_dir=local_out, workers=2, batch_size=4),
    )
    dask = run_flow(
        [raw_copy],
        dask_out,
        settings=Settings(
            raw_dir=raw_copy,
            output_dir=dask_out,
            workers=2,
            batch_size=4,
            task_runner=TaskRunnerKind.dask,
        ),
    )
    # Several batches, so both Dask workers had work.
    assert dask["failed_batches"] == 0 and dask["accounted"]
    assert len(list((dask_out / "documents").rglob("*.parquet"))) >= 2
    assert (dask["seen"], dask["written"], dask["rejected"]) == (
        local["seen"],
        local["written"],
        local["rejected"],
    )
    expected, got = rows_by_id(local_out), rows_by_id(dask_out)
    assert len(expected) == len(
        list(p for p in RAW.rglob("*") if p.is_file() and not p.name.endswith(".json"))
    )
    assert got == expected


@task(persist_result=False)
def _page_worker_probe(path: str, source_path: str, settings: Settings) -> dict:
    with PageWorker(settings) as worker:
        html = Path(path).read_text(encoding="utf-8", errors="replace")
        kind, _ = worker.extract(html, None)
        child = worker._process.pid if worker._process is not None else None
        return {
            "kind": kind,
            "in_process": worker._in_process,
            "child": child,
            "pid": os.getpid(),
            "daemon": multiprocessing.current_process().daemon,
        }


def test_dask_workers_can_start_the_page_worker_process(prefect_api: str, raw_copy: Path) -> None:
    from flows.runtime import task_runner_for

    settings = Settings(raw_dir=raw_copy, workers=1, task_runner=TaskRunnerKind.dask)

    @flow(task_runner=task_runner_for(settings), persist_result=False)
    def probe_flow() -> dict:
        page = raw_copy / "html" / "harbour-bridge.html"
        return _page_worker_probe.submit(str(page), "html/harbour-bridge.html", settings).result()

    probe = probe_flow()
    assert probe["pid"] != os.getpid(), "the task did not run in a Dask worker process"
    assert not probe["daemon"]
    assert probe["kind"] == "ok"
    assert not probe["in_process"] and probe["child"] not in (None, probe["pid"])
