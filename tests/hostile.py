"""Builders of hostile input files: real bytes on disk, small to write, nasty to read.

`build_corpus(raw)` writes one file per case into `raw` and returns what each must become:
a row (with an optional check of its text) or a reject with a given reason.
"""

import codecs
import os
import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import ftfy.bad_codecs  # noqa: F401  (registers sloppy-windows-1252 for mojibake)

MiB = 1024 * 1024

PARA = (
    "The harbour committee met on Tuesday evening to discuss the new bridge, the ferry "
    "timetable and the plans for the coming year, and voted to publish its minutes."
)
ARTICLE = "\n\n".join(f"{PARA} Paragraph {i} adds its own detail." for i in range(6))
RUSSIAN = (
    "Городской совет во вторник обсудил строительство нового моста через реку. "
    "Депутаты решили опубликовать протокол заседания и план работ на следующий год. "
) * 3
JAPANESE = (
    "市議会は火曜日の夜、新しい橋と来年の計画について話し合いました。議事録は公開されます。" * 4
)
FRENCH = (
    "Le comité du port s'est réuni mardi soir pour discuter du nouveau pont, des horaires "
    "du traversier et des projets de l'année à venir. Très intéressé, Zoë a noté les décisions "
    "prises à l'unanimité, même celles sur la façade de l'hôtel de ville. "
) * 3
MOJIBAKE_SOURCE = (
    "Café crème at the “harbour” — naïve visitors paid €4 for it. Zoë’s façade looks brand new. "
) * 4


_WORDS = (
    "harbour",
    "committee",
    "bridge",
    "ferry",
    "timetable",
    "council",
    "budget",
    "river",
    "school",
    "library",
    "museum",
    "station",
    "market",
    "tower",
    "garden",
    "festival",
    "teacher",
    "doctor",
    "farmer",
    "engineer",
    "visitor",
    "weather",
    "morning",
    "evening",
    "winter",
    "summer",
    "north",
    "south",
    "road",
    "tunnel",
    "harbourmaster",
    "mayor",
)
_VERBS = (
    "met",
    "discussed",
    "approved",
    "rejected",
    "opened",
    "closed",
    "visited",
    "repaired",
    "measured",
)


def prose(rng: random.Random, paragraphs: int) -> str:
    """Varied sentences (no repetition for the cleaner to drop), paragraphs apart."""

    def sentence() -> str:
        w, v = rng.choice, _VERBS
        return (
            f"The {w(_WORDS)} {w(v)} the {w(_WORDS)} near the {w(_WORDS)} on day "
            f"{rng.randrange(1000)} and the {w(_WORDS)} {w(v)} the {w(_WORDS)} after "
            f"{rng.randrange(100)} minutes."
        )

    return "\n\n".join(" ".join(sentence() for _ in range(4)) for _ in range(paragraphs))


def html_page(body: str, head: str = "", title: str = "Harbour news") -> str:
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title>{head}</head>"
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    )


def paragraphs_html(text: str) -> str:
    return "".join(f"<p>{p}</p>" for p in text.split("\n\n"))


def mojibake(text: str, times: int) -> bytes:
    """UTF-8 bytes read as cp1252 and written again as UTF-8, `times` over."""
    for _ in range(times):
        text = text.encode("utf-8").decode("sloppy-windows-1252")
    return text.encode("utf-8")


def gzip_bomb(path: Path, inflated_gib: int = 2) -> None:
    """A small file that inflates to gigabytes: gzip members of 1 MiB of zeros, concatenated
    (gzip(1) and our reader read every member)."""
    member = zlib.compress(bytes(MiB), 9, wbits=31)
    with path.open("wb") as fh:
        for _ in range(inflated_gib * 1024):
            fh.write(member)


