"""Quality gate: the cleaner's scores on a fixed sample of the development set must not drop.

The sample (every 16th page by id, both forms) and its pinned scores are in
benchmarks/quality_scores.json; lowering them is a deliberate step
(``python benchmarks/quality.py --pin``). The development set must be present (../shared/bench
next to the repository, or $INGEST_BENCH_DIR): without it this test fails, it does not skip.
"""

import importlib
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _quality():
    # imported by name (not from a file spec) so that its worker processes can import it too
    if str(REPO / "benchmarks") not in sys.path:
        sys.path.insert(0, str(REPO / "benchmarks"))
    return importlib.import_module("quality")


def test_scores_do_not_drop_on_the_gate_sample():
    quality = _quality()
    quality.bench_dir()  # raises when the development set is missing
    pinned = json.loads((REPO / "benchmarks" / "quality_scores.json").read_text())
    sample = pinned["sample"]
    ids = quality.gate_ids()
    assert len(ids) == sample["pages"]
    results = quality.evaluate(ids)
    for form in ("html", "text"):
        got, want = results[form]["f1"], sample[form]["f1"]
        assert got >= want - pinned["tolerance"], f"{form}: F1 {got:.4f} < pinned {want:.4f}"
