"""Title, byline and dateline read from a plain-text page."""

import gzip
from datetime import date
from operator import mul
from pathlib import Path

import pytest

from ingest.normalising import normalise
from ingest.text_metadata import TextMetadata, _Head, extract_text_metadata, find_dates
from ingest.textmeta.address import address_words
from ingest.textmeta.lines import Page
from ingest.textmeta.titles import CHEAP_WEIGHTS, Candidates, _twice, best_title
from ingest.textmeta.vocab import UI_WORDS

BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench"

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


def test_headline_named_in_a_title_line_over_it():
    text = (
        "Council approves the budget - City News\n\nCouncil approves the budget\n\n"
        f"The vote came after a long night of debate in the city hall\n\n{BODY}"
    )
    assert extract_text_metadata(text).title == "Council approves the budget"


def test_line_printed_twice_or_ending_a_breadcrumb():
    lines = ["Menu", "Forums / Printer will not install", "Printer will not install", "Reply"]
    assert _twice([*lines, "Share", "Menu"]) == [False, False, True, False, False, False]
    assert _twice(["Oak sofa", "Oak sofa", "$499"]) == [True, True, False]
    # the end of the line above counts only after a word break
    assert _twice(["Preinstall", "install"]) == [False, False]


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
        ("By Jane DoePublished: Dec 20, 2023", "Jane Doe"),
        ("Written by: Jane Doe Jane Doe", "Jane Doe"),
        ("* Thread starter jdoe42", "jdoe42"),
        ("by Jane Doe » Tue Aug 27, 2019 1:47 am", "Jane Doe"),
        ("Started by jane.doe, June 04, 2024, 11:23:55 AM", "jane.doe"),
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
        "17 dicembre 2021",
        "17 de dezembro de 2021",
        "Published December 17th, 2021",
        "Published on 17.Dec.2021 in Vol 7",
        "17-Dec-2021",
        "17th Dec 2021",
        "On Dec 17 , 2021",
        "12/17/2021",
        "17/12/2021",
        "17-12-2021",
    ]:
        text = f"Council approves the budget\n\n{line}\n\n{BODY}"
        assert extract_text_metadata(text).published == date(2021, 12, 17), line


def test_invalid_date_is_ignored():
    text = f"Council approves the budget\n\n31. Februar 2021\n\n{BODY}"
    assert extract_text_metadata(text).published is None


def test_title_over_byline_and_dateline_under_a_menu():
    text = (
        "* Home\n* News\n* Sport\n* Contact\nNews\nCouncil approves the budget for next year\n"
        f"By Jane Doe\nDecember 17, 2021\n{BODY}\n{BODY}"
    )
    meta = extract_text_metadata(text)
    assert meta == TextMetadata(
        "Council approves the budget for next year", "Jane Doe", date(2021, 12, 17)
    )


def test_name_alone_beside_a_reading_time_is_the_author():
    text = f"Menu\nCouncil approves the budget for next year\nJane Doe\n5 min read\n{BODY}\n{BODY}"
    assert extract_text_metadata(text).author == "Jane Doe"


def test_find_dates():
    assert find_dates("Posted on June 29, 2020November 12, 2021; 2021-12-17T10:00") == {
        date(2020, 6, 29),
        date(2021, 11, 12),
        date(2021, 12, 17),
    }


def bench_page(name: str, page_id: str) -> str:
    raw = gzip.decompress((BENCH / name / "text" / f"{page_id}.txt.gz").read_bytes())
    return normalise(raw.decode("utf-8"))


