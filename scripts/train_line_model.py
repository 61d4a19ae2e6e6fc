"""Train the cleaner's line classifier (src/ingest/cleaning/line_model.json).

usage: python scripts/train_line_model.py [--all] [--l2 L2] [--threshold T] [--out FILE]

Labels come for free from the development set's HTML: a line of a page's text rendering is body
when trafilatura (comments off) keeps it from the same page's HTML, boilerplate otherwise. Only
the lines that the rule families keep are used (the model runs after them). The model is not
applied to extracted text (pages without blank lines, or mostly paragraphs), so it is trained on
renderings only. By default it is trained on the even half of the pages (by id hash, see
benchmarks/quality.py) so that the odd half stays held out; ``--all`` trains on every page.

Needs numpy (training only; the shipped model is scored in pure Python).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "benchmarks"))

import quality  # noqa: E402

from ingest.cleaning import classifier  # noqa: E402
from ingest.cleaning.cleaner import rule_page  # noqa: E402
from ingest.text_metadata import extract_text_metadata  # noqa: E402

_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def labelled_rows(page_ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows and labels (1 = boilerplate) of the lines the rules keep."""
    texts = quality.normalised_texts(page_ids)
    extracted = quality.trafilatura_outputs(page_ids)
    xs, ys = [], []
    for page_id in page_ids:
        body = extracted[page_id]["text"] or ""
        body_lines = {_norm(line) for line in body.split("\n") if line.strip()}
        body_flat = _norm(body)
        text = texts[page_id]
        page = rule_page(text, extract_text_metadata(text).title)
        for row, line, mark in zip(classifier.features(page), page.lines, page.marks, strict=True):
            if mark is not None:
                continue
            flat = _norm(line.text)
            is_body = flat in body_lines or (len(flat) >= 30 and flat in body_flat)
            xs.append(row)
            ys.append(0.0 if is_body else 1.0)
    return np.array(xs), np.array(ys)


def fit(x: np.ndarray, y: np.ndarray, l2: float, steps: int = 30) -> np.ndarray:
    """L2-regularised logistic regression by Newton's method."""
    w = np.zeros(x.shape[1])
    reg = np.full(x.shape[1], l2)
    reg[0] = 0.0  # no penalty on the bias
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) + reg * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + np.diag(reg) + 1e-9 * np.eye(x.shape[1])
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-7:
            break
    return w


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="train on every page (no held-out)")
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--threshold", type=float, default=0.7)
    parser.add_argument("--max-prose-share", type=float, default=0.5)
    parser.add_argument(
        "--out", default=str(REPO / "src" / "ingest" / "cleaning" / "line_model.json")
    )
    args = parser.parse_args()
    ids = quality.page_ids()
    train = ids if args.all else [i for i in ids if not quality.held_out(i)]
    x, y = labelled_rows(train)
    w = fit(x, y, args.l2)
    p = 1.0 / (1.0 + np.exp(-(x @ w)))
    accuracy = float(((p > args.threshold) == (y > 0.5)).mean())
    model = {
        "about": "logistic regression over ingest.cleaning.classifier.FEATURES; "
        "p(boilerplate) = sigmoid(sum(weights * features)); trained by "
        "scripts/train_line_model.py",
        "trained_on": "all pages" if args.all else "even half of the development set (by id hash)",
        "pages": len(train),
        "lines": len(y),
        "boilerplate_share": round(float(y.mean()), 4),
        "train_accuracy": round(accuracy, 4),
        "l2": args.l2,
        "threshold": args.threshold,
        "max_prose_share": args.max_prose_share,
        "weights": {
            name: round(float(v), 5) for name, v in zip(classifier.FEATURES, w, strict=True)
        },
    }
    Path(args.out).write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(
        f"{len(train)} pages, {len(y)} lines, boilerplate {y.mean():.3f}, accuracy {accuracy:.3f}"
    )


if __name__ == "__main__":
    main()
