"""Reading: sidecar hardening, markup depth, size caps on the opened file, decoding."""

import json
from pathlib import Path

import pytest

from ingest.reading import (
    MAX_MARKUP_DEPTH,
    PageFormat,
    decode,
    load_sidecar,
    markup_depth,
    read_bytes,
    safe_string,
)
from ingest.rejection import PageRejected, RejectReason


def test_markup_depth_counts_nesting_not_siblings() -> None:
    siblings = "<p>x</p>" * 5000 + "<br>" * 5000 + "<li>a" * 5000
    assert markup_depth(siblings) <= 1
    nested = "<div>" * 1500 + "x" + "</div>" * 1500
    assert markup_depth(nested) > MAX_MARKUP_DEPTH
    in_script = "<script>" + "<div>" * 5000 + "</script><div>x</div>"
    assert markup_depth(in_script) <= 1


def test_sidecar_lone_surrogates_and_controls_become_safe_strings(tmp_path: Path) -> None:
    page = tmp_path / "p.txt"
    (tmp_path / "p.txt.json").write_text(
        '{"title": "A\\ud800B\\u0000C\\u001bD\\tE", "n": Infinity, "k\\u0007": ["x\\r\\ny"]}'
    )
    value, warnings = load_sidecar(page, 1 << 20)
    assert warnings == []
    assert value == {"title": "ABCD\tE", "n": None, "k": ["x\ny"]}
    json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")


def test_sidecar_link_and_deep_nesting_are_ignored_with_a_warning(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.json"
    target.write_text('{"title": "from a link"}')
    (tmp_path / "a.txt.json").symlink_to(target)
    assert load_sidecar(tmp_path / "a.txt", 1 << 20) == (
        {},
        ["sidecar is a symbolic link, ignored"],
    )
    (tmp_path / "b.txt.json").write_text('{"x": ' + "[" * 50 + "]" * 50 + "}")
    value, warnings = load_sidecar(tmp_path / "b.txt", 1 << 20)
    assert value == {} and "nested deeper" in warnings[0]


def test_safe_string_keeps_newline_and_tab_only() -> None:
    assert safe_string("a\x00b\x7fc\x85d\ne\tf\ud800") == "abcd\ne\tf"


def test_read_bytes_refuses_a_directory_and_oversize(tmp_path: Path) -> None:
    with pytest.raises(PageRejected) as caught:
        read_bytes(tmp_path, 100)
    assert caught.value.reason is RejectReason.unreadable
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 101)
    with pytest.raises(PageRejected) as caught:
        read_bytes(big, 100)
    assert caught.value.reason is RejectReason.too_large


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
