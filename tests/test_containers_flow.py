"""Crawler containers through the real flow: every record accounted for, one row per page."""

import gzip
import json
import shutil
from pathlib import Path

import pytest
from conftest import SHARED, read_documents, read_rejects, run_flow

from ingest.settings import Settings

pytestmark = pytest.mark.slow

PROSE = (
    "The harbour committee met on Tuesday evening to discuss the long delayed repairs to the "
    "old bridge, and residents spoke at length about the traffic it sends through the square."
)


def _settings(raw: Path, out: Path) -> Settings:
    return Settings(raw_dir=raw, output_dir=out, workers=1, task_runner="thread")


def test_jsonl_lines_are_pages_and_a_bad_line_is_only_its_own_reject(
    tmp_path: Path, prefect_api: str
) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    lines = [
        json.dumps({"id": f"d{i}", "url": f"https://news.example/{i}", "text": f"{PROSE} {i}"})
        for i in range(5)
    ]
    lines.insert(2, "{not json")
    lines.insert(4, json.dumps({"id": "empty", "url": "https://news.example/x"}))
    (raw / "dump.jsonl.gz").write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    summary = run_flow([raw], out, settings=_settings(raw, out))
    assert summary["accounted"]
    assert (summary["seen"], summary["written"], summary["rejected"]) == (7, 5, 2)
    rows = read_documents(out).to_pylist()
    assert sorted(r["url"] for r in rows) == [f"https://news.example/{i}" for i in range(5)]
    for row in rows:
        assert row["text"] == f"{PROSE} {row['url'].rsplit('/', 1)[1]}"
        assert "\\n" not in row["text"] and row["container"] == "jsonl"
        assert row["record_key"].startswith("line:")
    rejects = read_rejects(out).to_pylist()
    assert sorted(r["record_key"] for r in rejects) == ["line:3", "line:5"]


def test_a_text_record_s_address_names_its_headline(tmp_path: Path, prefect_api: str) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    page = (
        "Council approves the budget for next year\n\nBridge repairs will start in the spring"
        f"\n\n{PROSE}\n\nThe mayor said the vote was close."
    )
    urls = {
        "slug": "https://news.example/local/bridge-repairs-start-in-spring/",
        "number": "https://news.example/local/story/12345678",
    }
    lines = [json.dumps({"id": key, "url": url, "text": page}) for key, url in urls.items()]
    (raw / "dump.jsonl").write_text("\n".join(lines) + "\n")
    summary = run_flow([raw], out, settings=_settings(raw, out))
    assert (summary["written"], summary["rejected"]) == (2, 0)
    titles = {row["url"]: row["title"] for row in read_documents(out).to_pylist()}
    assert titles == {
        urls["slug"]: "Bridge repairs will start in the spring",
        urls["number"]: "Council approves the budget for next year",
    }


def test_real_warc_captures_become_rows_and_the_rest_is_counted(
    tmp_path: Path, prefect_api: str
) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    for name in ("example-wget-1-14.warc.gz", "example-wpull.warc.gz", "iana.warc.gz"):
        shutil.copy(SHARED / "warc" / name, raw)
    summary = run_flow([raw], out, settings=_settings(raw, out))
    assert summary["accounted"]
    assert summary["seen"] == summary["written"] + summary["rejected"]
    assert summary["passed_over"]["request"] == 1 + 1 + 171
    assert summary["passed_over"]["revisit"] == 123
    rows = read_documents(out).to_pylist()
    assert len({r["doc_id"] for r in rows}) == len(rows) == summary["written"] >= 15
    assert {r["container"] for r in rows} == {"warc"}
    assert all(r["url"] and r["url"].startswith("http") for r in rows)
    assert all(r["fetched_at"] is not None for r in rows)
    again = run_flow([raw], out, settings=_settings(raw, out))
    assert (again["written"], again["skipped_unchanged"]) == (0, summary["seen"])
