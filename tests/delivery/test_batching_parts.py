"""Split parts: nine parts keep one-digit markers and fill the limit, a tenth part widens every
marker; the plan counts every part as an event."""

from __future__ import annotations

import pytest

from cw_logging.delivery._batching import build_batches, split_marker

LIMIT = 100
ONE_DIGIT_CAPACITY = LIMIT - len(split_marker(9, 9))  # 89 bytes of text per part


@pytest.mark.parametrize(
    ("size", "parts"),
    [
        (9 * ONE_DIGIT_CAPACITY - 1, 9),
        (9 * ONE_DIGIT_CAPACITY, 9),
        (9 * ONE_DIGIT_CAPACITY + 1, 10),
    ],
)
def test_nine_parts_fill_the_limit_and_a_tenth_widens_the_markers(size: int, parts: int) -> None:
    event = {"timestamp": 1, "message": "x" * size}
    plan = build_batches([event], max_event_bytes=LIMIT, oversize="split")  # type: ignore[list-item]
    messages = [e["message"] for batch in plan.batches for e in batch]
    assert len(messages) == parts == plan.event_count
    assert [m[: len(split_marker(i, parts))] for i, m in enumerate(messages, 1)] == [
        split_marker(i, parts) for i in range(1, parts + 1)
    ]
    assert "".join(m.split("] ", 1)[1] for m in messages) == "x" * size
    if size == 9 * ONE_DIGIT_CAPACITY:
        assert [len(m) for m in messages] == [LIMIT] * 9
    else:
        assert all(len(m) >= LIMIT - 1 for m in messages[:-1])


def test_the_event_count_counts_every_part_in_every_batch() -> None:
    events = [{"timestamp": t, "message": "y" * 150} for t in (1, 2, 3)]
    plan = build_batches(events, max_event_bytes=LIMIT, max_events=3, oversize="split")  # type: ignore[arg-type]
    assert [len(batch) for batch in plan.batches] == [3, 3]
    assert plan.event_count == 6
