"""Unit tests of the cleaner's rule families: what each must remove, and near misses it keeps."""

import pytest

from ingest.cleaning import CleaningConfig, CleanResult, Removal, clean
from ingest.cleaning.cleaner import rule_page

BODY1 = (
    "The council approved the new budget on Tuesday after a long debate about school funding "
    "and the cost of repairing the old bridge."
)
BODY2 = (
    "Officials said the changes would take effect next year, pending a final review by the "
    "state auditor and a second vote in March."
)


def run(*lines: str, title: str | None = None) -> CleanResult:
    """Clean a small page: the given blocks between two body paragraphs."""
    return clean("\n\n".join([BODY1, *lines, BODY2]), title=title)


def families(result: CleanResult) -> set[str]:
    return {removal.rule.split(".")[0] for removal in result.removed}


def assert_removed(result: CleanResult, family: str, *texts: str) -> None:
    assert family in families(result), result.removed
    for text in texts:
        assert text not in result.text
    assert BODY1 in result.text and BODY2 in result.text


def assert_kept(result: CleanResult, *texts: str) -> None:
    for text in texts:
        assert text in result.text, result.removed
    assert BODY1 in result.text and BODY2 in result.text


# --- interface -----------------------------------------------------------------------------


def test_disabled_returns_input_unchanged():
    text = f"{BODY1}\n\nShare this article\n\n{BODY2}"
    assert clean(text, config=CleaningConfig(enabled=False)) == CleanResult(text=text)


def test_kept_lines_are_unchanged_and_in_order():
    result = run("Close", "  An indented line that stays exactly as it was written here.")
    assert result.text == "\n\n".join(
        [BODY1, "  An indented line that stays exactly as it was written here.", BODY2]
    )


def test_removals_are_recorded_per_block_with_family_rule_names():
    result = run("Share this article\nTweet\nFacebook")
    assert result.removed == (Removal("share.widget", "Share this article\nTweet\nFacebook"),)


def test_disabled_family_removes_nothing():
    result = clean(
        f"{BODY1}\n\nShare this article\n\n{BODY2}",
        config=CleaningConfig(disabled_rules=["share"]),
    )
    assert "Share this article" in result.text


def test_config_is_json_serialisable():
    config = CleaningConfig(disabled_rules=["chrome.date"])
    assert CleaningConfig.model_validate_json(config.model_dump_json()) == config


def test_empty_text():
    assert clean("").text == ""


# --- comments ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lines",
    [
        ["Comments / 1"],
        ["12 Comments"],
        ["Leave a Reply"],
        ["Kommentar schreiben"],
        ["Log in to comment"],
        ["Reply", "Report"],
        ["Community Policy"],
        [
            "Ihre E-Mail-Adresse wird nicht veröffentlicht. "
            "Erforderliche Felder sind mit * markiert."
        ],
        [
            "COMMENT MODERATION: Disqus might be blocking your comments. Under Profile you can "
            "select a picture for your account and edit your notifications."
        ],
        ["Sie müssen sich anmelden um Kommentare zu schreiben."],
        ["Kommentarfeed | Kommentare geschlossen | Trackback-URL"],
        ["11 Antworten zu „Ein Tag am See“"],
        ["Please log in here to leave a comment."],
        # a shop's customer reviews
        ["Rated 4 out of 5", "Jane (verified owner) – June 4, 2020"],
        ["by Sam Example from Ohio on November 24, 2025", "Was this review helpful?"],
    ],
)
def test_comments_removed(lines):
    assert_removed(run(*lines), "comments", *lines)


def test_comments_near_miss_sentence_about_comments():
    sentence = (
        "Many readers left comments on the proposal, and the council promised to reply to each "
        "of them before the vote."
    )
    assert_kept(run(sentence), sentence)


COMMENT_REPLIES = (
    "Sam Reader\n\nDecember 18, 2025, 9:46 pm",
    "I think the council should reconsider its position on the pier before the vote next week.",
    "Emma\n\nI agree with the council completely: the pier is a landmark worth keeping in repair.",
)


