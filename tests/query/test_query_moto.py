"""Results decoding over HTTP against moto's server (moto ignores `filter`: no semantics here)."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from cw_logging.errors import ResourceNotFoundError
from cw_logging.query import TimeRange, find_by_trace_id, run_query
from tests.query.conftest import FakeTime

pytestmark = pytest.mark.integration

UTC = timezone.utc
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def put(client: Any, group: str, stream: str, events: list[tuple[int, str]]) -> None:
    client.create_log_group(logGroupName=group)
    client.create_log_stream(logGroupName=group, logStreamName=stream)
    client.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": ts, "message": message} for ts, message in events],
    )


def test_run_query_decodes_rows_timestamps_and_pointers(
    logs_client: Any, fake_time: FakeTime
) -> None:
    now_ms = int(time.time() * 1000)
    put(logs_client, "/app/a", "s1", [(now_ms - 2000, "one"), (now_ms - 1000, "two")])
    result = run_query(
        "fields @timestamp, @message, @logStream, @log | sort @timestamp asc",
        ["/app/a"],
        TimeRange.last(minutes=5),
        polling=fake_time.polling(),
        client=logs_client,
    )
    assert result.status == "Complete"
    assert [row["@message"] for row in result.rows] == ["one", "two"]
    stamps = [row["@timestamp"] for row in result.rows]
    assert all(isinstance(s, datetime) and s.tzinfo is not None for s in stamps)
    assert [int(s.timestamp() * 1000) for s in stamps] == [now_ms - 2000, now_ms - 1000]
    assert all("@ptr" not in row for row in result.rows)
    assert len(result.pointers) == 2 and all(result.pointers)
    assert {row["@logStream"] for row in result.rows} == {"s1"}
    assert {row["@log"] for row in result.rows} == {"/app/a"}


def test_query_of_a_missing_group_is_resource_not_found(logs_client: Any) -> None:
    with pytest.raises(ResourceNotFoundError):
        run_query("fields @message", ["/nope"], timedelta(minutes=5), client=logs_client)


def test_find_by_trace_id_merges_groups_into_one_decoded_timeline(
    logs_client: Any, fake_time: FakeTime
) -> None:
    now_ms = int(time.time() * 1000)

    def event(offset: int, service: str) -> tuple[int, str]:
        body = {"message": f"{service} step", "level": "INFO", "traceId": TRACE}
        return now_ms + offset, json.dumps(body)

    put(logs_client, "/shop/api", "api-1", [event(-3000, "api"), event(-1000, "api")])
    put(logs_client, "/shop/worker", "w-1", [event(-2000, "worker")])
    put(logs_client, "/shop/legacy", "old", [(now_ms - 1500, f"WARN legacy traceId={TRACE}")])
    events = find_by_trace_id(
        TRACE,
        ["/shop/api", "/shop/worker", "/shop/legacy"],
        polling=fake_time.polling(),
        client=logs_client,
    )
    assert [(e.group, e.stream, e.message, e.level) for e in events] == [
        ("/shop/api", "api-1", "api step", "INFO"),
        ("/shop/worker", "w-1", "worker step", "INFO"),
        ("/shop/legacy", "old", f"WARN legacy traceId={TRACE}", "WARN"),
        ("/shop/api", "api-1", "api step", "INFO"),
    ]
    assert all(e.trace_id == TRACE for e in events)
    assert [e.timestamp for e in events] == sorted(e.timestamp for e in events)


def test_filter_fallback_decodes_events_over_http(logs_client: Any) -> None:
    now_ms = int(time.time() * 1000)
    put(
        logs_client,
        "/shop/api",
        "api-1",
        [(now_ms - 100, json.dumps({"traceId": TRACE, "message": "m"}))],
    )
    (event,) = find_by_trace_id(
        TRACE,
        ["/shop/api"],
        method="filter",
        time_range=TimeRange.last(minutes=5),
        client=logs_client,
    )
    assert (event.group, event.stream, event.message, event.trace_id) == (
        "/shop/api",
        "api-1",
        "m",
        TRACE,
    )
