"""A self-contained HTML data-quality report of one run or of the whole dataset.

One page, inline CSS and SVG, no scripts and nothing fetched: it opens offline. A section whose
columns the dataset does not have says "not recorded" instead.
"""

import multiprocessing
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ingest.dataset import DOCUMENTS
from ingest.report_data import ReportData, data_files, load_report_data, run_files
from ingest.svg_plots import bar_chart, histogram

TOP = 20  # rows of a ranked chart or table
#: From this many document files of a run on, its report is read in a child process: reading many
#: Parquet files grows a process's heap by more than the data it keeps (the allocators hold on
#: to it), and the process that runs the flow must stay the same size however large the dataset.
APART_FROM_FILES = 64
NOT_RECORDED = '<p class="missing">not recorded in this dataset</p>'

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 980px; color: #222; }
h1 { font-size: 1.5em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: .5em 0; }
td, th { padding: 2px 10px; border-bottom: 1px solid #eee; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.missing, .empty { color: #888; font-style: italic; }
svg.plot { display: block; margin: .5em 0; }
"""


def _table(header: list[str], rows: list[list[Any]], numeric: set[int] | None = None) -> str:
    numeric = numeric if numeric is not None else set(range(1, len(header)))
    cls = [' class="n"' if i in numeric else "" for i in range(len(header))]
    head = "".join(f"<th{cls[i]}>{escape(h)}</th>" for i, h in enumerate(header))
    body = "".join(
        "<tr>"
        + "".join(f"<td{cls[i]}>{escape(_cell(v))}</td>" for i, v in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


def _counts(column: pa.ChunkedArray, missing: str = "(none)") -> list[tuple[str, int]]:
    counted = Counter(missing if v is None or v == "" else str(v) for v in column.to_pylist())
    return counted.most_common()


def _ranked(items: list[tuple[str, int]]) -> list[tuple[str, int]]:
    head = items[:TOP]
    rest = sum(n for _, n in items[TOP:])
    return head + ([(f"({len(items) - TOP} more)", rest)] if rest else [])


def outcome_section(data: ReportData) -> str:
    """Written, rejected (by reason) and unchanged: the run's summary, or the state store's."""
    parts = []
    run = data.run
    if data.run_id is not None and run is None:
        parts.append('<p class="missing">the state store has no record of this run</p>')
    summary = run["summary"] if run else {}
    if summary:
        rows = [
            [key.replace("_", " "), summary.get(key, 0)]
            for key in ("seen", "written", "rejected", "skipped_unchanged", "out_of_range")
        ]
        parts.append(f"<p>status <b>{escape(str(run['status']))}</b></p>")
        parts.append(_table(["pages", "count"], rows))
    elif data.run_id is None and data.outcomes:
        rows = [[name, count] for name, count in data.outcomes.most_common()]
        parts.append(_table(["pages in the state store", "count"], rows))
    if data.rejects.num_rows:
        reasons = _counts(data.rejects["reason"])
        parts.append(bar_chart(reasons, title="rejected pages by reason"))
    else:
        parts.append("<p>no rejected pages</p>")
    if data.run_id is None and data.runs:
        rows = [
            [
                r["run_id"],
                r["kind"],
                r["status"],
                r["summary"].get("written", 0),
                r["summary"].get("rejected", 0),
                r["summary"].get("skipped_unchanged", 0),
            ]
            for r in data.runs[:TOP]
        ]
        header = ["run", "kind", "status", "written", "rejected", "unchanged"]
        parts.append("<h3>last runs</h3>" + _table(header, rows, numeric={3, 4, 5}))
    return "\n".join(parts)


def pages_section(data: ReportData) -> str:
    parts = ["<h3>per site</h3>"]
    if data.has("site"):
        parts.append(bar_chart(_ranked(_counts(data.documents["site"])), title="pages per site"))
    else:
        parts.append(NOT_RECORDED)
    parts.append("<h3>per language</h3>")
    if data.has("language"):
        langs = _ranked(_counts(data.documents["language"], "(unknown)"))
        parts.append(bar_chart(langs, title="pages per language"))
    else:
        parts.append(NOT_RECORDED)
    if data.has("language") and data.has("language_declared"):
        both = data.documents.select(["language", "language_declared"]).to_pylist()
        declared = [r for r in both if r["language_declared"] and r["language"]]
        differ = sum(1 for r in declared if r["language"] != r["language_declared"])
        parts.append(
            f"<p>{len(declared):,} pages have a declared and a found language; "
            f"they differ on {differ:,}.</p>"
        )
    return "\n".join(parts)


def removed_by_rule(documents: pa.Table) -> list[tuple[str, int, int]]:
    """(rule, blocks, characters) removed, most characters first."""
    flat = pc.list_flatten(documents["removed"])
    if len(flat) == 0:
        return []
    removals = pa.table(
        {"rule": pc.struct_field(flat, "rule"), "chars": pc.struct_field(flat, "chars")}
    )
    grouped = removals.group_by("rule").aggregate([("chars", "count"), ("chars", "sum")])
    rows = zip(
        grouped["rule"].to_pylist(),
        grouped["chars_count"].to_pylist(),
        grouped["chars_sum"].to_pylist(),
        strict=True,
    )
    return sorted(rows, key=lambda r: -r[2])


def removed_section(data: ReportData) -> str:
    if not data.has("removed"):
        return NOT_RECORDED
    rules = removed_by_rule(data.documents)
    parts = ["<h3>per rule</h3>"]
    if rules:
        chars = _ranked([(rule, chars) for rule, _, chars in rules])
        parts.append(bar_chart(chars, title="characters removed per rule", unit=" chars"))
        parts.append(_table(["rule", "blocks", "characters"], [list(r) for r in rules[:TOP]]))
    else:
        parts.append("<p>the cleaner removed nothing</p>")
    if data.has("site") and data.has("removed_chars"):
        grouped = (
            data.documents.select(["site", "removed_chars"])
            .group_by("site")
            .aggregate([("removed_chars", "sum")])
        )
        per_site = sorted(
            (
                (site or "(none)", chars or 0)
                for site, chars in zip(
                    grouped["site"].to_pylist(),
                    grouped["removed_chars_sum"].to_pylist(),
                    strict=True,
                )
            ),
            key=lambda r: -r[1],
        )
        parts.append("<h3>per site</h3>")
        parts.append(bar_chart(_ranked(per_site), title="characters removed per site"))
    return "\n".join(parts)


def lengths_section(data: ReportData) -> str:
    if not (data.has("raw_chars") and data.has("n_chars")):
        return NOT_RECORDED
    raw = data.documents["raw_chars"].to_pylist()
    kept = data.documents["n_chars"].to_pylist()
    kept_share = [k / r for k, r in zip(kept, raw, strict=True) if r and k is not None]
    total_raw, total_kept = sum(r or 0 for r in raw), sum(k or 0 for k in kept)
    share = total_kept / total_raw if total_raw else 0.0
    return "\n".join(
        [
            f"<p>{total_kept:,} of {total_raw:,} characters kept ({share:.1%}).</p>",
            histogram(
                {"before (raw_chars)": raw, "after (n_chars)": kept},
                title="text length before and after cleaning",
                log=True,
            ),
            histogram({"share of characters kept": kept_share}, title="share kept per page"),
        ]
    )


def duplicates_section(data: ReportData) -> str:
    docs, n = data.documents, data.documents.num_rows
    if not n:
        return "<p>no documents</p>"
    rows = []
    if data.has("duplicate_of"):
        exact = n - docs["duplicate_of"].null_count
        rows.append(["exact duplicates (duplicate_of set)", exact, f"{exact / n:.1%}"])
    elif data.has("text_sha256"):
        distinct = len(pc.unique(docs["text_sha256"]))
        rows.append(
            ["exact duplicates (repeated text_sha256)", n - distinct, f"{1 - distinct / n:.1%}"]
        )
    if data.has("near_duplicate_cluster"):
        sizes = Counter(v for v in docs["near_duplicate_cluster"].to_pylist() if v is not None)
        near = sum(size for size in sizes.values() if size > 1)
        rows.append(["in a near-duplicate cluster", near, f"{near / n:.1%}"])
    if not rows:
        return NOT_RECORDED
    return _table(["pages", "count", "rate"], rows)


def quality_section(data: ReportData) -> str:
    if not data.has("quality") or not pa.types.is_struct(data.documents["quality"].type):
        return NOT_RECORDED
    column = data.documents["quality"]
    parts = []
    for field in column.type:
        if not (pa.types.is_integer(field.type) or pa.types.is_floating(field.type)):
            continue
        values = pc.struct_field(column, field.name).to_pylist()
        parts.append(f"<h3>{escape(field.name)}</h3>")
        parts.append(histogram({field.name: values}, title=f"distribution of {field.name}"))
    return "\n".join(parts) or NOT_RECORDED


def losses_section(data: ReportData) -> str:
    losses = data.totals.losses
    if losses is None:
        return NOT_RECORDED
    ranked = losses.take(pc.sort_indices(losses, [("removed_chars", "descending")]))
    rows = [
        [r["source_path"], r["site"], r["raw_chars"], r["n_chars"], r["removed_chars"]]
        for r in ranked.to_pylist()[:TOP]
    ]
    header = ["page", "site", "characters before", "after", "removed by the cleaner"]
    return _table(header, rows, numeric={2, 3, 4})


SECTIONS = (
    ("Outcome", outcome_section),
    ("Pages", pages_section),
    ("Characters removed", removed_section),
    ("Text length before and after cleaning", lengths_section),
    ("Duplicates", duplicates_section),
    ("Quality signals", quality_section),
    ("Pages that lost the most", losses_section),
)


def render(data: ReportData) -> str:
    scope = f"run {data.run_id}" if data.run_id else "the whole dataset"
    title = f"ingest report: {scope}"
    docs, words = data.totals.documents, data.totals.words
    kept = f", {words:,} words kept" if words else ""
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = [
        f"<h1>{escape(title)}</h1>",
        f"<p>{escape(str(data.output))}: {docs:,} documents, {data.totals.rejects:,} rejects"
        f"{kept}. Generated {generated}.</p>",
    ]
    if data.sampled:
        body.append(
            f"<p>Counts and plots below are of an even sample of {data.documents.num_rows:,} "
            f"of the {docs:,} documents (every k-th row of each file).</p>"
        )
    for heading, section in SECTIONS:
        body.append(f"<section><h2>{escape(heading)}</h2>\n{section(data)}\n</section>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def totals(data: ReportData) -> dict[str, int]:
    """Words kept and blocks removed by the cleaner, over the reported documents."""
    return {"words kept": data.totals.words or 0, "blocks removed": data.totals.blocks or 0}


def write_report(output: Path, target: Path, run_id: str | None = None) -> Path:
    """Write the report of `run_id` (None: the whole dataset) to `target`, atomically."""
    write_run_report(output, target, run_id)
    return target


def write_run_report(output: Path, target: Path, run_id: str | None) -> dict[str, int]:
    """`write_report`, returning the report's totals."""
    data = load_report_data(output, run_id)
    save_html(render(data), target)
    return totals(data)


def write_run_report_apart(
    output: Path, target: Path, run_id: str, apart_from_files: int = APART_FROM_FILES
) -> dict[str, int]:
    """`write_run_report`, in a child process once the run has `apart_from_files` document
    files or more, so that what reading them costs ends with that process."""
    if len(run_files(data_files(output, DOCUMENTS), run_id)) < apart_from_files:
        return write_run_report(output, target, run_id)
    # forkserver: a child of a clean process, not a fork of this one's threads and heap
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(write_run_report, output, target, run_id).result()


def save_html(html: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(html, encoding="utf-8")
    temporary.replace(target)
    return target
