"""The page index the rule families search phrases with: the lines holding one of many strings."""

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.cleaning import rules
from ingest.cleaning.vocab import KeyIndex, NeedleSets, TextIndex, first_word

# few letters, so that needles overlap one another and recur within and across lines
letters = st.text(alphabet="abé€ ", min_size=0, max_size=30)
needles = st.lists(st.text(alphabet="abé€ ", min_size=1, max_size=3), min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(st.lists(letters, max_size=12), needles)
def test_holding_is_the_lines_that_contain_a_needle(texts: list[str], wanted: list[str]) -> None:
    expected = {i for i, text in enumerate(texts) if any(n in text for n in wanted)}
    assert TextIndex(texts).holding(tuple(wanted)) == expected


def test_holding_finds_each_line_past_an_overlapping_needle() -> None:
    texts = ["xabc", "bc only", "nothing", "€ab"]
    assert TextIndex(texts).holding(("abc", "bc", "€a")) == {0, 1, 3}
    assert TextIndex(texts).holding(("zz",)) == set()
    assert TextIndex([]).holding(("a",)) == set()


@settings(max_examples=200, deadline=None)
@given(st.lists(letters, max_size=12), st.lists(needles, min_size=1, max_size=4))
def test_sets_found_in_one_pass_hold_what_each_set_alone_holds(
    texts: list[str], sets: list[list[str]]
) -> None:
    groups = tuple(tuple(group) for group in sets)
    together = TextIndex(texts, NeedleSets(groups))
    for group in groups:
        expected = {i for i, text in enumerate(texts) if any(n in text for n in group)}
        assert together.holding(group) == expected


def test_a_set_found_in_one_pass_and_one_searched_alone_on_the_same_page() -> None:
    texts = ["the comments below", "a comment", "no match here", "omme"]
    index = TextIndex(texts, NeedleSets((("comment",), ("omme", "xyz"))))
    assert index.holding(("comment",)) == {0, 1}
    assert index.holding(("omme", "xyz")) == {0, 1, 3}  # inside another set's match too
    assert index.holding(("here",)) == {2}  # a set not given: searched alone


# keys of "says" lines, "ſ" (which IGNORECASE matches to "s") standing in for some letters
says_keys = st.lists(
    st.builds(
        lambda name, verb: f"{name} {verb}",
        st.text(alphabet="abſ", min_size=1, max_size=6),
        st.sampled_from(["says", "ſays", "sayſ", "said", "meint"]),
    ),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(says_keys)
def test_a_page_s_keys_a_matcher_finds_are_those_it_matches_one_by_one(keys: list[str]) -> None:
    # a pattern gated on its literals: a key that folds matches without holding one
    matcher = rules.COMMENT_AUTHOR
    assert matcher.gated is not None
    index = KeyIndex(keys, [first_word(key) for key in keys], rules._KEY_NEEDLES)
    assert matcher.matching(index) == {i for i, key in enumerate(keys) if matcher.match(key)}


def test_a_key_that_folds_is_matched_beside_one_that_holds_the_literal() -> None:
    keys = ["anna says", "bob ſays", "carl said"]
    index = KeyIndex(keys, [first_word(key) for key in keys], rules._KEY_NEEDLES)
    assert rules.COMMENT_AUTHOR.matching(index) == {0, 1}
