"""Discovery never leaves its root: links, loops and globs on a real file system."""

import os
import time
from pathlib import Path

import pytest
from hostile import build_filesystem

from ingest.discovery import Root, discover


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path, dict]:
    raw, outside = tmp_path / "raw", tmp_path / "outside"
    cases = build_filesystem(raw, outside)
    (raw / "sub").mkdir()
    (raw / "sub/page.html").write_text("<p>inside</p>")
    (raw / "sub/page.html.json").write_text("{}")
    (raw / "sub/.hidden.html").write_text("<p>hidden</p>")
    (raw / "sub/loop").symlink_to("..", target_is_directory=True)
    (raw / "sub/loop2").symlink_to("../sub", target_is_directory=True)
    return raw, outside, cases


def found(root: Root) -> dict[str, tuple[str | None, str]]:
    return {c.source_path: (c.problem, c.problem_detail) for c in discover([root])}


def test_walk_reports_links_it_does_not_follow(tree) -> None:
    raw, _, cases = tree
    result = found(Root(raw))
    for name, expect in cases.items():
        problem = result[name][0]
        assert (problem or "row") == (expect.reason or "row"), (name, result[name])
    assert result["sub/loop"] == ("unreadable", "a link to a folder, not followed")
    assert "sub/page.html.json" not in result and "sub/.hidden.html" not in result
    assert not any(name.startswith(("fs/folder-outside/", "sub/loop/")) for name in result)


def test_glob_never_enters_linked_folders_or_loops(tree) -> None:
    raw, _, _ = tree
    started = time.perf_counter()
    result = found(Root(raw, (str(raw / "**" / "*.html"),)))
    assert time.perf_counter() - started < 5
    assert set(result) == {"sub/page.html"}  # not fs/folder-outside/page.html, no loop paths
    everything = found(Root(raw, (str(raw / "**" / "*"),)))
    assert "sub/page.html.json" not in everything  # sidecars are not pages, even by glob
    assert not any("/loop/" in name or "folder-outside/" in name for name in everything)


def test_explicit_paths_out_of_the_root_are_refused(tree) -> None:
    raw, outside, _ = tree
    through_link = str(raw / "fs/folder-outside/secret.txt")
    dotdot = os.path.join(str(raw), "..", "outside", "secret.txt")
    result = found(Root(raw, (through_link, dotdot, str(outside))))
    assert len(result) == 3
    assert all(problem == "outside_root" for problem, _ in result.values()), result
    assert not any(name.startswith("..") for name in result)  # never named as if inside


def test_glob_character_classes_and_single_star(tree) -> None:
    raw, _, _ = tree
    assert set(found(Root(raw, (str(raw / "s[u]b" / "*.html"),)))) == {"sub/page.html"}
    assert set(found(Root(raw, (str(raw / "*" / "ok.tx?"),)))) == {"fs/ok.txt"}
    assert found(Root(raw, (str(raw / "*.html"),))) == {}  # '*' does not cross folders
