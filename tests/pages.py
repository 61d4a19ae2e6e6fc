"""Processing one file the way a batch task does, in this process, for tests of single pages."""

from pathlib import Path
from typing import Any

from ingest.batch import process_items
from ingest.selection import work_for_file
from ingest.settings import Settings
from ingest.work import WorkItem


def run_page(
    path: str | Path, settings: Settings, root: str | None = None, *, isolate: bool = True
) -> tuple[str, Any]:
    """The file's one record as ("row", row) or ("reject", (reason, detail, sha256))."""
    return run_item(work_for_file(str(path), settings, root), settings, isolate=isolate)


def run_item(item: WorkItem, settings: Settings, *, isolate: bool = True) -> tuple[str, Any]:
    """An item made earlier (the file may have changed since), processed now."""
    out = process_items([item], settings, "test", "test", isolate=isolate)
    if out.documents:
        return "row", out.documents[0].as_row()
    if not out.rejects:
        raise AssertionError(f"{item.path}: neither a row nor a reject")
    first = out.rejects[0]
    return "reject", (first.reason, first.detail, first.source_sha256)
