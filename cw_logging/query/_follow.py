"""Following log groups as events arrive (``tail --follow``), over FilterLogEvents."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from ._events import LogEvent, filter_log_events
from ._timerange import TimeRange

__all__ = ["DEFAULT_LOOKBACK", "follow_groups", "follow_log_events"]

DEFAULT_LOOKBACK = timedelta(seconds=30)
"""How far behind the newest event each poll looks again: events are searchable only after
ingestion, so a late one may carry an older timestamp than events already shown."""


def _identity(event: LogEvent) -> tuple[Any, ...]:
    return (event.event_id,) if event.event_id else (event.timestamp, event.stream, event.message)


class _GroupPoller:
    """One group's polls: each returns the events not seen before, oldest first."""

    def __init__(
        self,
        log_group: str,
        pattern: str | None,
        start: datetime,
        client: Any,
        lookback: timedelta,
        stream_prefix: str | None,
    ) -> None:
        # whole milliseconds, as event timestamps: an event of start's millisecond is found by
        # the window and must not fall behind the horizon of the seen ones (shown twice)
        start = start.replace(microsecond=start.microsecond // 1000 * 1000)
        self.log_group, self.pattern, self.start = log_group, pattern, start
        self.client, self.lookback, self.stream_prefix = client, lookback, stream_prefix
        self.newest = start
        self.seen: dict[tuple[Any, ...], datetime] = {}

    def poll(self, latest: datetime) -> list[LogEvent]:
        """The events up to ``latest`` not returned before, oldest first."""
        window_start = max(self.start, self.newest - self.lookback)
        fresh: list[LogEvent] = []
        if window_start <= latest:
            for event in filter_log_events(
                self.log_group,
                self.pattern or None,
                time_range=TimeRange(window_start, latest),
                stream_prefix=self.stream_prefix,
                client=self.client,
            ):
                key = _identity(event)
                if key not in self.seen:
                    self.seen[key] = event.timestamp
                    fresh.append(event)
        fresh.sort(key=lambda e: e.timestamp)
        if fresh:
            self.newest = max(self.newest, fresh[-1].timestamp)
        horizon = max(self.start, self.newest - self.lookback)
        for key in [k for k, stamp in self.seen.items() if stamp < horizon]:
            del self.seen[key]
        return fresh


def follow_groups(
    log_groups: Sequence[str],
    pattern: str | None,
    *,
    start: datetime,
    client: Any,
    interval: float = 2.0,
    lookback: timedelta = DEFAULT_LOOKBACK,
    stream_prefix: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
) -> Iterator[tuple[str, LogEvent]]:
    """Yield ``(group, event)`` for the groups' events matching ``pattern`` from ``start`` on,
    then new ones as they arrive, polling every group every ``interval`` seconds; each event
    once, the groups' events of one poll merged oldest first.

    Each poll costs one FilterLogEvents call (or more, when a page is full) per group, against
    a quota of 5 calls per second per account and region. Runs until the caller stops
    iterating (or Ctrl-C).
    """
    pollers = [
        _GroupPoller(group, pattern, start, client, lookback, stream_prefix)
        for group in dict.fromkeys(log_groups)
    ]
    while True:
        latest = now()
        fresh = [(poller.log_group, event) for poller in pollers for event in poller.poll(latest)]
        fresh.sort(key=lambda item: item[1].timestamp)
        yield from fresh
        sleep(interval)


def follow_log_events(
    log_group: str,
    pattern: str | None,
    *,
    start: datetime,
    client: Any,
    interval: float = 2.0,
    lookback: timedelta = DEFAULT_LOOKBACK,
    stream_prefix: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
) -> Iterator[LogEvent]:
    """Yield the group's events matching ``pattern`` from ``start`` on, then new ones as they
    arrive, polling every ``interval`` seconds; each event once, oldest first per poll.

    Runs until the caller stops iterating (or Ctrl-C).
    """
    for _, event in follow_groups(
        [log_group],
        pattern,
        start=start,
        client=client,
        interval=interval,
        lookback=lookback,
        stream_prefix=stream_prefix,
        sleep=sleep,
        now=now,
    ):
        yield event
