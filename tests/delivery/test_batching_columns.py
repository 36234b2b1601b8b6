"""Events waiting for a full batch are held as columns: read one by one they are the events that
went in, sliced they stay columns, and cut into batches they give the batches a list of the same
events gives."""

from __future__ import annotations

import gc
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cw_logging._limits import EVENT_OVERHEAD_BYTES, InputLogEvent
from cw_logging.delivery._batching import pack_batches, pack_columns
from cw_logging.delivery._columns import EventColumns
from cw_logging.delivery._pending import PendingEvents

DAY_MS = 24 * 3600 * 1000


def columns_of(events: list[InputLogEvent]) -> EventColumns:
    return EventColumns.of(events, [len(event["message"].encode()) for event in events])


EVENTS = [{"timestamp": 1_000 + i, "message": f"m{i} é"} for i in range(5)]


def test_events_read_back_as_they_went_in() -> None:
    columns = columns_of(list(EVENTS))
    assert len(columns) == 5
    assert list(columns) == EVENTS
    assert columns[3] == EVENTS[3] and columns[-1] == EVENTS[-1]
    assert columns.service_bytes == sum(len(e["message"].encode()) + 26 for e in EVENTS)


def test_a_slice_is_columns_of_the_same_events() -> None:
    part = columns_of(list(EVENTS))[1:4]
    assert isinstance(part, EventColumns)
    assert list(part) == EVENTS[1:4]
    assert part.sizes == [len(e["message"].encode()) for e in EVENTS[1:4]]


def test_columns_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="2 timestamps, 1 messages, 2 sizes"):
        EventColumns([1, 2], ["a"], [1, 1])


def test_extend_and_reorder() -> None:
    columns = columns_of(EVENTS[:2])
    columns.extend(columns_of(EVENTS[2:]))
    assert list(columns) == EVENTS
    assert list(columns.in_order([4, 0, 2])) == [EVENTS[4], EVENTS[0], EVENTS[2]]
    assert columns.in_order([4, 0]).sizes == [columns.sizes[4], columns.sizes[0]]


def _collector_count_growth(hold: Callable[[list[InputLogEvent]], object]) -> int:
    """How far 1,000 events handed to ``hold`` (and kept) move the count of allocations that
    sets off young collections (GC objects allocated minus freed), the collector off."""
    gc.collect()
    gc.disable()
    try:
        before = gc.get_count()[0]
        for chunk in range(10):
            hold([{"timestamp": chunk * 100 + i, "message": f"e{i}"} for i in range(100)])
        return gc.get_count()[0] - before
    finally:
        gc.enable()


def test_waiting_events_hold_no_object_the_collector_counts() -> None:
    """A dict per waiting event is counted (allocated, not yet freed) until it is sent: a dict of
    plain values is not tracked, so ``gc.get_objects()`` would not show it, but thousands of them
    still set off young collections on every thread."""
    pending = PendingEvents(max_events=10_000, max_bytes=1_048_576)
    kept_as_dicts: list[InputLogEvent] = []
    # a few objects per batch of 100 (lists, and free lists that keep what they reuse), not one
    # per event as the dicts would be
    assert _collector_count_growth(lambda events: pending.add("s", columns_of(events))) < 200
    assert _collector_count_growth(kept_as_dicts.extend) >= 1_000
    assert pending.count == len(kept_as_dicts) == 1_000


def test_a_partial_batch_put_back_goes_before_later_events() -> None:
    pending = PendingEvents(max_events=3, max_bytes=1_048_576)
    pending.add("s", columns_of(EVENTS[:4]))
    [(stream, taken)] = pending.take(everything=False)
    assert stream == "s" and pending.count == 0
    pending.add("s", columns_of(EVENTS[4:]))
    pending.put_back("s", taken[3:])
    assert pending.count == 2
    [(_, rest)] = pending.take(everything=True)
    assert list(rest) == [EVENTS[3], EVENTS[4]]
    assert pending.memory == 0 and pending.room() == 3


event_lists = st.lists(
    st.builds(
        lambda t, n: {"timestamp": t, "message": "x" * n},
        st.integers(0, 2 * DAY_MS),
        st.integers(1, 400),
    ),
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(event_lists, st.integers(1, 12), st.integers(450, 3_000))
def test_columns_are_cut_into_the_batches_a_list_is(
    events: list[InputLogEvent], max_events: int, max_bytes: int
) -> None:
    sizes = [len(event["message"]) for event in events]
    expected = pack_batches(list(events), sizes, max_events=max_events, max_bytes=max_bytes)
    batches = pack_columns(columns_of(events), max_events=max_events, max_bytes=max_bytes)
    assert [list(batch) for batch in batches] == expected
    for batch in batches:
        assert batch.sizes == [len(event["message"]) for event in batch]
        assert batch.service_bytes <= max_bytes
        assert batch.service_bytes == sum(s + EVENT_OVERHEAD_BYTES for s in batch.sizes)
