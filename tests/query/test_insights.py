"""Insights against botocore's Stubber: exact request shapes, polling, paging, stop, statuses."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.stub import Stubber

from cw_logging.errors import (
    CloudWatchLogsError,
    ConfigurationError,
    MalformedQueryError,
    QueryCancelledError,
    QueryError,
    QueryFailedError,
    QueryNotFoundError,
    QueryTimeout,
)
from cw_logging.query import (
    Polling,
    TimeRange,
    get_query_results,
    run_query,
    start_query,
    stop_query,
)
from cw_logging.query._client import resolve_client
from tests.query.conftest import FakeTime

UTC = timezone.utc
SPAN = TimeRange.between(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 1, 1, tzinfo=UTC))
START, END = 1_704_067_200, 1_704_070_800
QUERY = "fields @timestamp, @message | sort @timestamp desc"
ARN = "arn:aws:logs:us-east-1:123456789012:log-group:/app/b"


def expect_start(stubber: Stubber, query_id: str = "q-1", **params: Any) -> None:
    expected = {"queryString": QUERY, "logGroupNames": ["/app/a"], "startTime": START}
    expected.update(endTime=END, **params)
    stubber.add_response("start_query", {"queryId": query_id}, expected)


def expect_results(
    stubber: Stubber, status: str, query_id: str = "q-1", token: str | None = None, **extra: Any
) -> None:
    expected: dict[str, Any] = {"queryId": query_id}
    if token:
        expected["nextToken"] = token
    stubber.add_response("get_query_results", {"status": status, "results": [], **extra}, expected)


def count_calls(client: Any, operation: str) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    client.meta.events.register(
        f"provide-client-params.logs.{operation}", lambda params, **_: seen.append(dict(params))
    )
    return seen


def row(timestamp: str, message: str, ptr: str) -> list[dict[str, str]]:
    return [
        {"field": "@timestamp", "value": timestamp},
        {"field": "@message", "value": message},
        {"field": "@ptr", "value": ptr},
    ]


def test_start_query_sends_names_epoch_seconds_and_capped_limit(stubbed: Any) -> None:
    client, stubber = stubbed
    expect_start(stubber, limit=100_000, queryLanguage="CWLI")
    query_id = start_query(
        QUERY, ["/app/a", "/app/a"], SPAN, limit=250_000, query_language="CWLI", client=client
    )
    assert query_id == "q-1"


def test_arns_go_to_log_group_identifiers_without_trailing_star(stubbed: Any) -> None:
    client, stubber = stubbed
    stubber.add_response(
        "start_query",
        {"queryId": "q-2"},
        {
            "queryString": QUERY,
            "logGroupIdentifiers": ["/app/a", ARN],
            "startTime": START,
            "endTime": END,
        },
    )
    assert start_query(QUERY, ["/app/a", ARN + ":*"], SPAN, client=client) == "q-2"


def test_sql_may_name_its_groups_inside_the_query(stubbed: Any) -> None:
    client, stubber = stubbed
    sql = "SELECT `@message` FROM `logGroups(logGroupIdentifier: ['/app/a'])`"
    stubber.add_response(
        "start_query",
        {"queryId": "q-3"},
        {"queryString": sql, "startTime": START, "endTime": END, "queryLanguage": "SQL"},
    )
    assert start_query(sql, [], SPAN, query_language="SQL", client=client) == "q-3"


@pytest.mark.parametrize(
    ("groups", "limit", "error", "message"),
    [
        ([f"/g/{i}" for i in range(51)], None, ConfigurationError, "51 log groups exceed the 50"),
        ([], None, ConfigurationError, "no log groups"),
        (["bad name!"], None, ConfigurationError, "invalid log group name"),
        (["/app/a"], 0, ConfigurationError, "limit=0 is invalid: use an integer >= 1"),
    ],
)
def test_invalid_requests_are_refused_before_sending(
    stubbed: Any, groups: list[str], limit: int | None, error: type[Exception], message: str
) -> None:
    client, _ = stubbed
    sent = count_calls(client, "StartQuery")
    with pytest.raises(error, match=message):
        start_query(QUERY, groups, SPAN, limit=limit, client=client)
    assert sent == []


def test_exactly_fifty_groups_are_accepted(stubbed: Any) -> None:
    client, stubber = stubbed
    groups = [f"/g/{i}" for i in range(50)]
    stubber.add_response(
        "start_query",
        {"queryId": "q"},
        {"queryString": QUERY, "logGroupNames": groups, "startTime": START, "endTime": END},
    )
    assert start_query(QUERY, groups, SPAN, client=client) == "q"


def test_run_query_polls_with_doubling_backoff_capped_at_five_seconds(
    stubbed: Any, fake_time: FakeTime
) -> None:
    client, stubber = stubbed
    expect_start(stubber)
    for status in ("Scheduled", "Running", "Running", "Running", "Running", "Running"):
        expect_results(stubber, status)
    expect_results(stubber, "Complete", statistics={"recordsMatched": 2.0})
    result = run_query(QUERY, ["/app/a"], SPAN, polling=fake_time.polling(), client=client)
    assert result.status == "Complete"
    assert result.query_id == "q-1"
    assert result.statistics == {"recordsMatched": 2.0}
    assert fake_time.sleeps == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]


def test_run_query_follows_next_token_and_decodes_rows(stubbed: Any, fake_time: FakeTime) -> None:
    client, stubber = stubbed
    expect_start(stubber)
    stubber.add_response(
        "get_query_results",
        {
            "status": "Complete",
            "results": [row("2024-01-01 00:10:00.123", "first", "ptr-1")],
            "nextToken": "page-2",
        },
        {"queryId": "q-1"},
    )
    stubber.add_response(
        "get_query_results",
        {"status": "Complete", "results": [row("2024-01-01 00:20:00.000", "second", "ptr-2")]},
        {"queryId": "q-1", "nextToken": "page-2"},
    )
    result = run_query(QUERY, ["/app/a"], SPAN, polling=fake_time.polling(), client=client)
    assert result.rows == [
        {"@timestamp": datetime(2024, 1, 1, 0, 10, 0, 123_000, tzinfo=UTC), "@message": "first"},
        {"@timestamp": datetime(2024, 1, 1, 0, 20, tzinfo=UTC), "@message": "second"},
    ]
    assert result.pointers == ["ptr-1", "ptr-2"]
    assert [r["@message"] for r in result] == ["first", "second"]
    assert len(result) == 2
    assert fake_time.sleeps == []


def test_timeout_stops_the_query_and_raises(stubbed: Any, fake_time: FakeTime) -> None:
    client, stubber = stubbed
    expect_start(stubber)
    for _ in range(4):
        expect_results(stubber, "Running")
    stubber.add_response("stop_query", {"success": True}, {"queryId": "q-1"})
    with pytest.raises(QueryTimeout, match="did not complete within 3 s and was stopped"):
        run_query(QUERY, ["/app/a"], SPAN, timeout=3, polling=fake_time.polling(), client=client)
    assert fake_time.sleeps == [0.5, 1.0, 1.5]  # the last wait is cut to the deadline


def test_timeout_still_raises_when_stop_query_fails(stubbed: Any, fake_time: FakeTime) -> None:
    client, stubber = stubbed
    expect_start(stubber)
    expect_results(stubber, "Running")
    expect_results(stubber, "Running")
    stubber.add_client_error("stop_query", "InvalidParameterException", "not running")
    with pytest.raises(QueryTimeout):
        run_query(QUERY, ["/app/a"], SPAN, timeout=0.5, polling=fake_time.polling(), client=client)


def test_keyboard_interrupt_stops_the_query_and_propagates(
    stubbed: Any, fake_time: FakeTime
) -> None:
    client, stubber = stubbed
    expect_start(stubber)
    expect_results(stubber, "Running")
    stubber.add_response("stop_query", {"success": True}, {"queryId": "q-1"})

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    polling = fake_time.polling()
    polling = type(polling)(sleep=interrupted, clock=fake_time.clock)
    with pytest.raises(KeyboardInterrupt):
        run_query(QUERY, ["/app/a"], SPAN, polling=polling, client=client)


@pytest.mark.parametrize(
    ("status", "error", "code"),
    [
        ("Failed", QueryFailedError, "QueryFailed"),
        ("Cancelled", QueryCancelledError, "QueryCancelled"),
        ("Timeout", QueryTimeout, "QueryTimeout"),
        ("Unknown", QueryFailedError, "QueryStatusUnknown"),
    ],
)
def test_final_statuses_map_to_the_taxonomy_without_stopping(
    stubbed: Any, fake_time: FakeTime, status: str, error: type[QueryError], code: str
) -> None:
    client, stubber = stubbed
    stops = count_calls(client, "StopQuery")
    expect_start(stubber)
    expect_results(stubber, "Running")
    expect_results(stubber, status)
    with pytest.raises(error, match=f"ended with status {status}") as info:
        run_query(QUERY, ["/app/a"], SPAN, polling=fake_time.polling(), client=client)
    assert info.value.code == code
    assert isinstance(info.value, QueryError)
    assert stops == []
    assert fake_time.sleeps == [0.5]


def test_unknown_query_id_is_query_not_found(stubbed: Any) -> None:
    client, stubber = stubbed
    stubber.add_client_error("get_query_results", "ResourceNotFoundException", "no such query")
    stubber.add_client_error("stop_query", "ResourceNotFoundException", "no such query")
    with pytest.raises(QueryNotFoundError, match="does not know query nope"):
        get_query_results("nope", client=client)
    with pytest.raises(QueryNotFoundError):
        stop_query("nope", client=client)


def test_stop_query_reports_success(stubbed: Any) -> None:
    client, stubber = stubbed
    stubber.add_response("stop_query", {"success": False}, {"queryId": "q-9"})
    assert stop_query("q-9", client=client) is False


def test_service_syntax_error_is_malformed_query(stubbed: Any) -> None:
    client, stubber = stubbed
    stubber.add_client_error(
        "start_query", "MalformedQueryException", "unexpected symbol", http_status_code=400
    )
    with pytest.raises(MalformedQueryError, match="unexpected symbol"):
        start_query("fields x | bogus y", ["/app/a"], SPAN, client=client)


def test_timedelta_is_the_last_so_long(stubbed: Any) -> None:
    client, _ = stubbed
    sent = count_calls(client, "StartQuery")
    with pytest.raises(CloudWatchLogsError):  # no answer queued: only the request matters
        start_query(QUERY, ["/app/a"], timedelta(minutes=30), client=client)
    assert sent[0]["endTime"] - sent[0]["startTime"] in (1800, 1801)


def test_client_is_built_from_options_when_not_given() -> None:
    client = resolve_client(None, {"region_name": "eu-west-1", "endpoint_url": None})
    assert client.meta.region_name == "eu-west-1"
    with pytest.raises(TypeError, match="not both"):
        resolve_client(client, {"region_name": "eu-west-1"})


def test_polling_intervals_must_be_positive_and_ordered() -> None:
    with pytest.raises(ConfigurationError, match="initial <= maximum"):
        Polling(initial=0)
    with pytest.raises(ConfigurationError, match="initial <= maximum"):
        Polling(initial=6, maximum=5)
