"""What the local engine stores: log groups, log streams and events."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .._limits import event_size

if TYPE_CHECKING:
    from ._metric_filters import MetricFilter
    from ._subscriptions import SubscriptionFilter


@dataclass(frozen=True, order=True)
class StoredEvent:
    """One stored event; events sort by ``(timestamp, seq)``, ``seq`` being the arrival order."""

    timestamp: int
    seq: int
    message: str = field(compare=False)
    ingestion_time: int = field(compare=False)

    @property
    def key(self) -> tuple[int, int]:
        """The event's position in its stream."""
        return (self.timestamp, self.seq)

    @property
    def event_id(self) -> str:
        """A unique 56-digit id, as FilterLogEvents shows it."""
        return f"{self.timestamp:020d}{self.seq:036d}"


@dataclass
class LogStream:
    """A log stream with its events in time order and its upload statistics."""

    name: str
    creation_time: int
    events: list[StoredEvent] = field(default_factory=list)
    last_ingestion_time: int | None = None
    upload_count: int = 0
    stored_bytes: int = 0

    def add(self, event: StoredEvent) -> None:
        """Insert ``event`` at its place in time order and update the statistics."""
        if self.events and event.key < self.events[-1].key:
            bisect.insort(self.events, event)
        else:
            self.events.append(event)
        self.stored_bytes += event_size(event.message)
        last = self.last_ingestion_time
        self.last_ingestion_time = max(last, event.ingestion_time) if last else event.ingestion_time

    @property
    def first_event_timestamp(self) -> int | None:
        """Timestamp of the oldest event, or None when empty."""
        return self.events[0].timestamp if self.events else None

    @property
    def last_event_timestamp(self) -> int | None:
        """Timestamp of the newest event, or None when empty."""
        return self.events[-1].timestamp if self.events else None


@dataclass
class LogGroup:
    """A log group: its settings, tags and streams."""

    name: str
    creation_time: int
    retention_days: int | None = None
    kms_key_id: str | None = None
    log_group_class: str = "STANDARD"
    deletion_protection: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    index_policy: str | None = None
    streams: dict[str, LogStream] = field(default_factory=dict)
    metric_filters: dict[str, MetricFilter] = field(default_factory=dict)
    subscription_filters: dict[str, SubscriptionFilter] = field(default_factory=dict)

    @property
    def stored_bytes(self) -> int:
        """Bytes stored over all streams."""
        return sum(stream.stored_bytes for stream in self.streams.values())
