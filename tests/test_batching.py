"""How the flow cuts its input into batches: full batches, then a shrinking tail."""

import pytest

from ingest.batching import MIN_TAIL_BATCH, batches


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


def test_a_batch_holds_at_most_its_bytes_and_at_least_one_item() -> None:
    sizes = [10] * 30 + [500] + [10] * 30
    out = list(batches(range(len(sizes)), 100, 1, max_bytes=100, size_of=sizes.__getitem__))
    assert [i for batch in out for i in batch] == list(range(len(sizes)))
    assert [30] in out  # the one page larger than the cap, alone
    for batch in out:
        assert len(batch) == 1 or sum(sizes[i] for i in batch) <= 100


def test_small_items_fill_batches_by_count_large_ones_by_bytes() -> None:
    small = [len(b) for b in batches(range(5000), 1000, 2, max_bytes=10_000, size_of=lambda _: 1)]
    assert small[0] == 1000
    large = [len(b) for b in batches(range(5000), 1000, 2, max_bytes=10_000, size_of=lambda _: 100)]
    assert large[0] == 100
    assert large[-2:] == sorted(large[-2:], reverse=True)
    assert sum(large) == sum(small) == 5000


def test_items_standing_for_several_records_fill_batches_by_their_records() -> None:
    counts = [300, 300, 300, 50, 50]
    out = list(batches(range(5), 600, 1, count_of=counts.__getitem__))
    assert [i for batch in out for i in batch] == list(range(5))
    for batch in out:
        assert len(batch) == 1 or sum(counts[i] for i in batch) <= 600