@pytest.mark.parametrize(
    ("heading", "title"),
    [
        ("59 Comments on “The harbour pier debate”", None),
        ("2 Kommentare zu „Die Debatte um den Hafen“", "Die Debatte um den Hafen"),
        ("One thought on “The harbour pier debate: the council’s …”", None),
    ],
)
def test_comment_section_under_the_post_goes_whole(heading, title):
    headline = title or "The harbour pier debate: the council’s vote on the repairs"
    text = "\n\n".join([headline, BODY1, BODY2, heading, *COMMENT_REPLIES])
    result = clean(text, title=title)
    assert BODY1 in result.text and BODY2 in result.text
    for reply in COMMENT_REPLIES:
        assert reply.split("\n")[0] not in result.text
    assert any(removal.rule == "comments.section" for removal in result.removed)


def test_comment_count_in_the_posts_byline_opens_no_section():
    """The count in the head of the post names its title too, but no prose stands between."""
    headline = "The harbour pier debate"
    text = "\n\n".join(
        [headline, "By Jane Doe\n3 Comments on “The harbour pier debate”", BODY1, BODY2]
    )
    result = clean(text, title=headline)
    assert BODY1 in result.text and BODY2 in result.text
    assert not any(removal.rule == "comments.section" for removal in result.removed)


def test_comment_heading_naming_another_post_opens_no_section():
    text = "\n\n".join(
        ["The harbour pier debate", BODY1, "2 comments on “A walk in the park”", BODY2]
    )
    result = clean(text, title="The harbour pier debate")
    assert BODY2 in result.text
    assert not any(removal.rule == "comments.section" for removal in result.removed)


# --- donation ------------------------------------------------------------------------------


APPEAL = [
    "A Message from The Daily Example:",
    "Dear readers,",
    "Independent journalism needs your support. Every contribution, however small, helps us.",
    "Once\nMonthly\nAnnual\nContinue\nNot ready to support today?\nRemind me later.",
]


def test_donation_appeal_removed_whole():
    result = run(*APPEAL)
    assert_removed(result, "donation", "Dear readers", "Independent journalism", "Remind me later")


@pytest.mark.parametrize(
    "line",
    ["Support us!", "Jetzt spenden", "Become a member", "HAZTE MIEMBRO Y DISFRUTA DE BENEFICIOS"],
)
def test_donation_call_removed(line):
    assert_removed(run(line), "donation", line)


def test_donation_near_miss_article_about_donating():
    sentence = (
        "The foundation urged residents to donate to the flood relief fund and to support "
        "their neighbours through the winter."
    )
    assert_kept(run(sentence), sentence)


def test_donation_appeal_closed_by_a_dismissal_removed_whole():
    # extracted HTML keeps the appeal's words but drops its payment buttons
    appeal = [*APPEAL[:3], "Not ready to support today? Remind me later."]
    result = run(*appeal)
    assert_removed(result, "donation", "A Message from", "Dear readers", "Remind me later")


def test_donation_near_miss_quote_about_later():
    sentence = (
        '"Not ready to support the bill yet," the senator said, adding that she would decide '
        "later in the week after reading the final text."
    )
    assert_kept(run("Dear readers,", sentence), sentence)


def test_donation_salutation_without_payment_options_kept():
    letter = "Dear readers,"
    assert_kept(run(letter), letter)


# --- newsletter ----------------------------------------------------------------------------


def test_newsletter_box_removed():
    box = [
        "Sign up for our free weekly newsletter",
        "Our weekly newsletter brings the best stories to your inbox every Friday. Preview\n"
        "Subscribers agree to the Privacy Policy",
    ]
    assert_removed(run(*box), "newsletter", "weekly newsletter", "Privacy Policy")


