"""The time-ordered columnar event storage, and paging that costs what a page returns."""

from __future__ import annotations

from array import array
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cw_logging.errors import InvalidParameterError
from cw_logging.local import LocalEngine, _ops_events, _timeline
from cw_logging.local._timeline import Batch, Timeline
from tests.local.conftest import FakeClock

batches = st.lists(
    st.lists(st.integers(0, 40), min_size=1, max_size=12).map(sorted), min_size=1, max_size=12
)


def batch(timestamps: list[int], first_seq: int) -> Batch:
    count = len(timestamps)
    seqs = array("q", range(first_seq, first_seq + count))
    return Batch(
        array("q", timestamps),
        seqs,
        array("q", [0] * count),
        array("q", [1] * count),
        [f"m{seq}" for seq in seqs],
        ["s"] * count,
        [None] * count,
    )


@settings(max_examples=150, deadline=None)
@given(batches=batches, probes=st.lists(st.integers(-1, 42), max_size=8))
def test_a_timeline_keeps_events_in_time_and_arrival_order(
    batches: list[list[int]], probes: list[int]
) -> None:
    timeline = Timeline()
    model: list[tuple[int, int]] = []
    seq = 0
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_timeline, "SEGMENT_EVENTS", 3)  # many segments, many splits
        for timestamps in batches:
            timeline.add(batch(timestamps, seq))
            model += [(ts, seq + i) for i, ts in enumerate(timestamps)]
            seq += len(timestamps)
    model.sort()
    stored = [
        (segment.timestamps[i], segment.seqs[i])
        for segment, lo, hi in timeline.runs(0, len(timeline))
        for i in range(lo, hi)
    ]
    assert stored == model
    assert [(event.timestamp, event.seq, event.message) for event in timeline] == [
        (ts, seq, f"m{seq}") for ts, seq in model
    ]
    assert all(len(segment) <= 2 * 3 for segment in timeline.segments)
    for probe in probes:
        assert timeline.index_of_time(probe) == sum(1 for ts, _ in model if ts < probe)
        for key_seq in (-1, seq // 2, seq):
            after = sum(1 for key in model if key <= (probe, key_seq))
            assert timeline.index_after(probe, key_seq) == after
    backward = [
        (segment.timestamps[i], segment.seqs[i])
        for segment, lo, hi in timeline.runs_backward(2, len(timeline))
        for i in range(lo, hi)
    ]
    assert sorted(backward) == model[2:]


def test_filter_log_events_pages_examine_each_event_once(
    monkeypatch: pytest.MonkeyPatch, engine: LocalEngine, clock: FakeClock
) -> None:
    """Paging through 6,000 events 100 at a time tests each one once (plus one look-ahead
    per page), however deep the page: paging is linear, not quadratic."""
    engine.call("CreateLogGroup", {"logGroupName": "/g"})
    for name in ("a", "b"):
        engine.call("CreateLogStream", {"logGroupName": "/g", "logStreamName": name})
    for start in range(0, 6000, 1000):
        for name in ("a", "b"):
            events = [
                {"timestamp": clock.ms - 100_000 + i, "message": f"{name} {i}"}
                for i in range(start, start + 500)
            ]
            params = {"logGroupName": "/g", "logStreamName": name, "logEvents": events}
            engine.call("PutLogEvents", params)
    tested: list[str] = []
    real = _ops_events.compile_filter_pattern

    def counting(text: str | None) -> Any:
        pattern = real(text)

        class Counting:
            def matches(self, message: str) -> bool:
                tested.append(message)
                return bool(pattern.matches(message))

        return Counting()

    monkeypatch.setattr(_ops_events, "compile_filter_pattern", counting)
    params: dict[str, Any] = {"logGroupName": "/g", "filterPattern": "a", "limit": 100}
    seen = 0
    pages = 0
    while True:
        page = engine.call("FilterLogEvents", params)
        seen += len(page["events"])
        pages += 1
        if "nextToken" not in page:
            break
        params["nextToken"] = page["nextToken"]
    assert seen == 3000
    assert len(tested) <= 6000 + 3 * pages  # a look-ahead past each page, tested again next


def test_bulk_checked_events_still_get_the_services_messages(engine: LocalEngine) -> None:
    engine.call("CreateLogGroup", {"logGroupName": "/g"})
    engine.call("CreateLogStream", {"logGroupName": "/g", "logStreamName": "s"})
    cases = [
        (
            [{"timestamp": 1}, {"timestamp": 2, "message": "x"}],
            "Value null at 'logEvents.1.member.message'",
        ),
        (
            [{"timestamp": 1, "message": "x"}, {"timestamp": 2, "message": ""}],
            "at 'logEvents.2.member.message'",
        ),
        ([{"timestamp": -1, "message": "x"}], "Value '-1' at 'logEvents.1.member.timestamp'"),
        ([{"timestamp": "1", "message": "x"}], "must be a long"),
        ([{"timestamp": 1, "message": 5}], "must be a string"),
    ]
    for events, expected in cases:
        params = {"logGroupName": "/g", "logStreamName": "s", "logEvents": events}
        with pytest.raises(Exception) as caught:
            engine.call("PutLogEvents", params)
        assert expected in str(caught.value), events
    with pytest.raises(InvalidParameterError, match="chronological"):
        engine.call(
            "PutLogEvents",
            {"logGroupName": "/g", "logStreamName": "s",
             "logEvents": [{"timestamp": 2, "message": "b"}, {"timestamp": 1, "message": "a"}]},
        )  # fmt: skip
