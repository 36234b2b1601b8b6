"""Correlation lookups against botocore's Stubber: query text, injection, widening, merging."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.stub import Stubber

from cw_logging.errors import AuthenticationError, CloudWatchLogsError, ConfigurationError
from cw_logging.query import (
    Governor,
    TimeRange,
    build_correlation_query,
    build_filter_pattern,
    find_by_field,
    find_by_request_id,
    find_by_span_id,
    find_by_trace_id,
    search_windows,
    validate_id,
)
from tests.query.conftest import FakeTime
from tests.query.test_insights import count_calls

UTC = timezone.utc
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
AROUND = datetime(2024, 1, 1, 12, tzinfo=UTC)


def seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def expect_query(
    stubber: Stubber,
    window: timedelta,
    rows: list[list[dict[str, str]]],
    *,
    groups: list[str] | None = None,
    field: str = "traceId",
    value: str = TRACE,
    query_id: str = "q",
) -> None:
    stubber.add_response(
        "start_query",
        {"queryId": query_id},
        {
            "queryString": (
                "fields @timestamp, @message, @logStream, @log\n"
                f'| filter {field} = "{value}"\n'
                "| sort @timestamp asc"
            ),
            "logGroupNames": groups or ["/app/a"],
            "startTime": seconds(AROUND - window),
            "endTime": seconds(AROUND + window),
            "limit": 10_000,
        },
    )
    stubber.add_response(
        "get_query_results", {"status": "Complete", "results": rows}, {"queryId": query_id}
    )


def result_row(
    timestamp: str, message: dict[str, Any] | str, group: str = "/app/a", stream: str = "s1"
) -> list[dict[str, str]]:
    text = message if isinstance(message, str) else json.dumps(message)
    return [
        {"field": "@timestamp", "value": timestamp},
        {"field": "@message", "value": text},
        {"field": "@logStream", "value": stream},
        {"field": "@log", "value": f"123456789012:{group}"},
        {"field": "@ptr", "value": f"ptr-{timestamp}-{group}"},
    ]


INJECTIONS = [
    'abc" | filter 1=1 | fields "',
    "abc' or '1'='1",
    "a|b",
    "a/b",
    "/.*/",
    "a\nb",
    "a b",
    "a\\b",
    "a}",
    "a`b",
    "",
    "x" * 257,
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_attempts_are_refused_before_any_call(stubbed: Any, value: str) -> None:
    client, _ = stubbed
    starts, filters = count_calls(client, "StartQuery"), count_calls(client, "FilterLogEvents")
    for find in (find_by_trace_id, find_by_request_id, find_by_span_id):
        with pytest.raises(ConfigurationError, match="refused") as info:
            find(value, ["/app/a"], client=client)
        assert info.value.code == "InvalidCorrelationId"
    with pytest.raises(ConfigurationError, match="refused"):
        find_by_field("traceId", value, ["/app/a"], method="filter", client=client)
    assert starts == [] and filters == []


@pytest.mark.parametrize(
    "value",
    [
        TRACE,
        "8f507cfc-0d6c-4f4a-9c3e-2b0f1f0e5a11",
        "1-5759e988-bd862e3fe1be46a994272793",
        "a.b:c_d-1",
    ],
)
def test_ordinary_ids_are_accepted(value: str) -> None:
    assert validate_id(value) == value


@pytest.mark.parametrize("field", ["trace id", "a|b", 'x"', "1abc", "a..b", ""])
def test_unsafe_field_names_are_refused(field: str) -> None:
    with pytest.raises(ConfigurationError, match="refused field name"):
        build_correlation_query(field, TRACE)


def test_query_is_an_equality_filter_on_the_field_never_a_message_regex() -> None:
    assert build_correlation_query("traceId", TRACE) == (
        "fields @timestamp, @message, @logStream, @log\n"
        f'| filter traceId = "{TRACE}"\n'
        "| sort @timestamp asc"
    )
    assert "@message like" not in build_correlation_query("http.requestId", "r-1")
    assert build_filter_pattern("requestId", "r-1") == '{ $.requestId = "r-1" }'


def test_window_widens_only_while_nothing_is_found(stubbed: Any, fake_time: FakeTime) -> None:
    client, stubber = stubbed
    expect_query(stubber, timedelta(hours=1), [])
    expect_query(
        stubber,
        timedelta(hours=24),
        [
            result_row("2024-01-01 03:00:00.002", {"message": "second", "traceId": TRACE}),
            result_row("2024-01-01 03:00:00.001", {"message": "first", "traceId": TRACE}),
        ],
    )
    events = find_by_trace_id(
        TRACE, ["/app/a"], around=AROUND, polling=fake_time.polling(), client=client
    )
    assert [e.message for e in events] == ["first", "second"]
    assert events[0].group == "/app/a"  # account prefix of @log removed
    assert events[0].stream == "s1"
    assert events[0].trace_id == TRACE
    # no third (7-day) query: the stubber would fail on a call it was not told to expect


def test_nothing_found_tries_every_window_then_returns_empty(
    stubbed: Any, fake_time: FakeTime
) -> None:
    client, stubber = stubbed
    for window in (timedelta(hours=1), timedelta(hours=24), timedelta(days=7)):
        expect_query(stubber, window, [])
    assert (
        find_by_trace_id(
            TRACE, ["/app/a"], around=AROUND, polling=fake_time.polling(), client=client
        )
        == []
    )


def test_more_than_fifty_groups_are_split_and_results_merged(
    stubbed: Any, fake_time: FakeTime
) -> None:
    client, stubber = stubbed
    groups = [f"/svc/{i}" for i in range(60)]
    same = {"message": "seen twice", "traceId": TRACE}
    expect_query(
        stubber,
        timedelta(hours=1),
        [
            result_row("2024-01-01 12:00:05.000", same, "/svc/3"),
            result_row("2024-01-01 12:00:01.000", {"message": "a", "traceId": TRACE}, "/svc/7"),
        ],
        groups=groups[:50],
        query_id="q1",
    )
    expect_query(
        stubber,
        timedelta(hours=1),
        [
            result_row("2024-01-01 12:00:05.000", same, "/svc/3"),
            result_row("2024-01-01 12:00:03.000", {"message": "b", "traceId": TRACE}, "/svc/55"),
        ],
        groups=groups[50:],
        query_id="q2",
    )
    events = find_by_trace_id(
        TRACE,
        groups,
        around=AROUND,
        polling=fake_time.polling(),
        governor=Governor(max_in_flight=1),  # the stubber answers in order
        client=client,
    )
    assert events.queries == 2
    assert [(e.group, e.message) for e in events] == [
        ("/svc/7", "a"),
        ("/svc/55", "b"),
        ("/svc/3", "seen twice"),
    ]


def test_xray_and_upper_case_ids_are_searched_in_w3c_form(
    stubbed: Any, fake_time: FakeTime
) -> None:
    client, stubber = stubbed
    w3c = "5759e988bd862e3fe1be46a994272793"
    expect_query(
        stubber, timedelta(hours=1), [result_row("2024-01-01 12:00:00.000", "x")], value=w3c
    )
    expect_query(
        stubber, timedelta(hours=1), [result_row("2024-01-01 12:00:00.000", "x")], value=w3c
    )
    for given in ("1-5759e988-bd862e3fe1be46a994272793", w3c.upper()):
        found = find_by_trace_id(
            given, ["/app/a"], around=AROUND, polling=fake_time.polling(), client=client
        )
        assert len(found) == 1


def test_snake_style_searches_and_decodes_snake_keys(stubbed: Any, fake_time: FakeTime) -> None:
    client, stubber = stubbed
    expect_query(
        stubber,
        timedelta(hours=1),
        [result_row("2024-01-01 12:00:00.000", {"request_id": "r-1", "trace_id": TRACE})],
        field="request_id",
        value="r-1",
    )
    (event,) = find_by_request_id(
        "r-1", ["/app/a"], keys="snake", around=AROUND, polling=fake_time.polling(), client=client
    )
    assert event.ids == {"request_id": "r-1", "trace_id": TRACE}


def expect_filter(stubber: Stubber, span: TimeRange, events: list[dict[str, Any]]) -> None:
    start, end = span.epoch_millis()
    stubber.add_response(
        "filter_log_events",
        {"events": events},
        {
            "logGroupName": "/app/a",
            "filterPattern": '{ $.spanId = "00f067aa0ba902b7" }',
            "startTime": start,
            "endTime": end,
            "limit": 10_000,
        },
    )


def test_filter_method_uses_a_json_filter_pattern(stubbed: Any) -> None:
    client, stubber = stubbed
    span = TimeRange.around(AROUND, timedelta(minutes=5))
    message = json.dumps({"message": "m", "spanId": "00f067aa0ba902b7", "level": "INFO"})
    expect_filter(
        stubber, span, [{"timestamp": 1_704_110_400_000, "message": message, "logStreamName": "s9"}]
    )
    (event,) = find_by_span_id(
        "00f067aa0ba902b7", ["/app/a"], time_range=span, method="filter", client=client
    )
    assert (event.group, event.stream, event.level, event.span_id) == (
        "/app/a",
        "s9",
        "INFO",
        "00f067aa0ba902b7",
    )
    assert event.timestamp == AROUND


def test_auto_uses_filter_for_small_windows(stubbed: Any) -> None:
    client, stubber = stubbed
    span = TimeRange.around(AROUND, timedelta(minutes=5))
    expect_filter(stubber, span, [])
    assert (
        find_by_span_id(
            "00f067aa0ba902b7", ["/app/a"], time_range=span, method="auto", client=client
        )
        == []
    )


def test_auto_falls_back_to_filter_when_insights_is_denied(stubbed: Any) -> None:
    client, stubber = stubbed
    span = TimeRange.around(AROUND, timedelta(hours=1))
    stubber.add_client_error("start_query", "AccessDeniedException", "no logs:StartQuery")
    expect_filter(stubber, span, [{"timestamp": 1_704_110_400_000, "message": "plain"}])
    (event,) = find_by_span_id(
        "00f067aa0ba902b7", ["/app/a"], time_range=span, method="auto", client=client
    )
    assert event.message == "plain"


def test_insights_method_does_not_hide_a_denied_query(stubbed: Any) -> None:
    client, stubber = stubbed
    stubber.add_client_error("start_query", "AccessDeniedException", "no logs:StartQuery")
    with pytest.raises(AuthenticationError, match="no logs:StartQuery"):
        find_by_trace_id(TRACE, ["/app/a"], time_range=TimeRange.last(hours=2), client=client)


def test_search_windows_end_now_or_surround_the_given_moment() -> None:
    now = datetime(2024, 6, 1, tzinfo=UTC)
    ranges = search_windows([timedelta(days=1), timedelta(hours=1)], now=now)
    assert [(r.start, r.end) for r in ranges] == [
        (now - timedelta(hours=1), now),
        (now - timedelta(days=1), now),
    ]
    near = search_windows([timedelta(hours=1)], around=now - timedelta(minutes=10), now=now)
    assert (near[0].start, near[0].end) == (now - timedelta(minutes=70), now)
    with pytest.raises(ConfigurationError):
        search_windows([])
    with pytest.raises(ConfigurationError):
        search_windows([timedelta(0)])


def test_invalid_method_and_missing_groups_are_refused(stubbed: Any) -> None:
    client, _ = stubbed
    with pytest.raises(ConfigurationError, match="method must be"):
        find_by_trace_id(TRACE, ["/app/a"], method="grep", client=client)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="no log groups"):
        find_by_trace_id(TRACE, [], client=client)


def test_a_timedelta_time_range_is_searched_once_ending_now(stubbed: Any) -> None:
    client, _ = stubbed
    sent = count_calls(client, "FilterLogEvents")
    with pytest.raises(CloudWatchLogsError):  # no answer queued: only the request matters
        find_by_trace_id(
            TRACE, ["/app/a"], time_range=timedelta(minutes=5), method="filter", client=client
        )
    assert len(sent) == 1
    assert sent[0]["endTime"] - sent[0]["startTime"] == 300_000
    assert abs(sent[0]["endTime"] / 1000 - datetime.now(UTC).timestamp()) < 60
