"""Turning queued records into events: formatted by the one callable the handler gives, named
into streams and made valid for the service; one bad record never costs its neighbours."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable
from typing import Any

from .._limits import InputLogEvent
from .._options import Oversize
from .._records import FORMAT_ERROR_ATTRIBUTE, restore_record, safe_repr, safe_str
from .._resilience import RateLimitedReporter
from ._batching import BatchPlan, normalise_events, pack_columns, validate_batch_limits
from ._columns import EventColumns
from ._naming import StreamNamer
from ._settings import DeliverySettings
from ._stats import DeliveryCounters

__all__ = ["FormatRecord", "Planner", "StreamEvents"]

StreamEvents = dict[str, EventColumns]
"""Valid events by stream, sorted by time."""

FormatRecord = Callable[[logging.LogRecord, "int | None"], str]
"""The handler's formatting: a record's event message, within that many UTF-8 bytes when a
limit is given (a JSON document stays valid JSON)."""


class Planner:
    """Formats records and plans their batches; counts and reports what it had to change."""

    def __init__(
        self,
        settings: DeliverySettings,
        format_record: FormatRecord,
        counters: DeliveryCounters,
        reporter: RateLimitedReporter,
    ) -> None:
        self.settings = settings
        self._format_record = format_record
        self._counters = counters
        self._reporter = reporter
        self._limit = validate_batch_limits(
            settings.max_batch_events, settings.max_batch_bytes, settings.max_event_bytes
        )
        self._fit = self._limit if settings.oversize is Oversize.TRUNCATE else None
        self._namer: StreamNamer | None = None

    def events(self, snapshots: Iterable[dict[str, Any]]) -> StreamEvents:
        """Return the records (snapshots the handler took) as valid events by stream."""
        by_stream: StreamEvents = {}
        for stream, events in self._format(snapshots).items():
            plan = BatchPlan()
            valid, sizes = normalise_events(events, self._limit, self.settings.oversize, plan)
            by_stream[stream] = EventColumns.of(valid, sizes)
            self._count(plan)
        return by_stream

    def pack(self, events: EventColumns) -> list[EventColumns]:
        """Cut valid events into batches."""
        settings = self.settings
        return pack_columns(
            events, max_events=settings.max_batch_events, max_bytes=settings.max_batch_bytes
        )

    def _format(self, snapshots: Iterable[dict[str, Any]]) -> dict[str, list[InputLogEvent]]:
        format_record = self._format_record
        fit = self._fit
        name_for = self._stream_namer().name_for
        by_stream: dict[str, list[InputLogEvent]] = {}
        for values in snapshots:
            record = restore_record(values)
            try:
                timestamp = _timestamp_ms(record.created)
            except (TypeError, ValueError, OverflowError):
                timestamp = _untimed(record)
            try:
                message = format_record(record, fit)
                stream = name_for(record)
            except Exception as exc:
                message, stream = self._format_failed(record, exc), self._fallback_stream()
            event: InputLogEvent = {"timestamp": timestamp, "message": message}
            events = by_stream.get(stream)
            if events is None:
                by_stream[stream] = [event]
            else:
                events.append(event)
        return by_stream

    def _stream_namer(self) -> StreamNamer:
        namer = self._namer
        if namer is None:  # made on the sender thread: a forked child's names use its own pid
            namer = self._namer = StreamNamer(self.settings.log_stream)
        return namer

    def _fallback_stream(self) -> str:
        """The stream of a record that cannot be named (its logger or date is unusable)."""
        return self._stream_namer().name_for(logging.makeLogRecord({"name": "unknown"}))

    def _format_failed(self, record: logging.LogRecord, exc: Exception) -> str:
        self._counters.add("format_errors")
        name = safe_str(getattr(record, "name", ""), 200)
        self._reporter.report(
            "format_error",
            f"the formatter failed on a record of logger {name!r} ({safe_repr(exc, 300)}); "
            "sent as plain text instead",
        )
        level = safe_str(getattr(record, "levelname", "NOTSET"), 50)
        text = safe_str(getattr(record, "msg", ""), 100_000)
        return f"{level} {name}: {text} [formatting failed: {safe_repr(exc, 300)}]"

    def _count(self, plan: BatchPlan) -> None:
        self._counters.planned(plan)
        if plan.dropped:
            self._reporter.report(
                "oversize",
                f"dropped {sum(plan.dropped.values())} records larger than max_event_bytes="
                f"{self.settings.max_event_bytes} (oversize='drop'); use 'truncate' or 'split' "
                "to keep them",
            )


def _timestamp_ms(created: object) -> int:
    """Epoch milliseconds of a record's creation time; raises for anything but a finite time."""
    if created.__class__ is float or created.__class__ is int:
        return int(created * 1000)
    if isinstance(created, bool) or not isinstance(created, (int, float)):
        raise TypeError(f"not a time: {created!r}")
    if not math.isfinite(created):
        raise ValueError(f"not a finite time: {created!r}")
    return int(created * 1000)


def _untimed(record: logging.LogRecord) -> int:
    """Give a record whose creation time is unusable the time it is sent, and say so."""
    created = record.__dict__.get("created")
    now = time.time()
    record.created, record.msecs = now, (now - int(now)) * 1000
    record.__dict__[FORMAT_ERROR_ATTRIBUTE] = (
        f"the record's creation time {safe_repr(created, 100)} is not a time; "
        "timestamp is when it was sent"
    )
    return int(now * 1000)
