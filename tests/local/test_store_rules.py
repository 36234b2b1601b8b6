"""PutLogEvents and resource rules the local engine enforces, as the service does (DESIGN §4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cw_logging._limits import (
    EVENT_OVERHEAD_BYTES,
    MAX_AGE_MS,
    MAX_BATCH_BYTES,
    MAX_BATCH_SPAN_MS,
    MAX_EVENT_BYTES,
    MAX_FUTURE_MS,
)
from cw_logging.errors import (
    CloudWatchLogsError,
    InvalidParameterError,
    ResourceAlreadyExistsError,
    ResourceNotFoundError,
)
from cw_logging.local import LocalEngine
from tests.local.conftest import FakeClock, make_stream

GROUP, STREAM = "/app/test", "s1"
DAY_MS = 86_400_000


def put(engine: LocalEngine, events: list[dict[str, Any]]) -> dict[str, Any]:
    return engine.call(
        "PutLogEvents", {"logGroupName": GROUP, "logStreamName": STREAM, "logEvents": events}
    )


def stored(engine: LocalEngine) -> list[str]:
    response = engine.call(
        "GetLogEvents", {"logGroupName": GROUP, "logStreamName": STREAM, "startFromHead": True}
    )
    return [e["message"] for e in response["events"]]


def error_of(engine: LocalEngine, operation: str, params: dict[str, Any]) -> CloudWatchLogsError:
    with pytest.raises(CloudWatchLogsError) as caught:
        engine.call(operation, params)
    return caught.value


def test_batch_over_the_byte_limit_is_refused(engine: LocalEngine, clock: FakeClock) -> None:
    make_stream(engine)
    size = MAX_BATCH_BYTES // 2 - EVENT_OVERHEAD_BYTES  # two events fill the batch exactly
    exact = [{"timestamp": clock.ms, "message": "x" * size}] * 2
    put(engine, exact)
    over = [*exact[:1], {"timestamp": clock.ms, "message": "x" * (size + 1)}]
    params = {"logGroupName": GROUP, "logStreamName": STREAM, "logEvents": over}
    error = error_of(engine, "PutLogEvents", params)
    assert error.code == "InvalidParameterException"
    assert f"{MAX_BATCH_BYTES + 1} bytes exceeds limit of {MAX_BATCH_BYTES}" in error.message


def test_event_over_the_size_limit_is_refused(engine: LocalEngine, clock: FakeClock) -> None:
    make_stream(engine)
    put(engine, [{"timestamp": clock.ms, "message": "é" * (MAX_EVENT_BYTES // 2)}])
    with pytest.raises(InvalidParameterError, match="Log event too large"):
        put(engine, [{"timestamp": clock.ms, "message": "x" * (MAX_EVENT_BYTES + 1)}])


def test_more_than_10000_events_are_refused(engine: LocalEngine, clock: FakeClock) -> None:
    make_stream(engine)
    with pytest.raises(InvalidParameterError, match="less than or equal to 10000"):
        put(engine, [{"timestamp": clock.ms, "message": "x"}] * 10_001)
    put(engine, [{"timestamp": clock.ms, "message": "x"}] * 10_000)
    assert len(stored(engine)) == 10_000


def test_empty_batch_and_empty_message_are_refused(engine: LocalEngine, clock: FakeClock) -> None:
    make_stream(engine)
    with pytest.raises(InvalidParameterError, match="logEvents"):
        put(engine, [])
    with pytest.raises(InvalidParameterError, match=r"logEvents\.1\.member\.message"):
        put(engine, [{"timestamp": clock.ms, "message": ""}])


def test_out_of_order_batch_is_refused_whole(engine: LocalEngine, clock: FakeClock) -> None:
    make_stream(engine)
    with pytest.raises(InvalidParameterError, match="chronological order"):
        put(
            engine,
            [{"timestamp": clock.ms, "message": "b"}, {"timestamp": clock.ms - 1, "message": "a"}],
        )
    assert stored(engine) == []


def test_batch_spanning_more_than_24_hours_is_refused(
    engine: LocalEngine, clock: FakeClock
) -> None:
    make_stream(engine)
    start = clock.ms - MAX_BATCH_SPAN_MS - 1
    with pytest.raises(InvalidParameterError, match="cannot span more than 24 hours"):
        put(engine, [{"timestamp": start, "message": "a"}, {"timestamp": clock.ms, "message": "b"}])
    put(engine, [{"timestamp": start + 1, "message": "a"}, {"timestamp": clock.ms, "message": "b"}])
    assert stored(engine) == ["a", "b"]


def test_span_counts_only_events_that_are_not_rejected(
    engine: LocalEngine, clock: FakeClock
) -> None:
    """The 24 h rule applies to valid events (botocore model: PutLogEvents documentation)."""
    make_stream(engine)
    response = put(
        engine,
        [
            {"timestamp": clock.ms - MAX_AGE_MS - DAY_MS, "message": "old"},
            {"timestamp": clock.ms, "message": "new"},
        ],
    )
    assert response["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 0}
    assert stored(engine) == ["new"]


def test_too_old_and_too_new_events_are_rejected_with_indexes(
    engine: LocalEngine, clock: FakeClock
) -> None:
    make_stream(engine)
    events = [
        {"timestamp": clock.ms - MAX_AGE_MS - 2, "message": "old0"},
        {"timestamp": clock.ms - MAX_AGE_MS - 1, "message": "old1"},
        {"timestamp": clock.ms - 1000, "message": "ok-1"},
        {"timestamp": clock.ms + MAX_FUTURE_MS, "message": "ok-2"},
        {"timestamp": clock.ms + MAX_FUTURE_MS + 1, "message": "new4"},
    ]
    response = put(engine, events)
    assert response["rejectedLogEventsInfo"] == {
        "tooOldLogEventEndIndex": 1,
        "tooNewLogEventStartIndex": 4,
    }
    assert stored(engine) == ["ok-1", "ok-2"]


def test_events_older_than_retention_are_expired(engine: LocalEngine, clock: FakeClock) -> None:
    make_stream(engine)
    engine.call("PutRetentionPolicy", {"logGroupName": GROUP, "retentionInDays": 1})
    events = [
        {"timestamp": clock.ms - MAX_AGE_MS - 1, "message": "too old and expired"},
        {"timestamp": clock.ms - DAY_MS - 1, "message": "expired"},
        {"timestamp": clock.ms - DAY_MS + 1000, "message": "kept"},
    ]
    response = put(engine, events)
    assert response["rejectedLogEventsInfo"] == {
        "tooOldLogEventEndIndex": 0,
        "expiredLogEventEndIndex": 1,
    }
    assert stored(engine) == ["kept"]


def test_retention_hides_events_as_time_passes(engine: LocalEngine, clock: FakeClock) -> None:
    make_stream(engine)
    put(engine, [{"timestamp": clock.ms, "message": "today"}])
    engine.call("PutRetentionPolicy", {"logGroupName": GROUP, "retentionInDays": 1})
    assert stored(engine) == ["today"]
    clock.now += 2 * 86_400
    assert stored(engine) == []


def test_missing_group_and_stream_are_resource_not_found(
    engine: LocalEngine, clock: FakeClock
) -> None:
    event = [{"timestamp": clock.ms, "message": "x"}]
    with pytest.raises(ResourceNotFoundError, match="log group does not exist"):
        put(engine, event)
    engine.call("CreateLogGroup", {"logGroupName": GROUP})
    with pytest.raises(ResourceNotFoundError, match="log stream does not exist") as caught:
        put(engine, event)
    assert caught.value.code == "ResourceNotFoundException"


def test_creating_twice_is_resource_already_exists(engine: LocalEngine) -> None:
    make_stream(engine)
    with pytest.raises(ResourceAlreadyExistsError) as caught:
        engine.call("CreateLogGroup", {"logGroupName": GROUP})
    assert caught.value.code == "ResourceAlreadyExistsException"
    with pytest.raises(ResourceAlreadyExistsError):
        engine.call("CreateLogStream", {"logGroupName": GROUP, "logStreamName": STREAM})


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("has space", "regular expression pattern"),
        ("x" * 513, "less than or equal to 512"),
        ("aws/reserved", "reserved"),
        ("bad:colon", "regular expression pattern"),
    ],
)
def test_invalid_group_names_are_refused(engine: LocalEngine, name: str, words: str) -> None:
    with pytest.raises(InvalidParameterError, match=words) as caught:
        engine.call("CreateLogGroup", {"logGroupName": name})
    assert caught.value.code == "InvalidParameterException"


@pytest.mark.parametrize("name", ["a:b", "a*b", "x" * 513])
def test_invalid_stream_names_are_refused(engine: LocalEngine, name: str) -> None:
    engine.call("CreateLogGroup", {"logGroupName": GROUP})
    with pytest.raises(InvalidParameterError):
        engine.call("CreateLogStream", {"logGroupName": GROUP, "logStreamName": name})


@pytest.mark.parametrize("days", [0, 2, 4, 366, 3654])
def test_retention_outside_the_allowed_values_is_refused(engine: LocalEngine, days: int) -> None:
    engine.call("CreateLogGroup", {"logGroupName": GROUP})
    with pytest.raises(InvalidParameterError, match="enum value set"):
        engine.call("PutRetentionPolicy", {"logGroupName": GROUP, "retentionInDays": days})


def test_stream_statistics_follow_uploads(engine: LocalEngine, clock: FakeClock) -> None:
    make_stream(engine)
    put(engine, [{"timestamp": clock.ms - 5000, "message": "a"}])
    clock.now += 1
    put(
        engine,
        [{"timestamp": clock.ms - 9000, "message": "b"}, {"timestamp": clock.ms, "message": "c"}],
    )
    (info,) = engine.call("DescribeLogStreams", {"logGroupName": GROUP})["logStreams"]
    assert info["firstEventTimestamp"] == clock.ms - 9000
    assert info["lastEventTimestamp"] == clock.ms
    assert info["lastIngestionTime"] == clock.ms
    assert stored(engine) == ["b", "a", "c"]  # time order, whatever the upload order


def test_sqlite_file_keeps_everything_across_restarts(tmp_path: Path, clock: FakeClock) -> None:
    db = tmp_path / "logs.db"
    with LocalEngine(db, clock=clock) as first:
        make_stream(first)
        first.call("PutRetentionPolicy", {"logGroupName": GROUP, "retentionInDays": 7})
        first.call("TagLogGroup", {"logGroupName": GROUP, "tags": {"team": "core"}})
        put(
            first,
            [
                {"timestamp": clock.ms - 1, "message": "one"},
                {"timestamp": clock.ms, "message": "two"},
            ],
        )
    with LocalEngine(db, clock=clock) as second:
        assert stored(second) == ["one", "two"]
        (group,) = second.call("DescribeLogGroups", {})["logGroups"]
        assert group["retentionInDays"] == 7
        assert second.call("ListTagsLogGroup", {"logGroupName": GROUP})["tags"] == {"team": "core"}
        put(second, [{"timestamp": clock.ms, "message": "three"}])
        second.call("DeleteLogStream", {"logGroupName": GROUP, "logStreamName": STREAM})
    with LocalEngine(db, clock=clock) as third:
        streams = third.call("DescribeLogStreams", {"logGroupName": GROUP})["logStreams"]
        assert streams == []
        third.call("DeleteLogGroup", {"logGroupName": GROUP})
    with LocalEngine(db, clock=clock) as fourth:
        assert fourth.call("DescribeLogGroups", {})["logGroups"] == []


def test_unknown_operation_is_named(engine: LocalEngine) -> None:
    with pytest.raises(CloudWatchLogsError, match="not implemented") as caught:
        engine.call("PutDestination", {})
    assert caught.value.code == "UnknownOperationException"


def test_reset_forgets_everything_also_on_disk(tmp_path: Path, clock: FakeClock) -> None:
    db = tmp_path / "logs.db"
    with LocalEngine(db, clock=clock, query_polls_before_complete=0) as engine:
        make_stream(engine)
        put(engine, [{"timestamp": clock.ms, "message": "x"}])
        engine.call(
            "StartQuery",
            {"logGroupName": GROUP, "startTime": 0, "endTime": 1, "queryString": "fields a"},
        )
        engine.reset()
        assert engine.call("DescribeLogGroups", {})["logGroups"] == []
        assert engine.call("DescribeQueries", {})["queries"] == []
        make_stream(engine)  # the same names can be created again
    with LocalEngine(db, clock=clock) as reopened:
        assert stored(reopened) == []
