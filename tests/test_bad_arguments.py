"""Bad arguments are errors: exit 2 with one line naming the path, key or file, before any server
starts and before anything is written."""

import os
import subprocess
from pathlib import Path

import pytest
from conftest import ingest_command

CASES = {
    "missing path": (["backfill", "/nonexistent/path"], None, {}, "/nonexistent/path"),
    "glob matching nothing": (["backfill", "{tmp}/nothing*/x.html"], None, {}, "nothing*"),
    "misspelt setting": (["run"], 'raw_dirr = "raw"\n', {}, "raw_dirr"),
    "misspelt cleaning option": (["run"], "[cleaning]\nenabeld = false\n", {}, "cleaning.enabeld"),
    "missing config file": (["run", "--config", "missing.toml"], None, {}, "missing.toml"),
    "config not TOML": (["run", "--config", "bad.toml"], None, {}, "bad.toml"),
    "unknown variable": (["run"], None, {"INGEST_RAW_DIRR": "raw"}, "INGEST_RAW_DIRR"),
    "unknown nested variable": (
        ["run"],
        None,
        {"INGEST_CLEANING__ENABELD": "false"},
        "INGEST_CLEANING__ENABELD",
    ),
    "invalid value": (["run", "--workers", "0"], None, {}, "workers"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_argument_exits_2_naming_it_and_writes_nothing(tmp_path: Path, case: str) -> None:
    args, toml, env_extra, named = CASES[case]
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "page.txt").write_text("A page that would be processed if it ran.\n")
    (tmp_path / "bad.toml").write_text("x = [\n")
    if toml is not None:
        (tmp_path / "ingest.toml").write_text(toml)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INGEST_", "PREFECT_API"))}
    env["PREFECT_API_URL"] = "http://127.0.0.1:9/api"  # nothing listens: a server use would fail
    env.update(env_extra)
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    done = subprocess.run(
        [*ingest_command(), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0], done.stderr
    assert "pydantic" not in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "output").exists()
