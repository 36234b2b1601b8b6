"""What the local engine stores: log groups, their log streams and their events.

A group keeps all its events in one :class:`~._timeline.Timeline` (the per-group time index that
FilterLogEvents pages through and queries scan); each stream keeps its own events in another
(for GetLogEvents), sharing the message and field objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .._limits import EVENT_OVERHEAD_BYTES
from ._timeline import Batch, Timeline

if TYPE_CHECKING:
    from ._metric_filters import MetricFilter
    from ._subscriptions import SubscriptionFilter


@dataclass
class LogStream:
    """A log stream with its events in time order and its upload statistics."""

    name: str
    creation_time: int
    events: Timeline = field(default_factory=Timeline, repr=False)
    last_ingestion_time: int | None = None
    upload_count: int = 0
    stored_bytes: int = 0

    def add(self, batch: Batch) -> None:
        """Store a batch of this stream's events and update the statistics."""
        self.events.add(batch)
        self.stored_bytes += sum(batch.sizes) + EVENT_OVERHEAD_BYTES * len(batch)
        newest = max(batch.ingestion)
        last = self.last_ingestion_time
        self.last_ingestion_time = newest if last is None else max(last, newest)

    @property
    def first_event_timestamp(self) -> int | None:
        """Timestamp of the oldest event, or None when empty."""
        return self.events.first_timestamp

    @property
    def last_event_timestamp(self) -> int | None:
        """Timestamp of the newest event, or None when empty."""
        return self.events.last_timestamp


@dataclass
class LogGroup:
    """A log group: its settings, tags, streams, (all streams') events in time order, and its
    metric and subscription filters."""

    name: str
    creation_time: int
    retention_days: int | None = None
    kms_key_id: str | None = None
    log_group_class: str = "STANDARD"
    deletion_protection: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    index_policy: str | None = None
    index_policy_time: int = 0
    streams: dict[str, LogStream] = field(default_factory=dict)
    events: Timeline = field(default_factory=Timeline, repr=False)
    metric_filters: dict[str, MetricFilter] = field(default_factory=dict)
    subscription_filters: dict[str, SubscriptionFilter] = field(default_factory=dict)

    @property
    def stored_bytes(self) -> int:
        """Bytes stored over all streams."""
        return sum(stream.stored_bytes for stream in self.streams.values())

    def add_events(self, stream: LogStream, batch: Batch) -> None:
        """Store a batch of ``stream``'s events (in time order, newer seqs than any stored)."""
        stream.add(batch)
        self.events.add(batch)

    def remove_stream(self, name: str) -> None:
        """Forget a stream and its events."""
        stream = self.streams.pop(name)
        if len(stream.events):
            self.events.remove_stream(name)
