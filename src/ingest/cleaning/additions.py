"""Lines of a page's whole rendering that the extractor left out but that read as main text:
added back to the extractor's text, in its order.

The extractor (trafilatura) is precise but misses parts of the main text (a list, a table row,
a paragraph in a box of its own). The page's rendering holds every line; the line model scores
them, and a small forest (``additions.npz``, trained by ``scripts/train_additions.py``) decides
which of the lines the extractor left out, near what it kept, to add back: from the line
model's score and features and from where the line stands against the extractor's lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from ingest.cleaning.features import LAYOUT_FEATURES, BatchLines
from ingest.cleaning.trees import Forest

MODEL_FILE = "additions.npz"
_TOKEN = re.compile(r"\w+")
#: a rendering line is the extractor's when at least this share of its word 4-grams is in the
#: extractor's text; a candidate to add when at most ``NEW_SHARE`` is
KEPT_SHARE = 0.5
NEW_SHARE = 0.2
#: candidates stand between the first and last of the extractor's lines or this many lines out
REACH = 10

PLACE_FEATURES = (
    "body",
    "kept_share",
    "inside",
    "log_dist_kept_span",
    *(f"kept_w{r}" for r in (1, 3, 10)),
    "kept_p1",
    "kept_n1",
    "page_kept_share",
    "log_extracted_words",
)
ADDITION_FEATURES = PLACE_FEATURES + LAYOUT_FEATURES


@dataclass(frozen=True, slots=True)
class Alignment:
    """The rendering's non-blank lines against the extractor's text."""

    #: share of each line's word 4-grams found in the extracted text (1.0 for a short line found
    #: whole)
    share: np.ndarray
    #: the extracted text's line holding most of them (-1: none)
    anchor: np.ndarray

    @property
    def kept(self) -> np.ndarray:
        return (self.share >= KEPT_SHARE) & (self.anchor >= 0)


def align(lines: list[str], extracted: str) -> Alignment:
    """Where each of ``lines`` (a rendering's non-blank lines) stands in ``extracted``."""
    tokens: list[str] = []
    where: list[int] = []
    for j, line in enumerate(extracted.split("\n")):
        found = _TOKEN.findall(line.lower())
        tokens += found
        where += [j] * len(found)
    grams: dict[tuple[str, ...], int] = {}
    for k in range(len(tokens) - 3):
        grams.setdefault((tokens[k], tokens[k + 1], tokens[k + 2], tokens[k + 3]), where[k])
    # short lines are looked up whole in the tokens joined by spaces (character offsets -> token)
    joined = " " + " ".join(tokens) + " "
    starts = np.cumsum([0] + [len(t) + 1 for t in tokens])
    share = np.zeros(len(lines))
    anchor = np.full(len(lines), -1, dtype=np.int64)
    for i, line in enumerate(lines):
        words = _TOKEN.findall(line.lower())
        if len(words) < 4:  # a short line counts when found whole
            at = joined.find(" " + " ".join(words) + " ") if words else -1
            if at >= 0:
                share[i], anchor[i] = 1.0, where[int(np.searchsorted(starts, at, "right")) - 1]
            continue
        hits = [grams.get(tuple(words[k : k + 4])) for k in range(len(words) - 3)]
        found = [h for h in hits if h is not None]
        share[i] = len(found) / len(hits)
        if found:
            anchor[i] = max(set(found), key=found.count)
    return Alignment(share, anchor)


def candidates(alignment: Alignment, ruled: np.ndarray) -> np.ndarray:
    """Lines the extractor left out, near its span, that no rule removed."""
    kept = np.flatnonzero(alignment.kept)
    n = len(alignment.share)
    if not len(kept):
        return np.zeros(n, dtype=bool)
    k = np.arange(n)
    near = (k >= kept[0] - REACH) & (k <= kept[-1] + REACH)
    return near & (alignment.share <= NEW_SHARE) & ~ruled


def addition_features(
    body: np.ndarray, alignment: Alignment, line_features: np.ndarray, extracted: str
) -> np.ndarray:
    """``ADDITION_FEATURES`` of every non-blank line of one page's rendering."""
    kept = alignment.kept.astype(np.float64)
    n = len(kept)
    k = np.arange(n)
    idx = np.flatnonzero(kept)
    lo, hi = (idx[0], idx[-1]) if len(idx) else (n, -1)
    inside = (k >= lo) & (k <= hi)
    dist = np.where(inside, 0, np.minimum(np.abs(k - lo), np.abs(k - hi)))
    cs = np.concatenate(([0.0], np.cumsum(kept)))

    def window(r: int) -> np.ndarray:
        a, z = np.maximum(k - r, 0), np.minimum(k + r + 1, n)
        return (cs[z] - cs[a]) / (z - a)

    place = [
        body,
        alignment.share,
        inside,
        np.log1p(dist),
        window(1),
        window(3),
        window(10),
        np.concatenate(([0.0], kept))[:n],
        np.concatenate((kept, [0.0]))[1:],
        np.full(n, kept.mean() if n else 0.0),
        np.full(n, np.log1p(len(extracted.split()))),
    ]
    return np.column_stack([*place, line_features]).astype(np.float32)


def merge(extracted: str, lines: list[str], alignment: Alignment, add: np.ndarray) -> str:
    """The extracted text with the ``add`` lines of the rendering, each a paragraph of its own
    after the extracted line that the rendering's last kept line before it stands in."""
    kept = alignment.kept
    first = np.flatnonzero(kept)
    if not len(first) or not add.any():
        return extracted
    after: dict[int, list[str]] = {}
    last = -1
    start = int(alignment.anchor[first[0]]) - 1  # before the extractor's first line there
    for i, line in enumerate(lines):
        if kept[i]:
            last = max(last, int(alignment.anchor[i]))
        elif add[i]:
            after.setdefault(last if last >= 0 else start, []).append(line)
    out: list[str] = []
    for line in after.get(-1, []):
        out += [line, ""]
    for j, line in enumerate(extracted.split("\n")):
        out.append(line)
        for extra in after.get(j, []):
            out += ["", extra]
    return "\n".join(out)


@dataclass(frozen=True, slots=True)
class AdditionModel:
    forest: Forest
    #: a candidate is added when the forest's probability is at least this
    threshold: float

    def save(self, path) -> None:
        np.savez_compressed(
            path,
            **self.forest.to_arrays("add_"),
            threshold=np.array([self.threshold]),
            features=np.array(ADDITION_FEATURES),
        )


@cache
def load_additions() -> AdditionModel:
    """The shipped model."""
    with resources.files(__package__).joinpath(MODEL_FILE).open("rb") as handle:
        arrays = dict(np.load(handle, allow_pickle=False))
    if tuple(arrays["features"]) != ADDITION_FEATURES:
        raise RuntimeError(f"{MODEL_FILE} was trained on other features: retrain it")
    return AdditionModel(Forest.from_arrays(arrays, "add_"), float(arrays["threshold"][0]))


@dataclass(frozen=True, slots=True)
class PageLines:
    """One page's rendering lines with everything the addition model reads."""

    lines: list[str]
    alignment: Alignment
    candidates: np.ndarray
    features: np.ndarray


def page_lines(
    rendering: str,
    extracted: str,
    ruled: list[int],
    lines: BatchLines,
    body: np.ndarray,
    p: int,
) -> PageLines:
    """Page ``p`` of a batch of renderings scored by the line model (``ruled``: the numbers of
    its lines the rule families removed)."""
    a, z = lines.page_start[p], lines.page_start[p + 1]
    numbers = lines.number[a:z]
    raw = rendering.split("\n")
    texts = [raw[n] for n in numbers.tolist()]
    alignment = align(texts, extracted)
    gone = np.isin(numbers, np.asarray(ruled, dtype=np.int64))
    return PageLines(
        lines=texts,
        alignment=alignment,
        candidates=candidates(alignment, gone),
        features=addition_features(
            body[a:z], alignment, lines.features[a:z, : len(LAYOUT_FEATURES)], extracted
        ),
    )
