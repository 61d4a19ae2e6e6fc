"""ingest: clean scraped web pages into Parquet."""

__version__ = "0.3.0"