@pytest.mark.parametrize(
    "line",
    [
        "Newsletter abonnieren",
        "Subscribe",
        "Enter your email address",
        "Sie sind aktuell nicht eingeloggt.",
        "Pour lire la suite",
        "Get The Daily Edition by email and never miss our top stories",
        "To view the full story, please subscribe to The Example Times.",
        "Subscribe now to our digital edition for the full story.",
        "Example News Would Like To Send You Push Notifications.",
    ],
)
def test_newsletter_cta_removed(line):
    assert_removed(run(line), "newsletter", line)


def test_newsletter_near_miss_sentence_about_a_newsletter():
    sentence = (
        "The company's weekly newsletter reached more than 10,000 subscribers last year, the "
        "report said."
    )
    assert_kept(run(sentence), sentence)


# --- share ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lines",
    [
        ["Share this articleComments"],
        ["Copy/paste the article video embed link below:Copy to clipboardCopied"],
        ["Facebook\nTwitter\nWhatsApp\nE-Mail"],
        ["Artikel teilen"],
        ["483K+\nFollowers\n123K+\nViews"],
        ["rsn / send to friend"],
        ["Teilen Sie dies mit:"],
        ["Dir hat der Artikel gefallen? Jetzt teilen..."],
        ["Jump to RecipePrint Recipe"],
    ],
)
def test_share_removed(lines):
    assert_removed(run(*lines), "share", *lines)


def test_share_near_miss_sentence_about_sharing():
    sentence = "She shared the photo on Facebook, where it was viewed thousands of times."
    assert_kept(run(sentence), sentence)


def test_share_near_miss_sentence_asking_to_share_experience():
    sentence = (
        "Bitte teilen Sie uns Ihre Erfahrungen mit, wenn Sie das Rezept schon probiert haben."
    )
    assert_kept(run(sentence), sentence)


def test_comments_near_miss_sentence_about_closed_comments_policy():
    sentence = (
        "The editors said the comments of the minister were closed to interpretation, and the "
        "debate in parliament went on for hours."
    )
    assert_kept(run(sentence), sentence)


def test_share_near_miss_number_in_body():
    sentence = "Attendance: 483"
    assert_kept(run(sentence), sentence)


# --- related -------------------------------------------------------------------------------


def test_related_block_with_headlines_removed():
    block = [
        "You might also like",
        "EU leaders warn of massive consequences if the deal fails",
        "Parliament votes on the new energy law next week",
    ]
    assert_removed(run(*block), "related", *block)


@pytest.mark.parametrize("lead", ["Empfohlene Beiträge", "Mehr Themen:", "Veja também"])
def test_related_lead_in_other_languages_removed(lead):
    block = [lead, "Neue Regeln für den Winterdienst ab Dezember"]
    assert_removed(run(*block), "related", *block)


def test_related_card_list_removed():
    cards = [
        "Related\nThe Example Post",
        "Why the mayor is acting like a man who has run out of time",
        "The mayor has deployed new plans for the bridge and appears ready to launch a new "
        "offensive against his critics in the city council, despite his own role in...\nPOLITICS",
        "Daily Example",
        "Residents are now being prepared for a long winter",
        "The rhetoric on local television is amping up the sense of urgency around the city "
        "budget, and the stakes are rising even though it seems they could not be higher.\n"
        "LOCAL",
    ]
    result = clean("\n\n".join([BODY1, BODY2, *cards]))
    assert "related" in families(result)
    assert "run out of time" not in result.text
    assert "amping up" not in result.text
    assert BODY1 in result.text and BODY2 in result.text


@pytest.mark.parametrize(
    "line",
    [
        "Lesen Sie auch: Neue Regeln für den Winterdienst",
        "Lea también: Nuevas reglas",
        "VEA TAMBIÉN: Nuevas reglas para el transporte público",
        "Schon gelesen: Neue Regeln für den Winterdienst",
        "Leia também: Novas regras para o transporte público",
        # another article's headline may ask a question
        "À lire aussi » Quel est votre profil digestif et comment y remédier ?",
    ],
)
def test_related_inline_link_removed(line):
    assert_removed(run(line), "related", line)


def test_lone_headline_of_another_article_between_paragraphs_removed():
    headline = "Russia's buildup of troops near the border sparks fears of attack: Analysis"
    assert_removed(run(headline), "related", headline)


