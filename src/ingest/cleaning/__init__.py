"""Boilerplate cleaning shared by HTML and plain-text input."""

from ingest.cleaning.cleaner import PageText, clean, clean_pages
from ingest.cleaning.config import CleaningConfig
from ingest.cleaning.model import CleanResult, Removal

__all__ = ["CleanResult", "CleaningConfig", "PageText", "Removal", "clean", "clean_pages"]
