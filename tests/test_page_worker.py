"""The extraction worker: a per-page deadline and crash isolation, with real processes and
signals."""

import os
import signal
import threading
import time

import pytest
from hostile import ARTICLE, PARA

from ingest.extraction import ExtractionFocus
from ingest.page_worker import PageWorker, run_extraction
from ingest.settings import Settings


def _html(paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<html><head><title>t</title></head><body><article>{body}</article></body></html>"


@pytest.fixture
def pages() -> dict[str, tuple[str, None]]:
    return {
        "ok": (_html(ARTICLE.split("\n\n")), None),
        # slow enough to be caught mid-way: megabytes of markup to extract (seconds of work)
        "slow": (_html([f"{PARA} {i}" for i in range(30000)]), None),
    }


def test_page_past_its_deadline_is_rejected_and_the_child_replaced(pages) -> None:
    with PageWorker(Settings(page_timeout_s=0.2)) as worker:
        first = worker._ensure_child()
        assert first is not None
        pid = worker._process.pid
        kind, (reason, detail) = worker.extract(*pages["slow"])
        assert (kind, reason) == ("reject", "timeout")
        assert "0.2 s" in detail
        assert worker._process is None  # the stuck child was killed
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
        worker.timeout = 60
        kind, done = worker.extract(*pages["ok"])
        assert kind == "ok" and "harbour committee" in done.extracted.text
        assert worker._process.pid != pid


def test_child_killed_mid_page_rejects_only_that_page(pages) -> None:
    with PageWorker(Settings(page_timeout_s=60)) as worker:
        worker._ensure_child()
        pid = worker._process.pid
        timer = threading.Timer(0.3, os.kill, (pid, signal.SIGKILL))
        timer.start()
        started = time.perf_counter()
        kind, (reason, detail) = worker.extract(*pages["slow"])
        timer.join()
        assert (kind, reason) == ("reject", "extraction_failed")
        assert "died" in detail and str(-signal.SIGKILL) in detail
        assert time.perf_counter() - started < 30
        assert worker.extract(*pages["ok"])[0] == "ok"


def test_child_killed_while_idle_costs_no_page(pages) -> None:
    """A child that died between pages (the OOM killer, say) is replaced; the next page is
    processed, not rejected for a death that was not its doing."""
    with PageWorker(Settings(page_timeout_s=60)) as worker:
        assert worker.extract(*pages["ok"])[0] == "ok"
        pid = worker._process.pid
        os.kill(pid, signal.SIGKILL)
        worker._process.join(5)
        kind, done = worker.extract(*pages["ok"])
        assert kind == "ok", done
        assert worker._process.pid != pid


def test_child_start_is_not_charged_to_the_first_page(pages) -> None:
    """The deadline starts once the child is up: a short deadline still serves a quick page."""
    with PageWorker(Settings(page_timeout_s=5)) as worker:
        kind, done = worker.extract(*pages["ok"])
        assert kind == "ok", done


def _numbered(n: int) -> tuple[str, None]:
    return _html([f"{PARA} This is page number {n} of the run." for _ in range(6)]), None


def test_many_pages_come_back_in_order_while_the_caller_works() -> None:
    """The child holds the next page while it extracts one; the caller's work runs meanwhile."""
    calls = []
    jobs = [_numbered(n) for n in range(8)]
    with PageWorker(Settings(page_timeout_s=60)) as worker:
        outcomes = list(worker.extract_many(jobs, lambda: calls.append(1)))
    assert [kind for kind, _ in outcomes] == ["ok"] * 8
    for n, (_, done) in enumerate(outcomes):
        assert f"page number {n} of" in done.extracted.text
    assert len(calls) == 8


def test_pages_held_by_a_child_past_its_deadline_go_to_the_next_child() -> None:
    """The child is stopped (SIGSTOP) while it holds pages: the page it works on runs out of
    time, and the page it held after that one is extracted by the next child."""
    jobs = [_numbered(n) for n in range(4)]
    with PageWorker(Settings(page_timeout_s=1.0)) as worker:
        outcomes = worker.extract_many(jobs)
        first = next(outcomes)
        os.kill(worker._process.pid, signal.SIGSTOP)
        rest = list(outcomes)
    kinds = [kind for kind, _ in [first, *rest]]
    assert kinds.count("reject") == 1 and kinds.index("reject") in (1, 2)
    stuck = kinds.index("reject")
    assert rest[stuck - 1][1][0] == "timeout"
    for n, (kind, done) in enumerate([first, *rest]):
        if n != stuck:
            assert kind == "ok" and f"page number {n} of" in done.extracted.text


def test_a_caller_that_stops_early_leaves_no_child_at_work() -> None:
    slow = "<html><body><article>" + "<p>a b c</p>" * 8000 + "</article></body></html>"
    with PageWorker(Settings(page_timeout_s=60)) as worker:
        outcomes = worker.extract_many([_numbered(0), (slow, None), _numbered(2)])
        assert next(outcomes)[0] == "ok"  # the slow page is now held by the child
        pid = worker._process.pid
        outcomes.close()
        assert worker._process is None
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
        assert worker.extract(*_numbered(3))[0] == "ok"


def test_the_warm_up_compiles_the_date_parsers_locales_once() -> None:
    """What a warmed forkserver hands each child: the date parser's patterns of every locale,
    compiled (else each child compiles them on its first dated page)."""
    import subprocess
    import sys

    script = (
        "from dateparser.languages.dictionary import Dictionary\n"
        "before = sum(map(len, Dictionary._split_regex_cache.values()))\n"
        "import ingest.extraction_warmup\n"
        "after = sum(map(len, Dictionary._split_regex_cache.values()))\n"
        "print(before, after)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    before, after = map(int, out)
    assert before == 0
    assert after >= 100  # about 200 locales


def test_an_extracted_page_comes_with_its_whole_rendering() -> None:
    nav = "<nav><ul><li>Home</li><li>Archive</li></ul></nav>"
    html = _html(ARTICLE.split("\n\n")).replace("<body>", f"<body>{nav}")
    kind, extraction = run_extraction(html, None, ExtractionFocus.balanced)
    assert kind == "ok"
    assert extraction.extracted.text.strip()
    assert extraction.rendering.split("\n")[1:3] == ["Home", "Archive"]  # after the <title>
    assert ARTICLE.split("\n\n")[0] in extraction.rendering
