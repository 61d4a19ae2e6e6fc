"""Dumps of text browsers (w3m, lynx, elinks): wrapped paragraphs joined, link numbers and lists
gone."""

import gzip
import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from conftest import SHARED, read_documents, run_flow
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.cleaning import PageText, clean_pages
from ingest.normalising import normalise
from ingest.text_dumps import drop_button_marks, drop_link_numbers, link_list, unwrap
from ingest.text_metadata import extract_text_metadata

PARAGRAPHS = [
    "The council met on Tuesday evening to discuss the new budget for the coming year, which "
    "includes funding for the library, two new playgrounds and the repair of the old bridge "
    "over the river that has been closed to heavy traffic since the spring floods.",
    "Several residents spoke during the public session. Most of them asked the members to keep "
    "the swimming pool open through the winter, since the nearest other pool is more than "
    "twenty miles away and the bus service to it runs only twice a day on weekdays.",
    "The mayor said that a final decision would be taken at the next meeting in March, after "
    "the finance committee has had time to look at the costs of heating and staffing the pool "
    "during the colder months, and at what the neighbouring towns pay for theirs.",
    "Die Gemeinde hat außerdem beschlossen, die Straßenbeleuchtung in der Altstadt bis zum "
    "Ende des kommenden Jahres vollständig auf sparsame Leuchten umzustellen, wie es der "
    "Ausschuss für Umwelt und Verkehr schon im vergangenen Herbst vorgeschlagen hatte.",
]


def dump(paragraphs: list[str], width: int, indent: str = "") -> str:
    """Paragraphs as a text browser prints them: wrapped at ``width`` columns, a blank line
    between them."""
    return "\n\n".join(
        textwrap.fill(p, width, initial_indent=indent, subsequent_indent=indent) for p in paragraphs
    )


@pytest.mark.parametrize(("width", "indent"), [(80, ""), (72, "   "), (60, ""), (100, "  ")])
def test_wrapped_paragraphs_become_one_line_each(width: int, indent: str) -> None:
    wrapped = dump(PARAGRAPHS, width, indent)
    assert len(wrapped.split("\n")) > 2 * len(PARAGRAPHS)
    assert normalise(wrapped) == "\n\n".join(PARAGRAPHS)


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöé", min_size=3, max_size=12)
paragraphs = st.lists(words, min_size=60, max_size=120).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(
    paras=st.lists(paragraphs, min_size=3, max_size=6),
    width=st.integers(45, 100),
    indent=st.sampled_from(["", "  ", "   "]),
)
def test_any_wrapped_text_is_joined_back_exactly(paras: list[str], width: int, indent: str) -> None:
    wrapped = dump(paras, width, indent)
    assert unwrap(wrapped).replace(indent, "") == "\n\n".join(paras)


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("ab  \n\n\n[]1.xY好。"), max_size=600))
def test_unwrapping_only_joins_lines(text: str) -> None:
    assert "".join(unwrap(text).split()) == "".join(text.split())


def test_short_lines_and_list_items_in_a_wrapped_page_stay_apart() -> None:
    items = ["* Library opening hours", "* Bus timetable for the winter", "* Contact the council"]
    heading = "Council meeting"
    page = "\n\n".join(
        [heading, dump(PARAGRAPHS[:2], 76), "\n".join(items), dump(PARAGRAPHS[2:], 76)]
    )
    lines = normalise(page).split("\n")
    assert heading in lines and all(item in lines for item in items)
    assert all(p in lines for p in PARAGRAPHS)


def test_a_wrapped_page_with_wider_tables_and_code_is_joined() -> None:
    # a browser lays a table out to the full screen and prints code as it is, unwrapped
    table = [
        f"{name:<20}  {price:>8}  {note:<40}"
        for name, price, note in [
            ("Library", "12,000", "books, journals and the reading room"),
            ("Playgrounds", "48,500", "two new ones in the north and the east"),
            ("Bridge", "230,000", "repair of the old bridge over the river"),
        ]
    ]
    code = [
        f"    total = budget.library + budget.playgrounds + budget.bridge_{n}(year)"
        for n in range(4)
    ]
    page = "\n\n".join(
        [dump(PARAGRAPHS[:2], 60), "\n".join(table + code), dump(PARAGRAPHS[2:], 60)]
    )
    lines = normalise(page).split("\n")
    assert all(p in lines for p in PARAGRAPHS)


