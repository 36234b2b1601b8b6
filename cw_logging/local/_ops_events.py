"""PutLogEvents, GetLogEvents and FilterLogEvents with the service's rules and paging.

Reading walks the time-ordered :class:`~._timeline.Timeline` of a stream (GetLogEvents) or of
the group (FilterLogEvents) from the token's position, found by bisection, so each page costs
what it returns, however deep into a million events it starts.
"""

from __future__ import annotations

import bisect
import operator
import re
from collections.abc import Callable
from typing import Any

from .._limits import (
    EVENT_OVERHEAD_BYTES,
    MAX_AGE_MS,
    MAX_BATCH_BYTES,
    MAX_BATCH_EVENTS,
    MAX_BATCH_SPAN_MS,
    MAX_EVENT_BYTES,
    MAX_FUTURE_MS,
)
from ._model import LogGroup
from ._ops_context import ServiceContext, decode_token, encode_token, invalid
from ._timeline import Segment, Timeline
from .filterpattern import compile_filter_pattern

Params = dict[str, Any]
Handler = Callable[[ServiceContext, Params], Params]
DAY_MS = 24 * 3600 * 1000
MAX_RESPONSE_BYTES = 1_048_576
"""GetLogEvents / FilterLogEvents answer at most this many bytes of events (and 10,000)."""
_END_OF_TIME = 2**62
_KEY_TOKEN = re.compile(r"([fb])/(-?[0-9]{1,19})/(-?[0-9]{1,19})")
Position = tuple[Segment, int]


def put_log_events(ctx: ServiceContext, params: Params) -> Params:
    """PutLogEvents: refuse invalid batches, reject too old / too new / expired events."""
    group = ctx.group(params["logGroupName"])
    stream = ctx.stream(group, params["logStreamName"])
    events: list[Params] = params["logEvents"]
    timestamps = [event["timestamp"] for event in events]
    messages = [event["message"] for event in events]
    sizes = _check_batch(timestamps, messages)
    now = ctx.now_ms()
    too_new_start = bisect.bisect_right(timestamps, now + MAX_FUTURE_MS)
    too_old_end = _last_index_before(timestamps, now - MAX_AGE_MS)
    expired_end = (
        _last_index_before(timestamps, now - group.retention_days * DAY_MS)
        if group.retention_days is not None
        else None
    )
    first = max(
        -1 if too_old_end is None else too_old_end, -1 if expired_end is None else expired_end
    )
    first += 1
    end = max(too_new_start, first)
    if end > first and timestamps[end - 1] - timestamps[first] > MAX_BATCH_SPAN_MS:
        raise invalid(
            "The batch of log events in a single PutLogEvents request cannot span more than "
            "24 hours."
        )
    if end > first:
        accepted = slice(first, end)
        ctx.store.add_events(
            group, stream, timestamps[accepted], messages[accepted], sizes[accepted], now
        )
    response: Params = {"nextSequenceToken": f"{stream.upload_count + 1:056d}"}
    rejected = {
        "tooNewLogEventStartIndex": too_new_start if too_new_start < len(events) else None,
        "tooOldLogEventEndIndex": too_old_end,
        "expiredLogEventEndIndex": expired_end,
    }
    if any(value is not None for value in rejected.values()):
        response["rejectedLogEventsInfo"] = {k: v for k, v in rejected.items() if v is not None}
    return response


def _check_batch(timestamps: list[int], messages: list[str]) -> list[int]:
    """Sizes and order (the event count is a model constraint, checked before the call);
    return each message's UTF-8 bytes."""
    if "".join(messages).isascii():
        sizes = list(map(len, messages))
    else:
        try:
            sizes = [len(message.encode("utf-8")) for message in messages]
        except UnicodeEncodeError as exc:
            raise invalid("Log event message is not valid UTF-8.") from exc
    largest = max(sizes, default=0)
    if largest > MAX_EVENT_BYTES:
        raise invalid(f"Log event too large: {largest} bytes exceeds limit of {MAX_EVENT_BYTES}")
    if any(map(operator.gt, timestamps, timestamps[1:])):
        raise invalid("Log events in a single PutLogEvents request must be in chronological order.")
    total = sum(sizes) + EVENT_OVERHEAD_BYTES * len(sizes)
    if total > MAX_BATCH_BYTES:
        raise invalid(f"Upload too large: {total} bytes exceeds limit of {MAX_BATCH_BYTES}")
    return sizes


def _last_index_before(timestamps: list[int], bound: int) -> int | None:
    """Index of the last (chronologically ordered) timestamp below ``bound``, if any."""
    count = bisect.bisect_left(timestamps, bound)
    return count - 1 if count else None


def _oldest_visible(ctx: ServiceContext, group: LogGroup) -> int:
    """Events older than the retention period are gone."""
    if group.retention_days is None:
        return 0
    return ctx.now_ms() - group.retention_days * DAY_MS


def _key_token(direction: str, key: tuple[int, int]) -> str:
    return f"{direction}/{key[0]}/{key[1]}"


