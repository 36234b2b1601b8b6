"""Following a log group as events arrive (``tail --follow``), over FilterLogEvents."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from ._events import LogEvent, filter_log_events
from ._timerange import TimeRange

__all__ = ["DEFAULT_LOOKBACK", "follow_log_events"]

DEFAULT_LOOKBACK = timedelta(seconds=30)
"""How far behind the newest event each poll looks again: events are searchable only after
ingestion, so a late one may carry an older timestamp than events already shown."""


def _identity(event: LogEvent) -> tuple[Any, ...]:
    return (event.event_id,) if event.event_id else (event.timestamp, event.stream, event.message)


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
    seen: dict[tuple[Any, ...], datetime] = {}
    newest = start
    while True:
        window_start = max(start, newest - lookback)
        latest = now()
        fresh: list[LogEvent] = []
        if window_start <= latest:
            for event in filter_log_events(
                log_group,
                pattern or None,
                time_range=TimeRange(window_start, latest),
                stream_prefix=stream_prefix,
                client=client,
            ):
                key = _identity(event)
                if key not in seen:
                    seen[key] = event.timestamp
                    fresh.append(event)
        fresh.sort(key=lambda e: e.timestamp)
        yield from fresh
        if fresh:
            newest = max(newest, fresh[-1].timestamp)
        horizon = max(start, newest - lookback)
        for key in [k for k, stamp in seen.items() if stamp < horizon]:
            del seen[key]
        sleep(interval)
