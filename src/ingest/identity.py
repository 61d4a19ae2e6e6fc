"""Stable identifiers and content hashes."""

import hashlib


def doc_id_for(root: str, source_path: str, record_key: str = "") -> str:
    """Where a record is, as an id: the root folder, the file's path under it and the record's key
    within the file. Two roots holding `index.html` give two ids; the same record gets the same
    id on every run."""
    where = "\0".join((root, source_path, record_key))
    return hashlib.sha256(where.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
