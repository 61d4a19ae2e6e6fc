"""Learn the weights of the headline scorer (``src/ingest/textmeta/title_model.json``).

Usage (from the repository root, with the project's virtualenv; numpy is there with pandas):

    .venv/bin/python benchmarks/train_title_model.py            # train + validation sites
    .venv/bin/python benchmarks/train_title_model.py --check    # accuracy on validation only

Pages: every page of the training (and validation) sites of ``modern``, ``readability`` and
``fixtures`` whose gold title is one of its lines, in both renderings of
``benchmarks/text_metadata.py`` (the shipped inscriptis text and html-text's), so that the
scorer does not lean on one renderer's layout, each with its address (the gold's ``url``) where
the gold has one. Two models, each a softmax over a page's lines that maximises the probability
of the right ones (L2-penalised, Adam over the whole set):

- ``shortlist``: the features that cost nothing (``CHEAP_FEATURES``), over every line short
  enough; the page's SHORTLIST best go on;
- ``weights``: every feature (``FEATURES``), over the lines shaped like a headline.

Each is learnt in three stages: every feature but those of the first line read as a
``<title>`` (``FIRST_PARTS``) and those of the address (``ADDRESS_PARTS``), then each of these
two groups alone, the others fixed. Of the two renderings only html-text prints the ``<title>``
there (as Common Crawl's WET text does); learnt at once, they would move the other weights
towards that rendering (a separator in the first line, right there by its parts, would count
for a headline in both). A text file comes without an address: learnt last, the address's
weights leave the others as they are without one.

With ``--check`` both learn on training sites only and it prints, on validation sites, how
often the shortlist holds a right line and how often the top line is right (over the pages that
have a right candidate, and over all titled pages); the shipped model is learnt on both.
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

from text_metadata import RENDERINGS, SETS, bench_dir, split_ids, texts, title_right  # noqa: E402

from ingest.text_metadata import _Head  # noqa: E402
from ingest.textmeta.address import address_words  # noqa: E402
from ingest.textmeta.lines import Page  # noqa: E402
from ingest.textmeta.titles import CHEAP_FEATURES, FEATURES, SHORTLIST, Candidates  # noqa: E402
from ingest.textmeta.vocab import UI_WORDS  # noqa: E402

MODEL = REPO / "src" / "ingest" / "textmeta" / "title_model.json"
#: the features of the page's first line read as a <title>, learnt after the others
FIRST_PARTS = ("in_first", "first_echo")
#: the features of the page's address, learnt last: a page without one scores as if they were
#: not there
ADDRESS_PARTS = ("address_share", "address_cover")

Matrix = tuple[np.ndarray, np.ndarray]


class PageData:
    """One page's lines for both models: features, which lines are right."""

    def __init__(self, text: str, title: str, url: str | None = None) -> None:
        page = Page(text)
        cands = Candidates(page, _Head(page).meta, UI_WORDS, address_words(url))
        opened = cands._open()
        self.cheap: Matrix = (
            np.array([cands.cheap_vector(*item) for item in opened], float).reshape(
                -1, len(CHEAP_FEATURES)
            ),
            np.array([title_right(page.line(i).text, title) for i, _, _ in opened], bool),
        )
        self.index = np.array([i for i, _, _ in opened], int)
        scored = cands.scored(keep=None)
        self.full: Matrix = (
            np.array([v for _, v, _ in scored], float).reshape(-1, len(FEATURES)),
            np.array([title_right(line.text, title) for _, _, line in scored], bool),
        )
        self.full_index = np.array([line.index for _, _, line in scored], int)


def page_data(splits: set[str]) -> list[PageData]:
    pages = []
    for rendering in RENDERINGS:
        for name in SETS:
            gold = json.loads((bench_dir() / name / "gold.json").read_text(encoding="utf-8"))
            found = texts(name, rendering)
            for page_id in split_ids(name, splits):
                item = gold.get(page_id, {})
                title = item.get("title")
                if title and page_id in found:
                    pages.append(PageData(found[page_id], title, item.get("url")))
    return pages


def trainable(matrices: list[Matrix]) -> list[Matrix]:
    return [(x, right) for x, right in matrices if right.any() and not right.all()]