# whole-page text renderings of sites the scorer was not trained on (test sites of the split)
@pytest.mark.parametrize(
    ("name", "page_id", "title", "author", "published"),
    [
        (
            "modern",
            "0039",
            "I Tried Amp, the AI Strength Training System — and It May Replace My Gym Membership",
            "Mirel Zaman",
            None,
        ),
        (
            "modern",
            "0232",
            "Mobile UX Design: The Ultimate Guide 2025",
            "Annemarie Bufe",
            "2025-01-03",
        ),
        (
            "modern",
            "0383",
            "Vibe Coding Is Creating a Generation of Sorcerer’s Apprentices",
            "Russell Miller",
            "2025-12-18",
        ),
        (
            "modern",
            "0451",
            "Docker Hardened Images: Security Independently Validated by SRLabs",
            "Christian Dupuis",
            "2025-12-19",
        ),
        (
            "readability",
            "nytimes-4",
            "As Debt Rises, the Government Will Soon Spend More on Interest Than on the Military",
            "Nelson D. Schwartz",
            None,
        ),
        (
            "fixtures",
            "postlight-www.theatlantic.com",
            "Why New Yorkers Received a Push Alert About a Manhunt",
            "Kaveh Waddell",
            None,
        ),
        (
            "fixtures",
            "postlight-www.cnn.com",
            "Why Donald Trump won’t change",
            "Stephen Collinson",
            None,
        ),
        (
            "modern",
            "0401",
            "The Best Film of 2025, According to Rotten Tomatoes",
            "Jack Beresford",
            "2025-12-19",
        ),
        (
            "readability",
            "liberation-1",
            "Un troisième Français mort dans le séisme au Népal",
            "Sébastien Farcis",
            None,
        ),
    ],
)
def test_bench_pages(name, page_id, title, author, published):
    meta = extract_text_metadata(bench_page(name, page_id))
    assert meta.title == title
    assert meta.author == author
    if published:
        assert meta.published == date.fromisoformat(published)


def devset_pages(count: int) -> list[str]:
    files = sorted((BENCH / "devset" / "text").glob("*.txt.gz"))[:count]
    return [normalise(gzip.decompress(file.read_bytes()).decode("utf-8")) for file in files]


def candidates(text: str) -> Candidates:
    page = Page(text)
    return Candidates(page, _Head(page).meta, UI_WORDS)


def test_shortlist_scores_are_the_cheap_features_added_up():
    for text in devset_pages(30):
        cands = candidates(text)
        opened = cands._open()
        scores = cands._open_scores()
        assert [i for i, _ in scores] == [i for i, _, _ in opened]
        for (_, score), item in zip(scores, opened, strict=True):
            vector = cands.cheap_vector(*item)
            assert score == pytest.approx(sum(map(mul, CHEAP_WEIGHTS, vector)), abs=1e-9)


def test_best_title_is_the_best_scored_candidate():
    # the headline scorer skips features of candidates that cannot win: it must pick the line
    # the full scores of every candidate pick (the first of equal ones)
    titled = 0
    for text in devset_pages(60):
        scored = candidates(text).scored()
        best = best_title(candidates(text))
        if not scored:
            assert best is None
            continue
        titled += 1
        assert best.index == max(scored, key=lambda item: item[0])[2].index
    assert titled > 40


LIST = "* [ December 3, 2025 ] Review of the new bridge\n* [ November 28, 2025 ] Park reopens\n"


def test_date_under_the_headline_over_a_list_above_it():
    text = f"News\n{LIST}Council approves the budget for next year\nJune 3, 2024\n{BODY}"
    assert extract_text_metadata(text).published == date(2024, 6, 3)


def test_a_members_joining_date_is_not_the_date():
    text = (
        "Forum\nCouncil approves the budget for next year\n"
        "jane Posts: 13 Joined: Thu Aug 27, 2020 2:37 pm\n"
        f"Post by jane » Tue Dec 17, 2023 11:18 am\n{BODY}"
    )
    assert extract_text_metadata(text).published == date(2023, 12, 17)


def test_published_over_updated():
    for lines in [
        "Updated December 20, 2021\nPublished December 17, 2021",
        "Updated Dec 20, 2021 | Published Dec 17, 2021",
    ]:
        text = f"Council approves the budget for next year\n{lines}\n{BODY}"
        assert extract_text_metadata(text).published == date(2021, 12, 17), lines


def _menu(items: int) -> str:
    """A navigation list of ``items`` lines: it puts distance between parts of a test page."""
    return "\n".join(f"* Section {k}" for k in range(items))


