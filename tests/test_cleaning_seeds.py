"""Seed pages: after normalise + clean, every body paragraph stays, every boilerplate line goes."""

import re
from pathlib import Path

import pytest

from ingest.cleaning import clean
from ingest.text_metadata import extract_text_metadata

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

# seed file: (start of every body paragraph, every boilerplate line or the start of a long one)
CASES = {
    "000_3683699a8201dbbb.txt": (
        [
            'Russia on Thursday warned it could be "forced to respond" militarily',
            '"In the absence of the readiness of the American side to agree on',
            "The US and NATO have firmly rejected Russia's demand that Ukraine be",
            "Putin has complained about NATO's eastward expansion for years,",
            "Russia on Thursday once again denied any plans to invade Ukraine,",
            "\"There is no and is not planned any 'Russian invasion' of Ukraine,",
            "Russia has gathered roughly 150,000 troops on Ukraine's border,",
            "The Biden administration has warned that Russia is looking for a",
            "\"Russia says it's drawing down those forces. We do not see that",
        ],
        [
            "Russia Says It May Be 'Forced' to Respond Militarily if the US Won't",
            "John Haltiwanger / Business Insider",
            "EXPLORE THE DISQUS SETTINGS: Up at the top right of the comments",
            "Close",
            "rsn / send to friend",
            "form code",
        ],
    ),
    "001_eed29921775fb609.txt": (
        [
            "Russia on Thursday said it will be “forced to respond” with",
            "In an 11-page document presented to American officials, the Kremlin",
            "“In the absence of any readiness from the American side to agree on",
            "Western governments have boosted supplies of hi-tech military",
            "Moscow has denied it is planning an invasion of Ukraine, a statement",
            "\"There is no 'Russian invasion' of Ukraine, which the United States",
            "Russia also called on the U.S. and NATO to “stop the supply of",
            "Moscow’s recent announcements of a troop drawdown have been met with",
            "Russia first sent its list of demands to the U.S. and NATO last",
            "Russia said its proposals were a “complete package” which could not",
            "“The Russian proposals are of a package nature and should be",
            "Russia also repeated its demands that the U.S. pull its troops out of",
            "Russia’s response came as it expelled the No. 2 U.S. diplomat in",
        ],
        [
            "Support The Moscow Times!",
            "Russia Will Be ‘Forced to Respond’ if U.S. Does Not Engage on",
            "Russia first sent its list of demands to the U.S. and NATO last December. "
            "MFA Russia / flickr (CC-BY-NC-SA-2.0.)",
            "AFP contributed reporting.",
            "Sign up for our free weekly newsletter",
            "Our weekly newsletter contains a hand-picked selection of news,",
            "Subscribers agree to the Privacy Policy",
            "A Message from The Moscow Times:",
            "Dear readers,",
            "We are facing unprecedented challenges. Russia's Prosecutor General's",
            "These actions are direct attempts to silence independent journalism",
            "We, the journalists of The Moscow Times, refuse to be silenced. But",
            "Your support, no matter how small, makes a world of difference. If",
            "By supporting The Moscow Times, you're defending open, independent",
            "Once",
            "Monthly",
            "Annual",
            "Continue",
            "paiment methods",
            "Not ready to support today?",
            "Remind me later.",
            "Read more",
        ],
    ),
    "002_742e16abf3b67eba.txt": (
        [
            "Russian President Vladimir Putin on Sunday said he is weighing a",
            "The Kremlin earlier this month released draft security documents",
            "He reiterated his assertion that allowing Ukraine into the alliance",
            "“We have nowhere to retreat,” he said, pointing out that any missiles",
            "“They have pushed us to a line that we can’t cross. They have taken",
            "Putin last week demanded that the West “immediately” respond to his",
            "Asked what his response would be, Putin said they “could be diverse,”",
            "President Biden and other European leaders have said they will not",
            "Biden also said that Russia, which has built up a force of as many as",
            "But the US and Europe have agreed to begin negotiations with Moscow",
            "Putin on Sunday said he’s seeking concrete assurances from the West",
            "“We didn’t do it just to see it blocked … but for the purpose of",
            "“We have just one goal — to reach agreements that would ensure the",
            "The massive troop and equipment buildup on the Ukrainian border is a",
            "In 2014, Russia illegally annexed the Crimean Peninsula in the Black",
        ],
        [
            "US News",
            "Putin weighing options if security guarantees on NATO expansion in",
            "Vladimir Putin.",
            "Vladimir Putin went on to say that allowing Ukraine into NATO or",
            "With Post wires",
        ],
    ),
    "003_9554c8a1b54dd9b6.txt": (
        [
            "Moscow wants NATO to pledge that former Soviet states will never join",
            "Russia may take new measures to ensure its security if the US and its",
            "Deputy foreign minister Sergei Ryabkov said on Saturday that the",
            "Ryabkov accused Western allies of continuously pushing the envelope",
            "“They have been extending the limits of what’s possible” regarding",
            "“But they fail to consider that we will take care of our security and",
            "Ryabkov’s statement in an interview with the Interfax news agency",
            "The draft also asked for a roll-back of the alliance’s military",
            "The publication of the demands — contained in a proposed Russia-US",
            "Russia has denied it has plans to attack its neighbour but it now",
            "Russian president Vladimir Putin raised the demand for security",
            "During the conversation, Biden voiced his concern about a buildup of",
            "NATO secretary-general Jens Stoltenberg emphasized on Friday that any",
            "The White House similarly said it is discussing the proposals with",
            "Ryabkov said that NATO’s moves have become increasingly provocative,",
            "He added that Russia now wants to hear a Western response before",
            "“We don’t want a conflict. We want to reach an agreement on a",
            "“Before making any conclusions on what to do next and what steps",
            "He said that the deployment of NATO’s troops near Russia in the",
            "Russia annexed Ukraine’s Crimean Peninsula in 2014 and shortly after",
        ],
        [
            "Moscow demands NATO pulls back as fears of Russia invading Ukraine",
            "Copyright KIRILL KUDRYAVTSEV/AFP or licensors",
            "By Daniel Bellamy with AP",
            "Share this articleComments",
            "Share this articleClose Button",
            "Copy/paste the article video embed link below:Copy to clipboardCopied",
            "You might also like",
            "EU leaders warn Moscow of 'massive consequences' if it invades Ukraine",
            "Russia warns Ukraine against mobilising forces ahead of",
            "A Russian deputy defence minister appears in court on bribery charges",
        ],
    ),
    "004_9ede0d2f98eddf13.txt": (
        [
            "Russia published a list of sweeping new security guarantees it wants",
            "The radical proposals would rewrite the post-Cold War security order",
            "The demands were presented in two draft treaties that Russia's",
            "But the U.S. and NATO countries have already previously ruled out",
            '"We will not compromise on key principles on which European security',
            '"All countries have the right to decide their own future and their',
            "Russia made the proposals against the backdrop of its military",
            "Western countries fear Putin may be preparing a new major military",
            "Friday's proposals addressed a grievance the Kremlin has nurtured for",
            "The Russian draft treaties call for NATO to remove any troops or",
            "The limits on NATO in Eastern Europe are seen as a non-starter by",
            '"This is a bargaining position -- [the Kremlin] is trying to get some',
            "The senior Biden administration official said that while it rejected",
            "The official noted that several of the issues raised by Russia --",
            "But other analysts found the unrealistic nature of Russia's demands",
            "\"I don't see this as something aimed at a productive negotiation,",
            "Dmitry Trenin, the director of the Carnegie Moscow Center, wrote on",
            "Russia's buildup has not stopped since Biden and Putin's call last",
        ],
        [
            "date 2021-12-17 ContributorsPublishersAdvertisers",
            "Politics",
            "Russia makes demands for security guarantees from US",
            "By Patrick Reevell",
            "ABC News",
            "5 days ago",
            "https://img.particlenews.com/image.php?url=4RREsT_0dQ25ZTW00",
            "https://img.particlenews.com/image.php?url=1D1D7B_0dQ25ZTW00",
            "Sergei Guneyev, Sputnik, Kremlin Pool Photo via AP - PHOTO: Russian",
            "Russia's buildup of troops near Ukraine sparks fears of attack:",
            "https://img.particlenews.com/image.php?url=3xFU7Y_0dQ25ZTW00",
            "AP, FILE - PHOTO: Russian troops take part in drills at the",
            "On the front line of eastern Ukraine, as Biden and Putin talk",
            "Comments / 1",
            "Related",
            "The Guardian",
            "Why Putin is acting like a man who has run out of time",
            "Vladimir Putin has deployed his troops to the border with Ukraine,",
            "POLITICS",
            "RELATED PEOPLE",
            "Person",
            "Joe Biden",
            "Vladimir Putin",
            "americanmilitarynews.com",
            "Report: Russia now has 265,000 troops near Ukraine border",
            "Russia now has about 265,000 troops stationed within 250 miles of its",
            "MILITARY",
            "Daily Beast",
            "Putin Gets Early Christmas Gift as Ukraine Cowers From War",
            "MOSCOW—After months of bubbling tensions and threats of all-out war,",
            "IN THIS ARTICLE",
            "#Ukraine#Southern Russia#Nato#Foreign",
            "Iola Register",
            "Putin fears NATO. Here’s why",
            "Thirty years ago this month, the Soviet Union collapsed, and Ukraine",
            "YOU MAY ALSO LIKE",
            "Country",
            "Poland",
            "News Break",
            "Place",
            "Europe",
            "Russia",
            "Reuters",
            "Russian mercenaries deploy to eastern Ukraine - sources",
            "MOSCOW (Reuters) - Russian mercenaries have deployed to",
            "Russian Citizens Are Now Being Prepped for Nuclear War",
            "The rhetoric on Kremlin-funded state television is amping up the",
            "Putin says Russia has 'nowhere to retreat' over Ukraine",
            "Dec 21 (Reuters) - President Vladimir Putin said on Tuesday that",
            "CBS News",
            'Putin threatens "retaliatory military-technical" measures as standoff',
            "Moscow — President Vladimir Putin used some of his most direct",
            "The Independent",
            "Putin urges West to act quickly to offer security guarantees",
            "Russian President Vladimir Putin urged the West on Thursday to move",
            "483K+",
            "Followers",
            "123K+",
            "Post",
            "249M+",
            "Views",
            "ABOUT",
            "Straightforward news, context and analysis.",
            "https://abcnews.go.com",
            "Comments / 0",
            "Community Policy",
        ],
    ),
}


