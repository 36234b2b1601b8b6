"""CloudWatch Logs' limits as the package checks them, each on both sides of its boundary."""

from __future__ import annotations

import pytest

from cw_logging._limits import (
    EVENT_OVERHEAD_BYTES,
    MAX_AGE_MS,
    MAX_BATCH_BYTES,
    MAX_BATCH_EVENTS,
    MAX_BATCH_SPAN_MS,
    MAX_EVENT_BYTES,
    MAX_FUTURE_MS,
    MAX_NAME_CHARS,
    RETENTION_DAYS,
    InputLogEvent,
    batch_violations,
    event_size,
    sanitize_log_stream_name,
    validate_log_group_name,
    validate_log_stream_name,
    validate_retention_days,
)
from cw_logging.errors import ConfigurationError


def ev(timestamp: int, message: str) -> InputLogEvent:
    return {"timestamp": timestamp, "message": message}


def test_the_constants_are_the_service_limits() -> None:
    assert (MAX_BATCH_BYTES, MAX_BATCH_EVENTS, EVENT_OVERHEAD_BYTES) == (1_048_576, 10_000, 26)
    assert MAX_EVENT_BYTES == 1_048_550
    assert MAX_BATCH_SPAN_MS == 24 * 3600 * 1000
    assert MAX_FUTURE_MS == 7_200_000
    assert MAX_AGE_MS == 1_209_600_000
    assert MAX_NAME_CHARS == 512


@pytest.mark.parametrize("name", ["a", "/myapp/prod", "A.b-c_d/e#f9", "x" * 512])
def test_valid_group_names_pass(name: str) -> None:
    assert validate_log_group_name(name) == name


@pytest.mark.parametrize(
    "name",
    ["", "x" * 513, "my app", "app:prod", "app*", "é", "aws/lambda/x", "aws/lambda", None, 7],
)
def test_invalid_group_names_are_refused_with_the_rule(name: object) -> None:
    with pytest.raises(ConfigurationError) as caught:
        validate_log_group_name(name)  # type: ignore[arg-type]
    assert caught.value.code == "InvalidLogGroupName"


def test_a_group_name_may_contain_aws_elsewhere() -> None:
    assert validate_log_group_name("/aws/lambda/x") == "/aws/lambda/x"
    assert validate_log_group_name("my-aws/x") == "my-aws/x"
    assert validate_log_group_name("aws") == "aws"


@pytest.mark.parametrize("name", ["s", "host-1 [pid 7]", "é" * 512, "x" * 511, "x" * 512])
def test_valid_stream_names_pass(name: str) -> None:
    assert validate_log_stream_name(name) == name


@pytest.mark.parametrize("name", ["", "x" * 513, "a:b", "a*b", "a*", None])
def test_invalid_stream_names_are_refused(name: object) -> None:
    with pytest.raises(ConfigurationError) as caught:
        validate_log_stream_name(name)  # type: ignore[arg-type]
    assert caught.value.code == "InvalidLogStreamName"


def test_sanitized_stream_names_are_always_valid() -> None:
    assert sanitize_log_stream_name("a:b*c") == "a_b_c"
    assert sanitize_log_stream_name("") == "default"
    assert sanitize_log_stream_name("y" * 600) == "y" * 512
    assert sanitize_log_stream_name("a:b", "-") == "a-b"
    assert len(sanitize_log_stream_name("y" * 512)) == 512
    for name in ("a:b*c", "", "y" * 600, "::"):
        validate_log_stream_name(sanitize_log_stream_name(name))


@pytest.mark.parametrize("days", RETENTION_DAYS)
def test_every_documented_retention_passes(days: int) -> None:
    assert validate_retention_days(days) == days


@pytest.mark.parametrize("days", [0, 2, 4, 6, 8, 366, 3652, 3654, -1, True, 7.0, "7", 1.0, "1"])
def test_other_retentions_are_refused(days: object) -> None:
    with pytest.raises(ConfigurationError, match="choose one of 1, 3, 5"):
        validate_retention_days(days)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("message", "size"),
    [
        ("", 26),
        ("a", 27),
        ("ab", 28),
        ("é", 28),
        ("€", 29),
        ("😀", 30),
        ("\ud800", 29),
        ("x" * 100, 126),
    ],
)
def test_event_size_is_utf8_bytes_plus_26(message: str, size: int) -> None:
    assert event_size(message) == size


