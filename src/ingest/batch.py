"""A batch of records processed into staged Parquet files: what one task does.

The records of a batch go through each step together: read and decode, extract (HTML only, in
a child process with a deadline), clean all pages in one call, then write the rows.
"""

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import pyarrow

from ingest import schema
from ingest.analysis.stage import (
    AnalysisStores,
    Measurable,
    Measures,
    analyse,
    learn_sites,
    measure,
    strip_site_lines,
)
from ingest.cleaning import CleaningConfig, CleanResult, PageText, clean_pages
from ingest.collector import rare_collections
from ingest.dataset import STATE, BatchResult, RecordOutcome, staged_file
from ingest.document import Document, Reject
from ingest.identity import doc_id_for, sha256_bytes
from ingest.normalising import fixer_config_dict, normalise_whitespace
from ingest.page_worker import Extraction, PageWorker
from ingest.parquet_io import write_parquet_atomic
from ingest.processing import (
    PIPELINE_VERSION,
    Pending,
    attach_extraction,
    clean_text,
    decode_record,
    reject,
    removed_chars,
    site_of,
    to_document,
)
from ingest.readers import RecordError, container_kind, read
from ingest.rejection import PageRejected, RejectReason
from ingest.settings import Settings
from ingest.work import WorkItem


def file_metadata(settings: Settings, run_id: str, fingerprint: str) -> dict[str, object]:
    """Key-value metadata of every output file."""
    return {
        "schema_version": schema.SCHEMA_VERSION,
        "pipeline_version": PIPELINE_VERSION,
        "run_id": run_id,
        "cleaning_fingerprint": fingerprint,
        "libraries": {
            "trafilatura": version("trafilatura"),
            "ftfy": version("ftfy"),
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


@dataclass(slots=True)
class Processed:
    """What a batch has made of its records."""

    pending: list[Pending] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    outcomes: list[RecordOutcome] = field(default_factory=list)
    unchanged: int = 0

    def reject(
        self,
        item: WorkItem,
        key: str,
        offset: int,
        sha: str | None,
        reason: str,
        detail: str,
        run_id: str,
    ) -> None:
        self.rejects.append(reject(item, key, sha, reason, detail, run_id))
        self.outcomes.append(_outcome(item, key, offset, sha, "reject"))


class Prework:
    """A batch's own work on extracted pages while the page worker extracts others: cleaning
    them and taking the measures of their clean text, a few pages at a time. Results are the
    same as when taken after extraction (a page is cleaned the same in any batch), and what the
    site's repeated lines later change is measured again then. Whole-page texts wait for the
    end: the line model is cheapest over the whole batch at once."""

    #: pages a step takes: a few milliseconds of work, less than one extraction
    STEP_PAGES = 4

    def __init__(self, config: CleaningConfig) -> None:
        self._config = config
        self._waiting: list[Pending] = []
        self.cleaned: dict[int, CleanResult] = {}  # by id() of the Pending
        self.measured: dict[Measurable, Measures] = {}

    def add(self, pending: Pending) -> None:
        if pending.extracted:
            self._waiting.append(pending)

    def step(self) -> None:
        """Clean and measure the next few waiting pages."""
        if not self._waiting:
            return
        pages = self._waiting[: self.STEP_PAGES]
        del self._waiting[: self.STEP_PAGES]
        results = clean_pages([_page_text(p) for p in pages], self._config)
        texts: list[Measurable] = []
        for pending, result in zip(pages, results, strict=True):
            self.cleaned[id(pending)] = result
            text = normalise_whitespace(result.text)
            if text:
                texts.append((text, len(pending.page.text), removed_chars(result)))
        self.measured.update(zip(texts, measure(texts), strict=True))

    def clean(self, pending: list[Pending]) -> list[CleanResult]:
        """The cleaning of every page: taken from the steps run, the rest done now."""
        rest = [p for p in pending if id(p) not in self.cleaned]
        done = clean_pages([_page_text(p) for p in rest], self._config)
        self.cleaned.update(zip(map(id, rest), done, strict=True))
        return [self.cleaned[id(p)] for p in pending]


def process_batch(
    items: list[WorkItem],
    settings: Settings,
    run_id: str,
    batch: int,
    output: Path,
    fingerprint: str,
    on_progress: Callable[[int], None] | None = None,
) -> BatchResult:
    """Every record of the batch becomes a row, a reject, or is found unchanged; rows and
    rejects land in staged files. ``on_progress`` is told how many records are done."""
    started = time.perf_counter()
    stores = AnalysisStores(output / STATE)
    out = process_items(items, settings, run_id, fingerprint, stores, on_progress=on_progress)
    return _write(items, out, settings, run_id, batch, output, fingerprint, started)


def process_items(
    items: list[WorkItem],
    settings: Settings,
    run_id: str,
    fingerprint: str,
    stores: AnalysisStores | None = None,
    *,
    isolate: bool = True,
    on_progress: Callable[[int], None] | None = None,
) -> Processed:
    """The rows and rejects of the items' records, in memory. ``stores`` are the dataset's
    analysis stores (default: private ones, as if the batch were the whole dataset).
    ``isolate=False`` extracts HTML in this process, without the child process and its
    deadline."""
    with rare_collections():
        return _process_items(items, settings, run_id, fingerprint, stores, isolate, on_progress)


def _process_items(
    items: list[WorkItem],
    settings: Settings,
    run_id: str,
    fingerprint: str,
    stores: AnalysisStores | None,
    isolate: bool,
    on_progress: Callable[[int], None] | None,
) -> Processed:
    stores = stores or AnalysisStores(None)
    report = on_progress or _no_progress
    out = Processed()
    for item in items:
        _read_item(item, settings, run_id, out)
    total = sum(item.records for item in items)
    before_html = total - sum(p.is_html for p in out.pending)  # text pages take little time
    report(before_html)
    prework = Prework(settings.cleaning)
    _extract(out, settings, run_id, isolate, prework, lambda n: report(before_html + n))
    for pending in out.pending:
        pending.site = site_of(pending)
    repeated = learn_sites(stores, [(p.site, p.doc_id, p.text) for p in out.pending])
    results = prework.clean(out.pending)
    kept: list[tuple[Pending, CleanResult, str]] = []
    for pending, result in zip(out.pending, results, strict=True):
        result = strip_site_lines(result, repeated.get(pending.site or ""))
        try:
            kept.append((pending, result, clean_text(pending, result)))
        except PageRejected as exc:
            key = pending.record.key
            out.reject(
                pending.item,
                key,
                pending.offset,
                pending.sha256,
                exc.reason.value,
                exc.detail,
                run_id,
            )
    rows = [(p.doc_id, text, len(p.page.text), removed_chars(r)) for p, r, text in kept]
    analysed = analyse(stores, rows, prework.measured)
    for (pending, result, text), analysis in zip(kept, analysed, strict=True):
        document = to_document(pending, text, result, analysis, run_id, fingerprint)
        out.documents.append(document)
        out.outcomes.append(
            _outcome(pending.item, pending.record.key, pending.offset, pending.sha256, "document")
        )
    out.pending = []
    report(total)
    return out


def _no_progress(_done: int) -> None:
    return None


def _read_item(item: WorkItem, settings: Settings, run_id: str, out: Processed) -> None:
    if item.problem:
        out.reject(item, "", 0, None, item.problem, item.problem_detail, run_id)
        return
    for error in item.errors:
        out.reject(item, error.key, 0, None, error.reason, error.detail, run_id)
    if not item.refs:
        return
    known = dict(zip((r.key for r in item.refs), item.known, strict=True))
    offsets = {r.key: r.offset for r in item.refs}
    wanted = set(known)
    try:
        # the file's kind, as the index found it (sniffed again only for work made without one)
        container = item.file_state.container if item.file_state else container_kind(item.path)
        for found in read(item.path, item.refs, settings):
            key = found.key
            wanted.discard(key)
            if isinstance(found, RecordError):
                out.reject(item, key, offsets.get(key, 0), None, found.reason, found.detail, run_id)
                continue
            sha = sha256_bytes(found.payload)
            if known.get(key) == sha:
                out.unchanged += 1
                continue
            try:
                out.pending.append(
                    decode_record(item, found, offsets[key], container, sha, settings)
                )
            except PageRejected as exc:
                out.reject(item, key, offsets[key], sha, exc.reason.value, exc.detail, run_id)
    except PageRejected as exc:  # the file itself: vanished, unreadable, too large
        for key in sorted(wanted):
            out.reject(item, key, offsets[key], None, exc.reason.value, exc.detail, run_id)
        return
    except OSError as exc:
        for key in sorted(wanted):
            detail = f"{type(exc).__name__}: {exc}"
            out.reject(item, key, offsets[key], None, RejectReason.unreadable.value, detail, run_id)
        return
    for key in sorted(wanted):  # named by the index, not found on reading: the file changed
        detail = "record not found where the index put it; the file changed during the run"
        out.reject(item, key, offsets[key], None, RejectReason.missing.value, detail, run_id)


def _extract(
    out: Processed,
    settings: Settings,
    run_id: str,
    isolate: bool,
    prework: Prework,
    extracted: Callable[[int], None],
) -> None:
    """trafilatura on every HTML record, one child process for the batch; the batch's own work
    on pages already extracted goes on meanwhile."""
    html = [p for p in out.pending if p.is_html]
    if not html:
        return
    failed: set[int] = set()
    jobs = [(p.page.text, p.record.url or p.side.url) for p in html]
    extracted(0)  # the caller may stop the batch here, and before each page
    with PageWorker(settings, isolate=isolate, pages=len(html)) as worker:
        outcomes = worker.extract_many(jobs, prework.step)
        for done, (pending, (kind, value)) in enumerate(zip(html, outcomes, strict=True), start=1):
            if kind == "ok":
                extraction: Extraction = value
                attach_extraction(
                    pending, extraction.extracted, extraction.rendering, extraction.failure
                )
                prework.add(pending)
            else:
                reason, detail = value
                failed.add(id(pending))
                key = pending.record.key
                out.reject(
                    pending.item, key, pending.offset, pending.sha256, reason, detail, run_id
                )
            extracted(done)
    if failed:
        out.pending = [p for p in out.pending if id(p) not in failed]


def _page_text(pending: Pending) -> PageText:
    return PageText(
        text=pending.text,
        title=pending.meta.title,
        extracted=pending.extracted,
        rendering=pending.rendering,
    )


def _outcome(item: WorkItem, key: str, offset: int, sha: str | None, kind: str) -> RecordOutcome:
    return RecordOutcome(
        doc_id_for(item.root, item.source_path, key),
        item.root,
        item.source_path,
        key,
        offset,
        sha,
        kind,
    )


def _write(
    items: list[WorkItem],
    out: Processed,
    settings: Settings,
    run_id: str,
    batch: int,
    output: Path,
    fingerprint: str,
    started: float,
) -> BatchResult:
    result = BatchResult(run_id=run_id, batch=batch, pages=sum(i.records for i in items))
    result.input_bytes = sum(i.weight for i in items)
    metadata = file_metadata(settings, run_id, fingerprint)
    if out.documents:
        path = staged_file(output, run_id, "documents", batch)
        write_parquet_atomic([d.as_row() for d in out.documents], schema.DOCUMENTS, path, metadata)
        result.documents_file = str(path)
    if out.rejects:
        path = staged_file(output, run_id, "rejects", batch)
        write_parquet_atomic([r.as_row() for r in out.rejects], schema.REJECTS, path, metadata)
        result.rejects_file = str(path)
    removed: Counter[str] = Counter()
    for document in out.documents:
        for r in document.removed:
            removed[r["rule"]] += len(r["text"])
    result.written, result.rejected, result.unchanged = (
        len(out.documents),
        len(out.rejects),
        out.unchanged,
    )
    result.reject_reasons = dict(Counter(r.reason for r in out.rejects))
    result.removed_chars = dict(removed)
    result.records = out.outcomes
    result.seconds = time.perf_counter() - started
    return result


def reject_items(
    items: list[WorkItem],
    run_id: str,
    batch: int,
    output: Path,
    detail: str,
    settings: Settings,
    fingerprint: str,
) -> BatchResult:
    """A batch that could not be processed: every record of it becomes a batch_failed reject."""
    out = Processed()
    for item in items:
        keys = [(r.key, r.offset) for r in item.refs] + [(e.key, 0) for e in item.errors]
        if item.problem:
            keys.append(("", 0))
        for key, offset in keys:
            out.reject(item, key, offset, None, RejectReason.batch_failed.value, detail, run_id)
    # No hash recorded: the next run sees these records as changed and tries them again.
    return _write(items, out, settings, run_id, batch, output, fingerprint, time.perf_counter())
