"""The real flow over the sample corpus, read back with pyarrow and DuckDB."""

import json
import os
import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from conftest import RAW, read_documents, read_rejects, run_flow

from ingest.identity import doc_id_for
from ingest.normalising import normalise
from ingest.schema import DOCUMENTS, SCHEMA_VERSION

SEEDS = json.loads((Path(__file__).parent / "data" / "seeds.json").read_text(encoding="utf-8"))
SAMPLE_PAGES = sorted(
    str(p.relative_to(RAW)) for p in RAW.rglob("*") if p.is_file() and not p.name.endswith(".json")
)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory, prefect_api: str):
    base = tmp_path_factory.mktemp("e2e")
    raw = base / "raw"
    shutil.copytree(RAW, raw)
    out = base / "out"
    summary = run_flow([raw], out)
    return raw, out, summary


def test_every_sample_page_becomes_one_row(first_run) -> None:
    _, out, summary = first_run
    table = read_documents(out)
    assert sorted(table.column("source_path").to_pylist()) == SAMPLE_PAGES
    assert summary["seen"] == len(SAMPLE_PAGES) == summary["written"]
    assert summary["rejected"] == 0 and summary["accounted"]
    assert read_rejects(out) is None


def test_duckdb_reads_the_dataset_as_is(first_run) -> None:
    _, out, _ = first_run
    rows = duckdb.sql(
        f"SELECT count(*), count(DISTINCT doc_id), min(ingest_date), sum(n_words) "
        f"FROM read_parquet('{out}/documents/**/*.parquet', hive_partitioning = true)"
    ).fetchall()[0]
    assert rows[0] == rows[1] == len(SAMPLE_PAGES)
    assert rows[3] > 3000
    kinds = dict(
        duckdb.sql(
            f"SELECT format, count(*) FROM read_parquet('{out}/documents/**/*.parquet') "
            "GROUP BY format"
        ).fetchall()
    )
    assert kinds == {"html": 3, "text": 5}


def test_files_carry_schema_and_metadata(first_run) -> None:
    _, out, _ = first_run
    files = list((out / "documents").rglob("*.parquet"))
    assert files and not list(out.rglob("*.tmp"))
    schema = pq.read_schema(files[0])
    assert schema.remove_metadata().equals(DOCUMENTS)
    meta = {k.decode(): v.decode() for k, v in schema.metadata.items()}
    assert meta["ingest.schema_version"] == SCHEMA_VERSION
    assert json.loads(meta["ingest.cleaning"])["enabled"] is True
    assert json.loads(meta["ingest.ftfy_config"])["uncurl_quotes"] is False
    assert "trafilatura" in json.loads(meta["ingest.libraries"])


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_seed_body_kept_and_boilerplate_gone(first_run, seed: str) -> None:
    _, out, _ = first_run
    table = read_documents(out).to_pylist()
    row = next(r for r in table if r["source_path"] == f"text/{seed}")
    lines = set(row["text"].split("\n"))
    expected = SEEDS[seed]
    for paragraph in expected["body"]:
        assert normalise(paragraph) in lines, f"body paragraph lost: {paragraph[:80]}"
    for line in expected["boilerplate"]:
        assert normalise(line) not in lines, f"boilerplate kept: {line[:80]}"
    assert row["title"] == normalise(expected["title"])
    assert normalise(expected["title"]) not in lines
    assert row["removed"] and all(r["rule"].count(".") == 1 for r in row["removed"])


def test_html_pages_have_metadata_and_no_page_furniture(first_run) -> None:
    _, out, _ = first_run
    rows = {r["source_path"]: r for r in read_documents(out).to_pylist()}
    bridge = rows["html/harbour-bridge.html"]
    assert bridge["title"] == "Harbour bridge reopens after two years of repairs"
    assert bridge["author"] == "Maria Okafor"
    assert str(bridge["published"]) == "2024-03-14"
    assert bridge["site"] == "The Coastal Ledger"
    assert bridge["url"].startswith("https://coastal-ledger.example/")
    assert bridge["fetched_at"].isoformat() == "2024-03-14T10:02:11+00:00"
    assert json.loads(bridge["source_meta"])["crawler"] == "sample-scraper/1.4"
    assert "Cycle lanes on both sides" in bridge["text"]
    for furniture in ("Disqus", "Log in to comment", "Related stories", "Subscribe", "Reply"):
        assert furniture not in bridge["text"]
    radio = rows["html/community-radio.html"]
    assert "People think radio is dying" in radio["text"]
    for furniture in ("Dear readers", "Remind me later", "Monthly", "Choir wins"):
        assert furniture not in radio["text"]
    fest = rows["html/stadtfest.html.gz"]
    assert fest["encoding"] == "cp1252"
    assert "Gül Özdemir" in fest["text"] and "Mühlenplatz" in fest["text"]


def test_rerun_skips_unchanged_and_replaces_changed_pages(first_run) -> None:
    raw, out, _ = first_run
    again = run_flow([raw], out)
    assert (again["seen"], again["written"], again["skipped_unchanged"]) == (8, 0, 8)

    page = raw / "text" / "002_742e16abf3b67eba.txt"
    page.write_text(
        page.read_text() + "\nA new closing paragraph was added to this article today.\n"
    )
    os.utime(page, ns=(1, 1))
    changed = run_flow([raw], out)
    assert (changed["written"], changed["skipped_unchanged"]) == (1, 7)

    table = read_documents(out).to_pylist()
    assert len(table) == len(SAMPLE_PAGES)
    assert len({r["doc_id"] for r in table}) == len(SAMPLE_PAGES)
    row = next(r for r in table if r["source_path"] == "text/002_742e16abf3b67eba.txt")
    assert row["doc_id"] == doc_id_for(str(raw), "text/002_742e16abf3b67eba.txt", "")
    assert (row["source_root"], row["record_key"], row["container"]) == (str(raw), "", "plain")
    assert "A new closing paragraph" in row["text"]


def test_run_publishes_a_markdown_report(first_run) -> None:
    import httpx

    from flows.run_artifacts import artifact_key

    _, out, summary = first_run
    response = httpx.post(
        f"{os.environ['PREFECT_API_URL']}/artifacts/filter",
        json={
            "artifacts": {"key": {"any_": [artifact_key("run", summary["run_id"])]}},
            "limit": 200,
            "offset": 0,
            "sort": "CREATED_DESC",
        },
    )
    response.raise_for_status()
    reports = [a["data"] for a in response.json() if summary["run_id"] in (a["data"] or "")]
    assert len(reports) == 1
    assert f"| written | {len(SAMPLE_PAGES)} |" in reports[0]
    assert "| cleaning rule | characters removed |" in reports[0]
    assert str(out) in reports[0] and "- `documents/ingest_date=" in reports[0]
