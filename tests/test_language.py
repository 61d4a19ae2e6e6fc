"""Language of real pages (the seeds, and labelled pages of the development corpora) with the
model that ships in the package; short texts get no language."""

import json
import os
from pathlib import Path

import pytest

from ingest.analysis.language import MIN_LETTERS, detect_language, detect_languages

REPO = Path(__file__).resolve().parent.parent
SHARED = (
    Path(os.environ["INGEST_BENCH_DIR"]).parent
    if os.environ.get("INGEST_BENCH_DIR")
    else REPO.parent / "shared"
)


def labelled(lang: str) -> list[str]:
    """Gold main texts of 50+ words whose gold language is ``lang``."""
    out = []
    for name in ("readability", "fixtures"):
        gold = json.loads((SHARED / "bench" / name / "gold.json").read_text(encoding="utf-8"))
        out += [
            v["text"]
            for _, v in sorted(gold.items())
            if (v.get("lang") or "").lower().startswith(lang)
            and len((v.get("text") or "").split()) >= 50
        ]
    return out


def test_seeds_are_english_with_confidence() -> None:
    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    assert len(seeds) == 5
    for lang, score in detect_languages([p.read_text(encoding="utf-8") for p in seeds]):
        assert lang == "en" and score > 0.8


@pytest.mark.parametrize("lang", ["fr", "es", "de", "zh"])
def test_labelled_pages_of_other_languages(lang: str) -> None:
    texts = labelled(lang)
    assert texts
    assert [detect_language(t)[0] for t in texts] == [lang] * len(texts)


def test_short_texts_get_no_language_or_a_low_score() -> None:
    assert detect_language("") == (None, 0.0)
    assert detect_language("Read more") == (None, 0.0)
    assert detect_language("x" * (MIN_LETTERS - 1)) == (None, 0.0)
    _lang, score = detect_language("Das ist ein kurzer Satz.")
    assert score < 0.5
    long_lang, long_score = detect_language("Das ist ein kurzer Satz. " * 8)
    assert long_lang == "de" and long_score > score


def test_batch_form_is_the_single_form() -> None:
    texts = ["", "Bonjour à tous, voici un texte en français assez long pour juger.", "Hello"]
    assert detect_languages(texts) == [detect_language(t) for t in texts]
