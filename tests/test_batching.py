"""How the flow cuts its input into batches: full batches, then a shrinking tail."""

import pytest

from flows.ingest_flow import MIN_TAIL_BATCH, batches


@pytest.mark.parametrize("count", [0, 1, 49, 199, 200, 1000, 2345])
def test_every_item_once_in_order(count: int) -> None:
    out = [item for batch in batches(iter(range(count)), 200, 4) for item in batch]
    assert out == list(range(count))


def test_full_batches_until_the_end_is_in_sight() -> None:
    sizes = [len(b) for b in batches(range(2000), 200, 4)]
    assert sizes[:7] == [200] * 7
    assert sizes[7:] == sorted(sizes[7:], reverse=True)
    assert sizes[-2] == MIN_TAIL_BATCH


def test_a_small_input_is_shared_between_workers() -> None:
    assert [len(b) for b in batches(range(199), 200, 4)] == [50, 50, 50, 49]


def test_batches_never_exceed_their_size_nor_shrink_below_it_when_small() -> None:
    assert [len(b) for b in batches(range(7), 2, 4)] == [2, 2, 2, 1]
    assert max(len(b) for b in batches(range(5000), 300, 8)) == 300


def test_reads_the_input_lazily() -> None:
    consumed = []

    def source():
        for i in range(10_000):
            consumed.append(i)
            yield i

    first = next(batches(source(), 100, 2))
    assert first == list(range(100))
    assert len(consumed) <= 100 * 3 + 1