def _parse_key_token(token: str) -> tuple[str, tuple[int, int]]:
    found = _KEY_TOKEN.fullmatch(token) if len(token) < 64 else None
    if found is None:
        raise invalid("The specified nextToken is invalid.")
    return found[1], (int(found[2]), int(found[3]))


def get_log_events(ctx: ServiceContext, params: Params) -> Params:
    """GetLogEvents: newest first by default; at the end the same forward token comes back."""
    group = ctx.group_from_params(params)
    stream = ctx.stream(group, params["logStreamName"])
    timeline = stream.events
    start = max(params.get("startTime") or 0, _oldest_visible(ctx, group))
    end = params.get("endTime")
    lo = timeline.index_of_time(start)
    hi = timeline.index_of_time(end) if end is not None else len(timeline)
    limit = params.get("limit") or MAX_BATCH_EVENTS
    token = params.get("nextToken")
    if token is not None:
        direction, key = _parse_key_token(token)
    else:
        direction = "f" if params.get("startFromHead") else "b"
        key = (start - 1, _END_OF_TIME) if direction == "f" else (_END_OF_TIME, _END_OF_TIME)
    if direction == "f":
        first = max(lo, timeline.index_after(*key))
        chosen = _take(timeline, first, hi, limit)[0]
    else:
        last = min(hi, timeline.index_after(key[0], key[1] - 1))
        chosen = _take(timeline, lo, last, limit, backward=True)[0]
        chosen.reverse()
    if chosen:
        forward, backward = _key_of(chosen[-1]), _key_of(chosen[0])
    elif token is None:
        forward = backward = (start - 1, _END_OF_TIME)
    else:
        forward = backward = key
    return {
        "events": [
            {
                "timestamp": segment.timestamps[i],
                "message": segment.messages[i],
                "ingestionTime": segment.ingestion[i],
            }
            for segment, i in chosen
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
    wanted = None if len(streams) == len(group.streams) else {s.name for s in streams}
    pattern = compile_filter_pattern(params.get("filterPattern"))
    timeline = group.events
    start = max(params.get("startTime") or 0, _oldest_visible(ctx, group))
    end = params.get("endTime")
    lo = timeline.index_of_time(start)
    hi = timeline.index_of_time(end + 1) if end is not None else len(timeline)
    ascending = params.get("startFromHead", True) is not False  # the engine's own extension
    if params.get("nextToken") is not None:
        state = decode_token(params["nextToken"], "events")
        if len(state) != 3 or not all(isinstance(part, int) for part in state):
            raise invalid("The specified nextToken is invalid.")
        ascending, key = bool(state[0]), (int(state[1]), int(state[2]))
        if ascending:
            lo = max(lo, timeline.index_after(*key))
        else:
            hi = min(hi, timeline.index_after(key[0], key[1] - 1))
    limit = params.get("limit") or MAX_BATCH_EVENTS
    page, more = _take(
        timeline, lo, hi, limit, backward=not ascending, streams=wanted, matches=pattern.matches
    )
    response: Params = {
        "events": [
            {
                "logStreamName": segment.streams[i],
                "timestamp": segment.timestamps[i],
                "message": segment.messages[i],
                "ingestionTime": segment.ingestion[i],
                "eventId": f"{segment.timestamps[i]:020d}{segment.seqs[i]:036d}",
            }
            for segment, i in page
        ],
        "searchedLogStreams": [
            {"logStreamName": s.name, "searchedCompletely": not more} for s in streams
        ],
    }
    if more and page:
        response["nextToken"] = encode_token("events", (int(ascending), *_key_of(page[-1])))
    return response


def _take(
    timeline: Timeline,
    lo: int,
    hi: int,
    limit: int,
    *,
    backward: bool = False,
    streams: set[str] | None = None,
    matches: Callable[[str], bool] | None = None,
) -> tuple[list[Position], bool]:
    """Events between ``lo`` and ``hi`` of the wanted streams that match, up to ``limit`` and
    the response size cap, from ``lo`` on (oldest first) or from ``hi`` back (newest first);
    and whether a further one follows."""
    runs = timeline.runs_backward(lo, hi) if backward else timeline.runs(lo, hi)
    page: list[Position] = []
    size = 0
    for segment, start, end in runs:
        messages, sizes, names = segment.messages, segment.sizes, segment.streams
        for offset in range(end - 1, start - 1, -1) if backward else range(start, end):
            if streams is not None and names[offset] not in streams:
                continue
            if matches is not None and not matches(messages[offset]):
                continue
            size += sizes[offset] + EVENT_OVERHEAD_BYTES
            if len(page) >= limit or (page and size > MAX_RESPONSE_BYTES):
                return page, True
            page.append((segment, offset))
    return page, False


def _key_of(position: Position) -> tuple[int, int]:
    segment, offset = position
    return segment.timestamps[offset], segment.seqs[offset]


OPERATIONS: dict[str, Handler] = {
    "PutLogEvents": put_log_events,
    "GetLogEvents": get_log_events,
    "FilterLogEvents": filter_log_events,
}
"""Operation name -> handler, for the engine's dispatch table."""
