"""Exact and near duplicates of clean texts, remembered across runs in a SQLite file.

Exact: the SHA-256 of the normalised text (:func:`text_sha256`). Near: MinHash (rensa) over
word 5-gram shingles, 128 permutations, found by LSH banding (16 bands of 8 rows) and confirmed
when the signatures agree on at least :data:`NEAR_THRESHOLD` of their positions (the MinHash
estimate of the Jaccard similarity of the two shingle sets).

The work is split in two: :func:`signatures` is pure and costly (run it in the parallel tasks);
:meth:`DuplicateStore.assign_signed` is cheap and sequential (run it where batches are
committed, under the run's lock, which makes it the only writer).

Cluster ids are stable: a page's ``near_duplicate_cluster`` is the doc_id of the first page of
its cluster, and a page with no near copy is a cluster of its own (its own doc_id), so rows
written earlier never need rewriting when a later page joins them. Clusters are never merged:
a page that is near pages of two clusters joins the older one.
"""

from __future__ import annotations

import hashlib
import re
import string
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, pairwise

import numpy as np
from rensa import RMinHash

from ingest.analysis.sqlite_store import SqliteStore
from ingest.analysis.words import BatchWords, batch_words

NUM_PERM = 128
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 5
#: share of equal signature positions (estimated Jaccard) from which two pages are near copies
NEAR_THRESHOLD = 0.8
#: pages of a band compared with a new page: its oldest ones, where clusters start
CANDIDATES_PER_BAND = 16
SEED = 20261201

_WORD = re.compile(r"\w+")
#: marks that often start or end a word, none of them ``\w``
PUNCTUATION_MARKS = string.punctuation.replace("_", "") + "…–—‘’‚“”„«»‹›·•¿¡§°"


@dataclass(frozen=True, slots=True)
class DupInfo:
    text_sha256: str
    duplicate_of: str | None
    near_duplicate_cluster: str | None


def normalise_for_hash(text: str) -> str:
    """NFC, every run of whitespace one space, no leading or trailing space; case kept."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def text_sha256(text: str, words: list[str] | None = None) -> str:
    """The SHA-256 of :func:`normalise_for_hash` of the text. ``words``: ``text.split()``, when
    known: a text in NFC already is then not split again."""
    if words is None or not unicodedata.is_normalized("NFC", text):
        return hashlib.sha256(normalise_for_hash(text).encode("utf-8")).hexdigest()
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()


def shingles(text: str) -> list[str]:
    """Distinct word 5-grams of the case-folded text; a shorter text is one shingle."""
    return list(dict.fromkeys(_grams(_WORD.findall(unicodedata.normalize("NFC", text).casefold()))))


def _grams(words: list[str]) -> list[str]:
    """The word 5-grams in order, repeats included; a shorter text is one shingle."""
    if len(words) <= SHINGLE_WORDS:
        return [" ".join(words)] if words else []
    return list(map(" ".join, zip(*(words[i:] for i in range(SHINGLE_WORDS)), strict=False)))


def _shingle_words(words: BatchWords) -> list[list[str]]:
    r"""Per text, the words :func:`shingles` reads: ``\w+`` runs of its NFC, case-folded form,
    found once per distinct whitespace-separated word of the batch. No whitespace character
    composes with a neighbour under NFC or maps to a non-space character (nor the reverse)
    under NFC or case folding, and whitespace is not ``\w``: the runs of a text are those of
    its words, in order."""
    # NFC and case folding of the words at once, a word a line
    folded = unicodedata.normalize("NFC", "\n".join(words.vocab)).casefold().split("\n")
    pieces = [(word,) if word.isalnum() else _runs(word) for word in folded]
    ids = words.ids.tolist()
    bounds = words.bounds.tolist()
    return [
        list(chain.from_iterable(map(pieces.__getitem__, ids[start:end])))
        for start, end in pairwise(bounds)
    ]


def _runs(word: str) -> tuple[str, ...]:
    r"""The ``\w+`` runs of a word; most words are one run between punctuation marks, and
    the marks are not ``\w``."""
    core = word.strip(PUNCTUATION_MARKS)
    if not core:
        return ()
    return (core,) if core.isalnum() else tuple(_WORD.findall(word))


def signatures(texts: Sequence[str], words: BatchWords | None = None) -> np.ndarray:
    """MinHash signatures: one row of NUM_PERM uint32 a text, zeros for a text without words.
    ``words``: :func:`batch_words` of the texts, when known."""
    out = np.zeros((len(texts), NUM_PERM), dtype=np.uint32)
    if words is None:
        words = batch_words(texts)
    for i, shingle_words in enumerate(_shingle_words(words)):
        if shingle_words:
            minhash = RMinHash(num_perm=NUM_PERM, seed=SEED)
            # a shingle's repeats change no minimum: the signature is that of the distinct set
            minhash.update(_grams(shingle_words))
            out[i] = minhash.digest()
    return out


def _band_keys(signature: np.ndarray) -> list[int]:
    """One 64-bit key per band: a hash of the band's number and its rows."""
    rows = signature.astype("<u4").tobytes()
    width = ROWS * 4
    return [
        int.from_bytes(
            hashlib.blake2b(
                rows[b * width : (b + 1) * width], digest_size=8, salt=b.to_bytes(8, "little")
            ).digest(),
            "little",
            signed=True,
        )
        for b in range(BANDS)
    ]


