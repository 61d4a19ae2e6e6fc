"""Title, byline and dateline read from the head of a plain-text page."""

from datetime import date

from ingest.text_metadata import TextMetadata, extract_text_metadata

BODY = (
    "The council approved the new budget on Tuesday after a long debate about school funding "
    "and the cost of repairing the old bridge."
)


def test_empty_page():
    assert extract_text_metadata("") == TextMetadata()


def test_title_skips_section_label_and_navigation():
    text = f"Startseite\n\nPolitik\n\nCouncil approves the budget for next year\n\n{BODY}"
    assert extract_text_metadata(text).title == "Council approves the budget for next year"


def test_repeated_line_is_the_title():
    text = (
        "Council approves budget\n\nMayor speaks out on bridge repairs\n\n"
        f"Council approves budget\n\n{BODY}"
    )
    assert extract_text_metadata(text).title == "Council approves budget"


def test_no_title_when_page_starts_with_prose():
    assert extract_text_metadata(BODY).title is None


def test_bylines():
    for line, name in [
        ("By Jane Doe", "Jane Doe"),
        ("Von Hans Müller", "Hans Müller"),
        ("Por María García", "María García"),
        ("By Daniel Bellamy with AP", "Daniel Bellamy"),
        ("John Haltiwanger / Example Insider", "John Haltiwanger"),
        ("Autor: Anna Schmidt", "Anna Schmidt"),
    ]:
        text = f"Council approves the budget\n\n{line}\n\n{BODY}"
        assert extract_text_metadata(text).author == name, line


def test_byline_needs_a_name():
    text = f"Council approves the budget\n\nBy the river\n\n{BODY}"
    assert extract_text_metadata(text).author is None


def test_datelines():
    for line in [
        "date 2021-12-17 ContributorsPublishersAdvertisers",
        "17. Dezember 2021",
        "Dec. 17, 2021",
        "Veröffentlicht am 17.12.2021, 10:15 Uhr",
        "17 de diciembre de 2021",
        "Published December 17th, 2021",
    ]:
        text = f"Council approves the budget\n\n{line}\n\n{BODY}"
        assert extract_text_metadata(text).published == date(2021, 12, 17), line


def test_invalid_date_is_ignored():
    text = f"Council approves the budget\n\n31. Februar 2021\n\n{BODY}"
    assert extract_text_metadata(text).published is None