def normalise(text: str) -> str:
    """The pipeline's normaliser when it exists, else the same steps by hand."""
    try:
        from ingest.normalising import normalise as project_normalise
    except ImportError:
        import ftfy

        text = ftfy.fix_text(text).replace("\u00a0", " ")
        text = "\n".join(line.rstrip() for line in text.splitlines())
        return re.sub(r"\n{3,}", "\n\n", text).strip("\n")
    return project_normalise(text)


@pytest.mark.parametrize("name", sorted(CASES))
def test_seed_page(name):
    body, boilerplate = CASES[name]
    text = normalise((SEEDS / name).read_text(encoding="utf-8"))
    result = clean(text, title=extract_text_metadata(text).title)
    kept = [line.strip() for line in result.text.split("\n") if line.strip()]
    for start in body:
        assert any(line.startswith(start) for line in kept), f"body paragraph lost: {start}"
    for start in boilerplate:  # a whole line, or the start of a long one
        gone = not any(
            line == start or (len(start) > 50 and line.startswith(start)) for line in kept
        )
        assert gone, f"boilerplate kept: {start}"
    assert len(kept) == len(body)


@pytest.mark.parametrize(
    ("name", "title", "author", "published"),
    [
        ("000_3683699a8201dbbb.txt", "Russia Says It May Be 'Forced'", "John Haltiwanger", None),
        ("001_eed29921775fb609.txt", "Russia Will Be ‘Forced to Respond’", None, None),
        ("002_742e16abf3b67eba.txt", "Putin weighing options", None, None),
        ("003_9554c8a1b54dd9b6.txt", "Moscow demands NATO pulls back", "Daniel Bellamy", None),
        ("004_9ede0d2f98eddf13.txt", "Russia makes demands", "Patrick Reevell", "2021-12-17"),
    ],
)
def test_seed_metadata(name, title, author, published):
    meta = extract_text_metadata(normalise((SEEDS / name).read_text(encoding="utf-8")))
    assert meta.title and meta.title.startswith(title)
    assert meta.author == author
    assert (meta.published.isoformat() if meta.published else None) == published
