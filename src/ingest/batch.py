"""A batch of pages processed into staged Parquet files: what one task does."""

import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ftfy
import pyarrow
import trafilatura

from ingest import schema
from ingest.dataset import BatchResult, PageRecord, staged_file
from ingest.identity import doc_id_for
from ingest.normalising import fixer_config_dict
from ingest.page_worker import PageWorker
from ingest.parquet_io import write_parquet_atomic
from ingest.processing import PIPELINE_VERSION, PageJob
from ingest.settings import Settings


@dataclass(frozen=True, slots=True)
class BatchItem:
    """A page of a batch, with the stat the state store compares and any known problem."""

    job: PageJob
    size: int
    mtime_ns: int
    problem: str | None = None
    problem_detail: str = ""


def file_metadata(settings: Settings, run_id: str) -> dict[str, object]:
    """Key-value metadata of every output file."""
    return {
        "schema_version": schema.SCHEMA_VERSION,
        "pipeline_version": PIPELINE_VERSION,
        "run_id": run_id,
        "libraries": {
            "trafilatura": trafilatura.__version__,
            "ftfy": ftfy.__version__,
            "pyarrow": pyarrow.__version__,
        },
        "cleaning": settings.cleaning.model_dump(mode="json"),
        "extraction": {
            "include_comments": False,
            "with_metadata": True,
            "focus": settings.extraction_focus.value,
        },
        "ftfy_config": fixer_config_dict(),
    }


def process_batch(
    items: list[BatchItem], settings: Settings, run_id: str, batch: int, output: Path
) -> BatchResult:
    """Every page of the batch becomes a row or a reject; both land in staged files."""
    started = time.perf_counter()
    result = BatchResult(run_id=run_id, batch=batch, pages=len(items))
    rows: list[dict[str, Any]] = []
    rejects: list[dict[str, Any]] = []
    reasons: Counter[str] = Counter()
    removed: Counter[str] = Counter()
    with PageWorker(settings, run_id) as worker:
        for item in items:
            result.input_bytes += item.size
            if item.problem:
                kind, value = "reject", (item.problem, item.problem_detail, None)
            else:
                kind, value = worker.process(item.job)
            doc_id = doc_id_for(item.job.source_path)
            if kind == "row":
                rows.append(value)
                for r in value["removed"]:
                    removed[r["rule"]] += len(r["text"])
                sha = value["source_sha256"]
            else:
                reason, detail, sha = value
                reasons[reason] += 1
                rejects.append(reject_row(item.job.source_path, sha, reason, detail, run_id))
            result.records.append(
                PageRecord(
                    item.job.source_path,
                    doc_id,
                    sha,
                    item.size,
                    item.mtime_ns,
                    "document" if kind == "row" else "reject",
                )
            )
    metadata = file_metadata(settings, run_id)
    if rows:
        path = staged_file(output, run_id, "documents", batch)
        write_parquet_atomic(rows, schema.DOCUMENTS, path, metadata)
        result.documents_file = str(path)
    if rejects:
        path = staged_file(output, run_id, "rejects", batch)
        write_parquet_atomic(rejects, schema.REJECTS, path, metadata)
        result.rejects_file = str(path)
    result.written, result.rejected = len(rows), len(rejects)
    result.reject_reasons, result.removed_chars = dict(reasons), dict(removed)
    result.seconds = time.perf_counter() - started
    return result


def reject_row(
    source_path: str, sha: str | None, reason: str, detail: str, run_id: str
) -> dict[str, Any]:
    return {
        "doc_id": doc_id_for(source_path),
        "source_path": source_path,
        "source_sha256": sha,
        "reason": reason,
        "detail": detail,
        "pipeline_version": PIPELINE_VERSION,
        "run_id": run_id,
        "rejected_at": datetime.now(UTC),
    }


def reject_items(
    items: list[BatchItem], run_id: str, batch: int, output: Path, detail: str, settings: Settings
) -> BatchResult:
    """A batch that could not be processed: every page of it becomes a batch_failed reject."""
    result = BatchResult(run_id=run_id, batch=batch, pages=len(items), rejected=len(items))
    rows = [reject_row(i.job.source_path, None, "batch_failed", detail, run_id) for i in items]
    path = staged_file(output, run_id, "rejects", batch)
    write_parquet_atomic(rows, schema.REJECTS, path, file_metadata(settings, run_id))
    result.rejects_file = str(path)
    result.reject_reasons = {"batch_failed": len(items)}
    result.input_bytes = sum(i.size for i in items)
    # No stat or hash recorded: the next run sees these pages as changed and tries them again.
    result.records = [
        PageRecord(i.job.source_path, doc_id_for(i.job.source_path), None, -1, -1, "reject")
        for i in items
    ]
    return result
