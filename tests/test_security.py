"""No network, no escaping the root, no entity expansion, output paths from fixed templates."""

import socket
from pathlib import Path

import pytest
from hostile import ARTICLE, PARA, html_page
from pages import run_page

from ingest.dataset import final_file, staged_file
from ingest.settings import Settings

REMOTE_PAGE = f"""<?xml version="1.0" encoding="utf-8"?>
<?xml-stylesheet type="text/xsl" href="http://evil.example/style.xsl"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"
  "http://evil.example/dtd/xhtml1-strict.dtd" [
  <!ENTITY remote SYSTEM "http://evil.example/entity.txt">
  <!ENTITY % param SYSTEM "http://evil.example/param.dtd"> %param;
]>
<html xmlns="http://www.w3.org/1999/xhtml"><head>
<base href="http://evil.example/base/">
<title>Remote references everywhere</title>
<link rel="stylesheet" href="http://evil.example/a.css">
<link rel="canonical" href="https://evil.example/canonical">
<link rel="import" href="http://evil.example/import.html">
<script src="https://evil.example/tracker.js"></script>
<meta http-equiv="refresh" content="0; url=http://evil.example/redirect">
<style>@import url("http://evil.example/b.css");
body {{ background: url(http://evil.example/bg.png) }}</style>
</head><body><article>
<h1>Remote references everywhere</h1>
<p>{PARA} Remote reference paragraph one.</p>
<img src="http://evil.example/pixel.gif" srcset="http://evil.example/2x.gif 2x">
<iframe src="http://evil.example/frame.html"></iframe>
<object data="http://evil.example/flash.swf"></object>
<video src="http://evil.example/v.mp4" poster="http://evil.example/p.jpg"></video>
<svg><image href="http://evil.example/svg.png"/><use href="http://evil.example/s.svg#a"/></svg>
<p>{PARA} Remote reference paragraph two, with &remote; inside.</p>
<a href="http://evil.example/more">Read more</a>
</article></body></html>
"""


class NetworkBlocked(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every way out of this process raises and is recorded (loopback too: processing needs
    nothing at all)."""
    attempts: list[str] = []

    def refuse(what: str):
        def blocked(*args, **kwargs):
            attempts.append(f"{what}{args[1:2] or args[:1]}")
            raise NetworkBlocked(f"network access attempted: {what} {args!r:.200}")

        return blocked

    monkeypatch.setattr(socket.socket, "connect", refuse("connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("connect_ex"))
    monkeypatch.setattr(socket.socket, "sendto", refuse("sendto"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "gethostbyname", refuse("gethostbyname"))
    return attempts


def test_blocking_works(no_network: list[str]) -> None:
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("example.com", 80))
    assert no_network


def test_page_full_of_remote_references_fetches_nothing(
    tmp_path: Path, no_network: list[str]
) -> None:
    page = tmp_path / "remote.html"
    page.write_text(REMOTE_PAGE)
    (tmp_path / "remote.html.json").write_text('{"url": "http://evil.example/article"}')
    row = run_page(str(page), Settings(), isolate=False)[1]
    assert no_network == []
    assert "Remote reference paragraph one" in row["text"]
    assert "Remote reference paragraph two" in row["text"]
    assert row["url"] == "http://evil.example/article"


def test_no_entity_expansion_and_no_external_entities(tmp_path: Path) -> None:
    """Billion laughs and an external SYSTEM entity naming a local file: neither expands."""
    secret = tmp_path / "secret.txt"
    secret.write_text("LOCAL-SECRET-CONTENT")
    laughs = '<!ENTITY lol0 "LOLOLOLOLOLOLOLOLOLO">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    body = (
        f"<p>{PARA} Entity paragraph.</p><p>Laugh: &lol9; and secret: &xxe; and param.</p>"
        f"<p>{PARA} Closing paragraph.</p>"
    )
    html = (
        f'<?xml version="1.0"?>\n<!DOCTYPE html [{laughs}'
        f'<!ENTITY xxe SYSTEM "file://{secret}">]>\n' + html_page(body, title="Entities")
    )
    page = tmp_path / "entities.html"
    page.write_text(html)
    row = run_page(str(page), Settings())[1]
    assert "Entity paragraph" in row["text"]
    assert "LOCAL-SECRET-CONTENT" not in row["text"]
    assert "LOLOLOLOLO" * 3 not in row["text"]
    assert len(row["text"]) < 5000
    for field in ("title", "description", "author", "site"):
        assert "LOCAL-SECRET" not in (row[field] or "")


def test_entity_declarations_without_markup_expand_nothing(tmp_path: Path) -> None:
    """A DOCTYPE with entities but no elements: never the secret, a row or a clear reject."""
    secret = tmp_path / "secret.txt"
    secret.write_text("LOCAL-SECRET-CONTENT")
    text = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>\n{ARTICLE}\nSecret: &xxe; here.'
    page = tmp_path / "plain.txt"
    page.write_text(text)
    kind, value = run_page(str(page), Settings())
    assert "LOCAL-SECRET-CONTENT" not in repr(value)
    assert kind == "row" or value[0] == "no_text"


@pytest.mark.parametrize(
    "hostile_name",
    ["../../etc/passwd", "/absolute/path", "a/../../b", "x\ny", "part-; rm -rf ~"],
)
def test_output_paths_come_from_fixed_templates(tmp_path: Path, hostile_name: str) -> None:
    """Output files are named from the table, run id, batch number and date only: nothing a page
    or its metadata says can reach them (the row's source_path is data, never a path)."""
    out = tmp_path / "out"
    staged = staged_file(out, "20250101T000000Z-abcdef", "documents", 3)
    final = final_file("documents", "20250101T000000Z-abcdef", 3, "2025-01-01")
    assert staged.resolve().is_relative_to(out.resolve())
    assert final == "documents/ingest_date=2025-01-01/part-20250101T000000Z-abcdef-00003.parquet"
    assert hostile_name not in str(staged) and hostile_name not in final
