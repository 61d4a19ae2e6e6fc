"""The task runners the flow is given, as real Prefect runs them."""

import os

import psutil
import pytest
from prefect import flow, task

from flows.runtime import batches_run_here, release_workers, task_runner_for
from ingest.settings import Settings, TaskRunnerKind


@task(persist_result=False)
def _worker_pid() -> int:
    return os.getpid()


def _pids_before_and_after_release(kind: TaskRunnerKind) -> tuple[list[int], list[bool]]:
    settings = Settings(workers=2, task_runner=kind)

    @flow(task_runner=task_runner_for(settings), persist_result=False)
    def probe_flow() -> tuple[list[int], list[bool]]:
        pids = [f.result() for f in [_worker_pid.submit() for _ in range(4)]]
        release_workers()
        return pids, [psutil.pid_exists(pid) for pid in pids]

    return probe_flow()


def test_process_pool_workers_end_when_released_before_the_flow_returns(prefect_api: str) -> None:
    pids, alive = _pids_before_and_after_release(TaskRunnerKind.process)
    assert os.getpid() not in pids, "the tasks did not run in worker processes"
    assert not any(alive), "a pool worker outlived release_workers"


def test_release_leaves_a_thread_runner_alone(prefect_api: str) -> None:
    pids, alive = _pids_before_and_after_release(TaskRunnerKind.thread)
    assert set(pids) == {os.getpid()} and all(alive)


@pytest.mark.parametrize(
    ("asked", "small_run", "expected"),
    [
        ({"workers": 1}, False, "ThreadPoolTaskRunner"),
        ({"workers": 2}, True, "ThreadPoolTaskRunner"),
        ({"workers": 2}, False, "ProcessPoolTaskRunner"),
        ({"workers": 1, "task_runner": TaskRunnerKind.process}, False, "ProcessPoolTaskRunner"),
        ({"workers": 2, "task_runner": TaskRunnerKind.thread}, False, "ThreadPoolTaskRunner"),
    ],
)
def test_one_batch_at_a_time_runs_in_a_thread_unless_a_runner_is_asked_for(
    asked: dict, small_run: bool, expected: str
) -> None:
    settings = Settings(**asked)
    runner = task_runner_for(settings, small_run)
    assert type(runner).__name__ == expected
    assert batches_run_here(settings, small_run) == (expected == "ThreadPoolTaskRunner")