def test_asked_after_edited_far_below():
    menu = _menu(12)
    text = (
        f"Council approves the budget for next year\n{menu}\n{BODY}\n"
        f"edited Jul 21, 2020 at 4:16\nasked Aug 5, 2016 at 4:16\n{BODY}"
    )
    assert extract_text_metadata(text).published == date(2016, 8, 5)


def test_labelled_date_anywhere_but_not_an_updated_footer():
    menu = _menu(70)
    body = "\n".join([BODY] * 10)
    page = f"Council approves the budget for next year\n{menu}\n{body}\n{{}}\n{body}\n{menu}"
    found = extract_text_metadata(page.format("Published August 13, 2025")).published
    assert found == date(2025, 8, 13)
    footer = f"{page.format('')}\nLast updated: November 13, 2025"
    assert extract_text_metadata(footer).published is None


def test_a_labelled_published_date_over_a_plain_one_high_on_the_page():
    """A change log under the article (dates a list's) stands within the head of the page; the
    date its label calls the publication's is further down."""
    log = "\n".join(f"+ 2022-0{k}-12 Link to a further article" for k in range(1, 4))
    body = "\n".join([BODY] * 10)
    text = f"Council approves the budget\n{body}\n{log}\n{body}\nPublished on 2021-01-18T19:55"
    assert extract_text_metadata(text).published == date(2021, 1, 18)


def test_plain_date_beside_an_updated_one_is_the_published_date():
    for lines in ["May 2, 2024 · Updated May 5, 2024", "May 2, 2024\nLast updated: May 5, 2024"]:
        text = f"Council approves the budget for next year\n{lines}\n{BODY}"
        assert extract_text_metadata(text).published == date(2024, 5, 2), lines
    menu = _menu(70)
    text = (
        f"Council approves the budget for next year\n{menu}\n{BODY}\nJanuary 20th, 2025 by Jane"
        f"\nLast updated: August 25, 2025\n{BODY}\n{menu}"
    )
    assert extract_text_metadata(text).published == date(2025, 1, 20)


def test_a_posts_edit_date_is_not_the_date():
    menu = _menu(70)
    text = f"Forums\n{menu}\n{BODY}\nEdited June 19, 2024 by Jane\n{BODY}\n" + "\n".join(
        [BODY] * 30
    )
    assert extract_text_metadata(text).published is None


def test_date_beside_a_reading_time_anywhere():
    menu = _menu(70)
    text = (
        f"Council approves the budget for next year\n{menu}\n{BODY}\n"
        f"June 28, 2024 12 min read\n{BODY}\n{BODY}"
    )
    assert extract_text_metadata(text).published == date(2024, 6, 28)


def test_date_under_the_headline_printed_again():
    # the headline at the top (the page's title) and again over the article, far below
    menu = _menu(70)
    title = "Council approves the budget for next year"
    page = f"{title}\n{BODY}\n{menu}\n{title}\n{{}}\n{BODY}\n{menu}"
    found = extract_text_metadata(page.format("Tuesday February 11 2025")).published
    assert found == date(2025, 2, 11)
    # but not from a list of dated links under it
    links = page.format("December 1, 2025\nPark reopens\nNovember 12, 2025")
    assert extract_text_metadata(links).published is None


def test_dateline_beside_the_byline_far_from_the_headline():
    menu = _menu(64)
    text = f"Council approves the budget\n{menu}\n16 December 2025\nBy Jane Doe\n{BODY}\n{BODY}"
    meta = extract_text_metadata(text)
    assert (meta.author, meta.published) == ("Jane Doe", date(2025, 12, 16))


def test_the_headline_printed_again_is_not_a_name():
    title = "Silver Society – The young old people"
    text = f"Home › {title}\n{title}\n18/03/2019 | Jane Doe\n{title}\n{BODY}\n{BODY}"
    meta = extract_text_metadata(text)
    assert (meta.title, meta.author) == (title, "Jane Doe")


def test_byline_after_the_date_of_a_dateline():
    for line in [
        "September 1st, 2023 By Jane Doe",
        "May 2, 2024 · 3 min read · By Jane Doe",
        "December 15, 2025 · 30 min · 6279 words · Jane Doe",
        "Posted on December 18, 2025 Posted by Jane Doe 59 Comments",
        "03/01/2017 by Jane Doe, Candidate Representative",
    ]:
        text = f"Menu\nCouncil approves the budget for next year\n{line}\n{BODY}\n{BODY}"
        assert extract_text_metadata(text).author == "Jane Doe", line


