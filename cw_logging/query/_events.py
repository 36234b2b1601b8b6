"""Streaming iterators over GetLogEvents and FilterLogEvents (one page in memory at a time)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from .._limits import MAX_FILTER_PATTERN_CHARS, validate_log_stream_name
from .._options import require_int
from ..errors import ConfigurationError
from ._client import pages, resolve_client
from ._groups import log_group_parameter
from ._timerange import TimeRange, as_time_range, from_epoch_millis

__all__ = [
    "MAX_PAGE_EVENTS",
    "LogEvent",
    "check_filter_pattern",
    "filter_log_events",
    "get_log_events",
]

MAX_PAGE_EVENTS = 10_000
"""The most events GetLogEvents / FilterLogEvents return in one page."""
MAX_STREAM_NAMES = 100
"""The most stream names one FilterLogEvents call may list."""


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One stored log event: when it happened, its message, and where it came from."""

    timestamp: datetime
    message: str
    stream: str | None = None
    ingestion_time: datetime | None = None
    event_id: str | None = None

    @classmethod
    def from_service(cls, event: dict[str, Any], stream: str | None = None) -> LogEvent:
        """Build from a GetLogEvents or FilterLogEvents event dict."""
        ingestion = event.get("ingestionTime")
        return cls(
            timestamp=from_epoch_millis(int(event["timestamp"])),
            message=event.get("message", ""),
            stream=event.get("logStreamName", stream),
            ingestion_time=from_epoch_millis(int(ingestion)) if ingestion is not None else None,
            event_id=event.get("eventId"),
        )


def get_log_events(
    log_group: str,
    log_stream: str,
    *,
    time_range: TimeRange | timedelta | None = None,
    direction: Literal["forward", "backward"] = "forward",
    max_events: int | None = None,
    page_size: int | None = None,
    client: Any = None,
    **client_options: Any,
) -> Iterator[LogEvent]:
    """Yield the events of one stream, oldest first (``forward``) or newest first (``backward``).

    Lazily follows the forward or backward token and stops when the service hands the same
    token back (its end-of-stream signal), or after ``max_events``.
    """
    if direction not in ("forward", "backward"):
        raise ConfigurationError(
            f"direction must be 'forward' or 'backward', not {direction!r}",
            code="InvalidDirection",
        )
    forward = direction == "forward"
    params: dict[str, Any] = {
        **log_group_parameter(log_group),
        "logStreamName": validate_log_stream_name(log_stream),
        "startFromHead": forward,
    }
    params.update(_common_parameters(time_range, max_events, page_size))
    client = resolve_client(client, client_options)
    token_key = "nextForwardToken" if forward else "nextBackwardToken"
    events = pages(client, "get_log_events", params, items_key="events", token_key=token_key)
    ordered = (reversed(page) if not forward else page for page in events)
    return _capped(_flatten(ordered, log_stream), max_events)


def check_filter_pattern(pattern: str) -> str:
    """``pattern``, once it is within the service's length limit for filter patterns."""
    if len(pattern) > MAX_FILTER_PATTERN_CHARS:
        raise ConfigurationError(
            f"filter pattern of {len(pattern)} characters exceeds the limit of "
            f"{MAX_FILTER_PATTERN_CHARS}",
            code="FilterPatternTooLong",
        )
    return pattern


def filter_log_events(
    log_group: str,
    pattern: str | None = None,
    *,
    time_range: TimeRange | timedelta | None = None,
    stream_names: Iterable[str] | None = None,
    stream_prefix: str | None = None,
    max_events: int | None = None,
    page_size: int | None = None,
    client: Any = None,
    **client_options: Any,
) -> Iterator[LogEvent]:
    """Yield the events of a log group matching ``pattern`` (a filter pattern), page by page.

    Streams may be limited by name (up to 100) or by prefix, not both. Stops when the service
    returns no ``nextToken`` or after ``max_events``.
    """
    params: dict[str, Any] = dict(log_group_parameter(log_group))
    if pattern is not None:
        params["filterPattern"] = check_filter_pattern(pattern)
    if stream_names is not None and stream_prefix is not None:
        raise ConfigurationError(
            "pass stream_names or stream_prefix, not both (the service refuses the pair)",
            code="InvalidStreamSelection",
        )
    if stream_names is not None:
        names = [validate_log_stream_name(name) for name in stream_names]
        if not 1 <= len(names) <= MAX_STREAM_NAMES:
            raise ConfigurationError(
                f"stream_names must list 1-{MAX_STREAM_NAMES} streams, got {len(names)}: "
                "use stream_prefix= for more",
                code="InvalidStreamSelection",
            )
        params["logStreamNames"] = names
    if stream_prefix is not None:
        params["logStreamNamePrefix"] = validate_log_stream_name(stream_prefix)
    params.update(_common_parameters(time_range, max_events, page_size))
    client = resolve_client(client, client_options)
    events = pages(client, "filter_log_events", params, items_key="events")
    return _capped(_flatten(events, None), max_events)


def _common_parameters(
    time_range: TimeRange | timedelta | None, max_events: int | None, page_size: int | None
) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if time_range is not None:
        params["startTime"], params["endTime"] = as_time_range(time_range).epoch_millis()
    for name, value in (("max_events", max_events), ("page_size", page_size)):
        if value is not None:
            require_int(name, value, 1)
    size = min(page_size or MAX_PAGE_EVENTS, max_events or MAX_PAGE_EVENTS, MAX_PAGE_EVENTS)
    if page_size is not None or max_events is not None:
        params["limit"] = size
    return params


def _flatten(
    event_pages: Iterator[Iterable[dict[str, Any]]], stream: str | None
) -> Iterator[LogEvent]:
    for page in event_pages:
        for event in page:
            yield LogEvent.from_service(event, stream)


def _capped(events: Iterator[LogEvent], max_events: int | None) -> Iterator[LogEvent]:
    if max_events is None:
        yield from events
        return
    for count, event in enumerate(events, start=1):
        yield event
        if count >= max_events:
            return