def gzip_bomb_single(path: Path, inflated_mib: int = 256) -> None:
    """One gzip stream, streamed through zlib, that inflates to `inflated_mib` MiB."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(16 * MiB)
    with path.open("wb") as fh:
        fh.write(deflater.compress(b"<html><body><p>"))
        for _ in range(inflated_mib // 16):
            fh.write(deflater.compress(block))
        fh.write(deflater.flush())


def sparse_file(path: Path, size: int, head: bytes = b"<html><body><p>") -> None:
    """A file of `size` bytes on disk (sparse: costs nothing to write)."""
    with path.open("wb") as fh:
        fh.write(head)
        fh.truncate(size)


def deep_html(levels: int) -> str:
    return html_page("<div>" * levels + f"<p>{PARA}</p>" + "</div>" * levels)


@dataclass(frozen=True)
class Expect:
    outcome: str  # "row" or "reject"
    reason: str | None = None  # the reject reason
    check: Callable[[dict], bool] | None = None  # on the row
    note: str = ""


def row(check: Callable[[dict], bool] | None = None, note: str = "") -> Expect:
    return Expect("row", None, check, note)


def reject(reason: str, note: str = "") -> Expect:
    return Expect("reject", reason, None, note)


def has(*snippets: str) -> Callable[[dict], bool]:
    return lambda r: all(s in r["text"] for s in snippets)


def build_corpus(raw: Path, *, big: bool = True) -> dict[str, Expect]:
    """Write every hostile page case under `raw`; returns source_path -> expectation.

    `big` adds the cases whose files are large on disk or once inflated (the 100 MB page, the
    gzip bombs, the 5 MB line).
    """
    raw.mkdir(parents=True, exist_ok=True)
    rng = random.Random(5)
    cases: dict[str, Expect] = {}

    def put(name: str, data: bytes | str, expect: Expect) -> None:
        path = raw / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        cases[name] = expect

    # emptiness
    put("empty/empty.txt", b"", reject("empty"))
    put("empty/whitespace.html", b" \t\r\n  \n\n", reject("empty"))
    put(
        "empty/scripts-and-styles.html",
        html_page(
            "<script>var a = 1; document.write('x');</script><style>p{color:red}</style>",
            head="<script src='a.js'></script><style>body{}</style>",
            title="",
        ),
        reject("no_text"),
    )

    # binary named as text
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(4000))
    put("binary/image.html", png, reject("binary"))
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(rng.randrange(256) for _ in range(4000))
    put("binary/photo.txt", jpeg, reject("binary"))
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nstream\n" + bytes(
        rng.randrange(256) for _ in range(4000)
    )
    put("binary/paper.txt", pdf, reject("binary"))
    elf = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + bytes(rng.randrange(256) for _ in range(4000))
    put("binary/program.html", elf, reject("binary"))
    put("binary/random.txt", bytes(rng.randrange(256) for _ in range(8000)), reject("binary"))

    # NUL bytes inside text: the text survives, the NULs do not
    put(
        "text/nul-bytes.txt",
        ARTICLE.replace("committee", "comm\x00ittee").replace(" met", "\x00 met"),
        row(lambda r: "\x00" not in r["text"] and "committee met" in r["text"]),
    )

    # compression
    good_gz = zlib.compress(html_page(paragraphs_html(ARTICLE)).encode(), 9, wbits=31)
    put("gzip/good.html.gz", good_gz, row(has("harbour committee")))
    put("gzip/truncated.html.gz", good_gz[: len(good_gz) // 2], reject("corrupt"))
    put(
        "gzip/corrupt.html.gz",
        good_gz[:10] + bytes(rng.randrange(256) for _ in range(400)),
        reject("corrupt"),
    )

    # markup
    put("html/deep-200000.html", deep_html(200_000), reject("too_deep"))
    put("html/deep-100.html", deep_html(100), row(has("harbour committee")))

    # encodings
    put(
        "enc/utf8-bom.txt",
        codecs.BOM_UTF8 + ARTICLE.encode(),
        row(lambda r: r["text"].startswith("The harbour") and "\ufeff" not in r["text"]),
    )
    put(
        "enc/utf16-le.txt",
        codecs.BOM_UTF16_LE + RUSSIAN.encode("utf-16-le"),
        row(has("Городской совет")),
    )
    put(
        "enc/utf16-be.html",
        codecs.BOM_UTF16_BE + html_page(f"<p>{RUSSIAN}</p>", title="Мост").encode("utf-16-be"),
        row(has("Городской совет")),
    )
    put("enc/windows-1251.txt", RUSSIAN.encode("cp1251"), row(has("Городской совет", "протокол")))
    put("enc/koi8-r.txt", RUSSIAN.encode("koi8-r"), row(has("Городской совет", "протокол")))
    put(
        "enc/latin1-declared-utf8.html",
        html_page(f"<p>{FRENCH}</p>", head='<meta charset="utf-8">', title="Le pont").encode(
            "latin-1"
        ),
        row(has("Très intéressé, Zoë", "façade", "hôtel")),
    )
    put("enc/shift-jis.txt", JAPANESE.encode("shift_jis"), row(has("市議会は火曜日の夜")))
    put(
        "enc/mojibake-once.txt",
        mojibake(MOJIBAKE_SOURCE, 1),
        row(has("Café crème", "“harbour” —", "Zoë’s façade")),
    )
    put(
        "enc/mojibake-twice.txt",
        mojibake(MOJIBAKE_SOURCE, 2),
        row(has("Café crème", "“harbour” —", "Zoë’s façade")),
    )

    # sidecars: the page is a row whatever is wrong with its metadata
    put("side/not-json.txt", ARTICLE, row(lambda r: r["source_meta"] is None and r["warnings"]))
    put("side/not-json.txt.json", b"{this is: not json,,", row())
    put(
        "side/wrong-types.txt",
        ARTICLE,
        row(
            lambda r: (
                r["url"] is None
                and r["title"] is None
                and r["fetched_at"] is None
                and len(r["warnings"]) >= 3
            )
        ),
    )
    put(
        "side/wrong-types.txt.json",
        '{"url": 42, "title": ["a"], "fetched_at": {"x": 1}, "published": true, '
        '"site": null, "language": 1.5}',
        row(),
    )
    put("side/huge.txt", ARTICLE, row(lambda r: r["source_meta"] is None and r["warnings"]))
    put("side/huge.txt.json", '{"pad": "' + "x" * (2 * MiB) + '"}', row())
    put("side/array.txt", ARTICLE, row(lambda r: r["source_meta"] is None and r["warnings"]))
    put("side/array.txt.json", "[1, 2, 3]", row())
    put(
        "side/nasty-strings.txt",
        ARTICLE,
        row(
            lambda r: r["title"] == "Title with controls" and "NaN" not in (r["source_meta"] or "")
        ),
    )
    put(
        "side/nasty-strings.txt.json",
        '{"title": "Title with\\u0000 con\\u0007trols\\ud800", "score": NaN}',
        row(),
    )
    put("side/deep.txt", ARTICLE, row(lambda r: r["source_meta"] is None and r["warnings"]))
    put("side/deep.txt.json", '{"deep": ' + "[" * 100_000 + "]" * 100_000 + "}", row())
    put(
        "side/nasty-values.txt",
        ARTICLE,
        row(
            lambda r: (
                r["title"] == "Title ok" and r["fetched_at"] is None and r["published"] is None
            )
        ),
    )
    put(
        "side/nasty-values.txt.json",
        '{"title": "Title ok\\u0001", "fetched_at": 1e300, "published": "not a date"}',
        row(),
    )
    for name in [n for n in cases if n.endswith(".json")]:
        del cases[name]  # sidecars are not pages

    # names
    put("names/name with spaces.txt", ARTICLE, row(has("harbour committee")))
    put("names/new\nline.txt", ARTICLE, row(has("harbour committee")))
    put("names/" + "n" * 196 + ".txt", ARTICLE, row(has("harbour committee")))
    bad_name = os.fsdecode(b"names/caf\xe9-latin1-name.txt")
    (raw / bad_name).write_bytes(ARTICLE.encode())
    cases["names/caf\\xe9-latin1-name.txt"] = row(has("harbour committee"))

    if big:
        (raw / "big").mkdir(exist_ok=True)
        sparse_file(raw / "big/hundred-mb.html", 100 * 1000 * 1000)
        cases["big/hundred-mb.html"] = reject("too_large", "over the 50 MiB default cap on disk")
        gzip_bomb(raw / "big/bomb.html.gz")
        cases["big/bomb.html.gz"] = reject("too_large", "inflates to 2 GiB")
        put(
            "big/long-line.txt",
            (PARA + " ") * (5 * MiB // (len(PARA) + 1)),
            row(lambda r: r["n_chars"] > 4 * MiB and "\n" not in r["text"]),
        )
    return cases


def build_filesystem(raw: Path, outside: Path) -> dict[str, Expect]:
    """Links and names that test where reading stops: returns source_path -> expectation."""
    raw.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    secret = outside / "secret.txt"
    secret.write_text("TOP SECRET outside the raw root. " * 20)
    (outside / "page.html").write_text(html_page("<p>OUTSIDE PAGE should never be read.</p>"))
    cases: dict[str, Expect] = {}
    (raw / "fs").mkdir(exist_ok=True)
    (raw / "fs/ok.txt").write_text(ARTICLE)
    cases["fs/ok.txt"] = row(has("harbour committee"))
    (raw / "fs/link-inside.txt").symlink_to("ok.txt")
    cases["fs/link-inside.txt"] = row(has("harbour committee"))
    (raw / "fs/link-outside.txt").symlink_to(secret)
    cases["fs/link-outside.txt"] = reject("outside_root")
    (raw / "fs/link-relative-outside.txt").symlink_to(os.path.relpath(secret, raw / "fs"))
    cases["fs/link-relative-outside.txt"] = reject("outside_root")
    (raw / "fs/folder-outside").symlink_to(outside, target_is_directory=True)
    cases["fs/folder-outside"] = reject("outside_root")
    (raw / "fs/loop-a").symlink_to("loop-b")
    (raw / "fs/loop-b").symlink_to("loop-a")
    cases["fs/loop-a"] = reject("unreadable")
    cases["fs/loop-b"] = reject("unreadable")
    (raw / "fs/up").symlink_to("..", target_is_directory=True)
    cases["fs/up"] = reject("unreadable", "a link to a folder is not followed")
    (raw / "fs/dangling.txt").symlink_to("does-not-exist.txt")
    cases["fs/dangling.txt"] = reject("missing")
    os.mkfifo(raw / "fs/fifo.txt")
    cases["fs/fifo.txt"] = reject("unreadable")
    return cases