def test_related_near_misses_subheading_list_quote_one_line_paragraph():
    blocks = [
        "Budget details",
        "* Preheat the oven to 200 degrees\n* Mix the flour and the butter\n* Bake for 20 minutes",
        '"We will not back down," she said.',
        "It was over.",
    ]
    assert_kept(run(*blocks), *blocks)


# --- media ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lines",
    [
        ["Copyright JANE DOE/AFP or licensors"],
        ["Russian soldiers on parade. (photo: Sergei Example/Reuters)"],
        [
            "Vladimir Putin.\n"
            "Putin went on to speak at length. Alexei Example/Kremlin Pool Photo via AP"
        ],
        ["https://img.example.com/image.php?url=4RREsT_0dQ25ZTW00"],
        ["PHOTO: Troops take part in drills at the range, Tuesday, Dec. 14, 2021."],
        ["Foto: dpa"],
        ["Video abspielen"],
        ["Photo by Jane Doe on Unsplash"],
        ["Fot. Jan Kowalski / Agencja Example"],
    ],
)
def test_media_removed(lines):
    assert_removed(run(*lines), "media", *lines)


@pytest.mark.parametrize(
    "sentence",
    [
        "The photographer said the photo was taken in 2019 near the old harbour.",
        "Photographs by Diane Example are on show at the city museum until May.",
    ],
)
def test_media_near_miss_sentence_about_a_photo(sentence):
    assert_kept(run(sentence), sentence)


# --- chrome --------------------------------------------------------------------------------


def test_chrome_head_of_page():
    head = [
        "US News",
        "Council approves the budget",
        "By Jane Doe\nThe Example Times",
        "5 days ago",
    ]
    text = "\n\n".join([*head, BODY1, BODY2])
    result = clean(text, title="Council approves the budget")
    assert {r.rule for r in result.removed} >= {"chrome.title", "chrome.byline", "chrome.date"}
    assert result.text == f"{BODY1}\n\n{BODY2}"


@pytest.mark.parametrize(
    "line",
    [
        "Close",
        "form code",
        "Startseite",
        "With Post wires",
        "Tags: budget, council",
        "Anzeige, enthält Affiliate Links",
        "(Alle Angaben ohne Gewähr)",
        "We pick products independently. We may receive compensation if you buy through our links.",
        "Für Links auf dieser Seite erhält Example ggf. eine Provision vom Händler.",
        "You are using a browser version with limited support for CSS.",
        "As an Amazon Associate we earn from qualifying purchases.",
        "Add to cart",
        "Edit this page on GitHub",
        "Joined Feb 8, 2023 Posts 5",
        "Join Date: Mar 2016",
    ],
)
def test_chrome_labels_removed(line):
    assert_removed(run(line), "chrome", line)


def test_chrome_date_stamp_removed():
    assert_removed(run("date 2021-12-17 ContributorsPublishersAdvertisers"), "chrome")
    assert_removed(run("Veröffentlicht am 17. Dezember 2021"), "chrome")


@pytest.mark.parametrize(
    "sentence",
    [
        "By the end of December 2021, the bridge had been closed for 5 days.",
        "Joined the company in 2014, she later led its research team for a decade.",
        "The retailer said it would earn a commission on every sale made through partner sites.",
        "I earn a commission on each policy I sell, the agent told the committee on Monday.",
        "Der Beitrag wurde am Montag im Regionalfernsehen gesendet und später in der Zeitung "
        "veröffentlicht.",
        "Creative Commons Lizenzen unterstützen eine Kultur des Teilens und der Weiterentwicklung.",
    ],
)
def test_chrome_near_miss_sentences_about_dates_posts_commissions_and_licences(sentence):
    assert_kept(run(sentence), sentence)


