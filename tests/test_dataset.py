"""Committing batches: replaced pages leave no duplicate, interrupted commits are finished."""

from pathlib import Path

import pyarrow.dataset as ds
import pytest

from ingest.batch import process_batch as _process_batch
from ingest.dataset import Dataset, OutputBusy, OutputLock
from ingest.selection import work_for_file
from ingest.settings import Settings
from ingest.work import WorkItem

FINGERPRINT = "test"


def write_pages(folder: Path, names: dict[str, str]) -> list[WorkItem]:
    items = []
    for name, body in names.items():
        path = folder / name
        path.write_text(body, encoding="utf-8")
        items.append(work_for_file(str(path), Settings(), str(folder)))
    return items


def process_batch(items: list[WorkItem], settings: Settings, run_id: str, batch: int, out: Path):
    return _process_batch(items, settings, run_id, batch, out, FINGERPRINT)


def rows(out: Path, table: str) -> list[dict]:
    folder = out / table
    if not folder.exists():
        return []
    return ds.dataset(folder, format="parquet", partitioning="hive").to_table().to_pylist()


BODY = "A sentence of the article that is long enough to be kept by the cleaner, surely.\n"


@pytest.fixture
def settings() -> Settings:
    return Settings(page_timeout_s=60)


def test_replaced_pages_move_between_tables_without_duplicates(
    tmp_path: Path, settings: Settings
) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    items = write_pages(raw, {"a.txt": BODY, "b.txt": BODY * 2, "c.txt": ""})
    dataset = Dataset(out)
    dataset.commit(process_batch(items, settings, "run1", 0, out), FINGERPRINT)
    assert sorted(r["source_path"] for r in rows(out, "documents")) == ["a.txt", "b.txt"]
    assert [r["reason"] for r in rows(out, "rejects")] == ["empty"]

    # b becomes empty (a reject now), c gets text (a document now)
    items = write_pages(raw, {"b.txt": "", "c.txt": BODY})
    dataset.commit(process_batch(items, settings, "run2", 0, out), FINGERPRINT)
    assert sorted(r["source_path"] for r in rows(out, "documents")) == ["a.txt", "c.txt"]
    assert [r["source_path"] for r in rows(out, "rejects")] == ["b.txt"]
    assert list((out / "_staging" / "run2").iterdir()) == []
    dataset.close()


def test_recovery_finishes_a_journalled_commit(tmp_path: Path, settings: Settings) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    dataset = Dataset(out)
    first = process_batch(write_pages(raw, {"a.txt": BODY}), settings, "run1", 0, out)
    dataset.commit(first, FINGERPRINT)

    # A second run stages and journals its batch, then dies before applying it.
    result = process_batch(write_pages(raw, {"a.txt": BODY * 3}), settings, "run2", 0, out)
    plan = {
        "moves": [
            (result.documents_file, "documents/ingest_date=2030-01-01/part-run2-00000.parquet")
        ],
        "prune": {
            f: sorted(ids)
            for f, ids in dataset.state.files_holding([result.records[0].doc_id]).items()
        },
        "records": [],
    }
    dataset.state.add_pending("run2", 0, plan)
    dataset.close()

    reopened = Dataset(out)
    assert reopened.recover() == 1
    found = rows(out, "documents")
    assert len(found) == 1 and found[0]["run_id"] == "run2"
    assert not (out / "_staging").exists()
    assert reopened.state.pending() == []
    reopened.close()


def test_a_second_holder_of_the_lock_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    first, second = OutputLock(tmp_path), OutputLock(tmp_path)
    first.acquire("run-a")
    with pytest.raises(OutputBusy, match="another ingest run"):
        second.acquire("run-b")
    first.release()
    second.acquire("run-b")
    second.release()
