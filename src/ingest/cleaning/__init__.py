"""Boilerplate cleaning shared by HTML and plain-text input."""

from ingest.cleaning.cleaner import clean
from ingest.cleaning.config import CleaningConfig
from ingest.cleaning.model import CleanResult, Removal

__all__ = ["CleanResult", "CleaningConfig", "Removal", "clean"]
