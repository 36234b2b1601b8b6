"""One correlation lookup's searches of a time window: Insights over a group list (chunked and
governed), Insights over prefixes (``SOURCE``), or FilterLogEvents per group; with what they
scanned, summed."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .._limits import MAX_QUERY_LOG_GROUPS
from ._cost import ScanBudget, ScanStatistics
from ._events import filter_log_events
from ._fanout import Governor, run_queries
from ._fleet import LookupResult, plan_fleet_queries
from ._indexes import IndexCatalog
from ._insights import Polling, QueryResult
from ._records import CorrelatedEvent, CorrelationKeys, decode_message
from ._timerange import TimeRange

__all__ = ["Lookup"]

_ACCOUNT_PREFIX = re.compile(r"\d{12}:")


@dataclass
class Lookup:
    """The searches of one lookup of ``field = value`` and their running totals."""

    client: Any
    keys: CorrelationKeys
    limit: int
    timeout: float
    polling: Polling
    budget: ScanBudget
    governor: Governor
    queries: int = field(default=0, init=False)
    scan: ScanStatistics = field(default_factory=ScanStatistics, init=False)
    notes: list[str] = field(default_factory=list, init=False)

    def by_insights(
        self, query: str, groups: Sequence[str], window: TimeRange
    ) -> Iterator[CorrelatedEvent]:
        """One query per 50 groups, run side by side within the governor's bound."""
        specs = [
            (query, groups[start : start + MAX_QUERY_LOG_GROUPS])
            for start in range(0, len(groups), MAX_QUERY_LOG_GROUPS)
        ]
        yield from self._run(specs, window)

    def by_prefixes(
        self,
        fields: Sequence[str],
        value: str,
        prefixes: Sequence[str],
        window: TimeRange,
        *,
        log_classes: Sequence[str],
        use_index: bool | None,
        catalog: IndexCatalog | None,
    ) -> Iterator[CorrelatedEvent]:
        """One ``SOURCE`` query per log class, ``filterIndex`` where the field is indexed."""
        planned, notes = plan_fleet_queries(
            fields, value, prefixes, log_classes, use_index=use_index, catalog=catalog
        )
        self.notes += [note for note in notes if note not in self.notes]
        yield from self._run([(q.query, ()) for q in planned], window)

    def by_filter(
        self, pattern: str, groups: Sequence[str], window: TimeRange
    ) -> Iterator[CorrelatedEvent]:
        """FilterLogEvents with ``pattern`` in each group."""
        for group in groups:
            self.queries += 1
            for event in filter_log_events(
                group, pattern, time_range=window, max_events=self.limit, client=self.client
            ):
                yield decode_message(
                    event.message,
                    timestamp=event.timestamp,
                    group=group,
                    stream=event.stream,
                    keys=self.keys,
                )

    def result(self, events: Sequence[CorrelatedEvent], price_per_gb: float) -> LookupResult:
        """The events with what finding them took."""
        return LookupResult(
            events,
            queries=self.queries,
            scan=self.scan,
            notes=self.notes,
            price_per_gb=price_per_gb,
        )

    def _run(
        self, specs: Sequence[tuple[str, Sequence[str]]], window: TimeRange
    ) -> Iterator[CorrelatedEvent]:
        results: list[QueryResult] = run_queries(
            self.client,
            specs,
            window,
            limit=self.limit,
            timeout=self.timeout,
            polling=self.polling,
            budget=self.budget,
            governor=self.governor,
        )
        self.queries += len(specs)
        for result in results:
            self.scan = self.scan + result.scan
            for row in result.rows:
                yield event_from_row(row, self.keys)


def event_from_row(row: dict[str, Any], keys: CorrelationKeys) -> CorrelatedEvent:
    """The :class:`CorrelatedEvent` of one correlation-query result row."""
    timestamp = row.get("@timestamp")
    if not isinstance(timestamp, datetime):
        timestamp = datetime(1970, 1, 1, tzinfo=timezone.utc)
    group = row.get("@log")
    if isinstance(group, str):
        group = _ACCOUNT_PREFIX.sub("", group, count=1)  # "123456789012:/my/group"
    return decode_message(
        str(row.get("@message", "")),
        timestamp=timestamp,
        group=group,
        stream=row.get("@logStream"),
        keys=keys,
    )
