"""Example-based tests of the batch builder (properties: test_batching_properties.py)."""

from __future__ import annotations

import pytest

from cw_logging._limits import (
    EVENT_OVERHEAD_BYTES,
    MAX_BATCH_BYTES,
    MAX_BATCH_EVENTS,
    MAX_BATCH_SPAN_MS,
    MAX_EVENT_BYTES,
    InputLogEvent,
    batch_violations,
)
from cw_logging._options import Oversize
from cw_logging.delivery._batching import (
    EMPTY_MESSAGE_PLACEHOLDER,
    build_batches,
    split_marker,
    truncation_marker,
    validate_batch_limits,
)
from cw_logging.errors import ConfigurationError

WAIT = 10.0  # generous deadline for cross-thread conditions; a healthy run never reaches it
NEVER = 1 << 40  # wake thresholds that are never crossed


def ev(timestamp: int, message: str) -> InputLogEvent:
    return {"timestamp": timestamp, "message": message}


# -- batch builder: examples ---------------------------------------------------------------------


def _flat(batches: list[list[InputLogEvent]]) -> list[InputLogEvent]:
    return [event for batch in batches for event in batch]


def test_events_are_stably_sorted_by_timestamp() -> None:
    events = [ev(3, "c"), ev(1, "a1"), ev(2, "b"), ev(1, "a2")]
    plan = build_batches(events)
    assert [e["message"] for e in _flat(plan.batches)] == ["a1", "a2", "b", "c"]
    assert len(plan.batches) == 1


def test_unchanged_events_pass_through_as_the_same_objects_and_inputs_stay_untouched() -> None:
    good = ev(1, "héllo")
    bad = ev(2, "")
    plan = build_batches([good, bad])
    out = _flat(plan.batches)
    assert out[0] is good
    assert bad == ev(2, "")
    assert out[1] == ev(2, EMPTY_MESSAGE_PLACEHOLDER)


def test_batches_split_on_the_event_count() -> None:
    plan = build_batches([ev(i, "x") for i in range(25)], max_events=10)
    assert [len(b) for b in plan.batches] == [10, 10, 5]


def test_ten_thousand_small_events_make_one_call() -> None:
    plan = build_batches(ev(i, f"event {i}") for i in range(MAX_BATCH_EVENTS))
    assert len(plan.batches) == 1


def test_batches_split_on_bytes_counting_the_per_event_overhead() -> None:
    message = "é" * 37  # 74 bytes + 26 = 100 per event
    plan = build_batches([ev(i, message) for i in range(10)], max_bytes=300)
    assert [len(b) for b in plan.batches] == [3, 3, 3, 1]


def test_batches_split_on_the_24_hour_span() -> None:
    events = [ev(0, "a"), ev(MAX_BATCH_SPAN_MS, "b"), ev(MAX_BATCH_SPAN_MS + 1, "c")]
    plan = build_batches(events)
    assert [[e["message"] for e in b] for b in plan.batches] == [["a", "b"], ["c"]]


def test_empty_input_makes_no_batches() -> None:
    assert build_batches([]).batches == []


def test_empty_message_becomes_a_visible_placeholder() -> None:
    plan = build_batches([ev(1, ""), ev(2, "ok")])
    assert [e["message"] for e in _flat(plan.batches)] == [EMPTY_MESSAGE_PLACEHOLDER, "ok"]
    assert plan.empty == 1
    assert plan.dropped == {}


def test_lone_surrogates_are_replaced_and_pairs_joined() -> None:
    plan = build_batches([ev(1, "a\ud800b"), ev(2, "\ud83d\ude00"), ev(3, "\udfff")])
    assert [e["message"] for e in _flat(plan.batches)] == ["a\ufffdb", "\U0001f600", "\ufffd"]
    assert plan.repaired == 3
    assert batch_violations(plan.batches[0]) == []


def test_non_text_messages_are_converted_not_fatal() -> None:
    events = [ev(1, b"caf\xc3\xa9 \xff"), ev(2, 42)]  # type: ignore[arg-type]
    plan = build_batches(events)
    assert [e["message"] for e in _flat(plan.batches)] == ["café \ufffd", "42"]