def test_a_valid_batch_has_no_violations() -> None:
    assert batch_violations([ev(1, "a"), ev(1, "b"), ev(2, "c")]) == []


def test_an_empty_batch_is_refused() -> None:
    assert batch_violations([]) == ["a batch must hold at least one event"]


def test_event_count_limit_on_both_sides() -> None:
    assert batch_violations([ev(1, "a")] * MAX_BATCH_EVENTS) == []
    problems = batch_violations([ev(1, "a")] * (MAX_BATCH_EVENTS + 1))
    assert problems == [f"{MAX_BATCH_EVENTS + 1} events exceed the limit of {MAX_BATCH_EVENTS}"]


def test_batch_byte_limit_on_both_sides() -> None:
    # two events filling the batch exactly: (m1 + 26) + (m2 + 26) == MAX_BATCH_BYTES
    half = (MAX_BATCH_BYTES - 2 * EVENT_OVERHEAD_BYTES) // 2
    assert batch_violations([ev(1, "x" * half), ev(1, "y" * half)]) == []
    assert batch_violations([ev(1, "x" * half), ev(1, "y" * (half - 1))]) == []
    problems = batch_violations([ev(1, "x" * half), ev(1, "y" * (half + 1))])
    assert problems == [f"batch of {MAX_BATCH_BYTES + 1} bytes exceeds {MAX_BATCH_BYTES}"]


def test_event_size_limit_on_both_sides() -> None:
    assert batch_violations([ev(1, "x" * MAX_EVENT_BYTES)]) == []
    assert batch_violations([ev(1, "x" * (MAX_EVENT_BYTES - 1))]) == []
    assert batch_violations([ev(1, "x" * (MAX_EVENT_BYTES + 1))]) == [
        f"event 0 has {MAX_EVENT_BYTES + 1} bytes, over {MAX_EVENT_BYTES}",
        f"batch of {MAX_BATCH_BYTES + 1} bytes exceeds {MAX_BATCH_BYTES}",
    ]


def test_empty_and_invalid_messages_are_violations() -> None:
    assert batch_violations([ev(1, "")]) == [
        "event 0 has an empty message (the service requires 1+ chars)"
    ]
    assert batch_violations([ev(1, "a"), ev(1, "")]) == [
        "event 1 has an empty message (the service requires 1+ chars)"
    ]
    assert batch_violations([ev(1, "a\ud800")]) == ["event 0 is not valid UTF-8 (lone surrogate)"]
    assert batch_violations([ev(1, "ok"), ev(1, "\ud800")]) == [
        "event 1 is not valid UTF-8 (lone surrogate)"
    ]


def test_order_is_checked() -> None:
    assert batch_violations([ev(2, "a"), ev(1, "b")]) == ["event 1 is out of chronological order"]
    assert batch_violations([ev(1, "a"), ev(1, "b")]) == []


def test_the_24_hour_span_on_both_sides() -> None:
    assert batch_violations([ev(0, "a"), ev(MAX_BATCH_SPAN_MS - 1, "b")]) == []
    assert batch_violations([ev(0, "a"), ev(MAX_BATCH_SPAN_MS, "b")]) == []
    assert batch_violations([ev(0, "a"), ev(MAX_BATCH_SPAN_MS + 1, "b")]) == [
        f"batch spans {MAX_BATCH_SPAN_MS + 1} ms, over 24 hours"
    ]


def test_limits_can_be_lowered_for_a_check() -> None:
    assert batch_violations([ev(1, "a")] * 2, max_events=3) == []
    assert batch_violations([ev(1, "a")] * 3, max_events=3) == []
    assert batch_violations([ev(1, "a")] * 4, max_events=3) == ["4 events exceed the limit of 3"]
    assert batch_violations([ev(1, "ab")], max_event_bytes=3) == []
    assert batch_violations([ev(1, "abc")], max_event_bytes=3) == []
    assert batch_violations([ev(1, "abcd")], max_event_bytes=3) == ["event 0 has 4 bytes, over 3"]
    assert batch_violations([ev(1, "a")], max_bytes=28) == []
    assert batch_violations([ev(1, "ab")], max_bytes=28) == []
    assert batch_violations([ev(1, "abc")], max_bytes=28) == ["batch of 29 bytes exceeds 28"]
