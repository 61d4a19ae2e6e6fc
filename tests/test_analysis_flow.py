"""The analysis columns through the real flow: language, duplicates across runs, what a site
repeats, and what a deleted page leaves behind."""

import json
from pathlib import Path

import duckdb
import pytest
from conftest import SHARED, read_documents, run_flow

from ingest.settings import Settings

pytestmark = pytest.mark.slow

MENU = ["Home", "World news and politics", "Sign up for our morning briefing today"]
FOOTER = "Copyright 2026 The Valley Courier. All rights reserved worldwide."
#: chrome that reads like body text: only its repetition across the site's pages gives it away
TAGLINE = (
    "The Valley Courier has reported on the towns of the upper valley since 1921, every day of "
    "the week."
)


def _gold_texts(count: int) -> list[str]:
    gold = json.loads((SHARED / "bench" / "modern" / "gold.json").read_text(encoding="utf-8"))
    texts = [v["text"] for _, v in sorted(gold.items()) if len(v.get("text") or "") > 1500]
    return texts[:count]


def _page(body: str) -> str:
    """A whole-page text dump: the site's chrome around the article."""
    return "\n".join([*MENU, "", TAGLINE, "", body, "", FOOTER]) + "\n"


def _settings(raw: Path, out: Path) -> Settings:
    return Settings(raw_dir=raw, output_dir=out, workers=1, task_runner="thread")


def test_analysis_columns_across_runs(tmp_path: Path, prefect_api: str) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    site = raw / "courier"
    site.mkdir(parents=True)
    bodies = _gold_texts(6)
    for i, body in enumerate(bodies[:5]):
        (site / f"a{i}.txt").write_text(_page(body))
        (site / f"a{i}.txt.json").write_text(json.dumps({"site": "courier.example"}))
    first = run_flow([raw], out, settings=_settings(raw, out))
    assert first["written"] == 5

    # next week: an exact copy and a syndicated near copy of article 0 arrive
    (site / "copy.txt").write_text(_page(bodies[0]))
    (site / "copy.txt.json").write_text(json.dumps({"site": "courier.example"}))
    other = raw / "syndicated"
    other.mkdir()
    near = "Syndicated from a partner.\n\n" + bodies[0] + "\n\nMore from our partner network."
    (other / "s.txt").write_text(near)
    run_flow([raw], out, settings=_settings(raw, out))

    rows = {r["source_path"]: r for r in read_documents(out).to_pylist()}
    original = rows["courier/a0.txt"]
    assert original["duplicate_of"] is None
    assert rows["courier/copy.txt"]["duplicate_of"] == original["doc_id"]
    assert rows["courier/copy.txt"]["text_sha256"] == original["text_sha256"]
    assert rows["syndicated/s.txt"]["near_duplicate_cluster"] == original["doc_id"]
    assert rows["courier/a1.txt"]["near_duplicate_cluster"] == rows["courier/a1.txt"]["doc_id"]
    for row in rows.values():
        assert row["language"] == "en" and row["language_score"] > 0.5
        assert row["quality"]["word_count"] > 100
        assert 0 < row["quality"]["boilerplate_share"] < 1

    # the site's chrome, on every page, is learned and named; the articles' text stays
    later = rows["courier/copy.txt"]
    assert FOOTER not in later["text"] and TAGLINE not in later["text"]
    assert any(r["rule"] == "site.repeated" for r in later["removed"]) or all(
        line not in later["text"].split("\n") for line in MENU
    )
    repeated = duckdb.sql(
        f"SELECT count(*) FROM (SELECT unnest(removed) AS r "
        f"FROM read_parquet('{out}/documents/**/*.parquet')) WHERE r.rule = 'site.repeated'"
    ).fetchall()[0][0]
    assert repeated > 0

    # the original is deleted: the copy's cluster id still names it, nothing else changes
    (site / "a0.txt").unlink()
    (site / "a0.txt.json").unlink()
    gone = run_flow([raw], out, settings=_settings(raw, out))
    assert gone["removed_missing"] == 1
    after = {r["source_path"]: r for r in read_documents(out).to_pylist()}
    assert "courier/a0.txt" not in after
    assert after["syndicated/s.txt"]["near_duplicate_cluster"] == original["doc_id"]
