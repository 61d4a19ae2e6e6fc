"""A fingerprint of everything that decides a row's text: the cleaner's code, vocabularies and
model, the text-path modules, the settings that steer cleaning and extraction, and the versions
of the libraries doing the work. Rows made under another fingerprint are stale."""

import hashlib
import json
from functools import cache
from importlib.metadata import version
from pathlib import Path

from ingest import __version__
from ingest.settings import Settings

#: packages and modules whose code and data shape a row's text
_TEXT_PACKAGES = ("cleaning", "textmeta")
_TEXT_MODULES = ("normalising.py", "text_metadata.py", "extraction.py", "decoding.py")


@cache
def _code_digest() -> str:
    digest = hashlib.sha256()
    package = Path(__file__).parent
    files = [
        f
        for folder in _TEXT_PACKAGES
        for f in (package / folder).rglob("*")
        if f.is_file() and f.suffix != ".pyc"
    ]
    files += [package / name for name in _TEXT_MODULES if (package / name).is_file()]
    for item in sorted(files, key=str):
        digest.update(str(item.relative_to(package)).encode())
        digest.update(item.read_bytes())
    return digest.hexdigest()


def cleaning_fingerprint(settings: Settings) -> str:
    """16 hex digits; equal fingerprints make equal rows from equal input."""
    parts = {
        "version": __version__,
        "code": _code_digest(),
        "cleaning": settings.cleaning.model_dump(mode="json"),
        "extraction_focus": settings.extraction_focus.value,
        "trafilatura": version("trafilatura"),
        "ftfy": version("ftfy"),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]
