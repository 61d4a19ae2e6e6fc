"""Property-based: arbitrary text and bytes through the reader, the normaliser and the cleaner."""

import re
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pages import run_page

from ingest.cleaning import clean
from ingest.decoding import decode_page
from ingest.normalising import normalise, normalise_whitespace
from ingest.rejection import PageRejected, RejectReason
from ingest.settings import Settings
from ingest.sidecars import load_sidecar

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")  # C0 and DEL; C1 below
C1 = re.compile("[\x80-\x9f]")
SETTINGS = Settings(max_file_bytes=1 << 20, max_inflated_bytes=1 << 20)
PROPS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Text with the characters that break things: controls, surrogate-free astral, BOMs, markup.
nasty_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400) | st.lists(
    st.sampled_from(
        [
            "<p>",
            "</p>",
            "<div>",
            "<script>",
            "&amp;",
            "&#0;",
            "\x00",
            "\r\n",
            "\u2028",
            "\ufeff",
            "Ã©",
            "â€”",
            "Read more",
            "Share",
            "The committee met on Tuesday.",
            "\n\n",
            "\x85",
            "\x1b[31m",
            "ﬁ",
            "\u00ad",
            "<!DOCTYPE html>",
            "<?xml version='1.0'?>",
        ]
    ),
    max_size=40,
).map("".join)


def assert_clean_output(text: str) -> None:
    text.encode("utf-8")  # valid UTF-8: no lone surrogates
    assert not CONTROL.search(text), repr(CONTROL.search(text).group())


@PROPS
@given(data=st.binary(max_size=2000))
@example(data=b"\x1f\x8b\x08\x00\x00\x00\x00\x00")
@example(data=b"\xff\xfe" + "x".encode("utf-16-le") + b"\x00")
@example(data=b"<html>\x00\x00\x00\x00<p>a</p>")
def test_reader_never_raises_anything_but_a_reject(data: bytes) -> None:
    try:
        page = decode_page(data, 1 << 20)
    except PageRejected as exc:
        assert exc.reason in RejectReason and exc.detail
        return
    page.text.encode("utf-8")
    assert "\x00" not in page.text and "\r" not in page.text


def test_normaliser_removes_c1_controls() -> None:
    assert not C1.search(normalise("Gr\x8dn \x81 text \x9d end"))


@PROPS
@given(text=nasty_text)
def test_normaliser_output_is_clean(text: str) -> None:
    assert_clean_output(normalise(text))
    assert_clean_output(normalise_whitespace(normalise(text)))


@PROPS
@given(text=nasty_text, title=st.none() | st.text(max_size=40))
def test_cleaner_never_adds_text(text: str, title: str | None) -> None:
    source = normalise(text)
    result = clean(source, title=title)
    for line in result.text.split("\n"):
        assert line.strip() in source, f"added: {line!r}"
    for removal in result.removed:
        for line in removal.text.split("\n"):
            assert line.strip() in source, f"removed text not in the input: {line!r}"


@PROPS
@given(
    data=st.binary(max_size=1500) | nasty_text.map(lambda t: t.encode("utf-8")),
    name=st.sampled_from(["p.html", "p.txt", "p.html.gz"]),
)
def test_whole_page_becomes_clean_row_or_reject(tmp_path: Path, data: bytes, name: str) -> None:
    page = tmp_path / name
    page.write_bytes(data)
    kind, value = run_page(str(page), SETTINGS)
    if kind == "reject":
        reason, detail, _ = value
        assert reason in RejectReason.__members__ and detail
        assert reason != "extraction_failed", detail  # a crash, not a verdict on the page
        return
    assert kind == "row" and value["text"]
    for key in ("text", "title", "author", "description", "site"):
        assert_clean_output(value[key] or "")


@PROPS
@given(
    raw=st.binary(max_size=500)
    | st.recursive(
        st.none() | st.booleans() | st.floats() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=20,
    ).map(lambda v: __import__("json").dumps({"v": v}).encode())
)
def test_sidecar_never_raises(tmp_path: Path, raw: bytes) -> None:
    (tmp_path / "p.txt.json").write_bytes(raw)
    value, warnings = load_sidecar(tmp_path / "p.txt", 1 << 20)
    assert isinstance(value, dict) and isinstance(warnings, list)
    __import__("json").dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")
