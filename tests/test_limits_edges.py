"""Service limits checked on both sides (N-1, N, N+1): names, retention, event sizes and the
batch oracle ``batch_violations`` the property tests rely on."""

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
    batch_violations,
    event_size,
    sanitize_log_stream_name,
    validate_log_group_name,
    validate_log_stream_name,
    validate_retention_days,
)
from cw_logging.errors import ConfigurationError


def test_the_limits_are_the_services() -> None:
    assert (EVENT_OVERHEAD_BYTES, MAX_BATCH_BYTES, MAX_BATCH_EVENTS) == (26, 1_048_576, 10_000)
    assert MAX_EVENT_BYTES == 1_048_550
    assert MAX_BATCH_SPAN_MS == 86_400_000
    assert MAX_FUTURE_MS == 7_200_000
    assert MAX_AGE_MS == 1_209_600_000
    assert MAX_NAME_CHARS == 512


@pytest.mark.parametrize("length", [1, 511, 512])
def test_stream_names_of_1_to_512_characters_are_accepted(length: int) -> None:
    assert validate_log_stream_name("s" * length) == "s" * length


@pytest.mark.parametrize("name", ["", "s" * 513, "a:b", "a*", None])
def test_stream_names_outside_the_rules_are_refused(name: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        validate_log_stream_name(name)
    assert refused.value.code == "InvalidLogStreamName"


@pytest.mark.parametrize("length", [1, 512])
def test_group_names_of_1_to_512_characters_are_accepted(length: int) -> None:
    assert validate_log_group_name("g" * length) == "g" * length


@pytest.mark.parametrize("name", ["", "g" * 513, "aws/lambda", "a b", None])
def test_group_names_outside_the_rules_are_refused(name: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        validate_log_group_name(name)
    assert refused.value.code == "InvalidLogGroupName"


def test_group_names_may_contain_aws_elsewhere() -> None:
    assert validate_log_group_name("/aws/lambda/f") == "/aws/lambda/f"
    assert validate_log_group_name("aws") == "aws"


def test_sanitised_stream_names_are_valid() -> None:
    assert sanitize_log_stream_name("") == "default"
    assert sanitize_log_stream_name("a:b*c") == "a_b_c"
    assert sanitize_log_stream_name("x" * 600) == "x" * 512
    assert sanitize_log_stream_name("a:b", "-") == "a-b"


@pytest.mark.parametrize("days", [1, 3, 3653])
def test_allowed_retention_is_accepted(days: int) -> None:
    assert validate_retention_days(days) == days


@pytest.mark.parametrize("days", [0, 2, 3654, True, "1", 1.0])
def test_other_retention_is_refused(days: object) -> None:
    with pytest.raises(ConfigurationError, match="choose one of 1, 3, 5"):
        validate_retention_days(days)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("message", "size"),
    [("", 26), ("a", 27), ("ab", 28), ("é", 28), ("€", 29), ("\ud800", 29)],
)
def test_event_size_is_utf8_bytes_plus_26(message: str, size: int) -> None:
    assert event_size(message) == size


def events(*sizes: int, start: int = 1_000) -> list[dict[str, object]]:
    return [{"timestamp": start, "message": "x" * size} for size in sizes]


def test_batch_violations_of_an_empty_batch() -> None:
    assert batch_violations([]) == ["a batch must hold at least one event"]


def test_a_valid_batch_has_no_violations() -> None:
    assert batch_violations(events(1)) == []  # type: ignore[arg-type]


def test_an_empty_message_is_a_violation() -> None:
    [problem] = batch_violations([{"timestamp": 1, "message": ""}])
    assert "event 0 has an empty message" in problem
    [problem] = batch_violations(events(1, 0))  # type: ignore[arg-type]
    assert "event 1 has an empty message" in problem


def test_a_lone_surrogate_is_a_violation() -> None:
    [problem] = batch_violations([{"timestamp": 1, "message": "a\ud800"}])
    assert "event 0 is not valid UTF-8" in problem


@pytest.mark.parametrize(("count", "ok"), [(2, True), (3, True), (4, False)])
def test_event_count_limit(count: int, ok: bool) -> None:
    problems = batch_violations(events(*[1] * count), max_events=3)  # type: ignore[arg-type]
    assert (problems == []) is ok
    if not ok:
        assert problems == ["4 events exceed the limit of 3"]


@pytest.mark.parametrize(("extra", "ok"), [(-1, True), (0, True), (1, False)])
def test_batch_bytes_limit(extra: int, ok: bool) -> None:
    # two events: (10 + 26) + (x + 26) bytes against a limit of 100
    batch = events(10, 100 - 36 - 26 + extra)
    problems = batch_violations(batch, max_bytes=100)  # type: ignore[arg-type]
    assert (problems == []) is ok
    if not ok:
        assert problems == ["batch of 101 bytes exceeds 100"]


@pytest.mark.parametrize(("size", "ok"), [(49, True), (50, True), (51, False)])
def test_event_bytes_limit(size: int, ok: bool) -> None:
    problems = batch_violations(events(size), max_event_bytes=50)  # type: ignore[arg-type]
    assert (problems == []) is ok
    if not ok:
        assert problems == ["event 0 has 51 bytes, over 50"]


def test_the_default_limits_are_the_services() -> None:
    assert batch_violations(events(MAX_EVENT_BYTES)) == []  # type: ignore[arg-type]
    assert batch_violations(events(MAX_EVENT_BYTES + 1)) == [  # type: ignore[arg-type]
        "event 0 has 1048551 bytes, over 1048550",
        "batch of 1048577 bytes exceeds 1048576",
    ]
    full = [{"timestamp": 1, "message": "x"}] * MAX_BATCH_EVENTS
    assert batch_violations(full) == []  # type: ignore[arg-type]
    assert batch_violations([*full, full[0]]) == ["10001 events exceed the limit of 10000"]  # type: ignore[arg-type]


def test_chronological_order() -> None:
    same = [{"timestamp": 5, "message": "a"}, {"timestamp": 5, "message": "b"}]
    assert batch_violations(same) == []  # type: ignore[arg-type]
    back = [{"timestamp": 5, "message": "a"}, {"timestamp": 4, "message": "b"}]
    assert batch_violations(back) == ["event 1 is out of chronological order"]  # type: ignore[arg-type]


@pytest.mark.parametrize(("extra", "ok"), [(-1, True), (0, True), (1, False)])
def test_24_hour_span(extra: int, ok: bool) -> None:
    batch = [
        {"timestamp": 1_000, "message": "a"},
        {"timestamp": 1_000 + MAX_BATCH_SPAN_MS + extra, "message": "b"},
    ]
    problems = batch_violations(batch)  # type: ignore[arg-type]
    assert (problems == []) is ok
    if not ok:
        assert problems == [f"batch spans {MAX_BATCH_SPAN_MS + 1} ms, over 24 hours"]
