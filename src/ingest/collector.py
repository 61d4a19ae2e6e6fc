"""Python's cycle collector run less often while a batch is processed.

A batch allocates millions of short-lived container objects (a page's lines, tokens, feature
rows). At Python's default threshold the youngest generation is collected every 700 net
allocations, thousands of times a batch, and every tenth collection takes the next generation
along, up to the oldest, which walks every object alive. Collected every ``BATCH_THRESHOLD``
allocations instead, a batch of 1,000 text pages takes about 7% less CPU (paired runs of
``process_items`` over bench pages); memory holds at most that many more objects between
collections, a few MB.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: net allocations of container objects between two collections of the youngest generation
BATCH_THRESHOLD = 50_000

_lock = threading.Lock()
_active = 0
_saved: tuple[int, int, int] | None = None


@contextmanager
def rare_collections() -> Iterator[None]:
    """The youngest generation collected every ``BATCH_THRESHOLD`` allocations while inside;
    the thresholds before the first of overlapping uses (batches in threads) come back when
    the last one ends."""
    global _active, _saved
    with _lock:
        if _active == 0:
            _saved = gc.get_threshold()
            if _saved[0]:  # 0: automatic collection is off, and stays off
                gc.set_threshold(max(BATCH_THRESHOLD, _saved[0]), *_saved[1:])
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