def test_repeated_menu_line_removed_but_a_section_heading_listed_in_contents_kept():
    contents = "Contents\n* Budget details\n* Next steps"
    menu = "Our services"
    page = "\n\n".join(
        [menu, contents, BODY1, "Budget details", BODY2, "Next steps", BODY1 + " Again.", menu]
    )
    result = clean(page)
    heading = "\n\nBudget details\n\n"
    assert heading in result.text, result.removed
    assert "Next steps" in result.text
    assert menu not in result.text
    assert any(r.rule == "chrome.repeated" and r.text == menu for r in result.removed)


def test_repeated_title_removed_but_not_a_longer_line_starting_with_it():
    title = "Council approves the budget"
    longer = "Council approves the budget, and the mayor thanks everyone who took part in it."
    result = run(title, longer, title=title)
    assert title + "\n" not in result.text + "\n"
    assert longer in result.text


def test_a_repeated_line_of_code_inside_the_prose_is_no_repeated_menu_line():
    code = "console.log(res.bodyUsed); // true"
    menu = "Our services"
    page = rule_page("\n\n".join([menu, BODY1, code, BODY2, code, BODY1 + " Again.", menu]))
    marks = [(line.text, mark) for line, mark in zip(page.lines, page.marks, strict=True)]
    assert [mark for text, mark in marks if text == code] == [None, None]
    assert [mark for text, mark in marks if text == menu] == ["chrome.repeated"] * 2


def test_head_section_labels_counted_in_words_of_a_script_without_spaces():
    title = "Council approves the budget"
    label = "新聞"
    sentence = "道別了美樹營地準備前往深山部落裡一個很生疏的小學"
    page = rule_page("\n\n".join([label, sentence, title, BODY1, BODY2]), title)
    marks = {line.text: mark for line, mark in zip(page.lines, page.marks, strict=True)}
    assert marks[label] == "chrome.section"
    assert marks[sentence] is None


def test_a_title_near_the_end_heads_no_page_so_the_short_lines_above_it_stay():
    title = "Aria Studio Headphones"
    listing = [f"Aria Model {k} Headphones" if k % 2 else "Sold out" for k in range(24)]
    head = ["News", "Reviews", title, BODY1, BODY2]

    def marks(lines: list[str]) -> dict[str, str | None]:
        page = rule_page("\n\n".join(lines), title)
        return {line.text: mark for line, mark in zip(page.lines, page.marks, strict=True)}

    at_top = marks(head + listing)
    assert at_top["News"] == at_top["Reviews"] == "chrome.section"
    near_end = marks(listing + head)
    assert near_end["News"] == near_end["Reviews"] == near_end["Aria Model 1 Headphones"] is None


def marks_of(text: str) -> dict[str, str | None]:
    page = rule_page(text)
    return {line.text: mark for line, mark in zip(page.lines, page.marks, strict=True)}


def test_script_after_the_article_is_debris_but_a_code_sample_inside_it_is_left_to_the_model():
    sample = ["fetch(url).then(function(res) {", "var body = res.json();", "});"]
    script = "window.dataLayer = window.dataLayer || []; googletag.cmd.push(function() {});"
    marks = marks_of("\n\n".join([BODY1, "\n".join(sample), BODY2, script]))
    assert marks[script] == "chrome.debris"
    assert marks[sample[0]] is None and marks[sample[1]] is None


def test_a_short_list_under_a_related_lead_in_is_related_but_a_long_one_is_the_pages_own():
    short = [f"Harbour story number {n} of the week" for n in range(3)]
    marks = marks_of("\n\n".join([BODY1, "Related articles", "\n".join(short), BODY2]))
    assert [marks[line] for line in short] == ["related.list"] * 3
    index = [f"Language {n}" for n in range(40)]  # a list page: an index under "Trending"
    marks = marks_of("\n\n".join([BODY1, "Trending", "\n".join(index), BODY2]))
    assert marks["Trending"] == "related.lead"
    assert not any(marks[line] == "related.list" for line in index)


