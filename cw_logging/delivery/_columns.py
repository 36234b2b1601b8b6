"""Events held as three parallel lists (timestamps, messages, UTF-8 message sizes) instead of a
dict per event.

Formatted events wait in memory until a batch is full (about 3,400 short events). A dict per
event is an allocation the cyclic garbage collector counts until it is freed, so thousands of
waiting dicts set off young collections on every thread, the application's included; ints and
strings in lists are not counted. The lists go as they are to the request body writer
(``transport._serializer``); a dict is made only for whoever reads an event one by one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

from .._limits import EVENT_OVERHEAD_BYTES, InputLogEvent

__all__ = ["EventColumns"]


class EventColumns(Sequence[InputLogEvent]):
    """Valid events in send order: ``timestamps`` (epoch ms), ``messages`` and ``sizes`` (each
    message's UTF-8 bytes, without the per-event overhead), one entry per event. Reading an
    event or iterating gives ``{"timestamp": ..., "message": ...}`` dicts; a slice gives columns."""

    __slots__ = ("messages", "sizes", "timestamps")

    def __init__(
        self,
        timestamps: list[int] | None = None,
        messages: list[str] | None = None,
        sizes: list[int] | None = None,
    ) -> None:
        self.timestamps: list[int] = [] if timestamps is None else timestamps
        self.messages: list[str] = [] if messages is None else messages
        self.sizes: list[int] = [] if sizes is None else sizes
        if not len(self.timestamps) == len(self.messages) == len(self.sizes):
            raise ValueError(
                f"columns of different lengths: {len(self.timestamps)} timestamps, "
                f"{len(self.messages)} messages, {len(self.sizes)} sizes"
            )

    @classmethod
    def of(cls, events: Sequence[InputLogEvent], sizes: list[int]) -> EventColumns:
        """Columns of ``events`` whose messages are ``sizes`` UTF-8 bytes long."""
        return cls(
            [event["timestamp"] for event in events],
            [event["message"] for event in events],
            sizes,
        )

    def extend(self, other: EventColumns) -> None:
        """Append ``other``'s events after these."""
        self.timestamps += other.timestamps
        self.messages += other.messages
        self.sizes += other.sizes

    def in_order(self, order: list[int]) -> EventColumns:
        """The events at the positions ``order`` lists, in that order."""
        timestamps, messages, sizes = self.timestamps, self.messages, self.sizes
        return EventColumns(
            [timestamps[i] for i in order], [messages[i] for i in order], [sizes[i] for i in order]
        )

    @property
    def service_bytes(self) -> int:
        """The events' size as PutLogEvents counts it: UTF-8 message bytes + 26 per event."""
        return sum(self.sizes) + EVENT_OVERHEAD_BYTES * len(self.sizes)

    def __len__(self) -> int:
        return len(self.timestamps)

    @overload
    def __getitem__(self, index: int) -> InputLogEvent: ...

    @overload
    def __getitem__(self, index: slice) -> EventColumns: ...

    def __getitem__(self, index: int | slice) -> InputLogEvent | EventColumns:
        if isinstance(index, slice):
            return EventColumns(self.timestamps[index], self.messages[index], self.sizes[index])
        return {"timestamp": self.timestamps[index], "message": self.messages[index]}

    def __iter__(self) -> Iterator[InputLogEvent]:
        for timestamp, message in zip(self.timestamps, self.messages, strict=True):
            yield {"timestamp": timestamp, "message": message}

    def __repr__(self) -> str:
        return f"EventColumns({len(self)} events, {self.service_bytes} bytes)"
