"""The analysis stage of a batch: what each site repeats (learned, then stripped from the clean
text), and per row the language, duplicates and quality signals.

Knowledge that outlives the batch lives in two SQLite stores beside the state store. Batch tasks
run in parallel processes, so each task takes an exclusive lock on them for the short,
sequential part (recording and querying); the costly parts (hashing lines, MinHash signatures,
language, quality signals) run outside it.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ingest.analysis.duplicates import DupInfo, DuplicateStore, signatures, text_sha256
from ingest.analysis.language import detect_languages
from ingest.analysis.quality_signals import batch_quality_signals
from ingest.analysis.site_boilerplate import SiteBoilerplateStore, hash_lines, strip_repeated
from ingest.analysis.words import batch_words
from ingest.cleaning import CleanResult

DUPLICATES_FILE = "duplicates.sqlite"
SITES_FILE = "site_boilerplate.sqlite"
LOCK_FILE = "analysis.lock"


@dataclass(frozen=True, slots=True)
class RowAnalysis:
    """The analysis columns of one row."""

    language: str | None
    language_score: float
    text_sha256: str
    duplicate_of: str | None
    near_duplicate_cluster: str | None
    quality: dict[str, Any]


class AnalysisStores:
    """The dataset's analysis stores in ``folder`` (the state folder), or private in-memory ones
    when ``folder`` is None (a batch that is not part of a dataset)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._memory: tuple[DuplicateStore, SiteBoilerplateStore] | None = None

    @contextmanager
    def open(self) -> Iterator[tuple[DuplicateStore, SiteBoilerplateStore]]:
        """Both stores, held exclusively while the block runs."""
        if self.folder is None:
            if self._memory is None:
                self._memory = (DuplicateStore(":memory:"), SiteBoilerplateStore(":memory:"))
            yield self._memory
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / LOCK_FILE).open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                with (
                    DuplicateStore(self.folder / DUPLICATES_FILE) as duplicates,
                    SiteBoilerplateStore(self.folder / SITES_FILE) as sites,
                ):
                    yield duplicates, sites
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def forget(self, doc_ids: Sequence[str]) -> None:
        """Records gone from the input leave their clusters and their sites' counts."""
        with self.open() as (duplicates, sites):
            duplicates.remove(doc_ids)
            sites.forget(doc_ids)


def learn_sites(
    stores: AnalysisStores, pages: Sequence[tuple[str | None, str, str]]
) -> dict[str, set[int]]:
    """Record the lines of each (site, doc_id, text) and return, per site, the line hashes it
    repeats on enough of its pages (the pages of this batch included)."""
    hashed = [(site, doc_id, hash_lines(text.split("\n"))) for site, doc_id, text in pages if site]
    with stores.open() as (_, sites):
        for site, doc_id, distinct in hashed:
            sites.observe_hashes(site, doc_id, distinct)
        return {site: sites.repeated(site) for site in {s for s, _, _ in hashed}}


def strip_site_lines(result: CleanResult, repeated: set[int] | None) -> CleanResult:
    return strip_repeated(result, repeated) if repeated else result


#: A clean text as the analysis sees it: (text, raw chars, removed chars).
Measurable = tuple[str, int, int]


@dataclass(frozen=True, slots=True)
class Measures:
    """What a clean text alone determines: everything of its analysis but its duplicates."""

    language: str | None
    language_score: float
    text_sha256: str
    signature: np.ndarray
    quality: dict[str, Any]


#: texts whose words are taken together: enough to share the work on words that recur,
#: few enough for their vocabulary to stay in the processor's cache
MEASURE_CHUNK = 32


def measure(texts: Sequence[Measurable]) -> list[Measures]:
    """The measures of each (text, raw chars, removed chars), in order."""
    # the language model first for every text: the word work after it then runs undisturbed
    languages = detect_languages([text for text, _, _ in texts])
    out: list[Measures] = []
    for start in range(0, len(texts), MEASURE_CHUNK):
        part = slice(start, start + MEASURE_CHUNK)
        out += _measure_chunk(texts[part], languages[part])
    return out


def _measure_chunk(
    texts: Sequence[Measurable], languages: Sequence[tuple[str | None, float]]
) -> list[Measures]:
    plain = [text for text, _, _ in texts]
    words = batch_words(plain)
    signed = signatures(plain, words)
    quality = batch_quality_signals(texts, words)
    return [
        Measures(lang, float(score), text_sha256(text, words.of(i)), sig, signals)
        for i, ((lang, score), sig, text, signals) in enumerate(
            zip(languages, signed, plain, quality, strict=True)
        )
    ]


def analyse(
    stores: AnalysisStores,
    rows: Sequence[tuple[str, str, int, int]],
    known: Mapping[Measurable, Measures] | None = None,
) -> list[RowAnalysis]:
    """The analysis columns of (doc_id, clean text, raw chars, removed chars) rows, duplicates
    assigned in order against everything the dataset held before. ``known``: measures taken
    earlier (while the batch waited for its extractions), used where a row's text is theirs."""
    if not rows:
        return []
    known = known or {}
    texts = [(text, raw, removed) for _, text, raw, removed in rows]
    missing = [t for t in texts if t not in known]
    fresh = dict(zip(missing, measure(missing), strict=True))
    measures = [known.get(t) or fresh[t] for t in texts]
    with stores.open() as (duplicates, _):
        found: list[DupInfo] = duplicates.assign_signed(
            [r[0] for r in rows],
            [m.text_sha256 for m in measures],
            np.stack([m.signature for m in measures]),
        )
    return [
        RowAnalysis(
            m.language,
            m.language_score,
            m.text_sha256,
            dup.duplicate_of,
            dup.near_duplicate_cluster,
            m.quality,
        )
        for m, dup in zip(measures, found, strict=True)
    ]
