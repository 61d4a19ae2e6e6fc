"""Decoding: markup depth, charsets (BOM, container, declared, UTF-8, detection), HTML or text."""

import gzip

import pytest
from conftest import SHARED

from ingest.decoding import (
    MAX_MARKUP_DEPTH,
    PageFormat,
    decode,
    decode_page,
    markup_depth,
    sniff_format,
)
from ingest.rejection import PageRejected, RejectReason

BENCH = SHARED / "bench"
ARTICLE = (
    "The harbour committee met on Tuesday to discuss the repairs to the old pier.\n\n"
    "Members agreed that the work should start in spring, once the storms have passed.\n\n"
) * 20


def test_markup_depth_counts_nesting_not_siblings() -> None:
    siblings = "<p>x</p>" * 5000 + "<br>" * 5000 + "<li>a" * 5000
    assert markup_depth(siblings) <= 1
    nested = "<div>" * 1500 + "x" + "</div>" * 1500
    assert markup_depth(nested) > MAX_MARKUP_DEPTH
    in_script = "<script>" + "<div>" * 5000 + "</script><div>x</div>"
    assert markup_depth(in_script) <= 1


def test_utf8_page_with_stray_single_byte_characters_keeps_both() -> None:
    page = "<html><body><p>Schöne Grüße aus Köln, łódź</p><p>Küche</p></body></html>"
    data = page.encode("utf-8").replace("Küche".encode(), "Küche".encode("cp1252"))
    text, encoding = decode(data, PageFormat.html)
    assert "Schöne Grüße aus Köln, łódź" in text
    assert "Küche" in text
    assert encoding.startswith("utf-8")


def test_utf8_cut_mid_character_keeps_the_rest() -> None:
    data = ("Zażółć gęślą jaźń " * 20).encode("utf-8") + "ą".encode()[:1] + b" end"
    text, _ = decode(data, PageFormat.text)
    assert text.startswith("Zażółć gęślą jaźń")
    assert text.endswith(" end")


def test_declared_latin1_reads_windows_quotes_as_the_web_does() -> None:
    html = '<meta charset="iso-8859-1"><p>\x93Zitat\x94 \x96 5 \x80, Grüße</p>'
    text, encoding = decode(html.encode("latin-1"), PageFormat.html)
    assert "“Zitat” – 5 €, Grüße" in text
    assert encoding == "cp1252"


def test_single_byte_page_without_utf8_goes_to_detection() -> None:
    data = ("Привет, как дела? Всё хорошо, спасибо. " * 30).encode("cp1251")
    text, encoding = decode(data, PageFormat.text)
    assert "Всё хорошо" in text
    assert not encoding.startswith("utf-8")


def test_container_charset_beats_the_pages_meta_charset() -> None:
    html = '<html><head><meta charset="windows-1252"></head><body><p>Привет, мир</p></body></html>'
    data = html.encode("koi8-r")
    text, encoding = decode(data, PageFormat.html, container_charset="KOI8-R")
    assert "Привет, мир" in text
    assert encoding == "koi8-r"
    _, meta_only = decode(data, PageFormat.html)
    assert meta_only == "cp1252"
    page = decode_page(data, 1 << 20, container_charset='"koi8-r"')
    assert "Привет, мир" in page.text


def test_unknown_container_charset_falls_back_to_the_page() -> None:
    html = '<meta charset="iso-8859-1"><p>Grüße</p>'.encode("latin-1")
    text, encoding = decode(html, PageFormat.html, container_charset="x-no-such-charset")
    assert "Grüße" in text and encoding == "cp1252"


def test_bom_beats_the_container_charset() -> None:
    data = "\ufeffZażółć gęślą jaźń".encode("utf-8")
    text, encoding = decode(data, PageFormat.text, container_charset="iso-8859-2")
    assert text == "Zażółć gęślą jaźń" and encoding == "utf-8 (BOM)"


STRAY_FRAGMENTS = {
    "script": '<script type="text/javascript">var slot = googletag.defineSlot("/1/top", [728, 90]);'
    " googletag.enableServices();</script>\n",
    "link": '<a href="https://ads.example.net/click?id=12345">Sponsored offer</a>\n',
    "div": "<div>\n",
    "ad block": '<div class="ad"><a href="https://ads.example.net/c?x=1"><img src="https://ads.'
    'example.net/i.png" width="300" height="250"></a></div>\n',
    "iframe": '<iframe src="https://ads.example.net/f?slot=top" width="728"></iframe>\n',
}


@pytest.mark.parametrize("fragment", STRAY_FRAGMENTS.values(), ids=STRAY_FRAGMENTS.keys())
def test_text_dump_opening_with_stray_markup_is_text(fragment: str) -> None:
    assert sniff_format((fragment + ARTICLE).encode()) is PageFormat.text


@pytest.mark.parametrize(
    "page",
    [
        "<!DOCTYPE html><html><head><title>T</title></head><body><p>x</p></body></html>",
        "\ufeff<!doctypehtml><html lang=en><body><p>x</p></body></html>",
        "<!-- saved --><html><body><p>x</p></body></html>",
        '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>',
        "<script>var a = 1;</script>\n<style>p {}</style>\n<html><body><p>x</p></body></html>",
        "".join(
            f"<p>Paragraph {i} of a fragment without a document around it.</p>" for i in range(60)
        ),
        "\n".join(f"<li><a href='/p{i}'>Item {i}</a></li>" for i in range(8)),
    ],
    ids=["doctype", "bom-compact-doctype", "comment", "xml", "script-first", "blocks", "tag-lines"],
)
def test_html_documents_and_fragments_are_html(page: str) -> None:
    assert sniff_format(page.encode("utf-8")) is PageFormat.html


def test_text_quoting_a_whole_html_document_is_text() -> None:
    quoted = "Save this as index.html:\n\n<!DOCTYPE html><html><head></head><body></body></html>\n"
    assert sniff_format((ARTICLE + quoted + ARTICLE).encode()) is PageFormat.text


def test_format_hint_replaces_sniffing() -> None:
    page = decode_page(b"<p>a</p>" + ARTICLE.encode(), 1 << 20, format_hint="html")
    assert page.format is PageFormat.html
    page = decode_page(b"<html><body><p>a</p></body></html>", 1 << 20, format_hint="text")
    assert page.format is PageFormat.text


@pytest.mark.skipif(not BENCH.is_dir(), reason="needs ../shared/bench")
@pytest.mark.parametrize(
    ("form", "expected"), [("html", PageFormat.html), ("text", PageFormat.text)]
)
def test_bench_pages_sniff_as_what_they_are(form: str, expected: PageFormat) -> None:
    wrong = []
    for path in sorted(BENCH.glob(f"*/{form}/*.gz")):
        data = gzip.decompress(path.read_bytes())
        if data.strip() and sniff_format(data) is not expected:
            wrong.append(path.name)
    assert wrong == []


def test_decode_page_rejects_empty_and_binary() -> None:
    with pytest.raises(PageRejected) as caught:
        decode_page(b"  \n", 100)
    assert caught.value.reason is RejectReason.empty
    with pytest.raises(PageRejected) as caught:
        decode_page(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, 1 << 20)
    assert caught.value.reason is RejectReason.binary
