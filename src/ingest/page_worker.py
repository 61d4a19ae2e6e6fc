"""HTML extraction in a child process with a per-page deadline.

trafilatura has no time limit and lxml can crash on hostile markup: a page that runs past its
deadline, or takes its process down, is rejected and the child is replaced, so the batch goes on.
Only extraction runs there; everything else of a batch runs in the batch task itself.
"""

import contextlib
import logging
import multiprocessing
import socket
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from typing import TYPE_CHECKING, Any

from ingest.decoding import MAX_MARKUP_DEPTH, markup_depth
from ingest.extraction import Extracted, ExtractionFocus, extract_html, release_caches, render_html
from ingest.rejection import RejectReason

if TYPE_CHECKING:  # not loaded by the forkserver: the settings import the whole cleaner
    from ingest.settings import Settings

log = logging.getLogger(__name__)

# A fresh child now and then keeps memory flat whatever the pages leave behind.
PAGES_PER_CHILD = 2000
CACHE_RESET_EVERY = 200
# A child's start (the forkserver imports the libraries once) is not charged to any page.
CHILD_START_TIMEOUT_S = 300.0
READY = "ready"
#: HTML pages from which a batch warms the forkserver first (``ingest.extraction_warmup``): a
#: few seconds once, instead of the same in each child that meets a page needing the date
#: parser (about 1 page in 25 of the development set: a batch of 50 meets one 7 times in 8)
WARM_FROM_PAGES = 50
#: The socket buffer asked for between the batch and its child; the kernel may grant less.
SEND_BUFFER_BYTES = 4 * 1024 * 1024
# What the forkserver imports once for every child: the extractor's libraries too.
PRELOAD = ["trafilatura", "lxml.html", "ingest.page_worker"]


