"""Hostile input: every file ends as a correct row or a clear reject; none stops a run or is lost.

Each case is a real file on disk, processed the way a batch processes it (`run_page` in this
process, or a `PageWorker` child where the deadline matters), then the whole folder goes
through the real flow once.
"""

import os
import shutil
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import read_documents, read_rejects, run_flow
from hostile import ARTICLE, build_corpus, build_filesystem, gzip_bomb, gzip_bomb_single
from pages import run_item, run_page

from ingest.decoding import decode_page
from ingest.discovery import Root, discover
from ingest.readers import read_bytes
from ingest.rejection import RejectReason
from ingest.selection import work_for_file
from ingest.settings import Settings

SETTINGS = Settings()  # the documented defaults: 50 MiB on disk, 50 MiB inflated, 1 MiB sidecar


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("hostile")
    raw = base / "raw"
    cases = build_corpus(raw)
    cases |= build_filesystem(raw, base / "outside")
    return raw, cases


# Processed once only, by the flow run below: cleaning a 5 MB line takes seconds.
SLOW = {"big/long-line.txt"}


@pytest.fixture(scope="module")
def outcomes(corpus):
    """Every discovered page, processed as a batch would: discovery problems or run_page."""
    raw, _ = corpus
    found = {}
    for c in discover([Root(raw)]):
        if c.source_path in SLOW:
            found[c.source_path] = None
        elif c.problem:
            found[c.source_path] = ("reject", (c.problem, c.problem_detail, None))
        else:
            found[c.source_path] = run_page(c.path, SETTINGS, c.root)
    return found


def test_every_case_is_discovered_once_and_nothing_else(corpus, outcomes) -> None:
    _, cases = corpus
    assert sorted(outcomes) == sorted(cases)


def test_each_case_ends_as_expected(corpus, outcomes) -> None:
    _, cases = corpus
    wrong = {}
    for name, expect in cases.items():
        if name in SLOW:
            continue
        kind, value = outcomes[name]
        if kind != expect.outcome:
            wrong[name] = (
                f"expected {expect.outcome} {expect.reason or ''}, got {kind} {value!r:.200}"
            )
        elif kind == "reject":
            reason, detail, _ = value
            if reason != expect.reason:
                wrong[name] = f"expected reject {expect.reason}, got {reason}: {detail}"
            elif reason not in RejectReason.__members__ or len(detail) < 8:
                wrong[name] = f"reject without a clear reason or detail: {reason!r} {detail!r}"
        elif expect.check is not None and not expect.check(value):
            wrong[name] = f"row fails its check: {value['text'][:200]!r} {value['warnings']}"
    assert not wrong, "\n".join(f"{k}: {v}" for k, v in sorted(wrong.items()))


def test_rows_hold_valid_text_only(corpus, outcomes) -> None:
    rows = [o[1] for o in outcomes.values() if o and o[0] == "row"]
    assert len(rows) >= 20
    for row in rows:
        for key in ("text", "title", "source_path", "encoding", "source_meta"):
            value = row[key] or ""
            value.encode("utf-8")  # no lone surrogates
            if key != "source_path":
                assert not any(ord(c) < 32 and c not in "\n\t" for c in value), (key, value[:80])


def test_encodings_are_named(outcomes) -> None:
    encoding = {k: v[1]["encoding"] for k, v in outcomes.items() if v and v[0] == "row"}
    assert encoding["enc/utf8-bom.txt"] == "utf-8 (BOM)"
    assert encoding["enc/utf16-le.txt"] == "utf-16-le (BOM)"
    assert encoding["enc/utf16-be.html"] == "utf-16-be (BOM)"
    assert encoding["enc/windows-1251.txt"] == "cp1251"
    assert encoding["enc/koi8-r.txt"] == "koi8_r"
    assert encoding["enc/latin1-declared-utf8.html"] == "cp1252"
    assert encoding["enc/shift-jis.txt"] in ("cp932", "shift_jis")


def test_outside_the_root_is_never_read(corpus, outcomes) -> None:
    for outcome in outcomes.values():
        if outcome and outcome[0] == "row":
            value = outcome[1]
            assert "TOP SECRET" not in value["text"] and "OUTSIDE PAGE" not in value["text"]
    assert outcomes["fs/link-outside.txt"][1][2] is None  # not even hashed


