"""`ingest serve` on the background server of `ingest server start`: the scheduled deployment
picks up a page dropped into the raw folder, and its runs never overlap (a run that collides is
cancelled). Commands find the server without anything exported, on any port."""

import asyncio
import contextlib
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psutil
import pytest
from conftest import RAW, read_documents

SERVER_START_TIMEOUT_S = 240  # a fresh PREFECT_HOME migrates its SQLite database first
ROW_TIMEOUT_S = 150
INTERVAL_S = 5
PAGE = "text/002_742e16abf3b67eba.txt"
CANCELLED_BY_LIMIT = "Deployment concurrency limit reached."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return f"({path.name}: nothing written)"
    text = path.read_text(errors="replace").splitlines()[-lines:]
    return f"--- last lines of {path.name} ---\n" + "\n".join(text)


class Group:
    """A command started in a session of its own, and everything it starts."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self._fh = log.open("wb")
        self.proc = subprocess.Popen(
            argv, env=env, stdout=self._fh, stderr=subprocess.STDOUT, start_new_session=True
        )

    def stop(self) -> list[psutil.Process]:
        """SIGTERM to the group, then SIGKILL by id to whatever outlives 20 s; returns the
        processes of the tree that are still alive after all that (none, if all went well)."""
        try:
            tree = [psutil.Process(self.proc.pid)]
            tree += tree[0].children(recursive=True)
        except psutil.NoSuchProcess:
            tree = []
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        _, alive = psutil.wait_procs(tree, timeout=20)
        for proc in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                proc.kill()
        _, alive = psutil.wait_procs(alive, timeout=10)
        self.proc.wait(timeout=10)
        self._fh.close()
        return alive

    def group_alive(self) -> bool:
        try:
            os.killpg(self.proc.pid, 0)
        except ProcessLookupError:
            return False
        # Zombies still count as members until reaped; the leader was reaped by wait().
        return any(
            p.info["status"] != psutil.STATUS_ZOMBIE
            for p in psutil.process_iter(["pid", "status"])
            if _pgid(p.info["pid"]) == self.proc.pid
        )


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


async def _deployment_runs(api: str):
    from prefect.client.orchestration import PrefectClient
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.exceptions import ObjectNotFound

    async with PrefectClient(api) as client:
        try:
            deployment = await client.read_deployment_by_name("ingest/scheduled")
        except ObjectNotFound:
            return None, []
        runs = await client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id])),
            sort=FlowRunSort.EXPECTED_START_TIME_ASC,
            limit=200,
        )
        return deployment, runs


def page_rows(out: Path) -> list[dict]:
    if not (out / "documents").exists():
        return []
    return [r for r in read_documents(out).to_pylist() if r["source_path"] == Path(PAGE).name]


def ingest(
    args: list[str], env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flows", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INGEST_", "PREFECT_"))}
    return {**env, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", **extra}


@pytest.fixture(scope="module")
def background_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict]]:
    """`ingest server start` on a port other than 4200; every command finds it by its home."""
    home = tmp_path_factory.mktemp("server-home")
    env = clean_env(INGEST_SERVER_HOME=str(home))
    port = free_port()
    started = ingest(["server", "start", "--port", str(port)], env, SERVER_START_TIMEOUT_S)
    assert started.returncode == 0, started.stderr + tail(home / "server-start.log")
    assert f"UI at http://127.0.0.1:{port}" in started.stdout
    pid = int((home / "server.pid").read_text())
    try:
        yield f"http://127.0.0.1:{port}/api", env
    finally:
        stopped = ingest(["server", "stop"], env)
        assert stopped.returncode == 0 and "stopped" in stopped.stdout, stopped.stderr
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"


@pytest.mark.slow
def test_the_background_server_is_found_by_every_command(
    background_server: tuple[str, dict], tmp_path: Path
) -> None:
    api, env = background_server
    status = ingest(["server", "status"], env)
    assert status.returncode == 0 and api in status.stdout
    # The UI is told its own API's address, whatever the port.
    settings = httpx.get(api.removesuffix("/api") + "/ui-settings", timeout=10).json()
    assert settings["api_url"] == api

    page = tmp_path / "pages" / "one.txt"
    page.parent.mkdir()
    shutil.copy(RAW / PAGE, page)
    run = ingest(["backfill", str(page.parent), "--out", str(tmp_path / "out"), "--workers", "1",
                  "--json"], env, 300)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["written"] == 1
    flows = httpx.post(f"{api}/flow_runs/filter", json={"limit": 50}, timeout=10).json()
    assert any(r["state_type"] == "COMPLETED" for r in flows), "the run did not report to it"


def test_serve_without_a_server_is_a_usage_error(tmp_path: Path) -> None:
    env = clean_env(INGEST_SERVER_HOME=str(tmp_path / "no-server"))
    result = ingest(["serve"], env)
    assert result.returncode == 2
    assert "ingest server start" in result.stderr and "Traceback" not in result.stderr


def test_serve_against_an_unreachable_server_says_so_in_one_line(tmp_path: Path) -> None:
    api = f"http://127.0.0.1:{free_port()}/api"
    env = clean_env(INGEST_SERVER_HOME=str(tmp_path / "no-server"), PREFECT_API_URL=api)
    result = ingest(["serve"], env)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"ingest: the Prefect server at {api} does not answer; is it running?"
    ]


@pytest.mark.slow
def test_served_deployment_processes_a_new_page_and_never_overlaps(
    background_server: tuple[str, dict], tmp_path: Path
) -> None:
    api, env = background_server  # found by its home: nothing exported
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    serve = Group(
        [
            sys.executable,
            "-m",
            "flows",
            "serve",
            "--interval",
            str(INTERVAL_S),
            "--raw-dir",
            str(raw),
            "--out",
            str(out),
        ],
        env,
        tmp_path / "serve.log",
    )
    try:
        deployment, runs, rows, dropped = None, [], [], None
        completed_after_drop, cancelled = [], []
        deadline = time.monotonic() + ROW_TIMEOUT_S
        while time.monotonic() < deadline:
            assert serve.proc.poll() is None, f"ingest serve exited\n{tail(serve.log)}"
            deployment, runs = asyncio.run(_deployment_runs(api))
            if deployment is not None and dropped is None:
                dropped = datetime.now(UTC)
                shutil.copy(RAW / PAGE, raw / Path(PAGE).name)
            rows = page_rows(out)
            completed_after_drop = [
                r
                for r in runs
                if r.state_type
                and r.state_type.value == "COMPLETED"
                and dropped is not None
                and r.start_time
                and r.start_time >= dropped
            ]
            cancelled = [r for r in runs if r.state and r.state.message == CANCELLED_BY_LIMIT]
            if rows and completed_after_drop and cancelled:
                break
            time.sleep(2)
        diagnostics = tail(serve.log)
        assert deployment is not None, f"the deployment never appeared\n{diagnostics}"
        assert rows, f"the page's row never appeared in {out}\n{diagnostics}"
        assert completed_after_drop, f"no completed run after the drop\n{diagnostics}"

        # The page was processed once, as the scheduled deployment's work.
        assert len(rows) == 1 and rows[0]["format"] == "text" and rows[0]["n_words"] > 50

        # The deployment is what `ingest serve` promises: an interval schedule, at most one run.
        assert deployment.schedules[0].schedule.interval.total_seconds() == INTERVAL_S
        assert deployment.global_concurrency_limit.limit == 1
        assert deployment.concurrency_options.collision_strategy.value == "CANCEL_NEW"
        # Runs load the flow that carries the configured task runner (see the test below).
        assert deployment.entrypoint == "flows.deployment.scheduled_ingest"

        # Late or colliding runs were cancelled, never queued to run afterwards...
        assert cancelled, f"no run was cancelled by the concurrency limit\n{diagnostics}"
        assert not [r for r in runs if r.state_name == "AwaitingConcurrencySlot"]
        # ...and the runs that did run never overlapped.
        now = datetime.now(UTC)
        assert all(r.run_count == 0 for r in cancelled), "a cancelled run had run"
        ran = [r for r in runs if r.run_count > 0]
        spans = sorted((r.start_time, r.end_time or now, r.state_name) for r in ran)
        assert spans, runs
        for (_, end, _), (start, _, _) in itertools.pairwise(spans):
            assert start >= end, f"runs overlapped: {spans}"
    finally:
        left = serve.stop()
        assert not left, f"serve processes outlived SIGKILL: {left}"
        assert not serve.group_alive()


LOAD_ENTRYPOINT = """
from prefect.flows import load_flow_from_entrypoint
flow = load_flow_from_entrypoint("flows.deployment.scheduled_ingest")
print(flow.name, type(flow.task_runner).__name__, flow.task_runner._max_workers)
"""


@pytest.mark.parametrize(
    ("variables", "expected"),
    [({}, "ProcessPoolTaskRunner 2"), ({"INGEST_TASK_RUNNER": "thread"}, "ThreadPoolTaskRunner 2")],
)
def test_a_scheduled_run_loads_the_flow_with_the_configured_task_runner(
    tmp_path: Path, variables: dict[str, str], expected: str
) -> None:
    """What a scheduled run's process does first: load the deployment's entrypoint, with the
    settings `ingest serve` passed on in its environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INGEST_", "PREFECT_"))}
    (tmp_path / "none.toml").write_text("")  # defaults, whatever ./ingest.toml says
    env.update(
        PREFECT_HOME=str(tmp_path / "home"),
        INGEST_CONFIG=str(tmp_path / "none.toml"),
        INGEST_WORKERS="2",
        **variables,
    )
    done = subprocess.run(
        [sys.executable, "-c", LOAD_ENTRYPOINT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[-2] == f"ingest {expected}"
