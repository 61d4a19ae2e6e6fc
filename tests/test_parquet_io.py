"""Parquet written atomically under an explicit schema, with key-value metadata, read back."""

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingest.analysis.quality_signals import QUALITY
from ingest.document import Document, Reject
from ingest.parquet_io import read_metadata, rewrite_without, write_parquet_atomic
from ingest.schema import DOCUMENTS, REJECTS


def document(doc_id: str, text: str = "Body text.") -> dict:
    quality = {field.name: 0 for field in QUALITY}
    quality.update(c4_lorem_ipsum=False, c4_curly_bracket=False, boilerplate_share=0.5)
    return Document(
        doc_id=doc_id,
        source_root="/raw",
        source_path=f"a/{doc_id}.html",
        record_key="",
        container="plain",
        source_sha256="0" * 64,
        url=None,
        site=None,
        hostname=None,
        title="T",
        author=None,
        published=date(2024, 1, 2),
        fetched_at=datetime(2024, 1, 3, 4, 5, 6, 7, UTC),
        description=None,
        categories=[],
        tags=["x"],
        language_declared=None,
        language="en",
        language_score=0.9,
        text=text,
        n_chars=len(text),
        n_words=len(text.split()),
        raw_chars=100,
        raw_bytes=100,
        removed=[{"rule": "share.label", "text": "Share"}],
        removed_chars=5,
        text_sha256="1" * 64,
        duplicate_of=None,
        near_duplicate_cluster=doc_id,
        quality=quality,
        encoding="utf-8",
        format="html",
        source_meta=None,
        warnings=[],
        cleaning_fingerprint="f" * 16,
        pipeline_version="0",
        run_id="r",
        ingested_at=datetime.now(UTC),
    ).as_row()


def test_round_trip_keeps_schema_values_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "d" / "part.parquet"
    write_parquet_atomic(
        [document("a"), document("b")],
        DOCUMENTS,
        path,
        {"schema_version": "1.0", "cleaning": {"enabled": True}},
    )
    table = pq.read_table(path)
    assert table.schema.remove_metadata().equals(DOCUMENTS)
    assert table.schema.field("fetched_at").type.unit == "us"
    assert str(table.schema.field("fetched_at").type.tz) == "UTC"
    row = table.to_pylist()[0]
    assert row["removed"] == [{"rule": "share.label", "text": "Share"}]
    assert row["fetched_at"] == datetime(2024, 1, 3, 4, 5, 6, 7, UTC)
    assert read_metadata(path) == {"schema_version": "1.0", "cleaning": '{"enabled": true}'}
    meta = pq.ParquetFile(path).metadata
    assert meta.row_group(0).column(0).compression == "ZSTD"
    assert duckdb.sql(f"SELECT count(*) FROM '{path}'").fetchall() == [(2,)]
    assert list(tmp_path.rglob("*.tmp")) == []


def test_rows_that_do_not_fit_the_schema_leave_no_file(tmp_path: Path) -> None:
    path = tmp_path / "part.parquet"
    bad = document("a")
    bad["n_words"] = "many"
    with pytest.raises((pa.ArrowInvalid, pa.ArrowTypeError)):
        write_parquet_atomic([bad], DOCUMENTS, path, {})
    assert list(tmp_path.iterdir()) == []


def test_empty_fields_are_kept_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "rejects.parquet"
    row = Reject("a", "/raw", "a", "", None, "empty", "no bytes", "0", "r").as_row()
    write_parquet_atomic([row], REJECTS, path, {})
    assert pq.read_table(path).to_pylist()[0]["source_sha256"] is None


def test_rewrite_without_drops_rows_and_deletes_empty_files(tmp_path: Path) -> None:
    path = tmp_path / "part.parquet"
    write_parquet_atomic([document("a"), document("b")], DOCUMENTS, path, {"run_id": "r1"})
    assert rewrite_without(path, {"a"}) == 1
    assert pq.read_table(path).column("doc_id").to_pylist() == ["b"]
    assert read_metadata(path) == {"run_id": "r1"}
    assert rewrite_without(path, {"a"}) == 0
    assert rewrite_without(path, {"b"}) == 1
    assert not path.exists()
