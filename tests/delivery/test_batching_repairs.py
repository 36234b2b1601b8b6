"""Events the builder repairs (empty, lone surrogates) count at their repaired size, an event
repaired to exactly the limit is kept whole, and valid events travel as the same objects."""

from __future__ import annotations

import pytest

from cw_logging._limits import InputLogEvent, batch_violations
from cw_logging.delivery._batching import EMPTY_MESSAGE_PLACEHOLDER, build_batches

PLACEHOLDER_EVENT_BYTES = len(EMPTY_MESSAGE_PLACEHOLDER) + 26


def ev(timestamp: int, message: str) -> InputLogEvent:
    return {"timestamp": timestamp, "message": message}


@pytest.mark.parametrize(("fit", "sizes"), [(3, [3, 3, 1]), (4, [4, 3]), (5, [5, 2])])
def test_placeholders_are_packed_at_their_own_size(fit: int, sizes: list[int]) -> None:
    max_bytes = fit * PLACEHOLDER_EVENT_BYTES  # exactly ``fit`` placeholders per batch
    plan = build_batches([ev(i, "") for i in range(7)], max_bytes=max_bytes)
    assert [len(batch) for batch in plan.batches] == sizes
    for batch in plan.batches:
        assert batch_violations(batch, max_bytes=max_bytes) == []


@pytest.mark.parametrize(("ascii_bytes", "repaired"), [(60, 63), (61, 64)])
def test_a_message_repaired_up_to_the_limit_is_kept_whole(ascii_bytes: int, repaired: int) -> None:
    plan = build_batches([ev(1, "x" * ascii_bytes + "\ud800")], max_event_bytes=64)
    [[event]] = plan.batches
    assert event["message"] == "x" * ascii_bytes + "\ufffd"  # U+FFFD: 3 bytes
    assert len(event["message"].encode()) == repaired
    assert (plan.repaired, plan.truncated) == (1, 0)


def test_a_message_repaired_past_the_limit_is_truncated() -> None:
    plan = build_batches([ev(1, "x" * 62 + "\ud800")], max_event_bytes=64)
    [[event]] = plan.batches
    assert len(event["message"].encode()) <= 64
    assert "truncated" in event["message"]
    assert (plan.repaired, plan.truncated) == (1, 1)


@pytest.mark.parametrize("message", ["a", "ab", "x" * 64])
def test_valid_events_next_to_fixed_ones_are_the_same_objects(message: str) -> None:
    valid, empty, oversize = ev(1, message), ev(2, ""), ev(3, "y" * 65)
    plan = build_batches([valid, empty, oversize], max_event_bytes=64)
    [[first, second, third]] = plan.batches
    assert first is valid
    assert second is not empty and third is not oversize
