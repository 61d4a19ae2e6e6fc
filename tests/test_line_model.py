"""The learned line model: what it removes and how it names it, batches, the shipped forests."""

import numpy as np
import pytest

from ingest.cleaning import CleaningConfig, PageText, clean, clean_pages, cleaner
from ingest.cleaning.cleaner import body_probabilities, rule_page, ruled_lines
from ingest.cleaning.features import FEATURES, SCORE_FEATURES, batch_features, block_bounds
from ingest.cleaning.line_model import load_model
from ingest.cleaning.trees import from_lightgbm

BODY = [
    "Der Stadtrat hat am Dienstag nach einer langen Debatte den neuen Haushalt beschlossen, der "
    "vor allem mehr Geld für Schulen vorsieht.",
    "Die Opposition kritisierte die Pläne als unzureichend und forderte zusätzliche Mittel für "
    "die Sanierung der alten Brücke am Fluss.",
    "Der Bürgermeister verteidigte den Entwurf und verwies auf die steigenden Kosten für Energie "
    "und Personal in allen Bereichen der Verwaltung.",
    "Die Änderungen sollen im kommenden Jahr in Kraft treten, sofern die Aufsichtsbehörde "
    "zustimmt und eine zweite Abstimmung im März erfolgt.",
]
#: a publisher's footer: no phrase vocabulary names these words; the layout and what the model
#: learned of words give them away
FOOTER = ["Unternehmen", "Partner", "Verlag", "Redaktion", "Anzeigen"]
#: a footer of place names: words the model has no weight for, only the layout
PLACES = ["Stadtteile", "Innenstadt", "Verlag", "Südstadt", "Hafen", "Westend", "Altstadt"]
NAV = ["Politik", "Wirtschaft", "Kultur", "Reisen", "Gesundheit", "Wissen", "Auto", "Digital"]


def rendering(footer: list[str] = FOOTER) -> str:
    """A whole-page text rendering: navigation, the article, a footer."""
    return "\n".join(NAV) + "\n\n" + "\n\n".join(BODY) + "\n\n" + "\n".join(footer)


def model_removals(text: str, **kwargs) -> list[str]:
    result = clean(text, **kwargs)
    return [r.text for r in result.removed if r.rule.startswith("model.")]


def test_model_removes_navigation_and_footer_by_name_and_keeps_the_article():
    result = clean(rendering())
    named = {r.rule: r.text.split("\n") for r in result.removed}
    assert named.get("model.navigation") == NAV, result.removed
    assert named.get("model.footer") == FOOTER, result.removed
    for paragraph in BODY:
        assert paragraph in result.text


def test_layout_alone_scores_a_footer_of_unknown_words_below_the_article():
    text = rendering(PLACES)
    lines, body = body_probabilities([text])
    raw = text.split("\n")
    place = np.array([raw[n] in PLACES for n in lines.number])
    article = np.array([raw[n] in BODY for n in lines.number])
    assert body[place].max() < 0.5 < body[article].min()


def test_a_page_without_blank_lines_keeps_its_article():
    # a dump that prints a block a line and no gaps (Common Crawl's WET text): the layout has
    # no blocks to go by, the article still stays and the head of the menu still goes
    result = clean("\n".join([*NAV, *BODY, *FOOTER]))
    for paragraph in BODY:
        assert paragraph in result.text
    named = {r.rule: r.text.split("\n") for r in result.removed}
    assert named["model.navigation"][:4] == NAV[:4], result.removed


def test_the_blocks_of_a_page_and_of_a_page_without_gaps():
    # blocks are the lines between gaps; a page with no gap has none: a block a line
    lines = batch_features(["a\nb\n\nc\nd\ne", "\nf\ng\nh"])
    first, after = block_bounds(lines)
    assert first.tolist() == [0, 0, 2, 2, 2, 5, 6, 7]
    assert after.tolist() == [2, 2, 5, 5, 5, 6, 7, 8]


def test_an_article_printed_as_one_line_between_a_menu_and_a_footer_is_kept():
    article = " ".join(BODY * 3)
    result = clean("\n".join([*NAV, article, *FOOTER]))
    assert article in result.text


def test_model_is_not_applied_to_extracted_text():
    result = clean(rendering(), extracted=True)
    assert model_removals(rendering(), extracted=True) == []
    assert "Verlag" in result.text


def test_model_is_not_applied_when_its_family_is_disabled():
    config = CleaningConfig(disabled_rules=["model"])
    assert model_removals(rendering(), config=config) == []
    assert "Verlag" in clean(rendering(), config=config).text


def test_one_kind_can_be_disabled():
    config = CleaningConfig(disabled_rules=["model.footer"])
    result = clean(rendering(), config=config)
    assert "Verlag" in result.text
    assert all(r.rule != "model.footer" for r in result.removed)


def test_a_higher_threshold_removes_no_more():
    low = model_removals(rendering(), config=CleaningConfig(model_threshold=0.3))
    high = model_removals(rendering(), config=CleaningConfig(model_threshold=0.99))
    assert sum(map(len, high)) <= sum(map(len, low))


def test_a_batch_cleans_each_page_as_alone():
    texts = [rendering(), "", rendering(FOOTER[:3]), "\n\n".join(BODY), "  \n\n "]
    pages = [PageText(t) for t in texts] + [PageText(rendering(), extracted=True)]
    batch = clean_pages(pages, CleaningConfig())
    assert batch == [clean(p.text, extracted=p.extracted) for p in pages]
    assert batch[1].text == "" and batch[4].removed == ()