def test_rows_of_like_length_are_no_paragraph() -> None:
    rows = "\n".join(
        f"{month} {day} 12pm- 1pm Room 217 Carrie Menke, Ph.D"
        for month in ("September", "October", "November")
        for day in (3, 10, 17, 24)
    )
    assert unwrap(rows) == rows


def test_pages_not_wrapped_are_left_as_they_are() -> None:
    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    assert seeds
    for seed in seeds:
        text = seed.read_text(encoding="utf-8")
        assert unwrap(text) == text
    one_a_line = "\n".join(PARAGRAPHS)
    assert unwrap(one_a_line) == one_a_line


CHINESE = [
    "今天市议会开会讨论了明年的预算，其中包括图书馆的经费、两个新的游乐场和旧桥的维修。"
    "许多居民在公开会议上发言，希望冬天也能继续开放游泳池，因为最近的另一个游泳池在三十多公里以外。"
    "市长表示，财政委员会计算完冬季供暖和人员的费用以后，将在三月的下一次会议上作出最后决定。",
    "此外，市议会还决定在明年年底之前把老城区的路灯全部换成节能灯，这是环境和交通委员会去年秋天提出的建议。"
    "议员们认为，这样每年可以节省大约三分之一的电费，同时也能减少光污染，让居民晚上睡得更好。",
]


def test_wrapped_chinese_is_joined_with_nothing_between() -> None:
    # w3m breaks Chinese at any character once a line is full (30 wide characters: 60 columns)
    wrapped = "\n\n".join("\n".join(textwrap.wrap(p, 30)) for p in CHINESE)
    assert len(wrapped.split("\n")) > 3 * len(CHINESE)
    assert unwrap(wrapped) == "\n\n".join(CHINESE)


@pytest.mark.parametrize("end", ["…", "【新闻网】"])
def test_headlines_cut_to_one_length_stay_apart(end: str) -> None:
    cut = [(p[k : k + 29] + end) for p in CHINESE for k in range(0, 90, 10)]
    listed = "\n".join(cut)
    assert unwrap(listed) == listed


def test_link_numbers_go_only_when_the_page_lists_their_addresses() -> None:
    body = "[1]Home [2]News\n\nThe study [3]was published in March [12] and cited often."
    addresses = [f"   {n}. https://example.org/{n}" for n in (1, 2, 3)]
    listed = "\n".join(["References", "", *addresses])
    assert drop_link_numbers(f"{body}\n\n{listed}").startswith(
        "Home News\n\nThe study was published in March [12] and cited often."
    )
    assert drop_link_numbers(body) == body  # no list: a "[1]" may be the page's own
    # lynx prints an escaped space of an address as a space
    spaced = listed.replace("example.org/3", "example.org/Books & Comics/3")
    assert drop_link_numbers(f"{body}\n\n{spaced}").startswith("Home News")
    # elinks runs a long address on over lines, and lists a link without one by its text
    more = [f"   {n}. https://example.org/{n}" for n in (5, 6)]
    elinks = [*addresses[:2], "      /and-more", *addresses[2:], "   4. Share on Reddit", *more]
    listed_by_elinks = "\n".join(["References", "", "   Visible links", *elinks])
    assert drop_link_numbers(f"{body}\n\n{listed_by_elinks}").startswith("Home News")
    # or prints a link's text, then its address on the line below
    titled = [f"   {n}. Story {n}\n\thttps://example.org/{n}" for n in (1, 2, 3, 4)]
    listed_with_titles = "\n".join(["References", "", "   Visible links", *titled])
    assert drop_link_numbers(f"{body}\n\n{listed_with_titles}").startswith("Home News")
    # and leaves some links out of it (a script's, a form's): their numbers go all the same
    unlisted = listed_by_elinks.replace(addresses[1], "")
    assert drop_link_numbers(f"{body}\n\n{unlisted}").startswith("Home News")
    # the page's own references above the list stay the page's
    cited = "\n".join(["References", "", "1. Smith, J. The study. 2020.", "2. Doe, J. A reply."])
    page = drop_link_numbers(f"{body}\n\n{cited}\n\n{listed}")
    assert page.startswith("Home News") and cited in page
    lines = page.split("\n")
    assert link_list(lines)[0] == max(i for i, line in enumerate(lines) if line == "References")
    # a numbered list of the page's own, not of addresses, is no link list
    own = "\n".join(["References", "", "1. Smith, J. The study. 2020."])
    assert drop_link_numbers(f"{body}\n\n{own}").startswith("[1]Home")
    # nor is one with each entry's address below it, without a browser's heading
    dois = ["1. Smith, J. The study.", "https://doi.org/10.1/a", "2. Doe, J.", "https://doi.org/b"]
    own_with_addresses = "\n".join(["References", "", *dois])
    assert drop_link_numbers(f"{body}\n\n{own_with_addresses}").startswith("[1]Home")


