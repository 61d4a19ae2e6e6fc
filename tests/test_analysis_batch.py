"""The analysis stage measures a batch's texts together; each text's measures must be what a
plain page-by-page reading of the definitions gives, on odd texts and on real pages."""

import gzip
import hashlib
import re
import struct
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from rensa import RMinHash

from ingest.analysis.duplicates import (
    NUM_PERM,
    PUNCTUATION_MARKS,
    SEED,
    signatures,
    text_sha256,
)
from ingest.analysis.language import detect_language
from ingest.analysis.quality_signals import QUALITY, batch_quality_signals, quality_signals
from ingest.analysis.stage import MEASURE_CHUNK, measure
from ingest.normalising import normalise

REPO = Path(__file__).resolve().parent.parent
DEVSET_TEXT = REPO.parent / "shared" / "bench" / "devset" / "text"

STOP = {"the", "be", "to", "of", "and", "that", "have", "with"}
PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~…–—‘’“”«»¿¡·•")
TERMINAL = tuple(".!?…。！？．؟۔।॥።։‼⁇⁈⁉\"”»'’)」』")


def ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def duplicates(items: list[str]) -> tuple[int, int]:
    seen: set[str] = set()
    count = chars = 0
    for item in items:
        if item in seen:
            count, chars = count + 1, chars + len(item)
        seen.add(item)
    return count, chars


def top_ngram(words: list[str], n: int) -> int:
    grams = Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))
    if not grams:
        return 0
    gram, count = grams.most_common(1)[0]
    return len(" ".join(gram)) * count if count > 1 else 0


def duplicated_ngrams(words: list[str], n: int) -> int:
    """datatrove's find_all_duplicate, on word tuples."""
    seen: set[tuple[str, ...]] = set()
    total = i = 0
    while i <= len(words) - n:
        gram = tuple(words[i : i + n])
        if gram in seen:
            total += sum(map(len, gram))
            i += n
        else:
            seen.add(gram)
            i += 1
    return total


def reference_quality(text: str, raw: int, removed: int) -> dict:
    words = text.split()
    n = len(words)
    lines = [ln for ln in text.split("\n") if ln.strip()]
    plain_words = [w for w in words if not all(c in PUNCT for c in w)]
    runs = re.split(r"\n+", text)
    paragraphs = re.split(r"\n{2,}", text.strip())
    out = {
        "word_count": len(plain_words),
        "mean_word_length": ratio(sum(map(len, plain_words)), len(plain_words)),
        "hash_to_word_ratio": ratio(text.count("#"), n),
        "ellipsis_to_word_ratio": ratio(text.count("...") + text.count("…"), n),
        "bullet_line_share": ratio(sum(ln.lstrip()[:1] in ("•", "-") for ln in lines), len(lines)),
        "ellipsis_line_share": ratio(
            sum(ln.rstrip().endswith(("...", "…")) for ln in lines), len(lines)
        ),
        "alpha_word_share": ratio(sum(bool(re.search(r"[^\W\d_]", w)) for w in words), n),
        "stop_word_count": len(STOP & set(text.lower().split())),
        "dup_line_share": ratio(duplicates(runs)[0], len(runs)),
        "dup_line_char_share": ratio(duplicates(runs)[1], len(text)),
        "dup_paragraph_share": ratio(duplicates(paragraphs)[0], len(paragraphs)),
        "dup_paragraph_char_share": ratio(duplicates(paragraphs)[1], len(text)),
    }
    for k in (2, 3, 4):
        out[f"top_{k}gram_char_share"] = ratio(top_ngram(words, k), len(text))
    for k in range(5, 11):
        out[f"dup_{k}gram_char_share"] = ratio(duplicated_ngrams(words, k), len(text))
    out |= {
        "line_punct_share": ratio(sum(ln.endswith(TERMINAL) for ln in lines), len(lines)),
        "short_line_share": ratio(sum(len(ln) <= 30 for ln in lines), len(lines)),
        "fineweb_dup_line_char_share": ratio(duplicates(lines)[1], len(text.replace("\n", ""))),
        "newline_to_word_ratio": ratio(text.count("\n"), n),
        "c4_terminal_line_share": ratio(
            sum(ln.rstrip().endswith((".", "!", "?", '"')) for ln in lines), len(lines)
        ),
        "c4_lorem_ipsum": re.search("lorem ipsum", text, re.IGNORECASE) is not None,
        "c4_curly_bracket": "{" in text,
        "boilerplate_share": min(1.0, ratio(removed, raw)),
    }
    return out


def reference_signature(text: str) -> np.ndarray:
    words = re.findall(r"\w+", unicodedata.normalize("NFC", text).casefold())
    if not words:
        return np.zeros(NUM_PERM, dtype=np.uint32)
    grams = {" ".join(words[i : i + 5]) for i in range(max(1, len(words) - 4))}
    minhash = RMinHash(num_perm=NUM_PERM, seed=SEED)
    minhash.update(sorted(grams))
    return np.array(minhash.digest(), dtype=np.uint32)


