"""Boilerplate learned per site: lines that recur on many pages of one site.

Each page's lines (its whole text before cleaning) are hashed after normalisation (NFKC,
case-folded, every digit masked as 0, whitespace collapsed) and counted once per page, per
site, in a SQLite file kept across runs. A line hash is *repeated* on a site when it is on at
least ``min_pages`` pages and ``min_share`` of the site's pages; a long line (prose: at least
:data:`PROSE_WORDS` words) needs more than ``prose_share`` of the pages, since a sentence of one
article is not found on many pages, and a false match would cost body text.

:func:`strip_repeated` then removes the cleaner's kept lines whose hash is repeated, as the
removal ``site.repeated``, unless that would remove every line of the page.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping

from ingest.analysis.sqlite_store import SqliteStore
from ingest.cleaning import CleanResult, Removal

RULE = "site.repeated"
MIN_PAGES = 3
MIN_SHARE = 0.3
PROSE_SHARE = 0.5
PROSE_WORDS = 12

_DIGIT = re.compile(r"\d")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (doc_id TEXT PRIMARY KEY, site TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS pages_site ON pages (site);
CREATE TABLE IF NOT EXISTS page_lines (
    doc_id TEXT NOT NULL, hash INTEGER NOT NULL, PRIMARY KEY (doc_id, hash)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS line_counts (
    site TEXT NOT NULL, hash INTEGER NOT NULL, pages INTEGER NOT NULL, prose INTEGER NOT NULL,
    PRIMARY KEY (site, hash)
) WITHOUT ROWID;
"""


def _fold(text: str) -> str:
    """NFKC, case-folded, every digit masked as 0 (whitespace left as it is)."""
    return _DIGIT.sub("0", unicodedata.normalize("NFKC", text).casefold())


def normalise_line(line: str) -> str:
    return " ".join(_fold(line).split())


def _hash(normalised: str) -> int:
    digest = hashlib.blake2b(normalised.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def line_hash(line: str) -> int | None:
    """The hash of the normalised line; None for a blank line."""
    normalised = normalise_line(line)
    return _hash(normalised) if normalised else None


def _is_prose(normalised: str) -> bool:
    return normalised.count(" ") + 1 >= PROSE_WORDS


def hash_lines(lines: Iterable[str]) -> dict[int, bool]:
    """The distinct hashes of the non-blank lines, each with whether the line is prose."""
    # normalised all at once: no character's normal form, case fold or digit mask holds a
    # line break, so the whole text splits back into the same lines, each as normalise_line has it
    distinct: dict[int, bool] = {}
    for line in _fold("\n".join(lines)).split("\n"):
        normalised = " ".join(line.split())
        if normalised:
            distinct[_hash(normalised)] = _is_prose(normalised)
    return distinct


class SiteBoilerplateStore(SqliteStore):
    """Per-site counts of line hashes over distinct pages, in its own SQLite file."""

    SCHEMA = _SCHEMA

    def observe(self, site: str, doc_id: str, lines: Iterable[str]) -> None:
        """Count the page's distinct lines for its site; a page seen before is replaced."""
        self.observe_hashes(site, doc_id, hash_lines(lines))

    def observe_hashes(self, site: str, doc_id: str, distinct: Mapping[int, bool]) -> None:
        """:meth:`observe` with the lines hashed already (:func:`hash_lines`, e.g. in a task)."""
        with self._db:
            self._forget(doc_id)
            self._db.execute("INSERT INTO pages (doc_id, site) VALUES (?, ?)", (doc_id, site))
            self._db.executemany(
                "INSERT INTO page_lines (doc_id, hash) VALUES (?, ?)",
                [(doc_id, h) for h in distinct],
            )
            self._db.executemany(
                "INSERT INTO line_counts (site, hash, pages, prose) VALUES (?, ?, 1, ?) "
                "ON CONFLICT (site, hash) DO UPDATE SET pages = pages + 1",
                [(site, h, int(prose)) for h, prose in distinct.items()],
            )

    def forget(self, doc_ids: Iterable[str]) -> None:
        """Take deleted pages' lines out of their sites' counts."""
        with self._db:
            for doc_id in doc_ids:
                self._forget(doc_id)

    def pages(self, site: str) -> int:
        return self._db.execute("SELECT count(*) FROM pages WHERE site = ?", (site,)).fetchone()[0]

    def repeated(
        self,
        site: str,
        min_pages: int = MIN_PAGES,
        min_share: float = MIN_SHARE,
        prose_share: float = PROSE_SHARE,
    ) -> set[int]:
        """Hashes of the site's lines on at least ``min_pages`` pages and ``min_share`` of its
        pages (prose lines: on more than ``prose_share`` of them)."""
        n = self.pages(site)
        floor = max(min_pages, math.ceil(min_share * n))
        prose_floor = max(floor, math.floor(prose_share * n) + 1)
        rows = self._db.execute(
            "SELECT hash FROM line_counts WHERE site = ? AND pages >= ? "
            "AND (prose = 0 OR pages >= ?)",
            (site, floor, prose_floor),
        )
        return {row[0] for row in rows}

    def _forget(self, doc_id: str) -> None:
        row = self._db.execute("SELECT site FROM pages WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is None:
            return
        self._db.execute(
            "UPDATE line_counts SET pages = pages - 1 WHERE site = ? AND hash IN "
            "(SELECT hash FROM page_lines WHERE doc_id = ?)",
            (row[0], doc_id),
        )
        self._db.execute("DELETE FROM line_counts WHERE site = ? AND pages <= 0", row)
        self._db.execute("DELETE FROM page_lines WHERE doc_id = ?", (doc_id,))
        self._db.execute("DELETE FROM pages WHERE doc_id = ?", (doc_id,))


def strip_repeated(result: CleanResult, repeated: set[int]) -> CleanResult:
    """The result without its kept lines whose hash is in ``repeated`` (each run of them one
    ``site.repeated`` removal); unchanged when nothing matches or every line would go."""
    if not repeated:
        return result
    lines = result.text.split("\n")
    drop = [line_hash(line) in repeated for line in lines]
    if not any(drop) or all(d or not line.strip() for d, line in zip(drop, lines, strict=True)):
        return result
    kept: list[str] = []
    removed: list[Removal] = []
    block: list[str] = []
    for line, gone in zip(lines, drop, strict=True):
        if gone:
            block.append(line)
            continue
        if not line.strip() and block:
            continue  # a blank line inside a run of removed lines belongs to the run
        if block:
            removed.append(Removal(RULE, "\n".join(block)))
            block = []
        if line.strip() or (kept and kept[-1].strip()):
            kept.append(line)
    if block:
        removed.append(Removal(RULE, "\n".join(block)))
    text = "\n".join(kept).strip("\n")
    return CleanResult(text=text, removed=(*result.removed, *removed))