def fit(
    pages: list[Matrix], penalty: float, steps: int, free: np.ndarray, start: np.ndarray
) -> np.ndarray:
    """Softmax weights over each page's candidates, by Adam on the whole set at once; only the
    weights marked ``free`` move from ``start``."""
    x = np.concatenate([features for features, _ in pages])
    right = np.concatenate([flags for _, flags in pages])
    page = np.concatenate([[k] * len(features) for k, (features, _) in enumerate(pages)])
    n = len(pages)
    w, m, v = start.copy(), np.zeros(x.shape[1]), np.zeros(x.shape[1])
    for t in range(1, steps + 1):
        s = x @ w
        top = np.full(n, -np.inf)
        np.maximum.at(top, page, s)
        e = np.exp(s - top[page])
        p = e / np.bincount(page, e, n)[page]
        e_right = np.where(right, e, 0.0)
        q = e_right / np.bincount(page, e_right, n)[page]
        grad = (x.T @ (p - q) / n + penalty * w) * free
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        w -= 0.05 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return w


def pipeline(pages: list[PageData], cheap: np.ndarray, full: np.ndarray) -> dict[str, float]:
    """Shares of pages whose shortlist holds a right line, and whose top line is right."""
    held = top = possible = 0
    for page in pages:
        x, right = page.cheap
        if len(x) > SHORTLIST:
            keep = set(page.index[np.argsort(-(x @ cheap), kind="stable")[:SHORTLIST]])
        else:
            keep = set(page.index)
        held += bool(right[np.isin(page.index, list(keep))].any())
        fx, fright = page.full
        possible += bool(fright.any())
        mask = np.isin(page.full_index, list(keep))
        if mask.any():
            scores = np.where(mask, fx @ full, -np.inf)
            top += bool(fright[np.argmax(scores)])
    n = max(len(pages), 1)
    return {
        "right line among candidates": possible / n,
        "right line shortlisted": held / n,
        "top line right": top / n,
        "top line right where possible": top / max(possible, 1),
    }


def staged(pages: list[Matrix], names: tuple[str, ...], penalty: float, steps: int) -> np.ndarray:
    """The weights of the features but FIRST_PARTS and ADDRESS_PARTS learnt without them, then
    those of FIRST_PARTS alone, then those of ADDRESS_PARTS alone: a <title> printed as the
    first line (one rendering only) does not move the others, and a page without an address is
    read with the same weights as if no page had one."""
    first, address = np.isin(names, FIRST_PARTS), np.isin(names, ADDRESS_PARTS)
    base = fit(pages, penalty, steps, ~(first | address), np.zeros(len(names)))
    base = fit(pages, penalty, steps, first, base)
    return fit(pages, penalty, steps, address, base)


def learn(pages: list[PageData], penalty: float, steps: int) -> tuple[np.ndarray, np.ndarray]:
    cheap = staged(trainable([p.cheap for p in pages]), CHEAP_FEATURES, penalty, steps)
    full = staged(trainable([p.full for p in pages]), FEATURES, penalty, steps)
    return cheap, full


def rounded(names: tuple[str, ...], weights: np.ndarray) -> dict[str, float]:
    return {name: round(float(v), 4) for name, v in zip(names, weights, strict=True)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--penalty", type=float, default=0.0003)
    parser.add_argument("--steps", type=int, default=1500)
    args = parser.parse_args()
    if args.check:
        train, valid = page_data({"train"}), page_data({"validation"})
        cheap, full = learn(train, args.penalty, args.steps)
        for label, pages in (("train", train), ("validation", valid)):
            figures = pipeline(pages, cheap, full)
            shown = "  ".join(f"{k} {v:.3f}" for k, v in figures.items())
            print(f"{label} ({len(pages)} pages): {shown}")
        return
    pages = page_data({"train", "validation"})
    cheap, full = learn(pages, args.penalty, args.steps)
    figures = pipeline(pages, cheap, full)
    print(f"train + validation ({len(pages)} pages): {figures}")
    model = {"shortlist": rounded(CHEAP_FEATURES, cheap), "weights": rounded(FEATURES, full)}
    MODEL.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
