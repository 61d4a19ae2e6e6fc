"""The page worker: a per-page deadline and crash isolation, with real processes and signals."""

import os
import signal
import threading
import time
from pathlib import Path

import pytest
from hostile import ARTICLE, PARA

from ingest.page_worker import PageWorker
from ingest.processing import PageJob
from ingest.settings import Settings


@pytest.fixture
def pages(tmp_path: Path) -> dict[str, PageJob]:
    (tmp_path / "ok.txt").write_text(ARTICLE)
    # slow enough to be caught mid-way: megabytes of text to clean (seconds of work)
    (tmp_path / "slow.txt").write_text("\n\n".join(f"{PARA} {i}" for i in range(30000)))
    return {name: PageJob(str(tmp_path / name), name) for name in ("ok.txt", "slow.txt")}


def test_page_past_its_deadline_is_rejected_and_the_child_replaced(pages) -> None:
    with PageWorker(Settings(page_timeout_s=0.2), "t") as worker:
        first = worker._ensure_child()
        assert first is not None
        pid = worker._process.pid
        kind, (reason, detail, _) = worker.process(pages["slow.txt"])
        assert (kind, reason) == ("reject", "timeout")
        assert "0.2 s" in detail
        assert worker._process is None  # the stuck child was killed
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
        worker.timeout = 60
        kind, row = worker.process(pages["ok.txt"])
        assert kind == "row" and "harbour committee" in row["text"]
        assert worker._process.pid != pid


def test_child_killed_mid_page_rejects_only_that_page(pages) -> None:
    with PageWorker(Settings(page_timeout_s=60), "t") as worker:
        worker._ensure_child()
        pid = worker._process.pid
        timer = threading.Timer(0.3, os.kill, (pid, signal.SIGKILL))
        timer.start()
        started = time.perf_counter()
        kind, (reason, detail, _) = worker.process(pages["slow.txt"])
        timer.join()
        assert (kind, reason) == ("reject", "extraction_failed")
        assert "died" in detail and str(-signal.SIGKILL) in detail
        assert time.perf_counter() - started < 30
        assert worker.process(pages["ok.txt"])[0] == "row"


def test_child_killed_while_idle_costs_no_page(pages) -> None:
    """A child that died between pages (the OOM killer, say) is replaced; the next page is
    processed, not rejected for a death that was not its doing."""
    with PageWorker(Settings(page_timeout_s=60), "t") as worker:
        assert worker.process(pages["ok.txt"])[0] == "row"
        pid = worker._process.pid
        os.kill(pid, signal.SIGKILL)
        worker._process.join(5)
        kind, row = worker.process(pages["ok.txt"])
        assert kind == "row", row
        assert worker._process.pid != pid


def test_child_start_is_not_charged_to_the_first_page(pages) -> None:
    """The deadline starts once the child is up: a short deadline still serves a quick page."""
    with PageWorker(Settings(page_timeout_s=5), "t") as worker:
        kind, row = worker.process(pages["ok.txt"])
        assert kind == "row", row
