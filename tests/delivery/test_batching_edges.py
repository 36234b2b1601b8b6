"""The batch builder fills each batch up to the limits (not merely stays under them), and cuts
oversize messages as close to the limit as UTF-8 allows."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cw_logging._limits import MAX_BATCH_SPAN_MS, batch_violations
from cw_logging.delivery._batching import build_batches, pack_batches, validate_batch_limits
from cw_logging.errors import ConfigurationError

HOUR = 3_600_000


def ev(size: int, timestamp: int = 1_000, char: str = "x") -> dict[str, object]:
    return {"timestamp": timestamp, "message": char * size}


def bytes_of(batch: list[dict[str, object]]) -> int:
    return sum(len(str(e["message"]).encode()) + 26 for e in batch)


def test_a_batch_is_filled_to_exactly_the_byte_limit() -> None:
    plan = build_batches([ev(74)] * 10, max_bytes=400)  # 4 x (74 + 26) = 400
    assert [len(b) for b in plan.batches] == [4, 4, 2]
    assert bytes_of(plan.batches[0]) == 400


def test_one_byte_less_leaves_the_last_event_for_the_next_batch() -> None:
    plan = build_batches([ev(74)] * 10, max_bytes=399)
    assert [len(b) for b in plan.batches] == [3, 3, 3, 1]


def test_a_batch_is_filled_to_exactly_the_event_count() -> None:
    plan = build_batches([ev(1)] * 7, max_events=3)
    assert [len(b) for b in plan.batches] == [3, 3, 1]
    assert [len(b) for b in build_batches([ev(1)] * 6, max_events=3).batches] == [3, 3]


def test_events_exactly_24_hours_apart_share_a_batch() -> None:
    stamps = [0, MAX_BATCH_SPAN_MS, MAX_BATCH_SPAN_MS + 1]
    plan = build_batches([ev(1, t) for t in stamps])
    assert [[e["timestamp"] for e in b] for b in plan.batches] == [stamps[:2], stamps[2:]]


def test_the_24_hour_cut_keeps_filling_after_it() -> None:
    stamps = [0, HOUR, 25 * HOUR, 26 * HOUR, 49 * HOUR + 1]
    plan = build_batches([ev(1, t) for t in stamps])
    assert [len(b) for b in plan.batches] == [2, 2, 1]


@given(
    st.lists(st.tuples(st.integers(1, 300), st.integers(0, 60 * HOUR)), min_size=1, max_size=60),
    st.integers(3, 20),
    st.integers(330, 2_000),
)
def test_every_batch_but_the_last_is_full(
    shapes: list[tuple[int, int]], max_events: int, max_bytes: int
) -> None:
    events = [ev(size, stamp) for size, stamp in shapes]
    plan = build_batches(events, max_events=max_events, max_bytes=max_bytes)
    batches = plan.batches
    assert sum(len(b) for b in batches) == len(events)
    for batch, following in itertools.pairwise(batches):
        assert batch_violations(batch, max_events=max_events, max_bytes=max_bytes) == []  # type: ignore[arg-type]
        extended = [*batch, following[0]]
        assert batch_violations(extended, max_events=max_events, max_bytes=max_bytes) != []  # type: ignore[arg-type]
    assert batch_violations(batches[-1], max_events=max_events, max_bytes=max_bytes) == []  # type: ignore[arg-type]


def test_truncation_fills_the_limit() -> None:
    for size in (101, 150, 1_000, 100_000):
        plan = build_batches([ev(size)], max_event_bytes=100)
        [[event]] = plan.batches
        message = str(event["message"])
        assert 99 <= len(message.encode()) <= 100, (size, message)
        assert message.startswith("x" * 60)


def test_multibyte_truncation_stops_at_a_character_boundary_near_the_limit() -> None:
    plan = build_batches([ev(200, char="€")], max_event_bytes=100)  # 3 bytes each
    [[event]] = plan.batches
    encoded = str(event["message"]).encode()
    assert 97 <= len(encoded) <= 100
    assert str(event["message"]).startswith("€" * 20)


def test_split_parts_fill_the_limit_except_the_last() -> None:
    plan = build_batches([ev(250)], max_event_bytes=100, oversize="split")
    parts = [str(e["message"]) for b in plan.batches for e in b]
    assert [len(p) for p in parts[:-1]] == [100] * (len(parts) - 1)
    assert "".join(p.split("] ", 1)[1] for p in parts) == "x" * 250
    assert parts[0].startswith("[part 1/3] ")


def test_multibyte_split_parts_stay_near_the_limit() -> None:
    plan = build_batches([ev(100, char="€")], max_event_bytes=100, oversize="split")
    parts = [str(e["message"]) for b in plan.batches for e in b]
    assert "".join(p.split("] ", 1)[1] for p in parts) == "€" * 100
    assert all(97 <= len(p.encode()) <= 100 for p in parts[:-1])


def test_the_smallest_event_limit_is_64_bytes() -> None:
    assert validate_batch_limits(max_event_bytes=64) == 64
    assert validate_batch_limits(max_batch_bytes=64 + 26, max_event_bytes=64) == 64
    with pytest.raises(ConfigurationError):
        validate_batch_limits(max_event_bytes=63)
    with pytest.raises(ConfigurationError):
        validate_batch_limits(max_batch_bytes=64 + 25)


def test_ten_or_more_split_parts_still_fill_the_limit() -> None:
    plan = build_batches([ev(1_500)], max_event_bytes=100, oversize="split")
    parts = [str(e["message"]) for b in plan.batches for e in b]
    assert len(parts) >= 10 and parts[9].startswith(f"[part 10/{len(parts)}] ")
    # the part numbers have two digits from part 10 on: those parts are exactly full
    assert [len(p) for p in parts[9:-1]] == [100] * (len(parts) - 10)
    assert all(len(p) >= 99 for p in parts[:-1])


def test_an_event_exactly_at_the_limit_passes_through_next_to_a_cut_one() -> None:
    exact, oversize = ev(100, 1), ev(101, 2)
    plan = build_batches([exact, oversize], max_event_bytes=100)
    [[first, second]] = plan.batches
    assert first is exact and second is not oversize
    assert plan.truncated == 1


def test_pack_batches_sorts_what_it_is_given() -> None:
    events = [ev(1, 3), ev(1, 1), ev(1, 2)]
    [batch] = pack_batches(events, [1, 1, 1], max_events=10, max_bytes=1_000)  # type: ignore[arg-type]
    assert [e["timestamp"] for e in batch] == [1, 2, 3]
