"""Quality signals on hand-made texts, each value worked out by hand from its definition."""

import pyarrow as pa
import pytest

from ingest.analysis.quality_signals import (
    QUALITY,
    duplicated_ngram_chars,
    find_duplicates,
    quality_signals,
    top_ngram_chars,
)


def signals(text: str, raw_chars: int = 0, removed_chars: int = 0) -> dict:
    return quality_signals(text, raw_chars, removed_chars)


def test_every_field_of_the_struct_and_nothing_else() -> None:
    values = signals("The cat sat on the mat.\n\nAnd then it left with the dog.", 100, 40)
    assert set(values) == {field.name for field in QUALITY}
    array = pa.array([values], type=QUALITY)  # the values fit the declared types
    assert array[0]["boilerplate_share"].as_py() == pytest.approx(0.4)


def test_gopher_word_statistics() -> None:
    # 7 tokens; "--" is all punctuation, so 6 non-symbol words
    text = "the cat has -- a window. end"
    s = signals(text)
    assert s["word_count"] == 6  # the, cat, has, a, window., end
    assert s["mean_word_length"] == pytest.approx((3 + 3 + 3 + 1 + 7 + 3) / 6)
    assert s["alpha_word_share"] == pytest.approx(6 / 7)
    assert s["stop_word_count"] == 1  # "the" (once, however often it occurs)


def test_stop_words_are_counted_once_each_case_folded() -> None:
    assert signals("The the THE of and with to be that have")["stop_word_count"] == 8


def test_symbol_ratios() -> None:
    text = "#tag #other one two... three … four"
    s = signals(text)
    assert s["hash_to_word_ratio"] == pytest.approx(2 / 7)
    assert s["ellipsis_to_word_ratio"] == pytest.approx(2 / 7)


def test_bullet_and_ellipsis_lines_over_non_empty_lines() -> None:
    text = "• one\n  - two\n\nthree and more...\nfour…\nfive"
    s = signals(text)
    assert s["bullet_line_share"] == pytest.approx(2 / 5)
    assert s["ellipsis_line_share"] == pytest.approx(2 / 5)


def test_duplicate_lines_and_paragraphs() -> None:
    text = "aa\nbb\naa\naa\n\ncc\n\ncc"
    # lines (split on runs of newlines): aa bb aa aa cc cc -> 3 repeats of 2 chars each
    s = signals(text)
    assert s["dup_line_share"] == pytest.approx(3 / 6)
    assert s["dup_line_char_share"] == pytest.approx(6 / len(text))
    # paragraphs: "aa\nbb\naa\naa", "cc", "cc" -> one repeat of 2 chars
    assert s["dup_paragraph_share"] == pytest.approx(1 / 3)
    assert s["dup_paragraph_char_share"] == pytest.approx(2 / len(text))
    assert find_duplicates(["x", "y", "x", "x"]) == (2, 2)


def test_top_ngram_share() -> None:
    words = ["a", "b", "a", "b", "a", "b", "c"]
    assert top_ngram_chars(words, 2) == len("a b") * 3
    assert top_ngram_chars(["a", "b", "c", "d"], 2) == 0  # nothing repeats
    text = "a b a b a b c"
    assert signals(text)["top_2gram_char_share"] == pytest.approx(9 / len(text))


def test_duplicated_ngrams_are_counted_without_overlap() -> None:
    words = [
        "x1",
        "x2",
        "x3",
        "x4",
        "x5",
        "x1",
        "x2",
        "x3",
        "x4",
        "x5",
        "x1",
        "x2",
        "x3",
        "x4",
        "x5",
    ]
    # the 5-gram repeats at 5 and 10; each repeat is 10 chars joined without spaces
    assert duplicated_ngram_chars(words, 5) == 20
    assert duplicated_ngram_chars(words, 10) == len("".join(words[5:15]))
    assert duplicated_ngram_chars(["a", "b", "c", "d", "e", "f"], 5) == 0


def test_fineweb_line_signals() -> None:
    text = (
        "A full sentence that ends here.\nshort\nAnother one that is long enough to count!\nshort"
    )
    s = signals(text)
    assert s["line_punct_share"] == pytest.approx(2 / 4)
    assert s["short_line_share"] == pytest.approx(2 / 4)
    assert s["fineweb_dup_line_char_share"] == pytest.approx(5 / len(text.replace("\n", "")))
    assert s["newline_to_word_ratio"] == pytest.approx(3 / 16)


def test_c4_signals() -> None:
    s = signals('Lorem ipsum dolor.\nvar x = {a: 1}\nShe said "yes"')
    assert s["c4_lorem_ipsum"] and s["c4_curly_bracket"]
    assert s["c4_terminal_line_share"] == pytest.approx(2 / 3)


def test_empty_text_is_all_zeros() -> None:
    s = signals("", 0, 0)
    assert s["word_count"] == 0 and s["boilerplate_share"] == 0.0
    assert s["dup_line_char_share"] == 0.0 and not s["c4_lorem_ipsum"]
