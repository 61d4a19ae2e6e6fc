"""The output tables' Arrow schemas, versioned. docs/schema.md documents every column; the typed
rows of `ingest.document` have exactly these fields (a unit test holds them together)."""

import pyarrow as pa

from ingest.analysis.quality_signals import QUALITY

SCHEMA_VERSION = "2.0"

TIMESTAMP = pa.timestamp("us", tz="UTC")

REMOVAL = pa.struct([pa.field("rule", pa.string(), False), pa.field("text", pa.string(), False)])

DOCUMENTS = pa.schema(
    [
        pa.field("doc_id", pa.string(), False),
        pa.field("source_root", pa.string(), False),
        pa.field("source_path", pa.string(), False),
        pa.field("record_key", pa.string(), False),
        pa.field("container", pa.string(), False),
        pa.field("source_sha256", pa.string(), False),
        pa.field("url", pa.string()),
        pa.field("site", pa.string()),
        pa.field("hostname", pa.string()),
        pa.field("title", pa.string()),
        pa.field("author", pa.string()),
        pa.field("published", pa.date32()),
        pa.field("fetched_at", TIMESTAMP),
        pa.field("description", pa.string()),
        pa.field("categories", pa.list_(pa.string()), False),
        pa.field("tags", pa.list_(pa.string()), False),
        pa.field("language_declared", pa.string()),
        pa.field("language", pa.string()),
        pa.field("language_score", pa.float32(), False),
        pa.field("text", pa.string(), False),
        pa.field("n_chars", pa.int64(), False),
        pa.field("n_words", pa.int64(), False),
        pa.field("raw_chars", pa.int64(), False),
        pa.field("raw_bytes", pa.int64(), False),
        pa.field("removed", pa.list_(REMOVAL), False),
        pa.field("removed_chars", pa.int64(), False),
        pa.field("text_sha256", pa.string(), False),
        pa.field("duplicate_of", pa.string()),
        pa.field("near_duplicate_cluster", pa.string()),
        pa.field("quality", QUALITY, False),
        pa.field("encoding", pa.string(), False),
        pa.field("format", pa.string(), False),
        pa.field("source_meta", pa.string()),
        pa.field("warnings", pa.list_(pa.string()), False),
        pa.field("cleaning_fingerprint", pa.string(), False),
        pa.field("pipeline_version", pa.string(), False),
        pa.field("run_id", pa.string(), False),
        pa.field("ingested_at", TIMESTAMP, False),
    ]
)

REJECTS = pa.schema(
    [
        pa.field("doc_id", pa.string(), False),
        pa.field("source_root", pa.string(), False),
        pa.field("source_path", pa.string(), False),
        pa.field("record_key", pa.string(), False),
        pa.field("source_sha256", pa.string()),
        pa.field("reason", pa.string(), False),
        pa.field("detail", pa.string(), False),
        pa.field("pipeline_version", pa.string(), False),
        pa.field("run_id", pa.string(), False),
        pa.field("rejected_at", TIMESTAMP, False),
    ]
)
