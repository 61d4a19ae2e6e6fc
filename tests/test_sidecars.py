"""Sidecars: hardened loading, typed fields, ISO 8601 and epoch times, one parser for all."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ingest.sidecars import (
    SidecarFields,
    load_sidecar,
    parse_timestamp,
    read_sidecar,
    safe_string,
    sidecar_path,
    sidecar_time,
)


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


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05T10:00:00Z", datetime(2024, 3, 5, 10, tzinfo=UTC)),
        ("2024-03-05", datetime(2024, 3, 5, tzinfo=UTC)),
        (1709632800, datetime(2024, 3, 5, 10, tzinfo=UTC)),
        (1709632800.5, datetime(2024, 3, 5, 10, 0, 0, 500000, tzinfo=UTC)),
        ("1709632800", datetime(2024, 3, 5, 10, tzinfo=UTC)),
        (1709632800000, datetime(2024, 3, 5, 10, tzinfo=UTC)),
        ("yesterday", None),
        (True, None),
        ([2024], None),
        (1e300, None),
    ],
)
def test_parse_timestamp_reads_iso_and_epoch(value: object, expected: datetime | None) -> None:
    assert parse_timestamp(value) == expected


def test_fields_are_typed_and_wrong_types_warn() -> None:
    side = SidecarFields.parse(
        {
            "url": "https://example.org/a",
            "fetched_at": 1709632800,
            "published": "2024-03-01",
            "language": 5,
            "title": "  Title  ",
        }
    )
    assert side.url == "https://example.org/a"
    assert side.fetched_at == datetime(2024, 3, 5, 10, tzinfo=UTC)
    assert side.published == date(2024, 3, 1)
    assert side.language is None
    assert side.get_str("title") == "Title"
    assert side.warnings == ["sidecar field 'language' is not a string, ignored"]


def test_read_sidecar_and_sidecar_time(tmp_path: Path) -> None:
    page = tmp_path / "a.html"
    assert sidecar_path(page) == tmp_path / "a.html.json"
    assert sidecar_time(page, 1 << 20) is None
    sidecar_path(page).write_text(json.dumps({"fetched_at": 1709632800}))
    assert sidecar_time(page, 1 << 20) == datetime(2024, 3, 5, 10, tzinfo=UTC)
    sidecar_path(page).write_text(json.dumps({"fetched_at": "soon", "published": "2023-01-02"}))
    assert sidecar_time(page, 1 << 20) == datetime(2023, 1, 2, tzinfo=UTC)
    assert "'fetched_at' is not a date" in read_sidecar(page, 1 << 20).warnings[0]
    sidecar_path(page).write_text("[1, 2]")
    side = read_sidecar(page, 1 << 20)
    assert side.raw == {} and "not an object" in side.warnings[0]
