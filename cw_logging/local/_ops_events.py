"""PutLogEvents, GetLogEvents and FilterLogEvents with the service's rules and paging."""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from .._limits import (
    EVENT_OVERHEAD_BYTES,
    MAX_AGE_MS,
    MAX_BATCH_BYTES,
    MAX_BATCH_EVENTS,
    MAX_BATCH_SPAN_MS,
    MAX_EVENT_BYTES,
    MAX_FUTURE_MS,
)
from ._model import LogGroup, LogStream, StoredEvent
from ._ops_context import ServiceContext, decode_token, encode_token, invalid
from .filterpattern import compile_filter_pattern

Params = dict[str, Any]
Handler = Callable[[ServiceContext, Params], Params]
T = TypeVar("T")
DAY_MS = 24 * 3600 * 1000
MAX_RESPONSE_BYTES = 1_048_576
"""GetLogEvents / FilterLogEvents answer at most this many bytes of events (and 10,000)."""


def put_log_events(ctx: ServiceContext, params: Params) -> Params:
    """PutLogEvents: refuse invalid batches, reject too old / too new / expired events."""
    group = ctx.group(params["logGroupName"])
    stream = ctx.stream(group, params["logStreamName"])
    events: list[Params] = params["logEvents"]
    _check_batch(events)
    now = ctx.now_ms()
    timestamps = [int(event["timestamp"]) for event in events]
    too_new_start = next((i for i, ts in enumerate(timestamps) if ts > now + MAX_FUTURE_MS), None)
    too_old_end = _last_index_before(timestamps, now - MAX_AGE_MS)
    expired_end = (
        _last_index_before(timestamps, now - group.retention_days * DAY_MS)
        if group.retention_days is not None
        else None
    )
    first = max(
        -1 if too_old_end is None else too_old_end, -1 if expired_end is None else expired_end
    )
    accepted = events[first + 1 : len(events) if too_new_start is None else too_new_start]
    if accepted and accepted[-1]["timestamp"] - accepted[0]["timestamp"] > MAX_BATCH_SPAN_MS:
        raise invalid(
            "The batch of log events in a single PutLogEvents request cannot span more than "
            "24 hours."
        )
    if accepted:
        ctx.store.add_events(
            group, stream, ((int(e["timestamp"]), e["message"]) for e in accepted), now
        )
    response: Params = {"nextSequenceToken": f"{stream.upload_count + 1:056d}"}
    rejected = {
        "tooNewLogEventStartIndex": too_new_start,
        "tooOldLogEventEndIndex": too_old_end,
        "expiredLogEventEndIndex": expired_end,
    }
    if any(value is not None for value in rejected.values()):
        response["rejectedLogEventsInfo"] = {k: v for k, v in rejected.items() if v is not None}
    return response


def _check_batch(events: list[Params]) -> None:
    """Sizes and order; the event count is a model constraint, checked before the call."""
    total = 0
    previous: int | None = None
    for event in events:
        try:
            size = len(event["message"].encode("utf-8"))
        except UnicodeEncodeError as exc:
            raise invalid("Log event message is not valid UTF-8.") from exc
        if size > MAX_EVENT_BYTES:
            raise invalid(f"Log event too large: {size} bytes exceeds limit of {MAX_EVENT_BYTES}")
        total += size + EVENT_OVERHEAD_BYTES
        if previous is not None and event["timestamp"] < previous:
            raise invalid(
                "Log events in a single PutLogEvents request must be in chronological order."
            )
        previous = event["timestamp"]
    if total > MAX_BATCH_BYTES:
        raise invalid(f"Upload too large: {total} bytes exceeds limit of {MAX_BATCH_BYTES}")


def _last_index_before(timestamps: list[int], bound: int) -> int | None:
    """Index of the last (chronologically ordered) timestamp below ``bound``, if any."""
    count = bisect.bisect_left(timestamps, bound)
    return count - 1 if count else None


def _oldest_visible(ctx: ServiceContext, group: LogGroup) -> int:
    """Events older than the retention period are gone."""
    if group.retention_days is None:
        return 0
    return ctx.now_ms() - group.retention_days * DAY_MS


def _window(events: list[StoredEvent], start: int, end: int) -> list[StoredEvent]:
    """Events with ``start <= timestamp < end`` (``events`` is in time order)."""
    lo = bisect.bisect_left(events, start, key=lambda e: e.timestamp)
    hi = bisect.bisect_left(events, end, key=lambda e: e.timestamp)
    return events[lo:hi]


def _key_token(direction: str, key: tuple[int, int]) -> str:
    return f"{direction}/{key[0]}/{key[1]}"


def _parse_key_token(token: str) -> tuple[str, tuple[int, int]]:
    try:
        direction, ts, seq = token.split("/")
        if direction not in ("f", "b"):
            raise ValueError(direction)
        return direction, (int(ts), int(seq))
    except ValueError as exc:
        raise invalid("The specified nextToken is invalid.") from exc


