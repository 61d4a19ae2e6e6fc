"""Which records a run processes: roots for the given paths, date ranges, and the state store's
view of what is new, changed, stale or gone."""

import glob
import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

from ingest.discovery import Candidate, Root, discover, non_glob_prefix
from ingest.fingerprint import cleaning_fingerprint
from ingest.readers import RecordError, RecordRef, container_kind, index
from ingest.settings import Settings
from ingest.sidecars import sidecar_time
from ingest.state import FileState, StateStore
from ingest.work import WorkItem


class NoInput(ValueError):
    """A path or pattern given to a run matches nothing."""


def roots_for(paths: Iterable[str | Path], raw_dir: Path) -> list[Root]:
    """Paths inside the raw folder keep names relative to it, so a page has one id however it is
    selected; other folders are roots of their own, other files are named relative to their folder.
    """
    raw = Path(os.path.abspath(raw_dir))
    inside: list[str] = []
    roots: list[Root] = []
    for item in paths:
        absolute = os.path.abspath(item)
        anchor = non_glob_prefix(absolute)
        if anchor == str(raw) or anchor.startswith(str(raw) + os.sep):
            inside.append(absolute)
        elif glob.has_magic(absolute):
            roots.append(Root(Path(anchor), (absolute,)))
        elif os.path.isdir(absolute) and not os.path.islink(absolute):
            roots.append(Root(Path(absolute)))
        else:
            roots.append(Root(Path(os.path.dirname(absolute)), (absolute,)))
    if inside:
        roots.insert(0, Root(raw, () if str(raw) in inside else tuple(inside)))
    return roots


def check_paths(paths: Iterable[str]) -> None:
    """Every given path exists and every pattern matches something; else NoInput naming it."""
    for item in paths:
        if glob.has_magic(item):
            if next(glob.iglob(item, recursive=True), None) is None:
                raise NoInput(f"no file matches {item!r}")
        elif not os.path.lexists(item):
            raise NoInput(f"no such file or folder: {item!r}")


def page_time(candidate: Candidate, max_sidecar_bytes: int) -> datetime:
    """The page's date for --since/--until: fetched or published in its sidecar, else mtime."""
    stamp = sidecar_time(Path(candidate.path), max_sidecar_bytes)
    return stamp or datetime.fromtimestamp(candidate.mtime_ns / 1e9, UTC)


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Plan:
    """How this run treats records the state store knows."""

    reprocess: bool = False  # every record again
    processed_since: str | None = None  # a resumed reprocessing job: skip what it already did
    stale: bool = False  # records made under another cleaning fingerprint again
    fingerprint: str = ""
    since: datetime | None = None
    until: datetime | None = None
    forget_missing: bool = True  # rows of inputs gone from a root walked whole are removed


