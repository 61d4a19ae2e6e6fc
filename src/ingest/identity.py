"""Stable identifiers and content hashes."""

import hashlib


def doc_id_for(source_path: str) -> str:
    """The same page (by its path under the raw root) gets the same id on every run."""
    return hashlib.sha256(source_path.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()