def _context(warm: bool = False) -> multiprocessing.context.ForkServerContext:
    """The forkserver context; ``warm`` adds the extractor's warm-up to what the forkserver
    preloads (it takes effect when this process's forkserver starts, at its first child)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD + (["ingest.extraction_warmup"] if warm else []))
    return context


def start_forkserver() -> None:
    """Start the process children are forked from, ahead of the first page: its imports then
    run while the caller does other work. Signal dispositions and the signal mask of the calling
    thread are inherited by it and by every child."""
    _context()
    forkserver.ensure_running()


def _send_buffer(conn: Connection) -> int:
    """Bytes the kernel lets this end of the connection hold unread, after asking for
    SEND_BUFFER_BYTES (0 when unknown: pages then go one at a time)."""
    try:
        with socket.fromfd(conn.fileno(), socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER_BYTES)
            return int(sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF))
    except OSError:
        return 0


@dataclass(frozen=True, slots=True)
class Extraction:
    """What the extractor made of a page. ``rendering`` is the whole page as text: beside the
    extractor's main text the cleaner adds lines of it the extractor left out; when the extractor
    found no main text, the page is cleaned as this text dump instead."""

    extracted: Extracted
    rendering: str | None = None
    #: why the extractor failed on the page, when the page is cleaned as ``rendering`` instead
    failure: str | None = None


Outcome = tuple[str, Any]  # ("ok", Extraction) or ("reject", (reason, detail))
Job = tuple[str, str | None]  # (html, url)


def _nothing() -> None:
    return None


def run_extraction(html: str, url: str | None, focus: ExtractionFocus) -> Outcome:
    """Extract one page in this process, turning every failure into a reject."""
    try:
        extracted = extract_html(html, url=url, focus=focus)
        if extracted.text.strip():
            return "ok", Extraction(extracted, _rendering_beside(html))
        if markup_depth(html) > MAX_MARKUP_DEPTH:
            return "ok", Extraction(extracted)  # rejected as too deep, not rendered
        return "ok", Extraction(extracted, render_html(html))
    except RecursionError:
        return "reject", (RejectReason.extraction_failed.value, "markup nested too deeply")
    except MemoryError:
        return "reject", (RejectReason.extraction_failed.value, "out of memory")
    except Exception as exc:  # a library failure on one page must not stop the batch
        message = str(exc)[:300]
        return _whole_page(
            html, f"{type(exc).__name__}: {message}" if message else type(exc).__name__
        )


def _whole_page(html: str, failure: str) -> Outcome:
    """A page the extractor failed on (a library's bug on odd markup), cleaned as its whole
    rendering; a reject naming the failure when the page renders to no text either."""
    if markup_depth(html) > MAX_MARKUP_DEPTH:
        return "reject", (RejectReason.extraction_failed.value, failure)
    try:
        rendering = render_html(html)
    except Exception:  # the rendering's own failure adds nothing to the extractor's
        rendering = ""
    if not rendering.strip():
        return "reject", (RejectReason.extraction_failed.value, failure)
    return "ok", Extraction(Extracted(text=""), rendering, failure)


def _rendering_beside(html: str) -> str | None:
    """The page's rendering beside a main text the extractor found: without it the page still
    has that text, so a failure to render it does not reject the page. Figure captions are left
    out: trafilatura leaves them out of its text, and added back they cost main text."""
    try:
        return render_html(html, captions=False)
    except (RecursionError, MemoryError):
        return None


def _child_main(conn: Connection, focus: ExtractionFocus) -> None:
    done = 0
    conn.send(READY)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if job is None:
            return
        html, url = job
        conn.send(run_extraction(html, url, focus))
        done += 1
        if done % CACHE_RESET_EVERY == 0:
            release_caches()


class PageWorker:
    """One child process at a time; replaced after a timeout, a crash or PAGES_PER_CHILD pages."""

    def __init__(self, settings: "Settings", *, isolate: bool = True, pages: int = 0) -> None:
        """``isolate=False`` extracts in this process, without a deadline (for debugging and
        for audits of what extraction does). ``pages``: how many pages are coming, if known;
        a process's forkserver starts warm when its first worker expects many."""
        self.focus = settings.extraction_focus
        self.timeout = settings.page_timeout_s
        self._context = _context(warm=pages >= WARM_FROM_PAGES)
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None
        self._served = 0
        self._buffer = 0
        self._in_process = not isolate

    def extract(self, html: str, url: str | None) -> Outcome:
        return next(self.extract_many([(html, url)]))

    def extract_many(
        self, jobs: Sequence[Job], between: Callable[[], object] = _nothing
    ) -> Iterator[Outcome]:
        """The outcome of each job, in order. While the child extracts one page it holds the
        next, so it never waits for this process; ``between`` is called while it works (the
        caller's own work on pages already extracted)."""
        if self._in_process:
            for html, url in jobs:
                yield run_extraction(html, url, self.focus)
            return
        held: deque[tuple[int, int]] = deque()  # (job, pickled bytes) the child holds
        try:
            yield from self._pipeline(jobs, between, held)
        finally:
            if held:  # the caller stopped early: what the child still works on is not wanted
                self._kill()

    def _pipeline(
        self, jobs: Sequence[Job], between: Callable[[], object], held: deque[tuple[int, int]]
    ) -> Iterator[Outcome]:
        following = 0  # the first job not handed to the child yet
        deadline = 0.0
        while following < len(jobs) or held:
            if not held:
                data = ForkingPickler.dumps(jobs[following])
                if self._in_process or self._send(data) is None:  # no child can start here
                    yield run_extraction(*jobs[following], self.focus)
                    following += 1
                    continue
                held.append((following, len(data)))
                following += 1
                deadline = time.monotonic() + self.timeout
            if following < len(jobs) and self._send_ahead(jobs[following], held):
                following += 1
            between()
            outcome = self._receive(deadline)
            held.popleft()
            if self._process is None:  # killed or dead: what it held goes to the next child
                following = held[0][0] if held else following
                held.clear()
            else:
                deadline = time.monotonic() + self.timeout  # it starts on the page it holds
                if not held and self._served >= PAGES_PER_CHILD:
                    self.close()
            yield outcome

    def _send_ahead(self, job: Job, held: deque[tuple[int, int]]) -> bool:
        """Hand the child the page after its current one when both are small enough to lie in
        the socket's buffer together: the send then cannot block, so this process and the
        child never each wait for the other to read. True when the page was sent."""
        if len(held) != 1 or self._conn is None or self._served + 1 >= PAGES_PER_CHILD:
            return False
        if len(job[0]) * 4 > self._buffer:  # a pickled page has at least a byte a character
            return False
        data = ForkingPickler.dumps(job)
        if max(len(data), held[0][1]) * 4 > self._buffer:
            return False
        try:
            self._conn.send_bytes(data)
        except OSError:
            return False  # the child is gone: the page it holds is charged with that
        held.append((held[0][0] + 1, len(data)))
        return True

    def _receive(self, deadline: float) -> Outcome:
        """The outcome of the child's current page; a reject when it runs past the deadline or
        takes the child down (the child is then replaced)."""
        conn = self._conn
        assert conn is not None
        try:
            if conn.poll(max(0.0, deadline - time.monotonic())):
                outcome: Outcome = conn.recv()
                self._served += 1
                return outcome
            self._kill()
            detail = f"extraction took longer than {self.timeout:g} s"
            return "reject", (RejectReason.timeout.value, detail)
        except (EOFError, OSError):
            code = self._kill()
            detail = f"the page's worker process died (exit code {code})"
            return "reject", (RejectReason.extraction_failed.value, detail)

    def _send(self, data: bytes) -> Connection | None:
        """Hand a pickled page to a live, idle child. A child that died while idle (killed
        between pages, say by the OOM killer) is not the page's fault: it is replaced and the
        page sent again."""
        for attempt in range(2):
            conn = self._ensure_child()
            if conn is None:
                return None
            try:
                conn.send_bytes(data)
                return conn
            except OSError:
                code = self._kill()
                log.warning("page worker process was gone (exit code %s); replacing it", code)
                if attempt:
                    raise
        return None

    def _ensure_child(self) -> Connection | None:
        if self._process is not None and self._process.is_alive() and self._conn is not None:
            return self._conn
        self._kill()
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_child_main, args=(child, self.focus), daemon=True)
        try:
            process.start()
        except AssertionError:
            # Daemonic workers (some Dask set-ups) may not have children: run pages in-process,
            # without a deadline, rather than not at all.
            log.warning("cannot start a page worker process here; pages run without a deadline")
            self._in_process = True
            return None
        child.close()
        self._process, self._conn, self._served = process, parent, 0
        self._buffer = _send_buffer(parent)
        try:
            ready = parent.poll(CHILD_START_TIMEOUT_S) and parent.recv() == READY
        except (EOFError, OSError):
            ready = False
        if not ready:
            code = self._kill()
            raise RuntimeError(f"page worker process did not start (exit code {code})")
        return parent

    def _kill(self) -> int | None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            conn.close()
        if process is None:
            return None
        if process.is_alive():
            process.kill()
        process.join(5)
        return process.exitcode

    def close(self) -> None:
        if self._conn is not None and self._process is not None and self._process.is_alive():
            with contextlib.suppress(OSError):
                self._conn.send(None)
            self._process.join(2)
        self._kill()

    def __enter__(self) -> "PageWorker":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
