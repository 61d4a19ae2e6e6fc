"""Headless Chromium driven over the DevTools protocol: open a page, collect console errors and
network requests, evaluate an expression, take a full-page screenshot; or turn saved HTML into
the text a reader copies from the page (``TextTab``)."""

import base64
import contextlib
import itertools
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
    "--window-size=1200,900",
]
START_TIMEOUT_S = 60
PAGE_TIMEOUT_S = 60


@dataclass
class PageVisit:
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    value: Any = None  # what the expression evaluated to
    screenshot: bytes = b""


class _Session:
    def __init__(self, ws_url: str) -> None:
        self._ws = connect(ws_url, max_size=None, open_timeout=START_TIMEOUT_S)
        self._ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        call_id = next(self._ids)
        self._ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self._ws.recv(timeout=PAGE_TIMEOUT_S))
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method: str) -> None:
        if any(e.get("method") == method for e in self.events):
            return
        deadline = time.monotonic() + PAGE_TIMEOUT_S
        while time.monotonic() < deadline:
            message = json.loads(self._ws.recv(timeout=PAGE_TIMEOUT_S))
            self.events.append(message)
            if message.get("method") == method:
                return
        raise TimeoutError(method)

    def close(self) -> None:
        self._ws.close()


def _devtools_port(profile: Path, browser: subprocess.Popen) -> int:
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if browser.poll() is not None:
            raise RuntimeError(f"chromium exited with {browser.returncode}")
        if marker.exists() and (lines := marker.read_text().splitlines()):
            return int(lines[0])
        time.sleep(0.1)
    raise TimeoutError("chromium did not open its DevTools port")


@contextlib.contextmanager
def chromium() -> Iterator[_Session]:
    """A fresh headless Chromium profile and a DevTools session on its blank page."""
    profile = Path(tempfile.mkdtemp(prefix="ingest-chromium-"))
    browser = subprocess.Popen(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port = _devtools_port(profile, browser)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as reply:
            target = next(t for t in json.load(reply) if t["type"] == "page")
        session = _Session(target["webSocketDebuggerUrl"])
        try:
            yield session
        finally:
            session.close()
    finally:
        browser.terminate()
        try:
            browser.wait(timeout=10)
        except subprocess.TimeoutExpired:
            browser.kill()
            browser.wait()
        shutil.rmtree(profile, ignore_errors=True)


def visit(url: str, expression: str) -> PageVisit:
    """Load `url` in a fresh headless Chromium profile and report what happened."""
    with chromium() as session:
        return _load(session, url, expression)


class TextTab:
    """One Chromium tab that turns HTML into the text a reader selects and copies from it
    (``document.body.innerText``), with scripts off and every request blocked: the page as
    saved, laid out by the styles it holds itself, without fetched stylesheets. A page that
    fails or hangs the tab gets a fresh browser for the next one."""

    def __init__(self) -> None:
        self._stack = contextlib.ExitStack()
        self._session: _Session | None = None
        self._frame = ""

    def __enter__(self) -> "TextTab":
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def text(self, html: str) -> str:
        """The page's text; empty when the browser fails on it."""
        try:
            session = self._open()
            session.call("Page.setDocumentContent", frameId=self._frame, html=html)
            found = session.call(
                "Runtime.evaluate",
                expression="document.body ? document.body.innerText : ''",
                returnByValue=True,
            )
            session.events.clear()
            return found["result"].get("value") or ""
        except (RuntimeError, TimeoutError, OSError, WebSocketException):
            self._stack.close()
            self._stack, self._session = contextlib.ExitStack(), None
            return ""

    def _open(self) -> _Session:
        if self._session is None:
            session = self._stack.enter_context(chromium())
            session.call("Page.enable")
            session.call("Network.enable")
            blocked = ["http://*", "https://*", "ws://*", "wss://*", "file://*", "data:*"]
            session.call("Network.setBlockedURLs", urls=blocked)
            session.call("Emulation.setScriptExecutionDisabled", value=True)
            self._frame = session.call("Page.getFrameTree")["frameTree"]["frame"]["id"]
            self._session = session
        return self._session


def _load(session: _Session, url: str, expression: str) -> PageVisit:
    for domain in ("Page", "Runtime", "Log", "Network"):
        session.call(f"{domain}.enable")
    session.call("Page.navigate", url=url)
    session.wait_for("Page.loadEventFired")
    result = session.call("Runtime.evaluate", expression=expression, returnByValue=True)
    shot = session.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
    page = PageVisit(value=result["result"].get("value"))
    page.screenshot = base64.b64decode(shot["data"])
    for event in session.events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            page.errors.append(json.dumps(params["args"])[:500])
        elif method == "Runtime.exceptionThrown":
            page.errors.append(params["exceptionDetails"].get("text", "exception"))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            page.errors.append(params["entry"].get("text", ""))
        elif method == "Network.requestWillBeSent":
            page.requests.append(params["request"]["url"])
    return page
