"""Metric filters: what they publish for each ingested event, and the datapoints the engine keeps.

A metric filter turns matching events into CloudWatch metric datapoints. The value is a number,
or read from the event: ``$.latency`` (JSON patterns), ``$size`` or ``$7`` (space-delimited
patterns). Dimensions name such values too. When a filter has a default value, each minute in
which the group received events but the filter matched none gets one datapoint with that value,
as the service reports it.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._model import LogGroup, LogStream
from ._ops_context import invalid
from ._store import Store
from ._timeline import StoredEvent
from .filterpattern import FilterPattern

MAX_DIMENSIONS = 3
"""Most dimensions one metric transformation may publish."""

MAX_METRIC_FILTERS = 100
"""Most metric filters one log group may have."""

MINUTE_MS = 60_000
_REFERENCE = re.compile(r"\$(?:\.[^\s]+|\[[^\s]+|[A-Za-z0-9_.-]+)")


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class MetricTransformation:
    """What a filter publishes: metric name and namespace, the value (a number or a reference
    into the event), the default value, dimensions (name -> reference) and unit."""

    metric_name: str
    namespace: str
    value: str
    default_value: float | None = None
    dimensions: Mapping[str, str] = field(default_factory=dict)
    unit: str | None = None

    @classmethod
    def from_api(cls, params: Mapping[str, Any], pattern: FilterPattern) -> MetricTransformation:
        """Validate a ``MetricTransformation`` of PutMetricFilter against the filter pattern."""
        transformation = cls(
            params["metricName"],
            params["metricNamespace"],
            params["metricValue"].strip(),
            None if params.get("defaultValue") is None else float(params["defaultValue"]),
            dict(params.get("dimensions") or {}),
            params.get("unit"),
        )
        transformation._check(pattern)
        return transformation

    def _check(self, pattern: FilterPattern) -> None:
        if _number(self.value) is None:
            _check_reference(self.value, pattern, "metricValue")
        if not self.dimensions:
            return
        if pattern.kind not in ("json", "delimited"):
            raise invalid(
                "Dimensions are only available for JSON and space-delimited filter patterns."
            )
        if len(self.dimensions) > MAX_DIMENSIONS:
            raise invalid(f"A metric transformation may have at most {MAX_DIMENSIONS} dimensions.")
        if self.default_value is not None:
            raise invalid("A metric transformation with dimensions cannot have a default value.")
        for name, reference in self.dimensions.items():
            _check_reference(reference, pattern, f"dimension {name!r}")

    def as_api(self) -> dict[str, Any]:
        """The ``MetricTransformation`` shape of DescribeMetricFilters."""
        out: dict[str, Any] = {
            "metricName": self.metric_name,
            "metricNamespace": self.namespace,
            "metricValue": self.value,
        }
        if self.default_value is not None:
            out["defaultValue"] = self.default_value
        if self.dimensions:
            out["dimensions"] = dict(self.dimensions)
        if self.unit is not None:
            out["unit"] = self.unit
        return out


def _check_reference(reference: str, pattern: FilterPattern, what: str) -> None:
    if not _REFERENCE.fullmatch(reference):
        raise invalid(
            f"Invalid {what} {reference!r}: use a number, a JSON selector such as $.latency "
            "or a space-delimited field such as $size or $7."
        )
    json_selector = reference.startswith(("$.", "$["))
    if json_selector and pattern.kind not in ("json", "delimited"):
        raise invalid(f"The {what} {reference!r} needs a JSON filter pattern ({{ ... }}).")
    if not json_selector and pattern.kind != "delimited":
        raise invalid(f"The {what} {reference!r} needs a space-delimited filter pattern ([ ... ]).")


@dataclass
class MetricFilter:
    """A metric filter of a log group, as PutMetricFilter defined it."""

    name: str
    log_group: str
    pattern: FilterPattern
    transformation: MetricTransformation
    creation_time: int
    options: dict[str, Any] = field(default_factory=dict)

    def as_api(self) -> dict[str, Any]:
        """The ``MetricFilter`` shape of DescribeMetricFilters."""
        return {
            "filterName": self.name,
            "filterPattern": self.pattern.text,
            "metricTransformations": [self.transformation.as_api()],
            "creationTime": self.creation_time,
            "logGroupName": self.log_group,
            **self.options,
        }


@dataclass(frozen=True)
class MetricDatapoint:
    """One value a metric filter published: for the event at ``timestamp`` (epoch ms) or, with
    ``is_default``, the default value for the minute starting at ``timestamp``."""

    namespace: str
    metric_name: str
    value: float
    timestamp: int
    dimensions: Mapping[str, str]
    unit: str | None
    filter_name: str
    log_group: str
    is_default: bool = False


def _datapoint_value(transformation: MetricTransformation, raw: Any) -> float | None:
    if raw is None or isinstance(raw, (bool, dict, list)):
        return None
    if isinstance(raw, (int, float)):
        return float(raw) if math.isfinite(raw) else None
    return _number(str(raw).strip())


class MetricRecorder:
    """Applies a store's metric filters to new events and keeps the datapoints they publish
    (attached with :meth:`attach`)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._points: list[MetricDatapoint] = []
        self._minutes: dict[tuple[str, str, int], tuple[set[int], set[int]]] = {}

    def attach(self) -> MetricRecorder:
        """Start receiving the store's new events; return self."""
        self._store.listeners.append(self.on_events)
        return self

    def on_events(self, group: LogGroup, stream: LogStream, events: Sequence[StoredEvent]) -> None:
        """Record what ``group``'s metric filters publish for ``events`` (just stored)."""
        filters: Iterable[MetricFilter] = group.metric_filters.values()
        for metric_filter in filters:
            self._apply(metric_filter, events)

    def _apply(self, metric_filter: MetricFilter, events: Sequence[StoredEvent]) -> None:
        transformation = metric_filter.transformation
        constant = _number(transformation.value)
        key = (metric_filter.log_group, metric_filter.name, metric_filter.creation_time)
        points: list[MetricDatapoint] = []
        seen: set[int] = set()
        matched: set[int] = set()
        for event in events:
            minute = event.timestamp - event.timestamp % MINUTE_MS
            seen.add(minute)
            found = metric_filter.pattern.match(event.message)
            if found is None:
                continue
            matched.add(minute)
            value = constant
            if value is None:
                value = _datapoint_value(transformation, found.value(transformation.value))
            dimensions = {
                name: found.value(reference)
                for name, reference in transformation.dimensions.items()
            }
            if value is None or any(v is None for v in dimensions.values()):
                continue
            points.append(
                MetricDatapoint(
                    transformation.namespace,
                    transformation.metric_name,
                    value,
                    event.timestamp,
                    {name: str(v) for name, v in dimensions.items()},
                    transformation.unit,
                    metric_filter.name,
                    metric_filter.log_group,
                )
            )
        with self._lock:
            self._points.extend(points)
            if transformation.default_value is not None:
                all_seen, all_matched = self._minutes.setdefault(key, (set(), set()))
                all_seen.update(seen)
                all_matched.update(matched)

    def datapoints(
        self,
        namespace: str | None = None,
        metric_name: str | None = None,
        dimensions: Mapping[str, str] | None = None,
        *,
        log_group: str | None = None,
    ) -> list[MetricDatapoint]:
        """Datapoints published so far, oldest first (by event time), narrowed to a
        namespace, metric name, exact dimensions or log group. Default-value datapoints
        (``is_default``) are those of the filters that still exist."""
        with self._store.lock:
            filters = [
                metric_filter
                for region in self._store.regions.values()
                for group in region.groups.values()
                for metric_filter in group.metric_filters.values()
            ]
        with self._lock:
            points = list(self._points)
            minutes = {key: (set(a), set(b)) for key, (a, b) in self._minutes.items()}
        for metric_filter in filters:
            key = (metric_filter.log_group, metric_filter.name, metric_filter.creation_time)
            seen, matched = minutes.get(key, (set(), set()))
            transformation = metric_filter.transformation
            points += [
                MetricDatapoint(
                    transformation.namespace,
                    transformation.metric_name,
                    float(transformation.default_value or 0.0),
                    minute,
                    {},
                    transformation.unit,
                    metric_filter.name,
                    metric_filter.log_group,
                    is_default=True,
                )
                for minute in sorted(seen - matched)
            ]
        chosen = [
            point
            for point in points
            if namespace in (None, point.namespace)
            and metric_name in (None, point.metric_name)
            and log_group in (None, point.log_group)
            and (dimensions is None or dict(point.dimensions) == dict(dimensions))
        ]
        chosen.sort(key=lambda point: (point.timestamp, point.is_default))
        return chosen

    def sums(
        self,
        namespace: str,
        metric_name: str,
        dimensions: Mapping[str, str] | None = None,
        *,
        period_seconds: int = 60,
    ) -> dict[int, float]:
        """The metric's Sum statistic per period (start in epoch ms -> sum), as CloudWatch
        aggregates the datapoints (every minute by default)."""
        period_ms = period_seconds * 1000
        totals: dict[int, float] = {}
        for point in self.datapoints(namespace, metric_name, dimensions):
            start = point.timestamp - point.timestamp % period_ms
            totals[start] = totals.get(start, 0.0) + point.value
        return dict(sorted(totals.items()))

    def clear(self) -> None:
        """Forget every datapoint."""
        with self._lock:
            self._points.clear()
            self._minutes.clear()
