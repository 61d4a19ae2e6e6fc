"""The normaliser repairs Unicode and regularises whitespace without changing meaning."""

import ftfy.bad_codecs  # noqa: F401  (registers the sloppy codecs that make real mojibake)

from ingest.normalising import fix_unicode, normalise, normalise_whitespace


def test_mojibake_is_repaired_once_and_twice() -> None:
    original = "Müller’s café — “quoted”"
    once = original.encode("utf-8").decode("sloppy-windows-1252")
    twice = once.encode("utf-8").decode("sloppy-windows-1252")
    assert normalise(once) == original
    assert normalise(twice) == original


def test_quotes_and_widths_are_left_as_written() -> None:
    text = "„Anführung“ and ‘single’ and “double”; 全角テキスト、句読点。"
    assert normalise(text) == text


def test_html_entities_and_ligatures_in_plain_text_are_resolved() -> None:
    assert normalise("Caf&eacute; &amp; bar") == "Café & bar"
    assert normalise("ﬁnal ofﬁce") == "final office"


def test_odd_spaces_trailing_spaces_and_blank_lines() -> None:
    text = "  First\u00a0line \t with\u2009gaps  \r\n\r\n\r\n\n Second\u200b line\u3000\n\n\n"
    assert normalise(text) == "First line with gaps\n\nSecond line"


def test_single_newlines_and_paragraph_order_are_kept() -> None:
    text = "One.\nTwo.\n\nThree."
    assert normalise(text) == text


def test_decomposed_characters_become_composed() -> None:
    assert fix_unicode("Cafe\u0301") == "Café"


def test_control_characters_are_removed() -> None:
    assert normalise("a\x00b\x07c\x1b[31md") == "abcd"


def test_normalising_is_idempotent() -> None:
    messy = "Itâ€™s  a\u00a0test \n\n\n\nwith  Ã©  mojibake"
    once = normalise(messy)
    assert normalise(once) == once
    assert normalise_whitespace(once) == once


def test_each_line_is_repaired_on_its_own_wherever_it_stands() -> None:
    original = "Müller’s café — “quoted”"
    cyrillic = "Привет, мир"
    lines = [
        "Plain first line.",
        original.encode("utf-8").decode("sloppy-windows-1252"),
        "A line between, with “curly” quotes left alone.",
        "Tom &amp; Jerry",
        cyrillic.encode("utf-8").decode("windows-1251"),
        "",
        "bell\x07 at the end",
    ]
    fixed = fix_unicode("\n".join(lines)).split("\n")
    assert fixed == [fix_unicode(line) for line in lines]
    assert fixed[1] == original
    assert fixed[3] == "Tom & Jerry"
    assert fixed[4] == cyrillic
    assert fixed[6] == "bell at the end"
    ascii_only = fix_unicode("one\ntwo\x01\nthree &lt; four").split("\n")
    assert ascii_only == ["one", "two", "three < four"]
