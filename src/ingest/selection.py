"""Which discovered pages a run processes: roots for the given paths, date ranges, and the
state store's view of what is new or changed."""

import glob
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ingest.batch import BatchItem
from ingest.discovery import Candidate, Root, non_glob_prefix
from ingest.identity import sha256_file
from ingest.processing import PageJob
from ingest.sidecars import sidecar_path
from ingest.state import StateStore


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


def page_time(candidate: Candidate) -> datetime:
    """The page's date for --since/--until: fetched or published in its sidecar, else mtime."""
    side = sidecar_path(Path(candidate.path))
    try:
        if side.is_file() and side.stat().st_size < 1 << 20:
            meta = json.loads(side.read_bytes())
            for key in ("fetched_at", "published"):
                value = meta.get(key) if isinstance(meta, dict) else None
                if isinstance(value, str):
                    stamp = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
                    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    except (OSError, ValueError):
        pass
    return datetime.fromtimestamp(candidate.mtime_ns / 1e9, UTC)


def in_range(candidate: Candidate, since: datetime | None, until: datetime | None) -> bool:
    if since is None and until is None:
        return True
    when = page_time(candidate)
    return (since is None or when >= _utc(since)) and (until is None or when < _utc(until))


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(slots=True)
class Selection:
    """Counts of what selection passed over."""

    seen: int = 0
    unchanged: int = 0
    out_of_range: int = 0


def select(
    candidates: Iterable[Candidate],
    store: StateStore,
    *,
    reprocess: bool,
    processed_since: str | None,
    since: datetime | None,
    until: datetime | None,
    counts: Selection,
    chunk: int = 500,
) -> Iterator[BatchItem]:
    """Pages to process. Unchanged pages (same stat, or same content hash) are passed over unless
    reprocessing; a resumed reprocessing job passes over pages it already did."""
    buffer: list[Candidate] = []
    for candidate in candidates:
        if not in_range(candidate, since, until):
            counts.out_of_range += 1
            continue
        counts.seen += 1
        buffer.append(candidate)
        if len(buffer) >= chunk:
            yield from _select_chunk(buffer, store, reprocess, processed_since, counts)
            buffer = []
    yield from _select_chunk(buffer, store, reprocess, processed_since, counts)


def _select_chunk(
    chunk: list[Candidate],
    store: StateStore,
    reprocess: bool,
    processed_since: str | None,
    counts: Selection,
) -> Iterator[BatchItem]:
    known = store.pages(c.source_path for c in chunk)
    for candidate in chunk:
        item = BatchItem(
            PageJob(candidate.path, candidate.source_path),
            candidate.size,
            candidate.mtime_ns,
            candidate.problem,
            candidate.problem_detail,
        )
        state = known.get(candidate.source_path)
        if state is None or candidate.problem:
            yield item
        elif reprocess:
            if processed_since is not None and state.processed_at >= processed_since:
                counts.unchanged += 1  # done earlier by this same, resumed, job
            else:
                yield item
        elif _unchanged(candidate, state, store):
            counts.unchanged += 1
        else:
            yield item


def _unchanged(candidate: Candidate, state, store: StateStore) -> bool:
    if (candidate.size, candidate.mtime_ns) == (state.size, state.mtime_ns):
        return True
    try:
        same = state.sha256 is not None and sha256_file(candidate.path) == state.sha256
    except OSError:
        return False
    if same:
        store.touch(candidate.source_path, candidate.size, candidate.mtime_ns)
    return same