def test_pages_chunked_by_length_come_back_in_their_order(monkeypatch: pytest.MonkeyPatch):
    """Pages go to the model in chunks of like length, in both forms; each result is still its
    own page's, as if cleaned alone."""
    long_page = rendering() + "\n\n" + "\n\n".join(BODY[::-1])
    texts = [long_page, rendering(PLACES), "\n\n".join(BODY), rendering(FOOTER[:2]), long_page]
    pages = [PageText(t) for t in texts]
    pages += [PageText(BODY[0], extracted=True, rendering=t) for t in texts]
    alone = [clean_pages([page])[0] for page in pages]
    monkeypatch.setattr(cleaner, "CHUNK_CHARS", 600)  # several chunks in this small batch
    assert len(cleaner._chunks(texts)) > 1
    assert clean_pages(pages) == alone


def test_features_number_the_non_blank_lines_of_each_page():
    lines = batch_features(["a b c.\n\n  \nd e", "", "x"])
    assert lines.page.tolist() == [0, 0, 2]
    assert lines.number.tolist() == [0, 3, 0]
    assert lines.page_start.tolist() == [0, 2, 2, 3]
    assert lines.features.shape == (3, len(FEATURES))
    assert np.isfinite(lines.features).all()


def test_shipped_model_reads_the_current_features():
    model = load_model()
    assert model.first.feature.max() < len(FEATURES)
    assert model.second.feature.max() < len(FEATURES) + len(SCORE_FEATURES)
    assert 0.0 < model.threshold < 1.0
    body = model.body_probability(batch_features([rendering()]))
    assert ((body >= 0) & (body <= 1)).all()


def test_exported_trees_score_as_the_dump_says():
    dump = {
        "tree_info": [
            {
                "tree_structure": {
                    "split_feature": 1,
                    "threshold": 0.5,
                    "decision_type": "<=",
                    "left_child": {"leaf_value": -1.0},
                    "right_child": {
                        "split_feature": 0,
                        "threshold": 2.0,
                        "decision_type": "<=",
                        "left_child": {"leaf_value": 0.25},
                        "right_child": {"leaf_value": 3.0},
                    },
                }
            },
            {"tree_structure": {"leaf_value": 0.5}},
        ]
    }
    forest = from_lightgbm(dump)
    x = np.array([[0.0, 0.0], [1.0, 1.0], [5.0, 1.0], [2.0, 0.5]], dtype=np.float32)
    assert forest.raw(x).tolist() == [-0.5, 0.75, 3.5, -0.5]


def test_extracted_text_keeps_chrome_lines_but_not_a_bare_title():
    text = "Harbour news\n\nBy Anna Berg\n\n" + "\n\n".join(BODY)
    kept = clean(text, title="Harbour news", extracted=True)
    assert "By Anna Berg" in kept.text and "Harbour news" in kept.text
    bare = clean("Harbour news", title="Harbour news", extracted=True)
    assert bare.text == "" and [r.rule for r in bare.removed] == ["chrome.title"]


def test_a_page_has_the_same_features_alone_and_in_a_batch():
    pages = [rendering(), "\n\n".join(BODY), rendering(FOOTER[:2])]
    together = batch_features(pages)
    for p, text in enumerate(pages):
        alone = batch_features([text]).features
        part = together.features[together.page_start[p] : together.page_start[p + 1]]
        assert np.array_equal(alone, part)


def test_a_line_too_long_for_packed_counts_is_counted_exactly():
    column = {name: i for i, name in enumerate(FEATURES)}
    long_line = "Ab1, " * ((1 << 21) // 5 + 1)  # over 2**21 bytes: counted class by class
    short = "A short line, with 2 digits: 42."
    alone = batch_features([short]).features
    lines = batch_features([f"{long_line}\n{short}"]).features
    assert np.allclose(lines[1, : column["repeated"]], alone[0, : column["repeated"]])
    assert np.isclose(lines[0, column["digit_share"]], 1 / 5, atol=1e-4)  # "Ab1, " of 5 chars
    assert np.isclose(lines[0, column["upper_share"]], 1 / 2)
    assert np.isclose(lines[0, column["comma_per_word"]], 1.0)


def test_the_model_reads_where_the_page_s_headline_stands():
    column = {name: i for i, name in enumerate(FEATURES)}
    text = "\n".join([*NAV[:3], "", "Budget passed", "", *BODY])
    ruled = ruled_lines(rule_page(text, "Budget passed"))
    assert ruled.headline == 4 and 4 in ruled.removed  # the title rule's line, by number
    lines = batch_features([text, text], [ruled.removed] * 2, headlines=[ruled.headline, -1])
    named, plain = np.split(lines.features, [lines.page_start[1]])
    headline = named[:, column["headline"]].tolist()
    assert headline == [0, 0, 0, 1, 0, 0, 0, 0]  # the page's non-blank lines
    assert named[:, column["after_headline"]].tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    distance = np.expm1(named[:, column["log_dist_headline"]]).round().tolist()
    assert distance == [3, 2, 1, 0, 1, 2, 3, 4]
    # a page without a headline reads as far from one everywhere
    assert not plain[:, column["headline"]].any() and not plain[:, column["after_headline"]].any()
    assert (plain[:, column["log_dist_headline"]] == np.float32(np.log1p(200))).all()


def test_a_page_without_the_title_s_line_has_no_headline():
    assert ruled_lines(rule_page("\n".join(BODY), "Budget passed")).headline == -1
    assert ruled_lines(rule_page("\n".join(BODY))).headline == -1
