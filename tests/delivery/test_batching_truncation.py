"""A truncated message fills its byte limit exactly: the marker is sized for the number of bytes
it reports, not for the whole message's size."""

from __future__ import annotations

import pytest

from cw_logging.delivery._batching import build_batches, truncation_marker


@pytest.mark.parametrize(
    ("size", "limit"),
    # the marker for the whole size has one digit more than the one for the bytes removed
    [(101, 100), (1_000, 100), (101, 64), (1_000, 64), (10_000, 1_000)],
)
def test_a_truncated_message_is_exactly_the_limit(size: int, limit: int) -> None:
    plan = build_batches([{"timestamp": 1, "message": "x" * size}], max_event_bytes=limit)
    [[event]] = plan.batches
    message = event["message"]
    kept = message.count("x")
    assert len(message.encode()) == limit
    assert message == "x" * kept + truncation_marker(size - kept)
