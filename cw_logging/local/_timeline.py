"""Events in time order, column by column, in segments: the local engine's event storage.

A :class:`Timeline` holds events sorted by ``(timestamp, seq)`` (``seq`` is the engine-wide
arrival order) as parallel columns: integer columns in ``array`` (no object per event, nothing
for the garbage collector to visit) and object columns in lists. Columns are cut into segments
of at most :data:`SEGMENT_EVENTS` events, so an event that arrives out of time order costs one
segment's memmove, not the whole history's. Positions are global indexes ``0..len-1``, valid
until the next change.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

SEGMENT_EVENTS = 8192
"""A segment splits in two when it grows past twice this."""

INT_COLUMNS = ("timestamps", "seqs", "ingestion", "sizes")
"""Integer columns: epoch ms, arrival order, ingestion epoch ms, UTF-8 bytes of the message."""
OBJECT_COLUMNS = ("messages", "streams", "fields")
"""Object columns: the message, the stream name, the fields discovered at ingest (or None)."""


class Segment:
    """A run of events in time order; every column has the same length."""

    __slots__ = ("fields", "ingestion", "messages", "seqs", "sizes", "streams", "timestamps")

    def __init__(self) -> None:
        self.timestamps = array("q")
        self.seqs = array("q")
        self.ingestion = array("q")
        self.sizes = array("q")
        self.messages: list[str] = []
        self.streams: list[str] = []
        self.fields: list[dict[str, Any] | None] = []

    def __len__(self) -> int:
        return len(self.timestamps)

    def columns(self) -> list[Any]:
        """The columns in the order of ``INT_COLUMNS + OBJECT_COLUMNS``."""
        return [getattr(self, name) for name in (*INT_COLUMNS, *OBJECT_COLUMNS)]

    def extend(self, batch: Batch, lo: int, hi: int) -> None:
        """Append ``batch[lo:hi]`` (in time order, after this segment's last event)."""
        whole = lo == 0 and hi == len(batch)
        for column, values in zip(self.columns(), batch.columns(), strict=True):
            column.extend(values if whole else values[lo:hi])

    def insert(self, offset: int, batch: Batch, index: int) -> None:
        """Insert event ``index`` of ``batch`` at ``offset``."""
        for column, values in zip(self.columns(), batch.columns(), strict=True):
            column.insert(offset, values[index])

    def split(self) -> Segment:
        """Move the newer half into a new segment and return it."""
        half = len(self) // 2
        newer = Segment()
        for name in (*INT_COLUMNS, *OBJECT_COLUMNS):
            column = getattr(self, name)
            setattr(newer, name, column[half:])
            del column[half:]
        return newer

    def keep(self, wanted: Sequence[bool]) -> None:
        """Keep only the events whose flag in ``wanted`` is true."""
        for name in INT_COLUMNS:
            column = getattr(self, name)
            setattr(self, name, array("q", [v for v, k in zip(column, wanted, strict=True) if k]))
        for name in OBJECT_COLUMNS:
            column = getattr(self, name)
            setattr(self, name, [v for v, k in zip(column, wanted, strict=True) if k])


class Batch:
    """Events to add, in time order: the columns of a :class:`Segment` as plain sequences."""

    __slots__ = ("fields", "ingestion", "messages", "seqs", "sizes", "streams", "timestamps")

    def __init__(
        self,
        timestamps: Sequence[int],
        seqs: Sequence[int],
        ingestion: Sequence[int],
        sizes: Sequence[int],
        messages: Sequence[str],
        streams: Sequence[str],
        fields: Sequence[dict[str, Any] | None],
    ) -> None:
        self.timestamps = timestamps
        self.seqs = seqs
        self.ingestion = ingestion
        self.sizes = sizes
        self.messages = messages
        self.streams = streams
        self.fields = fields

    def __len__(self) -> int:
        return len(self.timestamps)

    def columns(self) -> list[Sequence[Any]]:
        """The columns in the order of ``INT_COLUMNS + OBJECT_COLUMNS``."""
        return [getattr(self, name) for name in (*INT_COLUMNS, *OBJECT_COLUMNS)]


@dataclass(frozen=True)
class StoredEvent:
    """One stored event as listeners (metric and subscription filters) see it; ``seq`` is the
    arrival order."""

    timestamp: int
    seq: int
    message: str
    ingestion_time: int

    @classmethod
    def at(cls, columns: Segment | Batch, index: int) -> StoredEvent:
        """Event ``index`` of a segment's or a batch's columns."""
        return cls(
            columns.timestamps[index],
            columns.seqs[index],
            columns.messages[index],
            columns.ingestion[index],
        )

    @property
    def key(self) -> tuple[int, int]:
        """The event's position in its stream."""
        return (self.timestamp, self.seq)

    @property
    def event_id(self) -> str:
        """A unique 56-digit id, as FilterLogEvents shows it."""
        return f"{self.timestamp:020d}{self.seq:036d}"


class StoredEvents(Sequence[StoredEvent]):
    """The events of a stored batch as :class:`StoredEvent` s, made when read (most batches
    reach no metric or subscription filter, and then cost nothing here)."""

    def __init__(self, batch: Batch) -> None:
        self._batch = batch

    def __len__(self) -> int:
        return len(self._batch)

    @overload
    def __getitem__(self, index: int) -> StoredEvent: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[StoredEvent]: ...

    def __getitem__(self, index: int | slice) -> StoredEvent | Sequence[StoredEvent]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return StoredEvent.at(self._batch, index)


class Timeline:
    """Events sorted by ``(timestamp, seq)`` in segments; see the module docstring."""

    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self._firsts: list[int] = []  # first timestamp of each segment, for bisect
        self._starts: list[int] = []  # global index of each segment's first event
        self._length = 0

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[StoredEvent]:
        """Every event in time order, as :class:`StoredEvent` s (made while iterating)."""
        for segment in self.segments:
            for index in range(len(segment)):
                yield StoredEvent.at(segment, index)

    @property
    def first_timestamp(self) -> int | None:
        """The oldest event's timestamp, or None when empty."""
        return self.segments[0].timestamps[0] if self._length else None

    @property
    def last_timestamp(self) -> int | None:
        """The newest event's timestamp, or None when empty."""
        return self.segments[-1].timestamps[-1] if self._length else None

    def add(self, batch: Batch) -> None:
        """Add a batch in time order whose seqs are newer than every stored event's."""
        count = len(batch)
        if not count:
            return
        last = self.last_timestamp
        if last is None or batch.timestamps[0] >= last:
            self._append(batch, 0, count)
            return
        # Events older than the newest stored one go to their place one by one; the rest of
        # the batch (from the first event at or after the newest) is appended.
        tail = bisect.bisect_left(batch.timestamps, last)
        for index in range(tail):
            self._insert(batch, index)
        self._append(batch, tail, count)

    def _append(self, batch: Batch, lo: int, hi: int) -> None:
        while lo < hi:
            if not self.segments or len(self.segments[-1]) >= SEGMENT_EVENTS:
                self.segments.append(Segment())
                self._firsts.append(batch.timestamps[lo])
                self._starts.append(self._length)
            segment = self.segments[-1]
            take = min(hi - lo, SEGMENT_EVENTS - len(segment))
            segment.extend(batch, lo, lo + take)
            self._length += take
            lo += take

    def _insert(self, batch: Batch, index: int) -> None:
        timestamp = batch.timestamps[index]
        number = max(bisect.bisect_right(self._firsts, timestamp) - 1, 0)
        segment = self.segments[number]
        segment.insert(bisect.bisect_right(segment.timestamps, timestamp), batch, index)
        self._firsts[number] = segment.timestamps[0]
        self._length += 1
        for later in range(number + 1, len(self._starts)):
            self._starts[later] += 1
        if len(segment) > 2 * SEGMENT_EVENTS:
            newer = segment.split()
            self.segments.insert(number + 1, newer)
            self._firsts.insert(number + 1, newer.timestamps[0])
            self._starts.insert(number + 1, self._starts[number] + len(segment))

    def remove_stream(self, name: str) -> None:
        """Drop every event of stream ``name``."""
        for segment in self.segments:
            segment.keep([stream != name for stream in segment.streams])
        self._reindex()

    def _reindex(self) -> None:
        self.segments = [segment for segment in self.segments if len(segment)]
        self._firsts = [segment.timestamps[0] for segment in self.segments]
        self._starts = []
        self._length = 0
        for segment in self.segments:
            self._starts.append(self._length)
            self._length += len(segment)

    # -- positions ------------------------------------------------------------------------

    def index_of_time(self, timestamp: int) -> int:
        """Index of the first event at or after ``timestamp`` (``len`` if none)."""
        number = bisect.bisect_left(self._firsts, timestamp) - 1
        if number < 0:
            return 0
        segment = self.segments[number]
        offset = bisect.bisect_left(segment.timestamps, timestamp)
        return self._starts[number] + offset

    def index_after(self, timestamp: int, seq: int) -> int:
        """Index of the first event whose ``(timestamp, seq)`` is greater than the given key."""
        lo = self.index_of_time(timestamp)
        hi = self.index_of_time(timestamp + 1)
        while lo < hi:  # events of one timestamp are in seq order
            middle = (lo + hi) // 2
            if self.key_at(middle)[1] <= seq:
                lo = middle + 1
            else:
                hi = middle
        return lo

    def key_at(self, index: int) -> tuple[int, int]:
        """``(timestamp, seq)`` of the event at ``index``."""
        segment, offset = self._locate(index)
        return segment.timestamps[offset], segment.seqs[offset]

    def _locate(self, index: int) -> tuple[Segment, int]:
        number = bisect.bisect_right(self._starts, index) - 1
        return self.segments[number], index - self._starts[number]

    def runs(self, lo: int, hi: int) -> Iterator[tuple[Segment, int, int]]:
        """``(segment, start, end)`` offsets covering the indexes ``lo..hi-1``, oldest first."""
        if lo >= hi:
            return
        number = bisect.bisect_right(self._starts, lo) - 1
        while lo < hi and number < len(self.segments):
            start = self._starts[number]
            segment = self.segments[number]
            end = min(hi - start, len(segment))
            yield segment, lo - start, end
            lo = start + end
            number += 1

    def runs_backward(self, lo: int, hi: int) -> Iterator[tuple[Segment, int, int]]:
        """Like :meth:`runs`, newest run first (offsets within a run still ascend)."""
        return reversed(list(self.runs(lo, hi)))
