"""Learn the weights of the headline scorer (``src/ingest/textmeta/title_model.json``).

Usage (from the repository root, with the project's virtualenv; numpy is there with pandas):

    .venv/bin/python benchmarks/train_title_model.py            # train + validation sites
    .venv/bin/python benchmarks/train_title_model.py --check    # accuracy on validation only

On every page of the training sites of ``modern``, ``readability`` and ``fixtures`` whose gold
title is one of its candidate lines, the weights maximise the probability the softmax over the
page's candidates gives to the right lines (L2-penalised, Adam over the whole set). With
``--check`` it learns on training sites only and prints the top-1 accuracy on validation sites,
to choose the penalty; the shipped model is learnt on both.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "src"))

from text_metadata import SETS, bench_dir, split_ids, texts, title_right  # noqa: E402

from ingest.text_metadata import _Head  # noqa: E402
from ingest.textmeta.lines import Page  # noqa: E402
from ingest.textmeta.titles import FEATURES, Candidates  # noqa: E402
from ingest.textmeta.vocab import UI_WORDS  # noqa: E402

MODEL = REPO / "src" / "ingest" / "textmeta" / "title_model.json"


def page_matrices(splits: set[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per page: candidate features, and which candidates are right."""
    pages = []
    for name in SETS:
        gold = json.loads((bench_dir() / name / "gold.json").read_text(encoding="utf-8"))
        found = texts(name)
        for page_id in split_ids(name, splits):
            title = gold.get(page_id, {}).get("title")
            if not title or page_id not in found:
                continue
            page = Page(found[page_id])
            scored = Candidates(page, _Head(page).meta, UI_WORDS).scored(keep=None)
            right = np.array([title_right(line.text, title) for _, _, line in scored], bool)
            if right.any() and not right.all():
                pages.append((np.array([v for _, v, _ in scored], float), right))
    return pages


def fit(pages: list[tuple[np.ndarray, np.ndarray]], penalty: float, steps: int) -> np.ndarray:
    """Softmax weights over each page's candidates, by Adam on the whole set at once."""
    x = np.concatenate([features for features, _ in pages])
    right = np.concatenate([flags for _, flags in pages])
    page = np.concatenate([[k] * len(features) for k, (features, _) in enumerate(pages)])
    n = len(pages)
    w, m, v = np.zeros(x.shape[1]), np.zeros(x.shape[1]), np.zeros(x.shape[1])
    for t in range(1, steps + 1):
        s = x @ w
        top = np.full(n, -np.inf)
        np.maximum.at(top, page, s)
        e = np.exp(s - top[page])
        p = e / np.bincount(page, e, n)[page]
        e_right = np.where(right, e, 0.0)
        q = e_right / np.bincount(page, e_right, n)[page]
        grad = x.T @ (p - q) / n + penalty * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        w -= 0.05 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return w


def top1(pages: list[tuple[np.ndarray, np.ndarray]], w: np.ndarray) -> float:
    return sum(bool(right[np.argmax(x @ w)]) for x, right in pages) / max(len(pages), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--penalty", type=float, default=0.0003)
    parser.add_argument("--steps", type=int, default=1500)
    args = parser.parse_args()
    if args.check:
        train, valid = page_matrices({"train"}), page_matrices({"validation"})
        w = fit(train, args.penalty, args.steps)
        print(f"train {top1(train, w):.3f} ({len(train)} pages)")
        print(f"validation {top1(valid, w):.3f} ({len(valid)} pages)")
        return
    pages = page_matrices({"train", "validation"})
    w = fit(pages, args.penalty, args.steps)
    print(f"train + validation {top1(pages, w):.3f} ({len(pages)} pages)")
    weights = {name: round(float(v), 4) for name, v in zip(FEATURES, w, strict=True)}
    MODEL.write_text(json.dumps({"weights": weights}, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