def test_no_byline_in_a_dateline_without_a_name():
    for line in [
        "May 2, 2024 · Stand by Me tour dates",
        "17 de diciembre de 2021",
        "December 15, 2025 · 30 min · 6279 words",
    ]:
        text = f"Menu\nCouncil approves the budget for next year\n{line}\n{BODY}\n{BODY}"
        assert extract_text_metadata(text).author is None, line


def test_name_under_the_headline_over_a_job_title_is_the_author():
    for role in ["Founder & CEO", "Tech Writer", "Former Management Consultant"]:
        text = f"Menu\nCouncil approves the budget for next year\nJane Doe\n{role}\n{BODY}\n{BODY}"
        assert extract_text_metadata(text).author == "Jane Doe", role
    for other in ["Share this article", "Council approves the budget."]:
        text = f"Menu\nCouncil approves the budget for next year\nJane Doe\n{other}\n{BODY}\n{BODY}"
        assert extract_text_metadata(text).author is None, other


def test_no_byline_in_a_word_with_a_slash_or_a_menu_item():
    for line in ["GitLab CI/CD pipelines", "* South Korea | Hanguk", "Xbox Series X|S"]:
        text = f"Council approves the budget\n\n{line}\n\n{BODY}"
        assert extract_text_metadata(text).author is None, line


def test_date_of_a_byline_sentence():
    line = "Reviewed by Jane Doe, Trial Attorney at the firm of Doe and Roe, on December 9, 2024."
    text = f"Council approves the budget\n4 min read time\n{line}\n{BODY}"
    assert extract_text_metadata(text).published == date(2024, 12, 9)


def test_a_release_or_creation_date_far_away_is_not_the_date():
    menu = _menu(70)
    for line in ["Release Date June 25, 1984", "Created Oct 18, 2011"]:
        text = f"Council approves the budget\n{menu}\n{BODY}\n{line}\n{BODY}\n{menu}"
        assert extract_text_metadata(text).published is None, line


SLUG_PAGE = (
    "Council approves the budget for next year\n\nBridge repairs will start in the spring\n\n"
    f"{BODY}\n\nThe mayor said the vote was close."
)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        (
            "https://news.example/2024/05/bridge-repairs-start-in-spring/",
            "bridge repairs start in spring",
        ),
        ("https://news.example/local/Bridge_Repairs.html?ref=home", "bridge repairs"),
        # an article's number is an identifier, not a word of its name
        ("https://news.example/local/bridge-repairs-49676932", "bridge repairs"),
        ("https://news.example/pont-r%C3%A9par%C3%A9", "pont réparé"),
        ("https://news.example/local/story/12345678", ""),
        ("https://news.example/", ""),
        ("http://[::1", ""),  # malformed: no slug rather than an error
        # a segment longer than a headline is data, not a name: the one before it names the page
        ("https://news.example/bridge-repairs/" + "-w" * 5000, "bridge repairs"),
        (None, ""),
    ],
)
def test_address_words_are_the_last_segment_that_names_the_page(url, words):
    assert address_words(url) == frozenset(words.split())


def test_the_line_the_address_names_is_the_headline():
    assert extract_text_metadata(SLUG_PAGE).title == "Council approves the budget for next year"
    url = "https://news.example/local/2024/05/bridge-repairs-start-in-spring/"
    assert extract_text_metadata(SLUG_PAGE, url).title == "Bridge repairs will start in the spring"
    # an address without a slug reads as none
    no_slug = "https://news.example/local/story/12345678"
    assert extract_text_metadata(SLUG_PAGE, no_slug) == extract_text_metadata(SLUG_PAGE)


