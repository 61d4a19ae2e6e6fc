"""Parquet files written atomically: temporary name in the target folder, fsync, rename."""

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

ROW_GROUP_BYTES = 96 * 1024 * 1024  # uncompressed; readers like 64-128 MB groups
METADATA_PREFIX = "ingest."


def temp_path_for(final: Path) -> Path:
    """Hidden from readers: globs and Spark skip names starting with a dot."""
    return final.with_name(f".{final.name}.tmp")


def write_parquet_atomic(
    rows: Sequence[Mapping[str, Any]],
    schema: pa.Schema,
    final: Path,
    metadata: Mapping[str, object],
) -> int:
    """Write rows under the schema to `final` so no reader ever sees half a file; returns bytes."""
    table = pa.Table.from_pylist(list(rows), schema=schema)
    kv = {
        f"{METADATA_PREFIX}{k}": v if isinstance(v, str) else json.dumps(v, sort_keys=True)
        for k, v in metadata.items()
    }
    table = table.replace_schema_metadata({**(schema.metadata or {}), **kv})
    final.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(table, final)
    return final.stat().st_size


def _write_atomic(table: pa.Table, final: Path) -> None:
    tmp = temp_path_for(final)
    try:
        with pq.ParquetWriter(tmp, table.schema, compression="zstd", write_page_index=True) as w:
            w.write_table(table, row_group_size=_rows_per_group(table))
        fsync_file(tmp)
        os.replace(tmp, final)
        fsync_dir(final.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _rows_per_group(table: pa.Table) -> int:
    if table.num_rows == 0:
        return 1
    bytes_per_row = max(1, table.nbytes // table.num_rows)
    return max(1, ROW_GROUP_BYTES // bytes_per_row)


def read_metadata(path: Path) -> dict[str, str]:
    """The file's ingest.* key-value metadata, keys without the prefix."""
    raw = pq.read_schema(path).metadata or {}
    return {
        k.decode()[len(METADATA_PREFIX) :]: v.decode()
        for k, v in raw.items()
        if k.decode().startswith(METADATA_PREFIX)
    }


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def rewrite_without(path: Path, doc_ids: set[str]) -> int:
    """Drop the rows of these documents from a data file (atomically); returns rows dropped.

    A file left with no rows is deleted. Safe to repeat: a second call finds nothing to drop.
    """
    if not path.exists():
        return 0
    table = pq.read_table(path)
    keep = pa.array([d not in doc_ids for d in table.column("doc_id").to_pylist()], pa.bool_())
    dropped = table.num_rows - sum(keep.to_pylist())
    if dropped == 0:
        return 0
    if dropped == table.num_rows:
        path.unlink()
        fsync_dir(path.parent)
        return dropped
    _write_atomic(table.filter(keep), path)
    return dropped
