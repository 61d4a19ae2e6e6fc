"""Cutting a stream of work into batches: capped by count and bytes, shrinking at the end."""

import math
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

#: the smallest batch the end of a run is split into (each batch is a task and a Parquet file)
MIN_TAIL_BATCH = 50

_END = object()  # what ``next`` returns at the end of the input


def _no_size(_item: object) -> int:
    return 0


def batches(
    items: Iterable[T],
    size: int,
    in_flight: int = 1,
    *,
    max_bytes: int | None = None,
    size_of: Callable[[T], int] = _no_size,
    count_of: Callable[[T], int] | None = None,
) -> Iterator[list[T]]:
    """Batches of at most ``size`` records and ``max_bytes`` bytes (``size_of`` each; a batch
    holds at least one item) that shrink at the end of the input. ``count_of`` says how many
    records an item stands for (default one).

    A byte cap keeps a batch of large pages within memory and lets a batch of small ones hold
    more of them, so that each task's fixed cost is shared by a similar amount of work.
    With full batches to the end, one worker idles while another finishes the last one: about
    half a batch of time per worker. The end is seen ``in_flight`` batches ahead (the flow keeps
    that many submitted); from there each batch takes an ``in_flight``-th of the records left,
    at least ``MIN_TAIL_BATCH`` of them.
    """
    cap = max_bytes if max_bytes is not None else math.inf
    count = count_of or (lambda _item: 1)
    source = iter(items)
    buffer: deque[tuple[T, int, int]] = deque()
    held = held_count = 0  # bytes and records in the buffer
    exhausted = False
    while True:
        # look ahead in_flight + 1 batches' worth, by count and by bytes
        while (
            not exhausted and held_count < size * (in_flight + 1) and held < cap * (in_flight + 1)
        ):
            item = next(source, _END)
            if item is _END:
                exhausted = True
            else:
                weight, n = size_of(item), count(item)
                buffer.append((item, weight, n))
                held += weight
                held_count += n
        if not buffer:
            return
        take = size
        if exhausted:
            take = min(size, max(-(-held_count // in_flight), MIN_TAIL_BATCH))
        batch: list[T] = []
        total = taken = 0
        while buffer and (
            not batch or (taken + buffer[0][2] <= take and total + buffer[0][1] <= cap)
        ):
            item, weight, n = buffer.popleft()
            batch.append(item)
            total += weight
            taken += n
        held -= total
        held_count -= taken
        yield batch