def get_log_events(ctx: ServiceContext, params: Params) -> Params:
    """GetLogEvents: newest first by default; at the end the same forward token comes back."""
    group = ctx.group_from_params(params)
    stream = ctx.stream(group, params["logStreamName"])
    start = max(params.get("startTime") or 0, _oldest_visible(ctx, group))
    end = params.get("endTime")
    window = _window(stream.events, start, end if end is not None else 2**63)
    limit = params.get("limit") or MAX_BATCH_EVENTS
    token = params.get("nextToken")
    if token is not None:
        direction, key = _parse_key_token(token)
    else:
        direction = "f" if params.get("startFromHead") else "b"
        key = (start - 1, 2**62) if direction == "f" else (2**62, 2**62)
    if direction == "f":
        later = window[bisect.bisect_right(window, key, key=_key) :]
        chosen = _take_page(later, limit, _itself)[0]
    else:
        earlier = window[: bisect.bisect_left(window, key, key=_key)]
        chosen = _take_page(reversed(earlier), limit, _itself)[0]
        chosen.reverse()
    if chosen:
        forward, backward = chosen[-1].key, chosen[0].key
    elif token is None:
        forward = backward = (start - 1, 2**62)
    else:
        forward = backward = key
    return {
        "events": [
            {"timestamp": e.timestamp, "message": e.message, "ingestionTime": e.ingestion_time}
            for e in chosen
        ],
        "nextForwardToken": _key_token("f", forward),
        "nextBackwardToken": _key_token("b", backward),
    }


def filter_log_events(ctx: ServiceContext, params: Params) -> Params:
    """FilterLogEvents: pattern over chosen streams, interleaved by time; no nextToken at end."""
    group = ctx.group_from_params(params)
    names, prefix = params.get("logStreamNames"), params.get("logStreamNamePrefix")
    if names is not None and prefix is not None:
        raise invalid("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
    streams = [
        s
        for s in group.streams.values()
        if (names is None or s.name in names) and (prefix is None or s.name.startswith(prefix))
    ]
    pattern = compile_filter_pattern(params.get("filterPattern"))
    start = max(params.get("startTime") or 0, _oldest_visible(ctx, group))
    end = params.get("endTime")
    inclusive_end = end + 1 if end is not None else 2**63
    ascending = params.get("startFromHead", True)
    after: tuple[int, int] | None = None
    if params.get("nextToken") is not None:
        state = decode_token(params["nextToken"])
        try:
            ascending, after = bool(state["a"]), (int(state["k"][0]), int(state["k"][1]))
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise invalid("The specified nextToken is invalid.") from exc
    merged = _merged(streams, start, inclusive_end, ascending, after)
    matching = ((e, name) for e, name in merged if pattern.matches(e.message))
    limit = params.get("limit") or MAX_BATCH_EVENTS
    page, more = _take_page(matching, limit, _first)
    response: Params = {
        "events": [
            {
                "logStreamName": name,
                "timestamp": e.timestamp,
                "message": e.message,
                "ingestionTime": e.ingestion_time,
                "eventId": e.event_id,
            }
            for e, name in page
        ],
        "searchedLogStreams": [
            {"logStreamName": s.name, "searchedCompletely": not more} for s in streams
        ],
    }
    if more and page:
        response["nextToken"] = encode_token({"a": ascending, "k": list(page[-1][0].key)})
    return response


def _merged(
    streams: list[LogStream],
    start: int,
    end: int,
    ascending: bool,
    after: tuple[int, int] | None,
) -> Iterator[tuple[StoredEvent, str]]:
    """Events of all streams in the window beyond ``after`` (in the reading direction),
    interleaved by time, each with its stream name."""
    runs = []
    for stream in streams:
        window = _window(stream.events, start, end)
        if after is not None and ascending:
            window = window[bisect.bisect_right(window, after, key=_key) :]
        elif after is not None:
            window = window[: bisect.bisect_left(window, after, key=_key)]
        ordered = window if ascending else window[::-1]
        runs.append([(event, stream.name) for event in ordered])
    return heapq.merge(*runs, key=lambda pair: pair[0].key, reverse=not ascending)


def _take_page(
    items: Iterable[T], limit: int, event_of: Callable[[T], StoredEvent]
) -> tuple[list[T], bool]:
    """Take up to ``limit`` items within the response size cap; say whether more follow."""
    page: list[T] = []
    size = 0
    for item in items:
        size += len(event_of(item).message.encode("utf-8")) + EVENT_OVERHEAD_BYTES
        if len(page) >= limit or (page and size > MAX_RESPONSE_BYTES):
            return page, True
        page.append(item)
    return page, False


def _key(event: StoredEvent) -> tuple[int, int]:
    return event.key


def _itself(event: StoredEvent) -> StoredEvent:
    return event


def _first(pair: tuple[StoredEvent, str]) -> StoredEvent:
    return pair[0]


OPERATIONS: dict[str, Handler] = {
    "PutLogEvents": put_log_events,
    "GetLogEvents": get_log_events,
    "FilterLogEvents": filter_log_events,
}
"""Operation name -> handler, for the engine's dispatch table."""
