"""Formatted events waiting for a full batch, per stream.

The sender formats records as soon as it drains them (so they die young and the garbage
collector never walks them) and keeps only their timestamps and text here, as columns (no
object per event); full batches go out at once, the rest when the flush interval ends, on
``flush()`` or at close. Batches are full across drains.
"""

from __future__ import annotations

import sys

from .._limits import EVENT_OVERHEAD_BYTES
from ._columns import EventColumns

__all__ = ["PendingEvents", "events_memory"]

_EVENT_MEMORY = (
    sys.getsizeof(1 << 40)  # the timestamp
    + sys.getsizeof("")  # the message's header (its text is counted by its UTF-8 size)
    + sys.getsizeof(1000)  # its size
    + 3 * 8  # the places in the three columns
    - EVENT_OVERHEAD_BYTES
)


def events_memory(count: int, service_bytes: int) -> int:
    """About how many bytes of memory ``count`` formatted events take, given their size as the
    service counts it (UTF-8 message bytes plus the per-event overhead)."""
    return service_bytes + count * _EVENT_MEMORY


class _Stream:
    """One stream's waiting events and their size as the service counts it."""

    __slots__ = ("bytes", "events")

    def __init__(self) -> None:
        self.events = EventColumns()
        self.bytes = 0


class PendingEvents:
    """Events per stream, until a batch of ``max_events`` or ``max_bytes`` can be sent."""

    def __init__(self, max_events: int, max_bytes: int) -> None:
        self.max_events = max_events
        self.max_bytes = max_bytes
        self._streams: dict[str, _Stream] = {}
        self.count = 0

    def add(self, stream: str, events: EventColumns) -> None:
        """Add valid events of a stream."""
        waiting = self._streams.get(stream)
        if waiting is None:
            waiting = self._streams[stream] = _Stream()
        waiting.events.extend(events)
        waiting.bytes += events.service_bytes
        self.count += len(events)

    @property
    def memory(self) -> int:
        """About how many bytes of memory the waiting events take."""
        return events_memory(self.count, sum(waiting.bytes for waiting in self._streams.values()))

    def room(self) -> int:
        """How many more events the fullest stream takes before it holds a full batch."""
        fullest = max((len(waiting.events) for waiting in self._streams.values()), default=0)
        return max(self.max_events - fullest, 0)

    def has_full_batch(self) -> bool:
        """True when some stream holds at least one batch's worth of events."""
        return any(self._full(waiting) for waiting in self._streams.values())

    def take(self, everything: bool) -> list[tuple[str, EventColumns]]:
        """Remove and return what should be sent now, by stream: every event when
        ``everything``, else the streams holding a full batch (their events whole: the caller
        sends the full batches and gives the last, partial one back with :meth:`put_back`)."""
        taken = []
        for stream, waiting in list(self._streams.items()):
            if everything or self._full(waiting):
                del self._streams[stream]
                self.count -= len(waiting.events)
                taken.append((stream, waiting.events))
        return taken

    def put_back(self, stream: str, events: EventColumns) -> None:
        """Return a partial batch to wait for more events (it goes before later ones)."""
        later = self._streams.pop(stream, None)
        self.add(stream, events)
        if later is not None:
            self.add(stream, later.events)
            self.count -= len(later.events)  # already counted when first added

    def clear(self) -> int:
        """Drop every waiting event; return how many there were."""
        count, self.count = self.count, 0
        self._streams.clear()
        return count

    def _full(self, waiting: _Stream) -> bool:
        return len(waiting.events) >= self.max_events or waiting.bytes >= self.max_bytes
