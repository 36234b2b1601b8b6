"""CloudWatch Logs service limits and the checks of names, retention, events and batches."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypedDict

from .errors import ConfigurationError

EVENT_OVERHEAD_BYTES = 26
"""Bytes the service adds to each event's UTF-8 message length when sizing a batch."""
MAX_BATCH_BYTES = 1_048_576
"""Largest PutLogEvents batch: the sum over events of UTF-8 message bytes + 26."""
MAX_BATCH_EVENTS = 10_000
"""Most events in one PutLogEvents call."""
MAX_EVENT_BYTES = MAX_BATCH_BYTES - EVENT_OVERHEAD_BYTES
"""Largest message (UTF-8 bytes) one event may carry: 1,048,550."""
MAX_BATCH_SPAN_MS = 24 * 3600 * 1000
"""Events of one call may not span more than 24 hours."""
MAX_FUTURE_MS = 2 * 3600 * 1000
"""Events more than 2 hours ahead of the service clock are rejected as too new."""
MAX_AGE_MS = 14 * 24 * 3600 * 1000
"""Events older than 14 days are rejected as too old."""
MAX_NAME_CHARS = 512
"""Longest log group or log stream name."""
MAX_QUERY_CHARS = 10_000
"""Longest Logs Insights query string."""
MAX_QUERY_LOG_GROUPS = 50
"""Most log groups one Logs Insights query may name."""
MAX_QUERY_LIMIT = 100_000
"""Largest ``limit`` StartQuery accepts."""
MAX_FILTER_PATTERN_CHARS = 1_024
"""Longest FilterLogEvents / metric filter pattern."""
RETENTION_DAYS: tuple[int, ...] = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
"""The retention periods (days) PutRetentionPolicy accepts."""

_GROUP_NAME = re.compile(r"[.\-_/#A-Za-z0-9]{1,512}")
_STREAM_FORBIDDEN = re.compile(r"[:*]")


class InputLogEvent(TypedDict):
    """One event as PutLogEvents takes it: epoch milliseconds and a message."""

    timestamp: int
    message: str


def validate_log_group_name(name: str) -> str:
    """Return ``name`` if it is a valid log group name, else raise :class:`ConfigurationError`."""
    if not isinstance(name, str) or not _GROUP_NAME.fullmatch(name):
        raise ConfigurationError(
            f"invalid log group name {name!r}: use 1-512 characters from "
            "letters, digits and . - _ / #",
            code="InvalidLogGroupName",
        )
    if name.startswith("aws/"):
        raise ConfigurationError(
            f"invalid log group name {name!r}: names starting with 'aws/' are reserved by AWS",
            code="InvalidLogGroupName",
        )
    return name


def validate_log_stream_name(name: str) -> str:
    """Return ``name`` if it is a valid log stream name, else raise :class:`ConfigurationError`."""
    if not isinstance(name, str) or not 1 <= len(name) <= MAX_NAME_CHARS:
        raise ConfigurationError(
            f"invalid log stream name {name!r}: use 1-512 characters",
            code="InvalidLogStreamName",
        )
    if _STREAM_FORBIDDEN.search(name):
        raise ConfigurationError(
            f"invalid log stream name {name!r}: ':' and '*' are not allowed",
            code="InvalidLogStreamName",
        )
    return name


def sanitize_log_stream_name(name: str, replacement: str = "_") -> str:
    """Return ``name`` made a valid stream name (``:`` and ``*`` replaced, capped, non-empty)."""
    cleaned = _STREAM_FORBIDDEN.sub(replacement, name)[:MAX_NAME_CHARS]
    return cleaned or "default"


def validate_retention_days(days: int) -> int:
    """Return ``days`` if PutRetentionPolicy accepts it, else raise :class:`ConfigurationError`."""
    if isinstance(days, bool) or not isinstance(days, int) or days not in RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in RETENTION_DAYS)
        raise ConfigurationError(
            f"invalid retention {days!r} days: choose one of {allowed}",
            code="InvalidRetention",
        )
    return days


def event_size(message: str) -> int:
    """Return the bytes an event with ``message`` counts against the batch limit."""
    return len(message.encode("utf-8", "surrogatepass")) + EVENT_OVERHEAD_BYTES


def batch_violations(
    events: Sequence[InputLogEvent],
    *,
    max_events: int = MAX_BATCH_EVENTS,
    max_bytes: int = MAX_BATCH_BYTES,
    max_event_bytes: int = MAX_EVENT_BYTES,
) -> list[str]:
    """Return why the service would refuse ``events`` as one PutLogEvents call (empty if valid).

    Checks count, total bytes, per-event size, chronological order, the 24-hour span and that
    every message is non-empty, valid UTF-8 text.
    """
    problems: list[str] = []
    if not events:
        return ["a batch must hold at least one event"]
    if len(events) > max_events:
        problems.append(f"{len(events)} events exceed the limit of {max_events}")
    total = 0
    previous: int | None = None
    for index, event in enumerate(events):
        message = event["message"]
        if not message:
            problems.append(f"event {index} has an empty message (the service requires 1+ chars)")
        try:
            size = len(message.encode("utf-8")) + EVENT_OVERHEAD_BYTES
        except UnicodeEncodeError:
            problems.append(f"event {index} is not valid UTF-8 (lone surrogate)")
            size = event_size(message)
        if size - EVENT_OVERHEAD_BYTES > max_event_bytes:
            problems.append(
                f"event {index} has {size - EVENT_OVERHEAD_BYTES} bytes, over {max_event_bytes}"
            )
        total += size
        timestamp = event["timestamp"]
        if previous is not None and timestamp < previous:
            problems.append(f"event {index} is out of chronological order")
        previous = timestamp
    if total > max_bytes:
        problems.append(f"batch of {total} bytes exceeds {max_bytes}")
    span = max(e["timestamp"] for e in events) - min(e["timestamp"] for e in events)
    if span > MAX_BATCH_SPAN_MS:
        problems.append(f"batch spans {span} ms, over 24 hours")
    return problems
