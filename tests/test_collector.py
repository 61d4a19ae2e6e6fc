"""The cycle collector runs less often during a batch, and its thresholds come back after."""

import gc
import threading
from pathlib import Path

import pytest

from ingest.batch import process_items
from ingest.collector import BATCH_THRESHOLD, rare_collections
from ingest.selection import work_for_file
from ingest.settings import Settings


@pytest.fixture(autouse=True)
def default_thresholds():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def test_raised_inside_and_restored_after():
    with rare_collections():
        assert gc.get_threshold() == (BATCH_THRESHOLD, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


def test_a_higher_or_disabled_threshold_is_left_alone():
    for threshold in (0, 2 * BATCH_THRESHOLD):
        gc.set_threshold(threshold, 10, 10)
        with rare_collections():
            assert gc.get_threshold() == (threshold, 10, 10)
        assert gc.get_threshold() == (threshold, 10, 10)


def test_restored_after_an_error():
    with pytest.raises(ValueError), rare_collections():
        raise ValueError("a batch failed")
    assert gc.get_threshold() == (700, 10, 10)


def test_overlapping_batches_restore_when_the_last_ends():
    second_inside, second_may_end = threading.Event(), threading.Event()

    def second() -> None:
        with rare_collections():
            second_inside.set()
            second_may_end.wait()

    with rare_collections():
        thread = threading.Thread(target=second)
        thread.start()
        second_inside.wait()
    assert gc.get_threshold()[0] == BATCH_THRESHOLD  # the first ended, the second runs on
    second_may_end.set()
    thread.join()
    assert gc.get_threshold() == (700, 10, 10)


def test_a_batch_runs_with_rare_collections(tmp_path: Path):
    page = tmp_path / "page.txt"
    page.write_text("A sentence of the article, long enough to be kept by the cleaner.\n")
    item = work_for_file(str(page), Settings(), str(tmp_path))
    during = []
    out = process_items(
        [item], Settings(), "run", "test", on_progress=lambda _n: during.append(gc.get_threshold())
    )
    assert len(out.documents) == 1
    assert during and all(t[0] == BATCH_THRESHOLD for t in during)
    assert gc.get_threshold() == (700, 10, 10)
