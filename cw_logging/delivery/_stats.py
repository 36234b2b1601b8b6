"""What a handler reports about its delivery: the counters the sender keeps and the typed
snapshot ``CloudWatchHandler.stats()`` returns."""

from __future__ import annotations

import threading
import time
from typing import TypedDict

from ..errors import CloudWatchLogsError
from ._batching import BatchPlan

__all__ = ["DeliveryCounters", "HandlerStats"]


class HandlerStats(TypedDict):
    """The keys of ``CloudWatchHandler.stats()`` (see ``docs/handler.md``); stable."""

    queued: int
    queued_bytes: int
    accepted: int
    in_flight: int
    sent: int
    batches: int
    retried: int
    rejected: dict[str, int]
    dropped: dict[str, int]
    format_errors: int
    truncated: int
    split: int
    repaired: int
    groups_created: int
    streams_created: int
    internal_skipped: int
    last_error: str | None
    last_error_time: float | None
    breaker: str
    closed: bool
    spool_depth: int
    spool_bytes: int
    spool_adopted: int
    spool_path: str | None
    oldest_unsent_age: float | None


class DeliveryCounters:
    """Thread-safe totals of one handler's delivery; ``freeze()`` stops all counting."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.sent = 0
        self.batches = 0
        self.retried = 0
        self.format_errors = 0
        self.truncated = 0
        self.split = 0
        self.repaired = 0
        self.groups_created = 0
        self.streams_created = 0
        self.internal_skipped = 0
        self.after_close = 0
        self.dropped: dict[str, int] = {}
        self.rejected: dict[str, int] = {}
        self.last_error: str | None = None
        self.last_error_time: float | None = None
        self._frozen = False

    def freeze(self) -> None:
        """Ignore every later count: the records were already accounted for by someone else."""
        with self._lock:
            self._frozen = True

    def add(self, counter: str, count: int = 1) -> None:
        """Add ``count`` to the counter attribute named ``counter``."""
        with self._lock:
            if not self._frozen:
                setattr(self, counter, getattr(self, counter) + count)

    def drop(self, reason: str, count: int) -> None:
        """Count ``count`` records given up locally for ``reason``."""
        if count > 0:
            with self._lock:
                if not self._frozen:
                    self.dropped[reason] = self.dropped.get(reason, 0) + count

    def logged_after_close(self) -> None:
        """Count one record logged after the handler was closed (counted even when frozen)."""
        with self._lock:
            self.after_close += 1

    def reject(self, reason: str, count: int) -> None:
        """Count ``count`` events the service refused for ``reason``."""
        if count > 0:
            with self._lock:
                if not self._frozen:
                    self.rejected[reason] = self.rejected.get(reason, 0) + count

    def delivered(self, events: int) -> None:
        """Count one successful PutLogEvents call that stored ``events`` events."""
        with self._lock:
            if not self._frozen:
                self.sent += events
                self.batches += 1

    def error(self, error: CloudWatchLogsError) -> None:
        """Remember ``error`` as the last one seen."""
        with self._lock:
            self.last_error = str(error)
            self.last_error_time = time.time()

    def planned(self, plan: BatchPlan) -> None:
        """Count what the batch builder changed or left out."""
        with self._lock:
            if self._frozen:
                return
            self.truncated += plan.truncated
            self.split += plan.split
            self.repaired += plan.repaired
            for reason, count in plan.dropped.items():
                self.dropped[reason] = self.dropped.get(reason, 0) + count

    def losses(self) -> int:
        """Records given up or refused so far, over every reason (``after_close`` included)."""
        with self._lock:
            return sum(self.dropped.values()) + sum(self.rejected.values()) + self.after_close

    def dropped_copy(self) -> dict[str, int]:
        """The drops by reason (``after_close`` included), as a new dict."""
        with self._lock:
            dropped = dict(self.dropped)
            if self.after_close:
                dropped["after_close"] = self.after_close
            return dropped

    def rejected_copy(self) -> dict[str, int]:
        """The rejections by reason, as a new dict."""
        with self._lock:
            return dict(self.rejected)