def test_long_card_headlines_above_teasers_cut_with_an_ellipsis_stay_in_the_related_list():
    cards = []
    for n in ("first", "second", "third"):
        cards += [
            f"The harbour council publishes its {n} report on the old pier at last, despite the "
            "long delays",
            f"The council published the {n} of its reports on the state of the pier, which "
            "covers the cost of repairs, the schedule and the views of residents who…",
            "March 17, 2016",
        ]
    marks = marks_of("\n\n".join([BODY1, BODY2, "Related", *cards]))
    assert marks["Related"] == "related.lead"
    assert all(marks[line] == "related.list" for line in cards)
    # the same headline above a paragraph that ends as a sentence is no card
    marks = marks_of("\n\n".join([BODY1, "Related", cards[0], BODY2]))
    assert marks[cards[0]] is None and marks[BODY2] is None


def _thread(replies: int, label: str = "Reply") -> list[str]:
    thread = []
    for n in range(replies):
        thread += [
            f"Reader {n} · March {n + 10}, 2017 at 12:2{n} AM",
            f"I think the council should reconsider its position on the pier, point {n} of mine.",
            f"* {label}",
        ]
    return thread


ARTICLE = [BODY1, BODY2] * 8  # about 340 words of the article's prose


def test_a_thread_of_dated_comments_with_reply_labels_under_an_article_goes():
    thread = _thread(3)
    result = clean("\n\n".join([*ARTICLE, "There are 3 comments", *thread]))
    assert BODY1 in result.text and BODY2 in result.text
    assert not any(line in result.text for line in thread)
    assert any(removal.rule == "comments.thread" for removal in result.removed)


@pytest.mark.parametrize(
    "page",
    [
        [BODY1, *_thread(3)],  # a forum: a short question, then its replies (the page's text)
        [*ARTICLE, *_thread(2)],  # two comments make no thread
        [*ARTICLE, *_thread(3, label="14 comments")],  # teasers with their counts of comments
    ],
)
def test_replies_after_little_prose_or_too_few_or_counts_are_no_thread(page):
    marks = marks_of("\n\n".join(page))
    assert "comments.thread" not in marks.values()


def test_a_repeated_label_inside_the_body_is_kept_but_not_one_outside_it():
    outside = "Our other sites:"
    page = [outside, BODY1, "Pros:", "Quick to set up", BODY2, "Pros:", "Cheap to run"]
    marks = marks_of("\n\n".join([*page, BODY1 + " Again.", outside]))
    assert marks["Pros:"] is None
    assert marks[outside] == "chrome.repeated"


@pytest.mark.parametrize(
    ("line", "family"),
    [
        ("Sharing is caring", "share"),
        ("Mit Freunden teilen", "share"),
        ("Teile diesen Beitrag auf Social Media.", "share"),
        ("إضافة تعليق جديد", "comments"),
        ("Eingestellt von der Michel um 21:11", "chrome"),
        ("Posted by Anna Berg at 9:11 PM", "chrome"),
        ("* Do Not Sell or Share My Personal Information", "chrome"),
        ("By using Harbourly, you agree to our Terms of Service and Privacy Policy.", "chrome"),
        ("I use affiliate links where I can, to keep reviewing sustainable!", "chrome"),
        ("Thank you! Please check your inbox now for your welcome email.", "newsletter"),
        ("Follow me on Instagram", "newsletter"),
        ("You may be interested in the following topics as well:", "related"),
        ("You Might Also Enjoy Some of My Other Posts", "related"),
        ("Related pages", "related"),
        ("Next article: Harbour board votes on the pier", "related"),
        ("59 Comments on “The harbour pier debate”", "comments"),
        ("Send us feedback", "chrome"),
        (
            "Wir respektieren deine Privatsphäre und stellen deshalb ohne dein Einverständnis "
            "keine Verbindung zu Twitter her.",
            "chrome",
        ),
        ("This entry was posted in Harbour news. Bookmark the permalink.", "chrome"),
        (
            "Der Beitrag wurde am Mittwoch, den 27. November 2019 um 15:21 Uhr veröffentlicht "
            "und wurde unter Hafen, Termine abgelegt. Du kannst die Kommentare zu diesem Eintrag "
            "durch den RSS 2.0 Feed verfolgen.",
            "chrome",
        ),
        (
            "Klicken Sie auf den unteren Button, um den Inhalt von www.karten.example zu laden.",
            "chrome",
        ),
        ("Click the button below to load the content of maps.example.", "chrome"),
        ("Alle Inhalte unterliegen dieser Creative-Commons-Lizenz.", "chrome"),
        (
            "Thank you for visiting harbour.example. You are using a browser version with limited "
            "support for CSS. To obtain the best experience, we recommend you use a more up to "
            "date browser (or turn off compatibility mode in Internet Explorer). In the meantime, "
            "to ensure continued support, we are displaying the site without styles and "
            "JavaScript.",
            "chrome",
        ),
    ],
)
def test_prompts_labels_footers_and_notices_removed(line, family):
    assert_removed(run(line), family, line)


