"""A Prefect server kept running in the background for `ingest` commands to share.

`ingest server start` runs Prefect's own `prefect server start --background` with a private
PREFECT_HOME (`INGEST_SERVER_HOME`, default ~/.ingest/prefect) in a session of its own, so a
Ctrl-C in the terminal never reaches it. Its address is kept in that home, where every later
command finds it without anything exported. Only the standard library is imported here: finding
the server must cost milliseconds.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

HOME_ENV = "INGEST_SERVER_HOME"
DEFAULT_HOME = Path.home() / ".ingest" / "prefect"
DEFAULT_PORT = 4200
ADDRESS_FILE = "ingest-server.json"
PID_FILE = "server.pid"  # written by `prefect server start --background`
# A fresh home migrates its database before the server answers.
START_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 20.0
PREFECT = (sys.executable, "-m", "prefect")
UVICORN = (sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app")


class ServerError(RuntimeError):
    """The background server could not be started, found or stopped."""


@dataclass(frozen=True, slots=True)
class ServerAddress:
    host: str
    port: int
    home: str

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}/api"

    @property
    def ui_url(self) -> str:
        return f"http://{self.host}:{self.port}"


def server_home() -> Path:
    return Path(os.environ.get(HOME_ENV) or DEFAULT_HOME).expanduser().absolute()


def healthy(api_url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as reply:
            return reply.status == 200
    except (OSError, urllib.error.URLError, ValueError):
        return False


def _pid(home: Path) -> int | None:
    try:
        pid = int((home / PID_FILE).read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return pid


def running_server(home: Path | None = None) -> ServerAddress | None:
    """The background server of `home`, if it is up and answers."""
    home = home or server_home()
    try:
        address = ServerAddress(**json.loads((home / ADDRESS_FILE).read_text()))
    except (OSError, ValueError, TypeError):
        return None
    if _pid(home) is None or not healthy(address.api_url):
        return None
    return address


def server_environment(address: ServerAddress) -> dict[str, str]:
    """Variables under which the server (and its UI) knows its own address."""
    return {
        "PREFECT_HOME": address.home,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_API_URL": address.api_url,
        "PREFECT_UI_API_URL": address.api_url,
        "PREFECT_SERVER_API_HOST": address.host,
        "PREFECT_SERVER_API_PORT": str(address.port),
    }


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def start_server(
    port: int = DEFAULT_PORT, host: str = "127.0.0.1", home: Path | None = None
) -> ServerAddress:
    """Start the background server (or return the one already up) and wait until it answers."""
    home = home or server_home()
    if existing := running_server(home):
        return existing
    home.mkdir(parents=True, exist_ok=True)
    (home / PID_FILE).unlink(missing_ok=True)  # left by a server that is gone
    if not _port_free(host, port):
        raise ServerError(f"port {port} is in use; choose another with --port")
    address = ServerAddress(host=host, port=port, home=str(home))
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")
    } | server_environment(address)
    log = (home / "server-start.log").open("wb")
    with log:
        started = subprocess.run(
            [
                sys.executable,
                "-m",
                "prefect",
                "server",
                "start",
                "--background",
                "--host",
                host,
                "--port",
                str(port),
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the server outlives this command and ignores its Ctrl-C
            check=False,
        )
    if started.returncode != 0:
        raise ServerError(f"prefect server start failed; see {home / 'server-start.log'}")
    (home / ADDRESS_FILE).write_text(json.dumps(asdict(address)))
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if healthy(address.api_url):
            return address
        if _pid(home) is None:
            raise ServerError(f"the server exited at start; see {home / 'server-start.log'}")
        time.sleep(0.3)
    raise ServerError(f"the server did not answer within {START_TIMEOUT_S:.0f} s")


def stop_server(home: Path | None = None) -> bool:
    """Stop the background server of `home`; False if none was running."""
    home = home or server_home()
    pid = _pid(home)
    (home / ADDRESS_FILE).unlink(missing_ok=True)
    if pid is None:
        (home / PID_FILE).unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.2)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
    (home / PID_FILE).unlink(missing_ok=True)
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A finished child of ours is a zombie until reaped; the server is not our child.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


class TemporaryServer:
    """A Prefect API server for one command, when no background server is up.

    Prefect's own ephemeral server, started in a session of its own so that a Ctrl-C meant for
    the run does not take the API away from it mid-run; stopped when the command ends.
    """

    def __init__(self, home: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.address = ServerAddress(host="127.0.0.1", port=port, home=str(home))
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        env |= {
            "PREFECT_HOME": str(home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_ENABLED": "0",
            "PREFECT__SERVER_EPHEMERAL": "1",
            "PREFECT__SERVER_FINAL": "1",
        }
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "prefect.server.api.server:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "error",
                "--lifespan",
                "on",
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise ServerError(
                    f"the temporary Prefect server exited ({self._process.returncode})"
                )
            if healthy(self.address.api_url, timeout=0.5):
                return self.address.api_url
            time.sleep(0.1)
        self.stop()
        raise ServerError(f"the temporary Prefect server did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