@pytest.mark.parametrize("text", ["a" * 200, "é" * 100, "€" * 70, "😀" * 50])
def test_truncation_is_utf8_safe_within_the_limit_and_says_how_much_was_cut(text: str) -> None:
    plan = build_batches([ev(1, text)], max_event_bytes=100)
    (event,) = _flat(plan.batches)
    message = event["message"]
    encoded_len = len(message.encode("utf-8"))
    assert encoded_len <= 100
    kept, marker_number = message.rsplit("…[truncated ", 1)
    assert text.startswith(kept)
    removed = len(text.encode("utf-8")) - len(kept.encode("utf-8"))
    assert message == kept + truncation_marker(removed)
    assert marker_number == f"{removed} bytes]"
    assert encoded_len > 100 - 4  # no more than one character's worth of room wasted
    assert plan.truncated == 1


def test_a_message_exactly_at_the_limit_is_kept_whole() -> None:
    at_limit = "é" * 50  # 100 bytes
    plan = build_batches([ev(1, at_limit), ev(2, at_limit + "x")], max_event_bytes=100)
    out = _flat(plan.batches)
    assert out[0]["message"] == at_limit
    assert out[1]["message"] != at_limit + "x"
    assert plan.truncated == 1


def test_split_makes_numbered_parts_in_order_with_the_same_timestamp() -> None:
    text = "".join(chr(0x41 + i % 26) for i in range(250))
    plan = build_batches([ev(5, text), ev(6, "after")], max_event_bytes=100, oversize="split")
    out = _flat(plan.batches)
    parts = out[:-1]
    assert out[-1]["message"] == "after"
    assert len(parts) == 3
    assert all(p["timestamp"] == 5 for p in parts)
    prefixes = [split_marker(i, 3) for i in (1, 2, 3)]
    assert [p["message"][: len(prefixes[0])] for p in parts] == prefixes
    assert "".join(p["message"][len(prefixes[0]) :] for p in parts) == text
    assert all(len(p["message"].encode("utf-8")) <= 100 for p in parts)
    assert plan.split == 1


def test_split_widens_the_part_numbers_when_there_are_ten_or_more_parts() -> None:
    text = "€" * 400  # 1,200 bytes
    plan = build_batches([ev(1, text)], max_event_bytes=64, oversize="split")
    out = _flat(plan.batches)
    total = len(out)
    assert total >= 10
    assert out[0]["message"].startswith(split_marker(1, total))
    assert out[-1]["message"].startswith(split_marker(total, total))
    assert all(len(e["message"].encode("utf-8")) <= 64 for e in out)


def test_drop_counts_oversize_events() -> None:
    plan = build_batches([ev(1, "x" * 101), ev(2, "ok")], max_event_bytes=100, oversize="drop")
    assert [e["message"] for e in _flat(plan.batches)] == ["ok"]
    assert plan.dropped == {"oversize": 1}


def test_a_small_max_bytes_caps_the_event_size_too() -> None:
    plan = build_batches([ev(1, "x" * 500)], max_bytes=200)
    (event,) = _flat(plan.batches)
    assert len(event["message"]) <= 200 - EVENT_OVERHEAD_BYTES
    assert batch_violations([event], max_bytes=200) == []


def test_the_service_limits_hold_for_megabyte_messages() -> None:
    big = "ü" * 1_500_000  # 3,000,000 bytes
    for policy in Oversize:
        plan = build_batches([ev(1, big), ev(2, "x" * MAX_EVENT_BYTES)], oversize=policy)
        for batch in plan.batches:
            assert batch_violations(batch) == []
    split = build_batches([ev(1, big)], oversize="split")
    assert len(_flat(split.batches)) == 3
    assert len(split.batches) == 3  # each part nearly fills a whole call


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"max_events": 0}, "max_batch_events"),
        ({"max_events": MAX_BATCH_EVENTS + 1}, "max_batch_events"),
        ({"max_bytes": MAX_BATCH_BYTES + 1}, "max_batch_bytes"),
        ({"max_bytes": 50}, "max_batch_bytes"),
        ({"max_event_bytes": 10}, "max_event_bytes"),
        ({"max_event_bytes": MAX_EVENT_BYTES + 1}, "max_event_bytes"),
        ({"max_events": True}, "max_batch_events"),
        ({"oversize": "shrink"}, "oversize"),
    ],
)
def test_builder_rejects_impossible_limits_clearly(
    kwargs: dict[str, object], fragment: str
) -> None:
    with pytest.raises(ConfigurationError, match=fragment):
        build_batches([ev(1, "x")], **kwargs)  # type: ignore[arg-type]


def test_validate_batch_limits_returns_the_effective_event_limit() -> None:
    assert validate_batch_limits() == MAX_EVENT_BYTES
    assert validate_batch_limits(10, 2_000, 5_000) == 2_000 - EVENT_OVERHEAD_BYTES
    assert validate_batch_limits(10, 2_000, 500) == 500
