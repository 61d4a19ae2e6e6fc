"""ingest: clean scraped web pages into Parquet."""

__version__ = "0.2.0"
