"""The report's reading of a dataset: bounded in memory however many rows, exact in its totals."""

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ingest.quality_report import removed_by_rule, render
from ingest.report_data import ReportData, Totals, read_table

REMOVED = pa.list_(pa.struct([("rule", pa.string()), ("text", pa.string())]))
COLUMNS = ("source_path", "site", "n_words", "raw_chars", "n_chars", "removed_chars", "removed")


def write_files(folder: Path, files: int, rows: int) -> list[Path]:
    """Files of rows whose i-th page (over all files) lost i characters to rule "r.a"."""
    paths = []
    for f in range(files):
        numbers = range(f * rows, (f + 1) * rows)
        table = pa.table(
            {
                "source_path": [f"page-{i}.html" for i in numbers],
                "site": ["example.org"] * rows,
                "n_words": [10] * rows,
                "raw_chars": [1000 + i for i in numbers],
                "n_chars": [1000] * rows,
                "removed_chars": list(numbers),
                "removed": pa.array([[{"rule": "r.a", "text": "x" * i}] for i in numbers], REMOVED),
            }
        )
        path = folder / f"part-{f}.parquet"
        pq.write_table(table, path)
        paths.append(path)
    return paths


def test_a_large_dataset_is_sampled_but_its_totals_and_top_losses_are_exact(
    tmp_path: Path,
) -> None:
    files = write_files(tmp_path, files=4, rows=50)
    totals = Totals()
    table = read_table(files, COLUMNS, None, totals, max_rows=40)
    assert table.num_rows <= 40 + 4  # every k-th row of each file
    assert totals.documents == 200
    assert totals.words == 2000
    assert totals.blocks == 200
    assert totals.losses is not None
    assert sorted(totals.losses["removed_chars"].to_pylist(), reverse=True)[:3] == [199, 198, 197]
    # a removal keeps its rule and size, not its text
    assert table["removed"].type.value_type.names == ["rule", "chars"]
    sampled = table["removed_chars"].to_pylist()
    assert removed_by_rule(table) == [("r.a", len(sampled), sum(sampled))]
    data = ReportData(tmp_path, None, table, pa.table({}), totals=totals)
    assert data.sampled
    html = render(data)
    assert "200 documents" in html and "an even sample" in html and "page-199.html" in html


def test_a_small_dataset_is_read_whole(tmp_path: Path) -> None:
    files = write_files(tmp_path, files=2, rows=5)
    totals = Totals()
    table = read_table(files, COLUMNS, None, totals)
    assert table.num_rows == totals.documents == 10
    assert not ReportData(tmp_path, None, table, pa.table({}), totals=totals).sampled