def test_hundred_mb_page_is_refused_without_reading_it(corpus) -> None:
    raw, _ = corpus
    page = raw / "big/hundred-mb.html"
    assert page.stat().st_size == 100_000_000
    tracemalloc.start()
    try:
        kind, (reason, detail, _) = run_page(str(page), SETTINGS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (kind, reason) == ("reject", "too_large")
    assert "cap is 52428800" in detail  # the documented default: 50 MiB
    assert peak < 5 * 1024 * 1024


@pytest.mark.parametrize("builder", [gzip_bomb, gzip_bomb_single])
def test_gzip_bomb_is_capped_while_inflating(tmp_path: Path, builder) -> None:
    bomb = tmp_path / "bomb.html.gz"
    if builder is gzip_bomb:
        builder(bomb, inflated_gib=2)
    else:
        builder(bomb, inflated_mib=64)
    assert bomb.stat().st_size < 3 * 1024 * 1024
    small = 8 * 1024 * 1024
    data = read_bytes(bomb, SETTINGS.max_file_bytes)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(Exception) as caught:
            decode_page(data, small)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.reason is RejectReason.too_large
    assert peak < 4 * small  # never holds the inflated gigabytes
    assert time.perf_counter() - started < 10


def test_file_that_disappears_between_listing_and_reading(tmp_path: Path) -> None:
    page = tmp_path / "gone.txt"
    page.write_text(ARTICLE)
    item = work_for_file(str(page), SETTINGS)
    assert item.problem is None
    page.unlink()
    kind, (reason, detail, _) = run_item(item, SETTINGS)
    assert (kind, reason) == ("reject", "missing")
    assert "vanished" in detail


def test_file_replaced_by_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(ARTICLE)
    item = work_for_file(str(page), SETTINGS)
    page.unlink()
    os.mkfifo(page)
    started = time.perf_counter()
    kind, (reason, _, _) = run_item(item, SETTINGS)
    assert (kind, reason) == ("reject", "unreadable")
    assert time.perf_counter() - started < 5


def test_unreadable_file(tmp_path: Path) -> None:
    """Permission denied. Root reads any file, so as root the reader runs in a process without
    the capabilities that let it (setpriv drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH)."""
    page = tmp_path / "locked.txt"
    page.write_text(ARTICLE)
    page.chmod(0)
    if os.geteuid() != 0:
        kind, (reason, detail, _) = run_page(str(page), SETTINGS)
        assert (kind, reason) == ("reject", "unreadable"), detail
        return
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot deny a read")
    caps = "-dac_override,-dac_read_search"
    code = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        "from pages import run_page; from ingest.settings import Settings; "
        "kind, value = run_page(sys.argv[1], Settings()); "
        "print(kind, value[0], value[1])"
    )
    done = subprocess.run(
        [
            setpriv,
            f"--inh-caps={caps}",
            f"--bounding-set={caps}",
            sys.executable,
            "-c",
            code,
            str(page),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("reject unreadable "), done.stdout
    assert "PermissionError" in done.stdout and "locked.txt" in done.stdout


def test_one_run_over_all_hostile_files_accounts_for_every_page(
    corpus, prefect_api: str, tmp_path: Path
) -> None:
    raw, cases = corpus
    out = tmp_path / "out"
    settings = Settings(
        raw_dir=raw, output_dir=out, workers=1, task_runner="thread", batch_size=25, task_retries=0
    )
    summary = run_flow([raw], out, settings=settings)
    assert summary["status"] == "completed"
    assert summary["accounted"] and summary["failed_batches"] == 0
    assert summary["seen"] == len(cases) == summary["written"] + summary["rejected"]

    docs = read_documents(out).to_pylist()
    rejects = read_rejects(out).to_pylist()
    by_path = {r["source_path"]: ("row", r) for r in docs}
    by_path |= {r["source_path"]: ("reject", r) for r in rejects}
    assert len(docs) + len(rejects) == len(by_path) == len(cases)
    for name, expect in cases.items():
        kind, row = by_path[name]
        assert kind == expect.outcome, (name, row)
        if kind == "reject":
            assert row["reason"] == expect.reason, (name, row["detail"])
            assert row["detail"] and row["rejected_at"] is not None
        elif expect.check is not None:
            assert expect.check(row), (name, row["text"][:200], row["warnings"])
    expected_reasons = {}
    for expect in cases.values():
        if expect.reason:
            expected_reasons[expect.reason] = expected_reasons.get(expect.reason, 0) + 1
    assert summary["reject_reasons"] == expected_reasons
    for file in (out / "documents").rglob("*"):
        assert not file.name.endswith(".tmp")
        if file.is_file():
            pq.read_metadata(file)
    shutil.rmtree(out)