def run_plan(
    settings: Settings,
    *,
    reprocess: bool = False,
    stale: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Plan:
    """The plan of a run with these arguments under these settings."""
    return Plan(
        reprocess=reprocess,
        stale=stale,
        fingerprint=cleaning_fingerprint(settings),
        since=since,
        until=until,
        forget_missing=settings.forget_missing,
    )


@dataclass(slots=True)
class Selection:
    """Counts of what selection passed over, and what it found gone from the input."""

    seen: int = 0  # page records (and unreadable files) seen
    unchanged: int = 0
    out_of_range: int = 0
    passed_over: Counter[str] = field(default_factory=Counter)  # records that are not pages
    gone: list[str] = field(default_factory=list)  # doc_ids of records no longer in the input
    gone_files: list[tuple[str, str]] = field(default_factory=list)


def select(
    candidates: Iterable[Candidate],
    store: StateStore,
    settings: Settings,
    plan: Plan,
    counts: Selection,
    *,
    whole_roots: Iterable[str] = (),
    chunk: int = 500,
) -> Iterator[WorkItem]:
    """Work for the run, lazily. Files whose size and mtime are unchanged are not opened; changed
    containers are indexed and only their new or changed records processed (a record's payload
    hash is compared where it is read). Once the candidates are exhausted, files recorded under
    the roots walked whole that were not seen are counted as gone."""
    seen: dict[str, set[str]] = {root: set() for root in whole_roots}
    buffer: list[Candidate] = []
    for candidate in candidates:
        if candidate.root in seen:
            seen[candidate.root].add(candidate.source_path)
        if (plan.since or plan.until) and not _in_range(candidate, plan, settings):
            counts.out_of_range += 1
            continue
        buffer.append(candidate)
        if len(buffer) >= chunk:
            yield from _select_chunk(buffer, store, settings, plan, counts)
            buffer = []
    yield from _select_chunk(buffer, store, settings, plan, counts)
    if plan.forget_missing and not (plan.since or plan.until):
        for root, present in seen.items():
            for source_path in store.file_paths(root):
                if source_path not in present:
                    counts.gone_files.append((root, source_path))
                    counts.gone += [r.doc_id for r in store.records_of_file(root, source_path)]


def _in_range(candidate: Candidate, plan: Plan, settings: Settings) -> bool:
    when = page_time(candidate, settings.max_sidecar_bytes)
    return (plan.since is None or when >= _utc(plan.since)) and (
        plan.until is None or when < _utc(plan.until)
    )


def _select_chunk(
    chunk: list[Candidate],
    store: StateStore,
    settings: Settings,
    plan: Plan,
    counts: Selection,
) -> Iterator[WorkItem]:
    by_root: dict[str, list[Candidate]] = {}
    for candidate in chunk:
        by_root.setdefault(candidate.root, []).append(candidate)
    for root, candidates in by_root.items():
        known = store.files(root, (c.source_path for c in candidates))
        for candidate in candidates:
            yield from _select_file(
                candidate, known.get(candidate.source_path), store, settings, plan, counts
            )


def _select_file(
    candidate: Candidate,
    state: FileState | None,
    store: StateStore,
    settings: Settings,
    plan: Plan,
    counts: Selection,
) -> Iterator[WorkItem]:
    if candidate.problem:
        counts.seen += 1
        yield _item(candidate, problem=candidate.problem, problem_detail=candidate.problem_detail)
        return
    same_stat = state is not None and (candidate.size, candidate.mtime_ns) == (
        state.size,
        state.mtime_ns,
    )
    if same_stat and not plan.reprocess:
        assert state is not None
        counts.seen += state.pages
        if not plan.stale:
            counts.unchanged += state.pages
            return
        prior = store.records_of_file(candidate.root, candidate.source_path)
        stale = [r for r in prior if r.fingerprint != plan.fingerprint]
        counts.unchanged += state.pages - len(stale)
        refs = [RecordRef(r.record_key, r.record_offset) for r in stale]
        yield from _parts(candidate, refs, [None] * len(refs), [], state, settings)
        return
    yield from _select_changed(candidate, store, settings, plan, counts)


def _select_changed(
    candidate: Candidate, store: StateStore, settings: Settings, plan: Plan, counts: Selection
) -> Iterator[WorkItem]:
    refs: list[RecordRef] = []
    errors: list[RecordError] = []
    passed: Counter[str] = Counter()
    for found in index(candidate.path, settings):
        if isinstance(found, RecordError):
            errors.append(found)
        elif found.kind == "page":
            refs.append(found)
        else:
            passed[found.kind] += 1
    prior = {r.record_key: r for r in store.records_of_file(candidate.root, candidate.source_path)}
    present = {r.key for r in refs} | {e.key for e in errors}
    counts.gone += [r.doc_id for key, r in prior.items() if key not in present]
    counts.passed_over.update(passed)
    counts.seen += len(refs) + len(errors)
    keep: list[RecordRef] = []
    known: list[str | None] = []
    for ref in refs:
        before = prior.get(ref.key)
        if before is None:
            keep.append(ref)
            known.append(None)
        elif plan.reprocess:
            if plan.processed_since is not None and before.processed_at >= plan.processed_since:
                counts.unchanged += 1  # done earlier by this same, resumed, job
            else:
                keep.append(ref)
                known.append(None)
        else:
            keep.append(ref)
            stale = plan.stale and before.fingerprint != plan.fingerprint
            known.append(None if stale else before.sha256)
    file_state = FileState(
        candidate.root,
        candidate.source_path,
        candidate.size,
        candidate.mtime_ns,
        _container(candidate.path),
        len(refs) + len(errors),
        json.dumps(dict(sorted(passed.items()))),
    )
    yield from _parts(candidate, keep, known, errors, file_state, settings)


def _parts(
    candidate: Candidate,
    refs: list[RecordRef],
    known: list[str | None],
    errors: list[RecordError],
    file_state: FileState,
    settings: Settings,
) -> Iterator[WorkItem]:
    """The file's records in parts of at most a batch's records and bytes each."""
    weights = _weights(refs, candidate.size)
    cuts: list[int] = [0]
    held = 0
    for i, weight in enumerate(weights):
        if i > cuts[-1] and (
            i - cuts[-1] >= settings.batch_size or held + weight > settings.batch_bytes
        ):
            cuts.append(i)
            held = 0
        held += weight
    cuts.append(len(refs))
    spans = list(pairwise(cuts)) or [(0, 0)]
    for part, (start, stop) in enumerate(spans):
        yield _item(
            candidate,
            refs=tuple(refs[start:stop]),
            known=tuple(known[start:stop]),
            errors=tuple(errors) if part == 0 else (),
            weight=sum(weights[start:stop]),
            part=part,
            parts=len(spans),
            file_state=file_state,
        )


def _weights(refs: list[RecordRef], size: int) -> list[int]:
    """Bytes on disk of each record: the distance to the next record's start."""
    offsets = [r.offset for r in refs]
    if len(refs) <= 1:
        return [size] * len(refs)
    ends = [*offsets[1:], size]
    return [max(end - start, 1) for start, end in zip(offsets, ends, strict=True)]


def whole_roots(roots: Iterable[Root]) -> list[str]:
    """The roots a run walks whole: the ones that can notice a file gone from them."""
    return [str(Path(os.path.abspath(r.folder))) for r in roots if not r.only]


def record_names(item: WorkItem) -> list[str]:
    """How a dry run lists an item's records: the file, and the record's key within it."""
    keys = [r.key for r in item.refs] + [e.key for e in item.errors]
    if item.problem:
        keys.append("")
    return [f"{item.source_path}#{key}" if key else item.source_path for key in keys]


def work_for_file(path: str, settings: Settings, root: str | None = None) -> WorkItem:
    """All records of one file, as new: the work a first run would do for it."""
    folder = root or os.path.dirname(os.path.abspath(path))
    candidate = next(discover([Root(Path(folder), (os.path.abspath(path),))]))
    counts = Selection()
    items = list(_select_file(candidate, None, _NoState(), settings, Plan(), counts))
    refs = tuple(r for i in items for r in i.refs)
    errors = tuple(e for i in items for e in i.errors)
    first = items[0]
    return replace(first, refs=refs, known=(None,) * len(refs), errors=errors, parts=1)


class _NoState:
    """A state store that knows nothing."""

    def records_of_file(self, root: str, source_path: str) -> list[object]:
        return []


def _container(path: str) -> str:
    try:
        return container_kind(path)
    except OSError:
        return "plain"


def _item(candidate: Candidate, **fields: object) -> WorkItem:
    return WorkItem(
        candidate.path,
        candidate.root,
        candidate.source_path,
        candidate.size,
        candidate.mtime_ns,
        **fields,  # type: ignore[arg-type]
    )
