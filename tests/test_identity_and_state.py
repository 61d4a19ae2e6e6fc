"""Identity of records and what the state store makes of changes: two roots never collide,
deleted inputs leave the dataset, stale rows are found by their cleaning fingerprint."""

import dataclasses
import os
import shutil
from pathlib import Path

import pytest
from conftest import RAW, read_documents, run_flow

from ingest.document import Document, Reject
from ingest.schema import DOCUMENTS, REJECTS
from ingest.settings import CleaningConfig, Settings

ARTICLE = (
    "<html lang='de-AT'><head><title>{title}</title></head><body><article><h1>{title}</h1>"
    + "<p>{body} The council met on Tuesday to hear the residents speak at length about it.</p>" * 4
    + "</article></body></html>"
)


def test_typed_rows_have_exactly_the_schema_columns() -> None:
    assert [f.name for f in dataclasses.fields(Document)] == DOCUMENTS.names
    assert [f.name for f in dataclasses.fields(Reject)] == REJECTS.names


def _site(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(ARTICLE.format(title=f"{body} news", body=body))
    return folder


def _settings(raw: Path, out: Path, **extra: object) -> Settings:
    return Settings(raw_dir=raw, output_dir=out, workers=1, **extra)


@pytest.mark.slow
def test_two_roots_with_the_same_file_name_give_two_rows(tmp_path: Path, prefect_api: str) -> None:
    site_a = _site(tmp_path / "siteA", "Alpha")
    site_b = _site(tmp_path / "siteB", "Bravo")
    out = tmp_path / "out"
    summary = run_flow([site_a, site_b], out, settings=_settings(tmp_path / "raw", out))
    assert (summary["seen"], summary["written"]) == (2, 2)
    rows = read_documents(out).to_pylist()
    assert len({r["doc_id"] for r in rows}) == 2
    assert {r["source_root"] for r in rows} == {str(site_a), str(site_b)}
    assert {r["language_declared"] for r in rows} == {"de"}

    # one root changes and is backfilled again: only its own row is replaced
    (site_a / "index.html").write_text(ARTICLE.format(title="Alpha again", body="Alpha two"))
    again = run_flow([site_a], out, settings=_settings(tmp_path / "raw", out))
    assert (again["written"], again["removed_missing"]) == (1, 0)
    rows = {r["source_root"]: r for r in read_documents(out).to_pylist()}
    assert len(rows) == 2
    assert "Alpha two" in rows[str(site_a)]["text"]
    assert "Bravo" in rows[str(site_b)]["text"]


@pytest.mark.slow
def test_deleted_inputs_leave_the_dataset_unless_told_otherwise(
    tmp_path: Path, prefect_api: str
) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    shutil.copytree(RAW, raw)
    run_flow([raw], out, settings=_settings(raw, out))
    before = read_documents(out).num_rows

    gone = raw / "html" / "harbour-bridge.html"
    gone.unlink()
    (raw / "html" / "harbour-bridge.html.json").unlink()  # its sidecar goes with it
    kept = run_flow([raw], out, settings=_settings(raw, out, forget_missing=False))
    assert kept["removed_missing"] == 0
    assert read_documents(out).num_rows == before

    summary = run_flow([raw], out, settings=_settings(raw, out))
    assert summary["removed_missing"] == 1
    paths = read_documents(out).column("source_path").to_pylist()
    assert len(paths) == before - 1 and "html/harbour-bridge.html" not in paths

    # nothing more goes on the next run, and a page put back comes back
    shutil.copy(RAW / "html" / "harbour-bridge.html", gone)
    shutil.copy(RAW / "html" / "harbour-bridge.html.json", raw / "html")
    back = run_flow([raw], out, settings=_settings(raw, out))
    assert (back["written"], back["removed_missing"]) == (1, 0)
    assert read_documents(out).num_rows == before


@pytest.mark.slow
def test_stale_rows_are_found_by_their_cleaning_fingerprint(
    tmp_path: Path, prefect_api: str
) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    shutil.copytree(RAW, raw)
    old = _settings(raw, out, cleaning=CleaningConfig(disabled_rules=["share"]))
    first = run_flow([raw], out, settings=old)
    fingerprints = set(read_documents(out).column("cleaning_fingerprint").to_pylist())
    assert len(fingerprints) == 1

    new = _settings(raw, out)
    plain = run_flow([raw], out, settings=new)
    assert plain["written"] == 0, "an ordinary run leaves unchanged inputs alone"
    stale = run_flow([raw], out, settings=new, stale=True)
    assert stale["written"] == first["written"]
    now = set(read_documents(out).column("cleaning_fingerprint").to_pylist())
    assert len(now) == 1 and now != fingerprints
    assert run_flow([raw], out, settings=new, stale=True)["written"] == 0


def test_record_ids_depend_on_root_path_and_key() -> None:
    from ingest.identity import doc_id_for

    ids = {
        doc_id_for("/a", "index.html", ""),
        doc_id_for("/b", "index.html", ""),
        doc_id_for("/a", "index.html", "line:1"),
        doc_id_for("/a", "x/index.html", ""),
    }
    assert len(ids) == 4
    assert doc_id_for("/a", "index.html", "") == doc_id_for("/a", "index.html", "")
    assert os.sep == "/"
