"""Formatted events waiting for a full batch, per stream.

The sender formats records as soon as it drains them (so they die young and the garbage
collector never walks them) and keeps only their text here; full batches go out at once, the
rest when the flush interval ends, on ``flush()`` or at close. Batches are full across drains.
"""

from __future__ import annotations

from .._limits import EVENT_OVERHEAD_BYTES, InputLogEvent

__all__ = ["PendingEvents"]


class _Stream:
    """One stream's waiting events and their UTF-8 message sizes."""

    __slots__ = ("bytes", "events", "sizes")

    def __init__(self) -> None:
        self.events: list[InputLogEvent] = []
        self.sizes: list[int] = []
        self.bytes = 0


class PendingEvents:
    """Events per stream, until a batch of ``max_events`` or ``max_bytes`` can be sent."""

    def __init__(self, max_events: int, max_bytes: int) -> None:
        self.max_events = max_events
        self.max_bytes = max_bytes
        self._streams: dict[str, _Stream] = {}
        self.count = 0

    def add(self, stream: str, events: list[InputLogEvent], sizes: list[int]) -> None:
        """Add valid events of a stream (with their UTF-8 message sizes)."""
        waiting = self._streams.get(stream)
        if waiting is None:
            waiting = self._streams[stream] = _Stream()
        waiting.events.extend(events)
        waiting.sizes.extend(sizes)
        waiting.bytes += sum(sizes) + EVENT_OVERHEAD_BYTES * len(sizes)
        self.count += len(events)

    def room(self) -> int:
        """How many more events the fullest stream takes before it holds a full batch."""
        fullest = max((len(waiting.events) for waiting in self._streams.values()), default=0)
        return max(self.max_events - fullest, 0)

    def has_full_batch(self) -> bool:
        """True when some stream holds at least one batch's worth of events."""
        return any(
            len(waiting.events) >= self.max_events or waiting.bytes >= self.max_bytes
            for waiting in self._streams.values()
        )

    def take(self, everything: bool) -> list[tuple[str, list[InputLogEvent], list[int]]]:
        """Remove and return what should be sent now, by stream: every event when
        ``everything``, else the streams holding a full batch (their events whole: the caller
        sends the full batches and gives the last, partial one back with :meth:`put_back`)."""
        taken = []
        for stream, waiting in list(self._streams.items()):
            full = len(waiting.events) >= self.max_events or waiting.bytes >= self.max_bytes
            if everything or full:
                del self._streams[stream]
                self.count -= len(waiting.events)
                taken.append((stream, waiting.events, waiting.sizes))
        return taken

    def put_back(self, stream: str, events: list[InputLogEvent], sizes: list[int]) -> None:
        """Return a partial batch to wait for more events (it goes before later ones)."""
        later = self._streams.pop(stream, None)
        self.add(stream, events, sizes)
        if later is not None:
            self.add(stream, later.events, later.sizes)
            self.count -= len(later.events)  # already counted when first added

    def clear(self) -> int:
        """Drop every waiting event; return how many there were."""
        count, self.count = self.count, 0
        self._streams.clear()
        return count
