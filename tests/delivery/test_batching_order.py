"""Ordering in the two halves of the builder: ``normalise_events`` sorts what it returns, and
``pack_batches`` cuts unsorted input exactly as it cuts the same events sorted, sizes included."""

from __future__ import annotations

from cw_logging._limits import InputLogEvent
from cw_logging._options import Oversize
from cw_logging.delivery._batching import BatchPlan, normalise_events, pack_batches

HOUR = 3_600_000


def ev(timestamp: int, message: str) -> InputLogEvent:
    return {"timestamp": timestamp, "message": message}


def test_normalise_events_returns_the_events_in_timestamp_order_with_their_sizes() -> None:
    events = [ev(3, "ccc"), ev(1, "a"), ev(2, "bb"), ev(1, "a2")]
    ordered, sizes = normalise_events(events, 100, Oversize.TRUNCATE, BatchPlan())
    assert [e["message"] for e in ordered] == ["a", "a2", "bb", "ccc"]  # stable for equal stamps
    assert sizes == [1, 2, 2, 3]


def test_pack_batches_moves_sizes_with_their_events() -> None:
    # sorted a, b, c, d of 74, 10, 64, 10 bytes: a + b and c + d each fill 136 bytes or less
    ordered = [ev(0, "a" * 74), ev(1, "b" * 10), ev(2, "c" * 64), ev(3, "d" * 10)]
    shuffled = [ordered[i] for i in (3, 1, 2, 0)]
    sizes = [len(e["message"]) for e in shuffled]
    batches = pack_batches(shuffled, sizes, max_events=10, max_bytes=136)
    assert [[e["message"][0] for e in batch] for batch in batches] == [["a", "b"], ["c", "d"]]


def test_pack_batches_moves_timestamps_with_their_events() -> None:
    ordered = [ev(0, "a"), ev(HOUR, "b"), ev(30 * HOUR, "c"), ev(31 * HOUR, "d")]
    shuffled = [ordered[i] for i in (2, 0, 3, 1)]
    batches = pack_batches(shuffled, [1] * 4, max_events=10, max_bytes=1_000)
    assert [[e["message"] for e in batch] for batch in batches] == [["a", "b"], ["c", "d"]]


def test_one_batch_of_everything_is_the_given_list_not_a_copy() -> None:
    events = [ev(i, "x") for i in range(5)]
    [batch] = pack_batches(events, [1] * 5, max_events=10, max_bytes=1_000)
    assert batch is events
    first, second = pack_batches(events, [1] * 5, max_events=3, max_bytes=1_000)
    assert (first, second) == (events[:3], events[3:])