@pytest.mark.parametrize(
    "line",
    [
        "This website uses cookies to improve your experience while you navigate through the "
        "website.",
        "These cookies are necessary for the website to function and cannot be switched off in "
        "our systems.",
        "We and our 977 partners store and access personal data, like browsing data or unique "
        "identifiers, on your device.",
        "Performance cookies are used to understand and analyse the key performance indexes of "
        "the website.",
        "Manage Consent Preferences",
        "By continuing, you agree to our User Agreement and acknowledge the Privacy Policy.",
        "Diese Website verwendet Cookies. Wenn du die Website weiterhin nutzt, stimmst du der "
        "Verwendung von Cookies zu.",
    ],
)
def test_consent_panel_lines_removed(line):
    result = run(line)
    assert line not in result.text
    assert [r.rule for r in result.removed] == ["chrome.consent"]
    assert BODY1 in result.text and BODY2 in result.text


@pytest.mark.parametrize(
    "sentence",
    [
        "We use cookies from the bakery down the street to make the base of this cheesecake.",
        "These cookies are perfect for the holidays and keep for a week in a tin.",
        "To read cookies in a request handler, use the cookies attribute of the request object.",
        "Wir verwenden Cookies aus der Bäckerei für den Boden des Kuchens.",
        "By entering this store you agree to be bound by the FoodCorp Privacy Statement, a sign "
        "at the door says.",
        "You can change your privacy settings under Account in the app at any time.",
    ],
)
def test_consent_near_miss_sentences_about_cookies(sentence):
    assert_kept(run(sentence), sentence)


@pytest.mark.parametrize(
    ("block", "rule"),
    [
        (["For full functionality, it is necessary to enable JavaScript."], "chrome.notice"),
        (["This slideshow requires JavaScript."], "chrome.notice"),
        (["Oops! Something went wrong while submitting the form."], "chrome.notice"),
        (
            [
                "Lines and paragraphs break automatically.",
                "Web page addresses and e-mail addresses turn into links automatically.",
            ],
            "chrome.notice",
        ),
        (
            [
                "Use limited data to select advertising 80 partners can use this purpose",
                "Store and/or access information on a device Off",
                "Measure content performance 33 partners can use this purpose",
            ],
            "chrome.consent",
        ),
        (
            [
                "Sieh dir diesen Beitrag auf Instagram an",
                "A post shared by Jane Doe (@jane.doe) on Jun 16, 2019 at 7:30am PDT",
            ],
            "media.embed",
        ),
        (["Sorry, your browser doesn’t support embedded videos."], "media.embed"),
    ],
)
def test_script_notices_form_messages_consent_purposes_and_embeds_are_named(block, rule):
    marks = marks_of("\n\n".join([BODY1, "\n".join(block), BODY2]))
    assert [marks[line] for line in block] == [rule] * len(block)


@pytest.mark.parametrize(
    "sentence",
    [
        "To enable JavaScript in the old browser, set the option in its settings to true.",
        "The new checkout requires JavaScript skills that the harbour office does not have.",
        "A post shared by the mayor on Friday drew hundreds of replies from the harbour town.",
        "Measure content performance against the goals you set before the campaign started.",
    ],
)
def test_sentences_about_scripts_posts_and_measures_are_not_notices(sentence):
    assert marks_of("\n\n".join([BODY1, sentence, BODY2]))[sentence] is None


