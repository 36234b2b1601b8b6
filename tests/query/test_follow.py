"""``follow_log_events`` (``tail --follow``): each event once, late arrivals with older
timestamps included, polls driven by an injected sleep against the in-process local engine."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from cw_logging.local import LocalClient, LocalEngine
from cw_logging.query._follow import follow_log_events


@pytest.fixture
def client() -> Iterator[Any]:
    with LocalEngine() as engine:
        logs = LocalClient(engine)
        logs.create_log_group(logGroupName="/f")
        for stream in ("a", "b"):
            logs.create_log_stream(logGroupName="/f", logStreamName=stream)
        yield logs


def put(client: Any, stream: str, seconds_ago: float, message: str) -> None:
    stamp = int((time.time() - seconds_ago) * 1000)
    client.put_log_events(
        logGroupName="/f",
        logStreamName=stream,
        logEvents=[{"timestamp": stamp, "message": message}],
    )


def test_new_and_late_events_each_once(client: Any) -> None:
    put(client, "a", 5, "old enough")
    put(client, "a", 2, "first")
    arrivals = iter(
        [
            lambda: put(client, "b", 1, "second"),
            lambda: put(client, "b", 3, "late, stamped before 'first'"),
            lambda: None,  # a poll with nothing new
            lambda: put(client, "a", 0, "third"),
        ]
    )
    polls = []

    def sleep(seconds: float) -> None:
        polls.append(seconds)
        next(arrivals)()

    start = datetime.now(timezone.utc) - timedelta(seconds=4)
    events = follow_log_events("/f", None, start=start, client=client, interval=0.5, sleep=sleep)
    messages = [event.message for event in itertools.islice(events, 4)]
    assert messages == ["first", "second", "late, stamped before 'first'", "third"]
    assert polls == [0.5, 0.5, 0.5, 0.5]


def test_filter_pattern_applies(client: Any) -> None:
    put(client, "a", 2, '{"level": "INFO"}')
    put(client, "a", 1, '{"level": "ERROR"}')
    events = follow_log_events(
        "/f",
        '{ $.level = "ERROR" }',
        start=datetime.now(timezone.utc) - timedelta(minutes=1),
        client=client,
        sleep=lambda seconds: None,
    )
    assert next(events).message == '{"level": "ERROR"}'
