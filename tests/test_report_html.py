"""The data-quality report: written by a real run, linked from its Prefect artifacts, and opened
in a real headless Chromium: no console errors, nothing fetched, every plot drawn."""

import re
import shutil
from pathlib import Path

import httpx
import pyarrow.parquet as pq
import pytest
from browser import CHROMIUM, visit
from conftest import REPO, run_flow

from flows.run_artifacts import artifact_key, report_path
from ingest.quality_report import (
    NOT_RECORDED,
    write_report,
    write_run_report,
    write_run_report_apart,
)

SCREENSHOTS = REPO / "tests" / "_artifacts"
OPTIONAL_SECTIONS = ("Duplicates", "Quality signals")

# Per plot: its size on the page, its marks, and the marks with a drawn area.
PLOTS = """
Array.from(document.querySelectorAll("svg.plot")).map(svg => {
  const box = svg.getBoundingClientRect();
  const marks = Array.from(svg.querySelectorAll(".mark"));
  const drawn = marks.filter(m => { const b = m.getBBox(); return b.width > 0 && b.height > 0; });
  return {width: box.width, height: box.height, marks: marks.length, drawn: drawn.length,
          title: svg.querySelector("title").textContent};
})
"""

needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None and not Path(CHROMIUM).exists(),
    reason="chromium is not installed (.ci/run installs it)",
)


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory, prefect_api: str) -> dict:
    base = tmp_path_factory.mktemp("report")
    raw = base / "raw"
    shutil.copytree(REPO / "raw", raw)
    (raw / "text" / "empty.txt").write_text("")  # one reject
    return run_flow([raw], base / "out")


def open_in_chromium(report: Path, name: str) -> list[dict]:
    page = visit(report.as_uri(), PLOTS)
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / f"{name}.png").write_bytes(page.screenshot)
    assert page.errors == []
    assert page.requests == [report.as_uri()], "the report fetched something"
    assert page.screenshot.startswith(b"\x89PNG")
    plots = page.value
    assert plots, "no plot on the page"
    for plot in plots:
        assert plot["width"] > 0 and plot["height"] > 0, plot
        assert plot["marks"] > 0 and plot["drawn"] == plot["marks"], plot
    return plots


def test_each_run_links_to_its_report_from_its_artifacts(
    finished_run: dict, prefect_api: str
) -> None:
    output, run_id = Path(finished_run["output"]), finished_run["run_id"]
    report = report_path(output, run_id)
    assert report.is_file()
    html = report.read_text()
    assert f"run {run_id}" in html
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org", "")

    keys = [artifact_key(kind, run_id) for kind in ("run", "counts", "report")]
    reply = httpx.post(
        f"{prefect_api}/artifacts/filter",
        json={"artifacts": {"key": {"any_": keys}}, "limit": 10, "sort": "KEY_ASC"},
        timeout=30,
    )
    reply.raise_for_status()
    found = {a["key"]: a for a in reply.json()}
    assert set(found) == {artifact_key(k, run_id) for k in ("run", "counts", "report")}
    # a link artifact: markdown that links to the report file
    assert f"]({report.as_uri()})" in str(found[artifact_key("report", run_id)]["data"])
    counts = str(found[artifact_key("counts", run_id)]["data"])
    assert "words kept" in counts and "blocks removed" in counts


@needs_chromium
def test_a_run_report_renders_in_a_browser(finished_run: dict) -> None:
    report = report_path(Path(finished_run["output"]), finished_run["run_id"])
    plots = open_in_chromium(report, "run-report")
    titles = {p["title"] for p in plots}
    assert {
        "pages per site",
        "pages per language",
        "characters removed per rule",
        "rejected pages by reason",
        "distribution of word_count",
        "distribution of boilerplate_share",
    } <= titles
    html = report.read_text()
    assert NOT_RECORDED not in html
    assert "exact duplicates (duplicate_of set)" in html
    assert "in a near-duplicate cluster" in html


OPTIONAL_COLUMNS = (
    "language",
    "language_score",
    "language_declared",
    "text_sha256",
    "duplicate_of",
    "near_duplicate_cluster",
    "quality",
)


@needs_chromium
def test_a_dataset_without_the_analysis_columns_says_they_are_not_recorded(
    finished_run: dict, tmp_path: Path
) -> None:
    """A dataset written before the analysis columns existed still gets its report."""
    output = tmp_path / "out"
    shutil.copytree(finished_run["output"], output)
    for path in (output / "documents").rglob("*.parquet"):
        table = pq.read_table(path)
        older = [c for c in OPTIONAL_COLUMNS if c in table.column_names]
        pq.write_table(table.drop_columns(older), path)
    report = write_report(output, tmp_path / "dataset.html")
    plots = open_in_chromium(report, "dataset-report-older")
    assert "pages per site" in {p["title"] for p in plots}
    html = report.read_text()
    for section in OPTIONAL_SECTIONS:
        assert html.split(f"<h2>{section}</h2>")[1].split("</section>")[0].strip() == NOT_RECORDED


def test_a_report_read_in_a_child_process_is_the_report_read_here(
    finished_run: dict, tmp_path: Path
) -> None:
    out, run_id = Path(finished_run["output"]), finished_run["run_id"]
    here, apart = tmp_path / "here.html", tmp_path / "apart.html"
    totals_here = write_run_report(out, here, run_id)
    totals_apart = write_run_report_apart(out, apart, run_id, apart_from_files=1)
    assert totals_apart == totals_here and totals_here["words kept"] > 0

    def without_time(report: Path) -> str:
        return re.sub(r"Generated [^.]*\.", "", report.read_text())

    assert without_time(apart) == without_time(here)
    assert "documents" in without_time(apart)
