"""The pure batch builder: turns events into PutLogEvents calls the service accepts."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import accumulate
from operator import itemgetter
from typing import TypeVar

from .._limits import (
    EVENT_OVERHEAD_BYTES,
    MAX_BATCH_BYTES,
    MAX_BATCH_EVENTS,
    MAX_BATCH_SPAN_MS,
    MAX_EVENT_BYTES,
    InputLogEvent,
)
from .._options import Oversize, parse_oversize, require_int
from ._columns import EventColumns

__all__ = [
    "EMPTY_MESSAGE_PLACEHOLDER",
    "MIN_EVENT_BYTES",
    "BatchPlan",
    "build_batches",
    "normalise_events",
    "pack_batches",
    "pack_columns",
    "repair_text",
    "split_marker",
    "truncation_marker",
    "validate_batch_limits",
]


EMPTY_MESSAGE_PLACEHOLDER = "(empty message)"
"""What an empty message is replaced with: the service refuses empty messages, and a visible
placeholder keeps the record (its timestamp says something happened) instead of losing it."""

MIN_EVENT_BYTES = 64
"""Smallest ``max_event_bytes`` accepted: room for a split or truncation marker plus text."""

_SPLIT_PREFIX = "[part {}/{}] "
_TRUNCATION_MARKER = "…[truncated {} bytes]"


def truncation_marker(removed_bytes: int) -> str:
    """Return the marker appended to a message cut short by ``removed_bytes`` UTF-8 bytes."""
    return _TRUNCATION_MARKER.format(removed_bytes)


def split_marker(part: int, parts: int) -> str:
    """Return the prefix of part ``part`` (1-based) of a message split into ``parts`` events."""
    return _SPLIT_PREFIX.format(part, parts)


def repair_text(message: str) -> str:
    """Return ``message`` as valid Unicode: surrogate pairs joined, lone surrogates as U+FFFD."""
    return message.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


@dataclass
class BatchPlan:
    """The PutLogEvents calls for a set of events, and what happened to the events on the way.

    ``dropped`` counts events left out by reason (``oversize`` under the ``drop`` policy);
    ``truncated`` and ``split`` count events cut short or split into parts; ``repaired`` counts
    messages whose invalid text (lone surrogates) was replaced; ``empty`` counts empty messages
    replaced by :data:`EMPTY_MESSAGE_PLACEHOLDER`.
    """

    batches: list[list[InputLogEvent]] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)
    truncated: int = 0
    split: int = 0
    repaired: int = 0
    empty: int = 0

    @property
    def event_count(self) -> int:
        """Number of events over all batches."""
        return sum(len(batch) for batch in self.batches)


def _utf8_boundary(data: bytes, position: int) -> int:
    """Return the largest index <= ``position`` that does not fall inside a UTF-8 sequence."""
    # ``data`` is valid UTF-8, so its first byte never continues a sequence: the walk stops there.
    while position < len(data) and (data[position] & 0xC0) == 0x80:
        position -= 1
    return position


def _truncate(message: str, encoded: bytes | None, size: int, limit: int) -> str:
    """Cut ``message`` (``size`` UTF-8 bytes) to ``limit`` bytes including the marker."""

    def cut_at(keep: int) -> int:  # bytes kept when at most ``keep`` may be
        return keep if encoded is None else _utf8_boundary(encoded, keep)

    # The marker's length depends on the number it shows. A marker sized for ``size`` always
    # fits; the second pass sizes it for the first pass's count to waste at most one digit.
    kept = cut_at(limit - len(truncation_marker(size).encode("utf-8")))
    kept = cut_at(limit - len(truncation_marker(size - kept).encode("utf-8")))
    head = message[:kept] if encoded is None else encoded[:kept].decode("utf-8")
    return head + truncation_marker(size - kept)


def _split(message: str, encoded: bytes | None, size: int, limit: int) -> list[str]:
    """Split ``message`` into numbered parts of at most ``limit`` UTF-8 bytes each."""
    digits = 1
    while True:
        capacity = limit - len(split_marker(10**digits - 1, 10**digits - 1))
        if encoded is None:
            chunks = [message[i : i + capacity] for i in range(0, size, capacity)]
        else:
            chunks = []
            start = 0
            while start < size:
                end = start + capacity if start + capacity < size else size
                end = _utf8_boundary(encoded, end)
                chunks.append(encoded[start:end].decode("utf-8"))
                start = end
        if len(chunks) < 10**digits:
            break
        digits += 1
    total = len(chunks)
    return [split_marker(number, total) + chunk for number, chunk in enumerate(chunks, 1)]


_by_timestamp = itemgetter("timestamp")


def validate_batch_limits(
    max_batch_events: int = MAX_BATCH_EVENTS,
    max_batch_bytes: int = MAX_BATCH_BYTES,
    max_event_bytes: int = MAX_EVENT_BYTES,
) -> int:
    """Check batch limits (the handler's settings) and return the effective per-event limit.

    Raises :class:`ConfigurationError` for a value the service or the builder cannot honour. A
    ``max_batch_bytes`` below ``max_event_bytes`` + 26 lowers the effective event limit, since a
    batch must hold its largest event.
    """
    require_int("max_batch_events", max_batch_events, 1, MAX_BATCH_EVENTS)
    require_int(
        "max_batch_bytes", max_batch_bytes, MIN_EVENT_BYTES + EVENT_OVERHEAD_BYTES, MAX_BATCH_BYTES
    )
    require_int("max_event_bytes", max_event_bytes, MIN_EVENT_BYTES, MAX_EVENT_BYTES)
    return min(max_event_bytes, max_batch_bytes - EVENT_OVERHEAD_BYTES)


def build_batches(
    events: Iterable[InputLogEvent],
    *,
    max_events: int = MAX_BATCH_EVENTS,
    max_bytes: int = MAX_BATCH_BYTES,
    max_event_bytes: int = MAX_EVENT_BYTES,
    oversize: Oversize | str = Oversize.TRUNCATE,
) -> BatchPlan:
    """Plan the PutLogEvents calls that deliver ``events``, each one acceptable to the service.

    Events are stably sorted by timestamp and packed in order into batches of at most
    ``max_events`` events and ``max_bytes`` bytes (UTF-8 message bytes + 26 per event) spanning
    at most 24 hours. Each message is made valid (lone surrogates replaced, empty messages
    replaced by :data:`EMPTY_MESSAGE_PLACEHOLDER`) and at most ``max_event_bytes`` UTF-8 bytes
    (also capped by ``max_bytes`` - 26): longer ones are truncated with a marker, split into
    numbered parts with the same timestamp, or dropped, per ``oversize``. Input events are not
    modified; unchanged events are passed through as the same objects.
    """
    limit = validate_batch_limits(max_events, max_bytes, max_event_bytes)
    plan = BatchPlan()
    ordered, sizes = normalise_events(events, limit, parse_oversize(oversize), plan)
    plan.batches = pack_batches(ordered, sizes, max_events=max_events, max_bytes=max_bytes)
    return plan


def normalise_events(
    events: Iterable[InputLogEvent], limit: int, policy: Oversize, plan: BatchPlan
) -> tuple[list[InputLogEvent], list[int]]:
    """Return ``events`` stably sorted by timestamp and each made valid and at most ``limit``
    UTF-8 bytes (see :func:`build_batches`), with their sizes; ``plan`` counts the changes."""
    ordered = list(events)
    stamps = [event["timestamp"] for event in ordered]
    if stamps != sorted(stamps):  # checking first is much cheaper than sorting dicts by key
        ordered.sort(key=_by_timestamp)
    # The UTF-8 size of every message (-1 if it is not valid text); ASCII needs no encoding.
    # Only events that are empty, invalid or too large take the slow path.
    sizes = [
        len(message) if message.__class__ is str and message.isascii() else _utf8_size(message)
        for message in map(_message_of, ordered)
    ]
    if sizes and (min(sizes) <= 0 or max(sizes) > limit):
        ordered, sizes = _fix_events(ordered, sizes, limit, policy, plan)
    return ordered, sizes


def pack_batches(
    events: list[InputLogEvent], sizes: list[int], *, max_events: int, max_bytes: int
) -> list[list[InputLogEvent]]:
    """Cut valid ``events`` of UTF-8 message ``sizes`` into the fewest greedy batches within the
    count, byte and 24-hour limits, in timestamp order (sorted here if they are not)."""
    stamps = [event["timestamp"] for event in events]
    if stamps != sorted(stamps):
        order = sorted(range(len(events)), key=stamps.__getitem__)
        events = [events[i] for i in order]
        sizes = [sizes[i] for i in order]
        stamps = [stamps[i] for i in order]
    return _cut_batches(events, sizes, stamps, max_events, max_bytes)


def pack_columns(events: EventColumns, *, max_events: int, max_bytes: int) -> list[EventColumns]:
    """:func:`pack_batches` for events held as columns."""
    stamps = events.timestamps
    if stamps != sorted(stamps):
        events = events.in_order(sorted(range(len(events)), key=stamps.__getitem__))
    return _cut_batches(events, events.sizes, events.timestamps, max_events, max_bytes)


_message_of = itemgetter("message")


def _utf8_size(message: object) -> int:
    """Return the UTF-8 length of ``message``, or -1 if it is not text that encodes cleanly."""
    if not isinstance(message, str):
        return -1
    try:
        return len(message.encode("utf-8"))
    except UnicodeEncodeError:
        return -1


_Events = TypeVar("_Events", list[InputLogEvent], EventColumns)


def _cut_batches(
    events: _Events,
    sizes: list[int],
    stamps: list[int],
    max_events: int,
    max_bytes: int,
) -> list[_Events]:
    """Split ordered ``events`` into the fewest leading-greedy batches within the limits."""
    count = len(events)
    # running[k] = bytes of events[:k] as the service counts them; the sums are done in C.
    running = list(accumulate(map(EVENT_OVERHEAD_BYTES.__add__, sizes), initial=0))
    batches: list[_Events] = []
    start = 0
    while start < count:
        end = min(
            count,
            start + max_events,
            bisect_right(running, running[start] + max_bytes, start + 1) - 1,
        )
        if stamps[end - 1] - stamps[start] > MAX_BATCH_SPAN_MS:
            end = bisect_right(stamps, stamps[start] + MAX_BATCH_SPAN_MS, start, end)
        batches.append(events if start == 0 and end == count else events[start:end])
        start = end
    return batches


def _fix_events(
    events: list[InputLogEvent], sizes: list[int], limit: int, policy: Oversize, plan: BatchPlan
) -> tuple[list[InputLogEvent], list[int]]:
    """Return the events and sizes with every empty, invalid or oversize event fixed."""
    fixed_events: list[InputLogEvent] = []
    fixed_sizes: list[int] = []
    for event, size in zip(events, sizes, strict=True):
        if 0 < size <= limit:
            fixed_events.append(event)
            fixed_sizes.append(size)
        else:
            pieces, piece_sizes = _fix_event(event, limit, policy, plan)
            fixed_events.extend(pieces)
            fixed_sizes.extend(piece_sizes)
    return fixed_events, fixed_sizes


def _fix_event(
    event: InputLogEvent, limit: int, policy: Oversize, plan: BatchPlan
) -> tuple[list[InputLogEvent], list[int]]:
    """Repair, fill, truncate, split or drop one event; return its pieces and their sizes."""
    message: object = event["message"]
    if isinstance(message, str):
        text = message
    elif isinstance(message, bytes):
        text = message.decode("utf-8", "replace")
    else:
        text = str(message)
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError:
        text = repair_text(text)
        plan.repaired += 1
        encoded = text.encode("utf-8")
    size = len(encoded)
    if size == 0:
        plan.empty += 1
        text = EMPTY_MESSAGE_PLACEHOLDER
        size = len(text)
    if size <= limit:
        return [{"timestamp": event["timestamp"], "message": text}], [size]
    if policy is Oversize.DROP:
        plan.dropped["oversize"] = plan.dropped.get("oversize", 0) + 1
        return [], []
    ascii_only = size == len(text)  # then characters and bytes coincide
    if policy is Oversize.TRUNCATE:
        plan.truncated += 1
        parts = [_truncate(text, None if ascii_only else encoded, size, limit)]
    else:
        plan.split += 1
        parts = _split(text, None if ascii_only else encoded, size, limit)
    return (
        [{"timestamp": event["timestamp"], "message": part} for part in parts],
        [len(part.encode("utf-8")) for part in parts],
    )
