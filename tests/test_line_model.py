"""The learned line model: where it applies, what it may remove, and the shipped weights."""

from ingest.cleaning import CleaningConfig, clean
from ingest.cleaning.classifier import FEATURES, MIN_LINES, load_model

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
#: a footer of place names: no phrase vocabulary names them, only the layout gives them away
FOOTER = [
    "Stadtteile",
    "Innenstadt",
    "Nordviertel",
    "Südstadt",
    "Hafen",
    "Westend",
    "Altstadt",
    "Oststadt",
]
NAV = ["Politik", "Wirtschaft", "Kultur", "Reisen", "Gesundheit", "Wissen", "Auto", "Digital"]


def rendering(footer: list[str] = FOOTER) -> str:
    """A whole-page text rendering: navigation, the article, a footer."""
    return "\n".join(NAV) + "\n\n" + "\n\n".join(BODY) + "\n\n" + "\n".join(footer)


def model_removals(text: str, **kwargs) -> list[str]:
    result = clean(text, **kwargs)
    return [r.text for r in result.removed if r.rule == "model.boilerplate"]


def test_model_removes_a_footer_of_a_rendering_and_keeps_the_article():
    result = clean(rendering())
    removed = [r.text for r in result.removed if r.rule == "model.boilerplate"]
    assert any("Nordviertel" in text for text in removed), result.removed
    for paragraph in BODY:
        assert paragraph in result.text


def test_model_is_not_applied_to_extracted_text():
    result = clean(rendering(), extracted=True)
    assert model_removals(rendering(), extracted=True) == []
    assert "Nordviertel" in result.text


def test_model_is_not_applied_to_a_short_text():
    text = "\n\n".join([*BODY, "Innenstadt", "Nordviertel"])
    assert text.count("\n\n") + 1 < MIN_LINES
    assert model_removals(text) == []


def test_model_is_not_applied_when_its_rule_is_disabled():
    config = CleaningConfig(disabled_rules=["model"])
    assert model_removals(rendering(), config=config) == []


def test_a_higher_threshold_removes_no_more():
    low = model_removals(rendering(), config=CleaningConfig(model_threshold=0.3))
    high = model_removals(rendering(), config=CleaningConfig(model_threshold=0.99))
    assert sum(map(len, high)) <= sum(map(len, low))


def test_shipped_weights_cover_every_feature():
    weights, threshold = load_model()
    assert len(weights) == len(FEATURES)
    assert any(weights)
    assert 0.0 < threshold < 1.0
