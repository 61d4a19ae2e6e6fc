"""Lines of a page's rendering added to an extractor's text: alignment, where they go, what
the shipped model adds, and that nothing changes without a rendering."""

import numpy as np

from ingest.cleaning import CleaningConfig, PageText, clean_pages
from ingest.cleaning.additions import (
    ADDITION_FEATURES,
    align,
    load_additions,
    merge,
)

NAV = ["Home", "News", "Sport", "Business", "Culture", "Travel", "Weather", "Contact"]
ARTICLE = [
    "The city council approved the new budget on Tuesday after a long debate that ran late "
    "into the evening and drew a full public gallery.",
    "Most of the additional money goes to schools, which will hire more teachers and repair "
    "buildings that have waited years for new roofs and windows.",
    "The opposition called the plans inadequate and asked for more funds to repair the old "
    "bridge over the river before the coming winter.",
    "The mayor defended the draft, pointing to rising costs for energy and staff across every "
    "department of the city administration.",
    "The changes take effect next year if the regional supervisory authority agrees and a "
    "second vote in March confirms the figures.",
]
FOOTER = ["About us", "Privacy", "Terms of use", "Cookie settings", "Advertise", "Careers"]


def rendering() -> str:
    return "\n".join(NAV) + "\n\n" + "\n\n".join(ARTICLE) + "\n\n" + "\n".join(FOOTER)


def test_align_finds_the_extractors_lines_and_where_they_stand() -> None:
    extracted = "\n".join([ARTICLE[0], ARTICLE[1] + " " + ARTICLE[2], ARTICLE[4]])
    lines = NAV[:2] + ARTICLE
    found = align(lines, extracted)
    assert found.kept.tolist() == [False, False, True, True, True, False, True]
    assert found.anchor[2:].tolist() == [0, 1, 1, -1, 2]
    assert found.share[5] == 0.0


def test_merge_puts_an_added_line_after_the_extracted_line_before_it() -> None:
    extracted = "\n".join([ARTICLE[0], ARTICLE[1], ARTICLE[3]])
    lines = [NAV[0], *ARTICLE[:4]]
    add = np.array([False, False, False, True, False])
    merged = merge(extracted, lines, align(lines, extracted), add)
    assert merged.split("\n") == [ARTICLE[0], ARTICLE[1], "", ARTICLE[2], ARTICLE[3]]
    assert merge(extracted, lines, align(lines, extracted), ~add & False) == extracted


def test_a_paragraph_the_extractor_missed_inside_the_article_is_added_back() -> None:
    extracted = "\n".join(ARTICLE[:2] + ARTICLE[3:])
    result = clean_pages([PageText(extracted, extracted=True, rendering=rendering())])[0]
    assert ARTICLE[2] in result.text
    assert result.added == (ARTICLE[2],)
    # in the extractor's order
    assert result.text.index(ARTICLE[1]) < result.text.index(ARTICLE[2])
    assert result.text.index(ARTICLE[2]) < result.text.index(ARTICLE[3])
    for line in NAV + FOOTER:
        assert line not in result.text.split("\n")


def test_without_a_rendering_or_with_additions_disabled_the_text_stays_the_extractors() -> None:
    extracted = "\n".join(ARTICLE[:2] + ARTICLE[3:])
    alone = clean_pages([PageText(extracted, extracted=True)])[0]
    assert ARTICLE[2] not in alone.text and alone.added == ()
    for disabled in (["model.additions"], ["model"]):
        config = CleaningConfig(disabled_rules=disabled)
        page = PageText(extracted, extracted=True, rendering=rendering())
        result = clean_pages([page], config)[0]
        assert ARTICLE[2] not in result.text and result.added == ()


def test_a_page_is_given_the_same_additions_alone_and_in_a_batch() -> None:
    extracted = "\n".join(ARTICLE[:2] + ARTICLE[3:])
    page = PageText(extracted, extracted=True, rendering=rendering())
    others = [PageText(rendering()), PageText(ARTICLE[0], extracted=True, rendering=rendering())]
    alone = clean_pages([page])[0]
    batch = clean_pages([others[0], page, others[1]])[1]
    assert alone == batch


def test_the_shipped_model_reads_the_features_it_was_trained_on() -> None:
    model = load_additions()
    assert 0.0 < model.threshold < 1.0
    assert int(model.forest.feature.max()) < len(ADDITION_FEATURES)
