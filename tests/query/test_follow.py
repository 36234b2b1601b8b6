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


def test_an_event_in_the_starting_millisecond_is_shown_once(client: Any) -> None:
    later = datetime.now(timezone.utc)
    start = (later - timedelta(seconds=1)).replace(microsecond=123456)
    stamp = int(start.timestamp() * 1000)  # start's millisecond, 456 microseconds before it
    client.put_log_events(
        logGroupName="/f",
        logStreamName="a",
        logEvents=[{"timestamp": stamp, "message": "at the start"}],
    )
    polls: list[float] = []

    def sleep(seconds: float) -> None:
        polls.append(seconds)
        if len(polls) == 2:
            put(client, "b", 0, "after two polls")
        assert len(polls) < 10, "polled on without showing the later event"

    events = follow_log_events(
        "/f", None, start=start, client=client, sleep=sleep, now=lambda: datetime.now(timezone.utc)
    )
    first, second = itertools.islice(events, 2)
    assert (first.message, second.message) == ("at the start", "after two polls")


def test_follow_groups_merges_several_groups_by_time(client: Any) -> None:
    from cw_logging.query._follow import follow_groups

    client.create_log_group(logGroupName="/g")
    client.create_log_stream(logGroupName="/g", logStreamName="a")
    now = int(time.time() * 1000)
    for group, offset in (("/f", 2), ("/g", 1), ("/f", 0)):
        client.put_log_events(
            logGroupName=group,
            logStreamName="a",
            logEvents=[{"timestamp": now - offset, "message": f"{group} -{offset}"}],
        )
    start = datetime.now(timezone.utc) - timedelta(seconds=5)
    events = follow_groups(["/f", "/g", "/f"], None, start=start, client=client, sleep=len)
    assert [(g, e.message) for g, e in itertools.islice(events, 3)] == [
        ("/f", "/f -2"),
        ("/g", "/g -1"),
        ("/f", "/f -0"),
    ]