def test_a_buttons_label_stays_without_its_mark() -> None:
    faq = "(BUTTON) Why do I need an electrician?\nBecause the wiring is old. (BUTTON) Close"
    assert (
        drop_button_marks(faq) == "Why do I need an electrician?\nBecause the wiring is old. Close"
    )
    assert drop_button_marks("A (button) of the page's own") == "A (button) of the page's own"


def test_the_link_list_is_removed_by_name() -> None:
    links = ["References", "", "   Visible links:", "   1. https://example.org/"]
    links += [
        "   2. https://example.org/news",
        "",
        "   Hidden links:",
        "   3. https://example.org/x",
    ]
    page = dump(PARAGRAPHS, 76) + "\n\n" + "\n".join(links)
    result = clean_pages([PageText(normalise(page), None)])[0]
    assert result.text.split("\n\n") == PARAGRAPHS
    assert {r.rule for r in result.removed} == {"chrome.links"}


# --- real text browsers over a real page -----------------------------------------------------

PAGE = SHARED / "bench" / "readability" / "html" / "ars-1.html.gz"
BROWSERS = {
    "w3m": ["w3m", "-dump", "-T", "text/html", "-cols", "80", "-O", "UTF-8"],
    "lynx": ["lynx", "-dump", "-force_html", "-width=80", "-display_charset=utf-8", "-stdin"],
}


def render(browser: str) -> str:
    if shutil.which(browser) is None:
        pytest.skip(f"{browser} is not installed (.ci/run installs it)")
    html = gzip.decompress(PAGE.read_bytes())
    done = subprocess.run(
        BROWSERS[browser], input=html, capture_output=True, timeout=60, check=True
    )
    return done.stdout.decode("utf-8")


def gold_paragraphs() -> list[str]:
    gold = json.loads((PAGE.parent.parent / "gold.json").read_text("utf-8"))["ars-1"]["text"]
    return [" ".join(p.split()) for p in gold.split("\n") if len(p.split()) >= 25]


@pytest.mark.parametrize("browser", sorted(BROWSERS))
def test_a_browser_dump_is_cleaned_like_any_text_page(browser: str) -> None:
    text = normalise(render(browser))
    meta = extract_text_metadata(text)
    assert meta.title == "Just-released Minecraft exploit makes it easy to crash game servers"
    result = clean_pages([PageText(text, meta.title)])[0]
    lines = result.text.split("\n")
    paragraphs = gold_paragraphs()
    assert len(paragraphs) >= 5
    # the article's paragraphs come out whole, one a line, as from any other rendering
    whole = [p for p in paragraphs if p in lines]
    assert len(whole) >= 0.8 * len(paragraphs)
    assert "://" not in result.text and "[1]" not in text
    if browser == "lynx":
        assert "chrome.links" in {r.rule for r in result.removed}


def test_a_lynx_dump_through_the_flow(tmp_path: Path, prefect_api: str) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "ars.txt").write_text(render("lynx"), encoding="utf-8")
    summary = run_flow([raw], tmp_path / "out")
    assert summary["written"] == 1
    row = read_documents(tmp_path / "out").to_pylist()[0]
    assert row["title"] == "Just-released Minecraft exploit makes it easy to crash game servers"
    assert sum(p in row["text"].split("\n") for p in gold_paragraphs()) >= 5
    assert "chrome.links" in {r["rule"] for r in row["removed"]}