@pytest.mark.parametrize(
    ("dateline", "elsewhere", "published"),
    [
        # a date either order reads is month first alone
        ("01/12/2025 at 6:49 pm", [], date(2025, 1, 12)),
        # day first on a page that writes a date only that order reads
        ("01/12/2025 at 6:49 pm", ["28/11/2025 at 7:07 pm"], date(2025, 12, 1)),
        ("01/12/2025 at 6:49 pm", ["28/11/2025", "11/29/2025"], date(2025, 1, 12)),
        # a run of numbers longer than a date tells no order
        ("01/12/2025 at 6:49 pm", ["Ref. 10-28/11/2025"], date(2025, 1, 12)),
        # day first on a page that names the month of that reading (a list of posts)
        ("02-12-2025", [], date(2025, 2, 12)),
        ("02-12-2025", ["December 02, 2025", "June 03, 2024"], date(2025, 12, 2)),
        ("02-12-2025", ["December 02, 2025", "February 12, 2025"], date(2025, 2, 12)),
    ],
)
def test_numeric_dates_read_in_the_order_the_page_writes_them(dateline, elsewhere, published):
    below = "".join(f"\n{line}\n{BODY}" for line in elsewhere)
    text = f"Council approves the budget for next year\n{dateline}\n{BODY}{below}"
    assert extract_text_metadata(text).published == published


def test_a_day_written_with_a_period_before_the_year():
    text = f"Council approves the budget for next year\nDecember 19. 2025\n{BODY}"
    assert extract_text_metadata(text).published == date(2025, 12, 19)
    assert find_dates("Mar 3. 2024 and May 2 2024") == {date(2024, 3, 3), date(2024, 5, 2)}


def test_dates_written_with_cjk_year_month_and_day_signs():
    assert find_dates("公開日 2019年2月13日 / 2019년 4월 13일") == {
        date(2019, 2, 13),
        date(2019, 4, 13),
    }
    text = f"インテル、容量1ペタバイトのSSDを発売\n2019年4月4日\n{BODY}"
    assert extract_text_metadata(text).published == date(2019, 4, 4)


def test_a_post_s_dateline_with_an_edit_note_in_parentheses():
    """The first post's dateline counts though its note makes it a long sentence; prose that
    merely holds a date and parentheses does not."""
    first = (
        "2019-02-23, 09:14 PM (This post was last modified: 2024-01-05, 03:27 AM by jdoe. "
        "Edited 1 time in total.)"
    )
    text = f"Which forum software should I choose?\n{first}\n{BODY}\n2019-02-24, 02:31 AM\n{BODY}"
    assert extract_text_metadata(text).published == date(2019, 2, 23)
    prose = (
        "次回のミーティングは、2019/7/6(大阪)・7/13(東京)で開催予定です。"
        "参加者募集も同時に開始予定ですので、暫くお待ちください。"
    )
    assert extract_text_metadata(f"ミーティングのお知らせ\n{prose}\n{BODY}").published is None


def test_a_forum_s_last_post_is_not_the_thread_s_date():
    text = (
        f"Council approves the budget for next year\nLast post: 01/12/2025 at 6:49 pm\n"
        f"28/11/2025 at 7:07 pm\n{BODY}"
    )
    assert extract_text_metadata(text).published == date(2025, 11, 28)


def test_a_byline_s_name_ends_where_its_handle_date_label_or_job_title_starts():
    for line, name in [
        ("By Jane Doe @janedoe Dec 10, 2016, 10:20am EST", "Jane Doe"),
        ("by Jane Doe@janedoe November 29, 2016: 3:42 PM ET", "Jane Doe"),
        ("By Jane Doe Updated Sep 5, 2024", "Jane Doe"),
        ("By Jane Doe last updated 4 April 17", "Jane Doe"),
        ("By Jane Doe Published in Metro December 14, 2016 2:24 pm", "Jane Doe"),
        ("By Jane Doe Staff Writer", "Jane Doe"),
        ("By Jane Doe – Updated Sep 9, 2025 at 1:00 PM EST | Fact-checked by John Roe", "Jane Doe"),
        ("Wednesday January 18, 2017 10:44 am PST by Juli Clover", "Juli Clover"),
        ("By Metro Travel Editor", "Metro Travel Editor"),  # a desk's name: the title is the name
        ("Jane Doe , @janedoe", "Jane Doe"),
    ]:
        text = f"Council approves the budget\n\n{line}\n\n{BODY}"
        assert extract_text_metadata(text).author == name, line