def test_a_byline_with_a_reading_time_is_a_byline():
    title = "Council approves the budget"
    result = clean("\n\n".join([title, "By Anna Berg 15 min read", BODY1, BODY2]), title=title)
    assert any(r.rule == "chrome.byline" for r in result.removed), result.removed
    assert BODY1 in result.text


@pytest.mark.parametrize(
    "line",
    [
        "2. Choose a project manager wisely and define the responsibilities of each role",
        "“Lower costs by five to ten per cent without a drop in what the harbour handles”",
        'resource { provisioner "file" { source = "harbour.conf" destination = "/etc" } }',
    ],
)
def test_a_numbered_heading_quotation_or_code_between_paragraphs_is_no_other_headline(line):
    assert marks_of("\n\n".join([BODY1, line, BODY2]))[line] is None


def test_a_lone_headline_between_paragraphs_is_another_articles():
    line = "Harbour board approves the plan for a new pier at the old ferry landing"
    assert marks_of("\n\n".join([BODY1, line, BODY2]))[line] == "related.headline"


def test_a_heading_whose_words_the_paragraph_below_uses_is_the_articles_own():
    line = "What the auditor will review before the second vote on the changes"
    assert marks_of("\n\n".join([BODY1, line, BODY2]))[line] is None


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Harbour opens\n\nPier open Monday", "Harbour opens"),
        ("Test", "Test"),
        ("abc\n\ndef\n\nghi", "abc"),
    ],
)
def test_a_short_page_the_cleaner_would_empty_is_kept_whole(text, title):
    assert clean(text, title=title).text == text


@pytest.mark.parametrize(
    "text",
    [
        "403 Forbidden\n\nnginx",
        "Page not found",
        "Loading...",
        "Just a moment...\n\nChecking your browser before accessing harbour.example.",
        "Share on Facebook\n\nTweet\n\nComments (3)",
        "Subscribe to our newsletter\n\nSign up",
        "Related articles\n\n* Harbour board approves pier\n\n* Storm closes road",
    ],
)
def test_a_short_page_a_rule_names_an_error_notice_or_widget_on_is_still_emptied(text):
    for title in (None, text.split("\n")[0]):
        assert clean(text, title=title).text == ""


def test_a_long_page_of_nothing_but_chrome_is_still_emptied():
    menu = ["* Home", "* News", "* Sport", "* Weather", "Sign in", "Cookie settings", "Privacy"]
    result = clean("\n".join(menu * 8))
    assert result.text == ""
    assert result.removed


TEASERS = [
    (
        "* Harbour board approves the new pier after a long dispute",
        "The harbour board voted on Monday to approve the new pier, ending a dispute that had "
        "lasted for three years and divided the town council over its cost and",
    ),
    (
        "* Storm closes the coast road for the second time this winter",
        "The coast road was closed again on Tuesday after a storm brought down trees and power "
        "lines along the shore, and the council said it could stay closed until",
    ),
    (
        "* Fishing fleet returns early as prices fall at the market",
        "Most of the fishing fleet returned to port early this week after prices at the market "
        "fell to their lowest level in a decade, leaving crews with little reason to",
    ),
]


def test_a_list_of_headlines_with_teasers_cut_at_one_length_is_related():
    body = "The town's new library opened on Saturday with a reading by local authors. " * 4
    lines = [body.strip(), ""]
    for headline, teaser in TEASERS:
        lines += [headline, "", teaser, ""]
    result = run(*lines)
    assert_removed(result, "related", *(part for card in TEASERS for part in card))
    assert_kept(result, body.strip())


def test_list_items_each_explained_by_a_sentence_are_the_articles_own():
    lines = []
    for headline, teaser in TEASERS:
        lines += [headline, "", teaser + " the council meets again next month.", ""]
    assert_kept(run(*lines), *(teaser for _, teaser in TEASERS))
