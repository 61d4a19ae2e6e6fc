"""Shared fixtures: one real Prefect API server for the session, sample pages, output readers."""

import json
import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

# Prefect reads these when it is first imported: a private home, no analytics.
_PREFECT_HOME = tempfile.mkdtemp(prefix="ingest-tests-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.pop("PREFECT_API_URL", None)

REPO = Path(__file__).resolve().parent.parent
RAW = REPO / "raw"
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[str]:
    """A temporary Prefect server for the whole session; worker processes report to it too."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        url = PREFECT_API_URL.value()
        os.environ["PREFECT_API_URL"] = url
        yield url
        os.environ.pop("PREFECT_API_URL", None)
    shutil.rmtree(_PREFECT_HOME, ignore_errors=True)


@pytest.fixture
def raw_copy(tmp_path: Path) -> Path:
    """A private copy of the sample corpus in raw/."""
    target = tmp_path / "raw"
    shutil.copytree(RAW, target)
    return target


@pytest.fixture
def cli_env(prefect_api: str) -> dict[str, str]:
    """Environment for `ingest` subprocesses: the session's Prefect server, no settings leaks."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_")}
    env["PREFECT_API_URL"] = prefect_api
    return env


def ingest_command() -> list[str]:
    return [sys.executable, "-m", "flows"]


def run_flow(paths: list[Path], out: Path, **flow_kwargs: object) -> dict:
    """The real ingest flow, in this process, against the session's server."""
    from flows.ingest_flow import ingest_flow
    from flows.runtime import task_runner_for
    from ingest.settings import Settings

    settings: Settings = flow_kwargs.pop("settings", None) or Settings(
        raw_dir=paths[0], output_dir=out, workers=2
    )
    flow = ingest_flow.with_options(task_runner=task_runner_for(settings))
    return flow(
        paths=[str(p) for p in paths], output_dir=str(out), settings=settings, **flow_kwargs
    )


def read_documents(out: Path):
    import pyarrow.dataset as ds

    return ds.dataset(out / "documents", format="parquet", partitioning="hive").to_table()


def committed_pages(out: Path) -> set[str]:
    """Pages the state store holds, or whose commit is journalled (the next run finishes it:
    a run stopped at once may leave a batch's files in place before its pages are recorded)."""
    with closing(sqlite3.connect(out / "_state" / "state.sqlite")) as db:
        done = {row[0] for row in db.execute("SELECT source_path FROM records")}
        for (plan,) in db.execute("SELECT plan FROM pending"):
            done |= {record["source_path"] for record in json.loads(plan).get("records", [])}
    return done


def read_rejects(out: Path):
    import pyarrow.dataset as ds

    if not (out / "rejects").exists():
        return None
    return ds.dataset(out / "rejects", format="parquet", partitioning="hive").to_table()