def reference_sha256(text: str) -> str:
    return hashlib.sha256(" ".join(unicodedata.normalize("NFC", text).split()).encode()).hexdigest()


def exact(values: dict) -> dict:
    """Floats as their bits: equal only when bit for bit equal."""
    return {
        k: struct.pack("<d", v) if isinstance(v, float) else (type(v), v) for k, v in values.items()
    }


PROSE = (
    "The committee met on Tuesday and agreed that the budget should be published in full. "
    "Members said the delay had been caused by a dispute over the figures."
)
ODD_TEXTS = [
    "",
    "word",
    " \n\t\n ",
    "one two three four five",
    "one two three four five six",
    "the the the the the the the the the the the the",
    "Subscribe now\nSubscribe now\nSubscribe now\n\n\n\nSubscribe now\n\nRead more",
    "\n\nleading and trailing breaks\n\n\n",
    "a b a b a b a b c a b a b a b a b c x y z x y z x y z",
    "• first\n  - second\n-- third…\nfourth...\n#tag #other {json} end",
    'Lorem Ipsum dolor sit amet.\nLOREM IPSUM again!\nShe said "yes"',
    "東京都の天気は晴れです。明日も晴れるでしょう。\n東京都の天気は晴れです。",
    "Ελληνικά ΟΔΟΣ ΟΔΟΣ ΟΔΟΣ σοφία. İstanbul ISTANBUL ıstanbul Straße STRASSE",
    "Cafe\u0301 cafe\u0301 Café caf\u00e9 e\u0301\u0301 \u0301lone",
    "tabs\tand\u00a0nbsp\u2000en\u2003em\u3000ideographic\x1cfile\x1dgroup\r\nwindows\x0bvt\x0cff",
    "foo-bar foo_bar 3.14 2024-01-01 ½ ² Ⅻ -- ... — !! ¿qué? «quoted» 🙂🙂 🙂 x🙂y",
    "Der Hund und die Katze. " * 40,
    (PROSE + "\n") * 3 + PROSE.upper() + "\n\n" + PROSE,
    "\n".join(f"Line {i % 7} of the list, item {i % 3}" for i in range(300)),
    " ".join(f"w{i % 997}" for i in range(30_000)),
]


def devset_pages(n: int) -> list[str]:
    paths = sorted(DEVSET_TEXT.glob("*.txt.gz"))[:n]
    return [normalise(gzip.decompress(p.read_bytes()).decode("utf-8")) for p in paths]


@pytest.fixture(scope="module")
def texts() -> list[tuple[str, int, int]]:
    pages = ODD_TEXTS + devset_pages(2 * MEASURE_CHUNK)
    return [(text, len(text) + 7 * i, 3 * i) for i, text in enumerate(pages)]


def test_quality_signals_of_a_batch_are_each_texts_own(texts: list) -> None:
    batch = batch_quality_signals(texts)
    assert len(batch) == len(texts)
    for (text, raw, removed), got in zip(texts, batch, strict=True):
        assert set(got) == {f.name for f in QUALITY}
        assert exact(got) == exact(reference_quality(text, raw, removed)), text[:60]
        assert exact(quality_signals(text, raw, removed)) == exact(got)


def test_signatures_of_a_batch_are_each_texts_own(texts: list) -> None:
    plain = [text for text, _, _ in texts]
    got = signatures(plain)
    for text, row in zip(plain, got, strict=True):
        assert np.array_equal(row, reference_signature(text)), text[:60]
    assert not got[0].any() and got[1].any()  # no words, one word


def test_measure_equals_the_reference_page_by_page(texts: list) -> None:
    measured = measure(texts)
    assert len(measured) == len(texts) > 2 * MEASURE_CHUNK  # more than one chunk
    for (text, raw, removed), m in zip(texts, measured, strict=True):
        assert (m.language, m.language_score) == detect_language(text)
        assert m.text_sha256 == reference_sha256(text) == text_sha256(text)
        assert np.array_equal(m.signature, reference_signature(text))
        assert exact(m.quality) == exact(reference_quality(text, raw, removed)), text[:60]


def test_no_whitespace_character_joins_or_leaves_a_word_under_nfc_or_case_mapping() -> None:
    """What taking the shingles' words and the hash's words per whitespace-separated word relies
    on: whitespace maps to whitespace, nothing else maps to any, and whitespace neither
    combines with a neighbour nor is a word character."""
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        mapped = unicodedata.normalize("NFD", char) + char.casefold() + char.lower()
        if char.isspace():
            assert all(c.isspace() for c in mapped + unicodedata.normalize("NFC", char))
            assert unicodedata.combining(char) == 0 and not re.match(r"\w", char)
        else:
            assert not any(c.isspace() for c in mapped), hex(code)


def test_punctuation_marks_stripped_from_words_are_no_word_characters() -> None:
    assert PUNCTUATION_MARKS and not re.search(r"\w", PUNCTUATION_MARKS)
