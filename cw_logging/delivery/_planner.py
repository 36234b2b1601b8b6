"""Turning queued records into events: formatted by the one callable the handler gives, named
into streams, made valid for the service, then packed into PutLogEvents batches."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from .._limits import InputLogEvent
from .._resilience import RateLimitedReporter
from ._batching import BatchPlan, normalise_events, pack_batches, validate_batch_limits
from ._naming import StreamNamer
from ._settings import DeliverySettings
from ._stats import DeliveryCounters

__all__ = ["Batch", "Planner"]

Batch = tuple[str, list[InputLogEvent]]
"""One PutLogEvents call: the stream name and its events."""


class Planner:
    """Formats records and plans their batches; counts and reports what it had to change."""

    def __init__(
        self,
        settings: DeliverySettings,
        format_record: Callable[[logging.LogRecord], str],
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
        self._namer: StreamNamer | None = None

    def events(self, records: Iterable[logging.LogRecord]) -> dict[str, list[InputLogEvent]]:
        """Return the records as valid events (sorted by time) by stream name."""
        by_stream: dict[str, list[InputLogEvent]] = {}
        for stream, events in self._format(records).items():
            plan = BatchPlan()
            by_stream[stream], _ = normalise_events(
                events, self._limit, self.settings.oversize, plan
            )
            self._count(plan)
        return by_stream

    def batches(self, records: Iterable[logging.LogRecord]) -> list[Batch]:
        """Return the PutLogEvents calls that deliver the records."""
        jobs: list[Batch] = []
        for stream, events in self._format(records).items():
            plan = BatchPlan()
            ordered, sizes = normalise_events(events, self._limit, self.settings.oversize, plan)
            self._count(plan)
            jobs.extend((stream, batch) for batch in self.pack(ordered, sizes))
        return jobs

    def pack(self, events: list[InputLogEvent], sizes: list[int]) -> list[list[InputLogEvent]]:
        """Cut valid events of UTF-8 message ``sizes`` into batches."""
        settings = self.settings
        return pack_batches(
            events, sizes, max_events=settings.max_batch_events, max_bytes=settings.max_batch_bytes
        )

    def _format(self, records: Iterable[logging.LogRecord]) -> dict[str, list[InputLogEvent]]:
        format_record = self._format_record
        name_for = self._stream_namer().name_for
        by_stream: dict[str, list[InputLogEvent]] = {}
        for record in records:
            try:
                message = format_record(record)
            except Exception as exc:
                message = self._format_failed(record, exc)
            event: InputLogEvent = {"timestamp": int(record.created * 1000), "message": message}
            stream = name_for(record)
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

    def _format_failed(self, record: logging.LogRecord, exc: Exception) -> str:
        self._counters.add("format_errors")
        self._reporter.report(
            "format_error",
            f"the formatter failed on a record of logger {record.name!r} ({exc!r}); "
            "sent as plain text instead",
        )
        try:
            text = str(record.msg)
        except Exception:
            text = object.__repr__(record.msg)
        return f"{record.levelname} {record.name}: {text} [formatting failed: {exc!r}]"

    def _count(self, plan: BatchPlan) -> None:
        self._counters.planned(plan)
        if plan.dropped:
            self._reporter.report(
                "oversize",
                f"dropped {sum(plan.dropped.values())} records larger than max_event_bytes="
                f"{self.settings.max_event_bytes} (oversize='drop'); use 'truncate' or 'split' "
                "to keep them",
            )
