"""Exact and near duplicates on real pages: near copies of development articles cluster, different
outlets' articles on one event (the seeds) do not; the store persists, removes and re-processes."""

import json
import os
from pathlib import Path

import numpy as np
import pytest

from ingest.analysis.duplicates import (
    NUM_PERM,
    DuplicateStore,
    signatures,
    text_sha256,
)

REPO = Path(__file__).resolve().parent.parent
#: ../shared beside the repository; $INGEST_BENCH_DIR (its bench/ folder) where it is elsewhere
SHARED = (
    Path(os.environ["INGEST_BENCH_DIR"]).parent
    if os.environ.get("INGEST_BENCH_DIR")
    else REPO.parent / "shared"
)
MODERN = SHARED / "bench" / "modern" / "gold.json"
SEEDS = SHARED / "seeds"


def articles(n: int) -> list[str]:
    """The first ``n`` main texts of the modern set with 400 to 1500 words."""
    gold = json.loads(MODERN.read_text(encoding="utf-8"))
    texts = [v["text"] for _, v in sorted(gold.items()) if v.get("text")]
    return [t for t in texts if 400 <= len(t.split()) <= 1500][:n]


def dressed(article: str, variant: int) -> str:
    """The article as another page of a site would show it: its own header, footer, related list."""
    header = f"Home | News | Sport | Edition {variant}\nSubscribe for {variant} dollars a month"
    related = "\n".join(
        f"Related: story number {variant * 10 + k} about something else entirely" for k in range(3)
    )
    footer = f"Copyright {2000 + variant} Publisher {variant}. All rights reserved."
    return f"{header}\n\n{article}\n\n{related}\n{footer}"


@pytest.fixture
def store(tmp_path: Path):
    with DuplicateStore(tmp_path / "duplicates.sqlite") as s:
        yield s


def test_sha256_ignores_whitespace_and_unicode_form_but_not_case() -> None:
    assert text_sha256("Caf\u00e9  au\n lait ") == text_sha256("Cafe\u0301 au lait")
    assert text_sha256("Cafe au lait") != text_sha256("cafe au lait")


def test_exact_copies_point_at_the_first_page(store: DuplicateStore) -> None:
    infos = store.assign(
        [("a", "One text here."), ("b", "Another text."), ("c", "One  text here.")]
    )
    assert [i.duplicate_of for i in infos] == [None, None, "a"]
    assert infos[0].text_sha256 == infos[2].text_sha256


def test_near_copies_of_real_articles_cluster(store: DuplicateStore) -> None:
    texts = articles(6)
    assert len(texts) == 6
    docs = [(f"orig{i}", t) for i, t in enumerate(texts)]
    docs += [(f"copy{i}-{v}", dressed(t, v)) for i, t in enumerate(texts) for v in (1, 2)]
    infos = dict(zip([d for d, _ in docs], store.assign(docs), strict=True))
    for i in range(6):
        assert infos[f"orig{i}"].near_duplicate_cluster == f"orig{i}"
        assert infos[f"copy{i}-1"].near_duplicate_cluster == f"orig{i}"
        assert infos[f"copy{i}-2"].near_duplicate_cluster == f"orig{i}"
        assert infos[f"copy{i}-1"].duplicate_of is None


def test_outlets_on_one_event_do_not_cluster(store: DuplicateStore) -> None:
    seeds = sorted(SEEDS.glob("*.txt"))
    assert len(seeds) == 5
    infos = store.assign([(p.stem, p.read_text(encoding="utf-8")) for p in seeds])
    assert [i.near_duplicate_cluster for i in infos] == [p.stem for p in seeds]


def test_clusters_survive_reopening(tmp_path: Path) -> None:
    text = articles(1)[0]
    with DuplicateStore(tmp_path / "d.sqlite") as first:
        first.assign([("a", text)])
    with DuplicateStore(tmp_path / "d.sqlite") as again:
        (info,) = again.assign([("b", dressed(text, 3))])
        (exact,) = again.assign([("c", text)])
        assert len(again) == 3
    assert info.near_duplicate_cluster == "a"
    assert exact.duplicate_of == "a" and exact.near_duplicate_cluster == "a"


def test_removed_pages_leave_their_clusters(store: DuplicateStore) -> None:
    text = articles(1)[0]
    store.assign([("a", text), ("b", dressed(text, 1))])
    store.remove(["a"])
    (later,) = store.assign([("c", dressed(text, 2))])
    (exact,) = store.assign([("d", text)])
    assert later.near_duplicate_cluster == "a"  # b keeps the cluster it was given
    assert exact.duplicate_of is None  # the first page with this text is gone
    assert len(store) == 3


def test_reprocessed_page_keeps_its_cluster(store: DuplicateStore) -> None:
    one, other = articles(2)
    store.assign([("a", one), ("b", dressed(one, 1))])
    (same,) = store.assign([("b", dressed(one, 1))])
    (edited,) = store.assign([("a", dressed(one, 4))])
    (moved,) = store.assign([("b", other)])
    assert same.near_duplicate_cluster == "a" and same.duplicate_of is None
    assert edited.near_duplicate_cluster == "a"
    assert moved.near_duplicate_cluster == "b"
    assert len(store) == 2


def test_signatures_split_from_assignment(store: DuplicateStore) -> None:
    texts = [*articles(2), ""]
    sigs = signatures(texts)
    assert sigs.shape == (3, NUM_PERM) and sigs.dtype == np.uint32
    assert not sigs[2].any()
    infos = store.assign_signed(["a", "b", "e"], [text_sha256(t) for t in texts], sigs)
    assert [i.near_duplicate_cluster for i in infos] == ["a", "b", None]


def test_many_near_copies_all_join_the_first_cluster(store: DuplicateStore) -> None:
    """More near copies than a band offers for comparison: every one still finds the cluster,
    whose founder is among each band's oldest pages."""
    article = articles(1)[0]
    copies = [(f"p{i}", dressed(article, i)) for i in range(3 * 16)]
    infos = store.assign(copies)
    assert {info.near_duplicate_cluster for info in infos} == {"p0"}
    other = store.assign([("q", articles(2)[1])])
    assert other[0].near_duplicate_cluster == "q"
