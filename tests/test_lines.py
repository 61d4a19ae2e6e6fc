"""Line features the rules and the line model read, computed once per page."""

import re

from ingest.cleaning.lines import split_lines

PAGE = "\n".join(
    [
        "Price 12 euros",
        "",
        "no digits here",
        "Arabic-Indic ٣ counts as a digit",
        "ÉTÉ À PARIS ÇA VA",
        "Straße Über Ärger und ÖL 42",
        " ".join(["Word"] * 21),
        "last line 9",
    ]
)


def test_digits_are_found_on_their_own_lines() -> None:
    _, lines = split_lines(PAGE)
    assert [line.digit for line in lines] == [True, False, True, False, True, False, True]


def test_upper_is_the_share_of_capitals_among_letters() -> None:
    _, lines = split_lines(PAGE)
    for line in lines:
        letters = re.findall(r"[^\W\d_]", line.text)
        expected = sum(c.isupper() for c in letters) / len(letters) if line.n_words <= 20 else 0
        assert abs(line.upper - expected) < 1e-12, line.text
    assert lines[3].upper == 1.0


def test_caps_is_the_share_of_capitalised_words_of_short_lines() -> None:
    _, lines = split_lines(PAGE)
    assert lines[0].caps == 1 / 3
    assert lines[4].caps == 4 / 6  # "und" and "42" are not capitalised
    assert lines[5].caps == 0.0  # more than 20 words
