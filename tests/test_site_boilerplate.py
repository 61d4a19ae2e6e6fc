"""Boilerplate learned per site: counts over distinct pages, persisted, replaced and forgotten;
stripping removes only lines repeated across the site and never blanks a page."""

from pathlib import Path

import pytest

from ingest.analysis.site_boilerplate import (
    RULE,
    SiteBoilerplateStore,
    hash_lines,
    line_hash,
    normalise_line,
    strip_repeated,
)
from ingest.cleaning import CleanResult, Removal

NAV = "Home | World | Sport | Contact"
FOOTER = "© 2024 The Daily Example. All rights reserved."


def page(i: int) -> list[str]:
    return [
        NAV,
        f"Article number {i} about topic {i}",
        f"A body sentence unique to page {i}.",
        FOOTER,
    ]


@pytest.fixture
def store(tmp_path: Path):
    with SiteBoilerplateStore(tmp_path / "site.sqlite") as s:
        yield s


def test_normalisation_folds_case_masks_digits_collapses_space() -> None:
    assert normalise_line("  Posted  ON 12 May 2024 ") == "posted on 00 may 0000"
    assert line_hash("Posted on 3 June 2023") == line_hash("posted   on 9 june 1999")
    assert line_hash("   ") is None


def test_lines_on_enough_pages_are_repeated(store: SiteBoilerplateStore) -> None:
    for i in range(10):
        store.observe("example.org", f"d{i}", page(i))
    store.observe("other.org", "o1", [NAV])
    repeated = store.repeated("example.org")
    assert line_hash(NAV) in repeated and line_hash(FOOTER) in repeated
    # digits are masked, so the per-article heading shape repeats; the body sentence does too
    assert line_hash("Article number 1 about topic 1") in repeated
    assert store.repeated("other.org") == set()  # one page: nothing is learned
    assert store.pages("example.org") == 10


def test_thresholds_need_pages_and_share(store: SiteBoilerplateStore) -> None:
    for i in range(10):
        lines = [f"Body line of page {chr(97 + i)}"] + (["Only on two pages"] if i < 2 else [])
        lines += ["On three pages"] if i < 3 else []
        store.observe("s", f"d{i}", lines)
    repeated = store.repeated("s")
    assert line_hash("Only on two pages") not in repeated  # below min_pages
    assert line_hash("On three pages") in repeated  # 3 pages, 30%
    assert line_hash("On three pages") not in store.repeated("s", min_share=0.5)


def test_long_prose_needs_most_pages(store: SiteBoilerplateStore) -> None:
    prose = "This sentence has well over twelve words in it so it reads like body prose."
    for i in range(10):
        store.observe("s", f"d{i}", [f"Page {chr(97 + i)}"] + ([prose] if i < 5 else []))
    assert line_hash(prose) not in store.repeated("s")  # on half the pages: stays
    store.observe("s", "d5", ["Page f", prose])
    assert line_hash(prose) in store.repeated("s")  # on 6 of 10


def test_reobserving_replaces_and_forgetting_removes(tmp_path: Path) -> None:
    path = tmp_path / "site.sqlite"
    with SiteBoilerplateStore(path) as store:
        for i in range(4):
            store.observe("s", f"d{i}", ["Shared line", f"own {chr(97 + i)}"])
        store.observe("s", "d3", ["own d"])  # re-processed page no longer has it
    with SiteBoilerplateStore(path) as store:
        assert line_hash("Shared line") in store.repeated("s")  # 3 of 4 pages
        store.forget(["d2"])
        assert store.pages("s") == 3
        assert line_hash("Shared line") not in store.repeated("s")  # 2 pages left


def test_strip_removes_repeated_lines_as_one_rule() -> None:
    result = CleanResult(
        text=f"{NAV}\n\nThe story begins.\n\nIt goes on.\n\n{FOOTER}",
        removed=(Removal("share", "Share this"),),
    )
    out = strip_repeated(result, {line_hash(NAV), line_hash(FOOTER)})
    assert out.text == "The story begins.\n\nIt goes on."
    assert out.removed == (
        Removal("share", "Share this"),
        Removal(RULE, NAV),
        Removal(RULE, FOOTER),
    )


def test_strip_never_blanks_a_page() -> None:
    result = CleanResult(text=f"{NAV}\n\n{FOOTER}")
    assert strip_repeated(result, {line_hash(NAV), line_hash(FOOTER)}) == result
    assert strip_repeated(result, set()) == result


def test_end_to_end_learned_lines_leave_cleaned_pages(store: SiteBoilerplateStore) -> None:
    for i in range(5):
        store.observe("s", f"d{i}", page(i))
    kept = CleanResult(text=f"{NAV}\nA body sentence unique to page 0.\n{FOOTER}")
    # the body sentence's shape repeats (digits masked) but it is short, so it is learned too;
    # a page whose lines all repeat keeps them all
    out = strip_repeated(kept, store.repeated("s"))
    assert out == kept
    one = CleanResult(text=f"{NAV}\nSomething only this page says.\n{FOOTER}")
    assert strip_repeated(one, store.repeated("s")).text == "Something only this page says."


def test_hashes_made_in_a_task_count_as_the_lines(tmp_path: Path) -> None:
    with (
        SiteBoilerplateStore(tmp_path / "a.sqlite") as by_lines,
        SiteBoilerplateStore(tmp_path / "b.sqlite") as by_hashes,
    ):
        for i in range(6):
            by_lines.observe("s", f"d{i}", page(i))
            by_hashes.observe_hashes("s", f"d{i}", hash_lines(page(i)))
        assert by_lines.repeated("s") == by_hashes.repeated("s") != set()
