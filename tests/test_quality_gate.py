"""Quality gate: the cleaner's scores on a fixed sample of test-site pages must not drop.

The sample (every ``GATE_EVERY``-th test-site page of each development corpus, both forms) and
its pinned scores are in benchmarks/quality_scores.json; lowering them is a deliberate step
(``python benchmarks/quality.py --pin``). The corpora must be present (../shared/bench next to
the repository, or $INGEST_BENCH_DIR): without them this test fails, it does not skip.
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
    quality.bench_dir()  # raises when the corpora are missing
    pinned = json.loads((REPO / "benchmarks" / "quality_scores.json").read_text())
    assert pinned["every"] == quality.GATE_EVERY
    results = quality.evaluate(quality.GATE_EVERY)
    got = {k: quality.headline(r) for k, r in results.items() if k.endswith("/ingest")}
    assert set(got) == set(pinned["scores"])
    drops = [
        f"{key} {name}: {got[key][name]:.4f} < pinned {want:.4f}"
        for key, figures in pinned["scores"].items()
        for name, want in figures.items()
        if got[key][name] < want - pinned["tolerance"]
    ]
    assert not drops, drops