_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    cluster TEXT,
    signature BLOB
);
CREATE INDEX IF NOT EXISTS docs_sha ON docs (sha256, seq);
CREATE TABLE IF NOT EXISTS bands (
    key INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (key, seq)
) WITHOUT ROWID;
"""


class DuplicateStore(SqliteStore):
    """Exact and near duplicate bookkeeping of one dataset, in its own SQLite file."""

    SCHEMA = _SCHEMA

    def assign(self, docs: Sequence[tuple[str, str]]) -> list[DupInfo]:
        """Hash, sign and assign in one step (for callers that do not split the work)."""
        texts = [text for _, text in docs]
        shas = [text_sha256(text) for text in texts]
        return self.assign_signed([doc_id for doc_id, _ in docs], shas, signatures(texts))

    def assign_signed(
        self, doc_ids: Sequence[str], shas: Sequence[str], sigs: np.ndarray
    ) -> list[DupInfo]:
        """Record the pages (in order: earlier ones are first of their clusters) and say which
        pages they copy. A doc_id seen before is re-processed: its old record is replaced."""
        out = []
        with self._db:
            for doc_id, sha, sig in zip(doc_ids, shas, sigs, strict=True):
                out.append(self._assign_one(doc_id, sha, np.asarray(sig, dtype=np.uint32)))
        return out

    def remove(self, doc_ids: Iterable[str]) -> None:
        """Forget deleted pages; the other members of their clusters keep their cluster ids."""
        with self._db:
            for doc_id in doc_ids:
                self._drop(doc_id)

    def __len__(self) -> int:
        return self._db.execute("SELECT count(*) FROM docs").fetchone()[0]

    def _assign_one(self, doc_id: str, sha: str, sig: np.ndarray) -> DupInfo:
        old = self._db.execute(
            "SELECT seq, sha256, cluster FROM docs WHERE doc_id = ?", (doc_id,)
        ).fetchone()
        if old is not None and old[1] == sha:
            return DupInfo(sha, self._first_with_sha(sha, doc_id), old[2])
        old_cluster = old[2] if old is not None else None
        if old is not None:
            self._drop(doc_id)
        duplicate_of = self._first_with_sha(sha, doc_id)
        has_words = bool(sig.any())
        cluster = self._near_cluster(sig, old_cluster) if has_words else None
        if cluster is None and has_words:
            cluster = doc_id
        cur = self._db.execute(
            "INSERT INTO docs (doc_id, sha256, cluster, signature) VALUES (?, ?, ?, ?)",
            (doc_id, sha, cluster, sig.astype("<u4").tobytes() if has_words else None),
        )
        if has_words:
            self._db.executemany(
                "INSERT INTO bands (key, seq) VALUES (?, ?)",
                [(key, cur.lastrowid) for key in _band_keys(sig)],
            )
        return DupInfo(sha, duplicate_of, cluster)

    def _first_with_sha(self, sha: str, doc_id: str) -> str | None:
        row = self._db.execute(
            "SELECT doc_id FROM docs WHERE sha256 = ? ORDER BY seq LIMIT 1", (sha,)
        ).fetchone()
        return row[0] if row is not None and row[0] != doc_id else None

    def _near_cluster(self, sig: np.ndarray, prefer: str | None) -> str | None:
        """The cluster of the confirmed near copies: ``prefer`` (the page's former cluster) when
        one of them is in it, else the oldest; None without a near copy. Each band offers its
        :data:`CANDIDATES_PER_BAND` oldest pages: a page's cost stays bounded however many
        near copies the dataset holds (the members of a cluster are near one another)."""
        keys = _band_keys(sig)
        oldest = " UNION ".join(
            ["SELECT * FROM (SELECT seq FROM bands WHERE key = ? ORDER BY seq LIMIT ?)"] * len(keys)
        )
        rows = self._db.execute(
            f"SELECT seq, cluster, signature FROM docs WHERE seq IN ({oldest}) ORDER BY seq",
            [value for key in keys for value in (key, CANDIDATES_PER_BAND)],
        ).fetchall()
        if not rows:
            return None
        others = np.frombuffer(b"".join(row[2] for row in rows), dtype="<u4")
        agree = (others.reshape(len(rows), NUM_PERM) == sig).mean(axis=1) >= NEAR_THRESHOLD
        confirmed = [row[1] for row, near in zip(rows, agree.tolist(), strict=True) if near]
        if not confirmed:
            return None
        return prefer if prefer in confirmed else confirmed[0]

    def _drop(self, doc_id: str) -> None:
        row = self._db.execute(
            "SELECT seq, signature FROM docs WHERE doc_id = ?", (doc_id,)
        ).fetchone()
        if row is None:
            return
        seq, blob = row
        if blob is not None:
            keys = _band_keys(np.frombuffer(blob, dtype="<u4"))
            self._db.executemany(
                "DELETE FROM bands WHERE key = ? AND seq = ?", [(key, seq) for key in keys]
            )
        self._db.execute("DELETE FROM docs WHERE seq = ?", (seq,))