def test_no_byline_in_a_photo_credit_or_a_menu_of_kinds():
    for line in ["Jane Doe // Getty Images", "By Event Type", "By Company Size"]:
        text = f"Council approves the budget\n\n{line}\n\n{BODY}"
        assert extract_text_metadata(text).author is None, line


def test_a_name_dated_in_its_own_line_over_a_name_beside_it():
    text = (
        "Menu\nCouncil approves the budget for next year\nCity Hall Reporting\n"
        f"Jane Doe October 11, 2024\nShare\n{BODY}\n{BODY}"
    )
    assert extract_text_metadata(text).author == "Jane Doe"


def test_the_author_box_under_the_article():
    box = "Jane Doe\nJane Doe is a staff writer who covers the city council and its budget."
    text = f"Council approves the budget for next year\n{BODY}\n{BODY}\n{box}\nMore stories"
    assert extract_text_metadata(text).author == "Jane Doe"
    heading = "Lean Budget Method\nLean Budget Method is a way to plan the spending of a city."
    text = f"Council approves the budget for next year\n{BODY}\n{heading}\n{BODY}"
    assert extract_text_metadata(text).author is None


def test_the_poster_of_a_forum_thread_s_first_post():
    title = "Update stuck on starting after the upgrade"
    for header, name in [
        ("jdoe42 May 3, 2024, 8:45am 1", "jdoe42"),
        ("jdoe42 (Jane Doe) 2 May 2025 18:48 1", "jdoe42"),
        ("jdoe42 Posts: 2 Joined: Sun Dec 17, 2023 11:18 am", "jdoe42"),
        ("jdoe42 Member Registered: 2025-11-01 Posts: 1", "jdoe42"),
        ("Popular posts:", None),
        ("Premium Member Benefits", None),
        ("Releases May 8, 2026 1h 56m", None),
        ("Friday May 8, 2026 10:15am", None),
    ]:
        text = f"Forum › Help\n{title}\n{header}\n{BODY}\n{BODY}"
        assert extract_text_metadata(text).author == name, header


def test_the_first_poster_above_the_thread_s_title_or_alone_beside_the_post_s_header():
    title = "Update stuck on starting after the upgrade"
    for lines, name in [
        (f"jdoe42 Posts: 2 Joined: Sun Dec 17, 2023 11:18 am\n{title}", "jdoe42"),
        (f"{title}\n1. 11-29-2024, 09:03 AM #1\njdoe42", "jdoe42"),
        (f"{title}\njdoe42\nwrote on last edited by", "jdoe42"),
        (f"{title}\nasked Feb 4, 2014 at 13:02\njdoe42", "jdoe42"),
        (f"{title}\nAdvertisement\nwrote on last edited by", None),
        (f"{title}\njdoe42\nReply #1", None),  # a post's number without its date
    ]:
        text = f"Forum › Help\n{lines}\n{BODY}\n{BODY}"
        assert extract_text_metadata(text).author == name, lines


def test_a_name_under_the_headline_before_its_dateline_s_label():
    head = "Menu\nCouncil approves the budget for next year"
    for line, name in [
        ("Jane Doe Published 10:19am 19 December 2025", "Jane Doe"),
        ("Last Update Posted 2025-12-19", None),
    ]:
        assert extract_text_metadata(f"{head}\n{line}\n{BODY}\n{BODY}").author == name, line


def test_no_author_that_is_the_headline_or_a_menu_item_far_from_it():
    title = "Classic Percale Sheet Set"
    for text in [
        f"{title} | Cotton Sheets | Example Store\nMenu\n{title}\n{BODY}\n{BODY}",
        f"{title}\nMenu\nHome\nShop\nSale\nBrands\nGifts\nBlog\nHelp\nShadow Seamless | Back in "
        f"Stock\n{BODY}\n{BODY}",
    ]:
        meta = extract_text_metadata(text)
        assert meta.title == title and meta.author is None, text
