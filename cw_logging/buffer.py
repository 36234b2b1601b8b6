"""The write path's buffering: a byte-bounded thread-safe queue and the pure batch builder.

:class:`BoundedQueue` sits between the application threads that log and the one sender thread;
:func:`build_batches` turns drained events into PutLogEvents calls the service accepts.
"""

from __future__ import annotations

import enum
import threading
from bisect import bisect_right
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import accumulate
from operator import itemgetter
from typing import Generic, TypeVar

from .errors import ConfigurationError
from .limits import (
    EVENT_OVERHEAD_BYTES,
    MAX_BATCH_BYTES,
    MAX_BATCH_EVENTS,
    MAX_BATCH_SPAN_MS,
    MAX_EVENT_BYTES,
    InputLogEvent,
)

__all__ = [
    "EMPTY_MESSAGE_PLACEHOLDER",
    "MIN_EVENT_BYTES",
    "BatchPlan",
    "BoundedQueue",
    "Overflow",
    "Oversize",
    "build_batches",
    "parse_overflow",
    "parse_oversize",
    "repair_text",
    "split_marker",
    "truncation_marker",
    "validate_batch_limits",
]

T = TypeVar("T")


class Overflow(str, enum.Enum):
    """What :meth:`BoundedQueue.put` does when the queue has no room for a new item."""

    DROP_OLDEST = "drop_oldest"
    DROP_NEWEST = "drop_newest"
    BLOCK = "block"


class Oversize(str, enum.Enum):
    """What the batch builder does with a message larger than the per-event limit."""

    TRUNCATE = "truncate"
    SPLIT = "split"
    DROP = "drop"


_E = TypeVar("_E", bound=enum.Enum)


def _parse_policy(value: str | _E, kind: type[_E], setting: str) -> _E:
    if isinstance(value, kind):
        return value
    allowed = ", ".join(repr(member.value) for member in kind)
    if isinstance(value, str):
        try:
            return kind(value.strip().lower())
        except ValueError:
            pass
    raise ConfigurationError(
        f"unknown {setting} policy {value!r}: use one of {allowed}",
        code=f"Invalid{kind.__name__}",
    )


def parse_overflow(value: str | Overflow) -> Overflow:
    """Return the :class:`Overflow` policy named by ``value`` or raise ConfigurationError."""
    return _parse_policy(value, Overflow, "overflow")


def parse_oversize(value: str | Oversize) -> Oversize:
    """Return the :class:`Oversize` policy named by ``value`` or raise ConfigurationError."""
    return _parse_policy(value, Oversize, "oversize")


def _require_int(name: str, value: object, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigurationError(
            f"{name}={value!r} is invalid: use an integer >= {low}"
            + (f" and <= {high}" if high is not None else ""),
            code="InvalidLimit",
        )
    if high is not None and value > high:
        raise ConfigurationError(
            f"{name}={value!r} is above the CloudWatch limit of {high}: use a value <= {high}",
            code="InvalidLimit",
        )
    return value


class BoundedQueue(Generic[T]):
    """Thread-safe FIFO bounded by the total 'cost' (bytes) of its items.

    Producers call :meth:`put` (cheap, never blocks unless the policy is ``block`` and the queue
    is full); one consumer calls :meth:`wait` and :meth:`drain`. The consumer is signalled only when
    the queue holds ``wake_items`` items or ``wake_bytes`` bytes, or when :meth:`wake` is called.

    Accounting is exact under concurrency: every accepted item is eventually drained, evicted
    (``drop_oldest``) or cleared, so ``total_put == total_drained + total_evicted + total_cleared +
    len(queue)`` holds whenever no call is in progress.
    """

    def __init__(
        self,
        max_bytes: int,
        overflow: Overflow | str = "drop_oldest",
        *,
        block_timeout: float = 1.0,
        wake_items: int = 10_000,
        wake_bytes: int = 1_048_576,
    ) -> None:
        self._max_bytes = _require_int("max_queue_bytes", max_bytes, 1)
        self._overflow = parse_overflow(overflow)
        if (
            isinstance(block_timeout, bool)
            or not isinstance(block_timeout, (int, float))
            or not 0 <= block_timeout < float("inf")
        ):
            raise ConfigurationError(
                f"block_timeout={block_timeout!r} is invalid: use a finite number of seconds >= 0",
                code="InvalidLimit",
            )
        self._block_timeout = float(block_timeout)
        self._wake_items = _require_int("wake_items", wake_items, 1)
        self._wake_bytes = _require_int("wake_bytes", wake_bytes, 1)
        self._items: deque[tuple[T, int]] = deque()
        self._append = self._items.append
        self._bytes = 0
        self._total_evicted = 0
        self._total_drained = 0
        self._total_cleared = 0
        self._dropped: defaultdict[str, int] = defaultdict(int)
        self._blocked = 0
        self._new_sync()

    def _new_sync(self) -> None:
        # Re-entrant: a signal handler that logs may interrupt this thread inside put(). A plain
        # Lock would deadlock there; an RLock costs about the same. Updates of shared state are
        # single statements placed after any call, so a nested put() keeps the accounting exact,
        # and ``_signalled`` is set before (cleared after) the event, so a nested put() never
        # re-enters the event's own lock.
        self._lock = threading.RLock()
        self._room = threading.Condition(self._lock)
        self._event = threading.Event()
        self._signalled = False

    # -- producer side -------------------------------------------------------------------------

    def put(self, item: T, cost: int) -> bool:
        """Queue ``item`` costing ``cost`` bytes; return True if it was accepted.

        When there is no room the overflow policy applies: ``drop_oldest`` evicts from the head
        until the item fits, ``drop_newest`` refuses it, ``block`` waits up to ``block_timeout``
        for the consumer to drain and then refuses it. An item costing more than the whole queue
        is always refused. Every refusal or eviction is counted in :meth:`dropped`.
        """
        lock = self._lock
        lock.acquire()  # explicit acquire/release: measurably cheaper than ``with`` here
        try:
            if self._bytes + cost > self._max_bytes:
                return self._put_without_room(item, cost)
            self._append((item, cost))
            self._bytes += cost
            if not self._signalled and (
                self._bytes >= self._wake_bytes or len(self._items) >= self._wake_items
            ):
                self._signalled = True
                self._event.set()
            return True
        finally:
            lock.release()

    def _put_without_room(self, item: T, cost: int) -> bool:
        """Apply the overflow policy; the lock is held."""
        if cost > self._max_bytes:
            self._dropped["too_large"] += 1
            return False
        policy = self._overflow
        if policy is Overflow.DROP_NEWEST:
            self._dropped["drop_newest"] += 1
            return False
        if policy is Overflow.DROP_OLDEST:
            items = self._items
            while self._bytes + cost > self._max_bytes and items:
                evicted_cost = items.popleft()[1]
                self._bytes -= evicted_cost
                self._total_evicted += 1
                self._dropped["drop_oldest"] += 1
        elif not self._wait_for_room(cost):
            self._dropped["block_timeout"] += 1
            return False
        self._append((item, cost))
        self._bytes += cost
        self._signal_locked()
        return True

    def _wait_for_room(self, cost: int) -> bool:
        """Block (lock held, released while waiting) until ``cost`` fits or the timeout ends."""
        # The queue is full, so the consumer must run whatever the wake thresholds say.
        self._signal_locked()
        room = self._room
        self._blocked += 1
        try:
            return room.wait_for(
                lambda: self._bytes + cost <= self._max_bytes, timeout=self._block_timeout
            )
        finally:
            self._blocked -= 1

    def _signal_locked(self) -> None:
        if not self._signalled:
            self._signalled = True
            self._event.set()

    # -- consumer side -------------------------------------------------------------------------

    def drain(self, max_items: int | None = None) -> list[T]:
        """Remove and return up to ``max_items`` items (all when None), oldest first."""
        with self._lock:
            taken: Iterable[tuple[T, int]]
            if max_items is None or max_items >= len(self._items):
                taken = self._take_all()
            else:
                popleft = self._items.popleft
                taken = [popleft() for _ in range(max(max_items, 0))]
                freed = sum(cost for _, cost in taken)
                self._bytes -= freed
            self._total_drained += len(taken)
            if self._blocked:
                self._room.notify_all()
        return [item for item, _ in taken]

    def _take_all(self) -> deque[tuple[T, int]]:
        """Swap in an empty deque; the lock is held."""
        fresh: deque[tuple[T, int]] = deque()
        # No call between these statements, so a nested put() sees the old state or the new one.
        taken = self._items
        self._items = fresh
        self._append = fresh.append
        self._bytes = 0
        return taken

    def wait(self, timeout: float) -> bool:
        """Block until a wake threshold is crossed, :meth:`wake` is called, or ``timeout`` ends.

        Returns True if woken (False on timeout) and clears the signal. Returns at once if the
        queue is already over a wake threshold.
        """
        with self._lock:
            if self._consume_signal_locked():
                return True
        self._event.wait(timeout)
        with self._lock:
            return self._consume_signal_locked()

    def _consume_signal_locked(self) -> bool:
        woken = (
            self._signalled
            or self._bytes >= self._wake_bytes
            or len(self._items) >= self._wake_items
        )
        if woken:
            self._event.clear()
            self._signalled = False
        return woken

    def wake(self) -> None:
        """Make the consumer's current or next :meth:`wait` return at once."""
        with self._lock:
            self._signal_locked()

    def clear(self) -> int:
        """Discard every queued item (not counted as drops) and return how many there were."""
        with self._lock:
            count = len(self._take_all())
            self._total_cleared += count
            if self._blocked:
                self._room.notify_all()
            return count

    def reinit_after_fork(self) -> None:
        """Give a forked child fresh locks and events; the parent's may have been held at fork.

        Also recomputes the byte total, in case a thread of the parent was interrupted half-way
        through a call.
        """
        self._new_sync()
        self._blocked = 0
        self._bytes = sum(cost for _, cost in self._items)

    # -- introspection -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._items)

    @property
    def max_bytes(self) -> int:
        """The capacity in cost units (bytes)."""
        return self._max_bytes

    @property
    def overflow(self) -> Overflow:
        """The overflow policy in force."""
        return self._overflow

    @property
    def bytes(self) -> int:
        """Total cost of the items queued now."""
        return self._bytes

    @property
    def total_put(self) -> int:
        """Items ever accepted by :meth:`put`."""
        # Derived rather than counted, to keep the producer's path short; exact under the lock.
        with self._lock:
            return (
                self._total_drained + self._total_evicted + self._total_cleared + len(self._items)
            )

    @property
    def total_evicted(self) -> int:
        """Items accepted and later evicted by the ``drop_oldest`` policy."""
        return self._total_evicted

    @property
    def total_drained(self) -> int:
        """Items handed to the consumer by :meth:`drain`."""
        return self._total_drained

    @property
    def total_cleared(self) -> int:
        """Items discarded by :meth:`clear`."""
        return self._total_cleared

    def dropped(self) -> dict[str, int]:
        """Return a copy of the drop counts by reason.

        Reasons: ``drop_oldest`` (evicted), ``drop_newest`` and ``block_timeout`` (refused when
        full), ``too_large`` (one item costing more than the whole queue).
        """
        with self._lock:
            return dict(self._dropped)


# -- batch builder -----------------------------------------------------------------------------

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
    while position > 0 and position < len(data) and (data[position] & 0xC0) == 0x80:
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
    _require_int("max_batch_events", max_batch_events, 1, MAX_BATCH_EVENTS)
    _require_int(
        "max_batch_bytes", max_batch_bytes, MIN_EVENT_BYTES + EVENT_OVERHEAD_BYTES, MAX_BATCH_BYTES
    )
    _require_int("max_event_bytes", max_event_bytes, MIN_EVENT_BYTES, MAX_EVENT_BYTES)
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
    policy = parse_oversize(oversize)
    plan = BatchPlan()
    ordered = list(events)
    stamps = [event["timestamp"] for event in ordered]
    if stamps != sorted(stamps):  # checking first is much cheaper than sorting dicts by key
        ordered.sort(key=_by_timestamp)
        stamps.sort()

    # Phase 1: the UTF-8 size of every message (-1 if it is not valid text); ASCII needs no
    # encoding. Only events that are empty, invalid or too large take the slow path.
    sizes = [
        len(message) if message.__class__ is str and message.isascii() else _utf8_size(message)
        for message in map(_message_of, ordered)
    ]
    if sizes and (min(sizes) <= 0 or max(sizes) > limit):
        ordered, sizes = _fix_events(ordered, sizes, limit, policy, plan)
        stamps = [event["timestamp"] for event in ordered]
    # Phase 2: cut the ordered events into greedy batches.
    plan.batches = _cut_batches(ordered, sizes, stamps, max_events, max_bytes)
    return plan


_message_of = itemgetter("message")


def _utf8_size(message: object) -> int:
    """Return the UTF-8 length of ``message``, or -1 if it is not text that encodes cleanly."""
    if not isinstance(message, str):
        return -1
    try:
        return len(message.encode("utf-8"))
    except UnicodeEncodeError:
        return -1


def _cut_batches(
    events: list[InputLogEvent],
    sizes: list[int],
    stamps: list[int],
    max_events: int,
    max_bytes: int,
) -> list[list[InputLogEvent]]:
    """Split ordered ``events`` into the fewest leading-greedy batches within the limits."""
    count = len(events)
    # running[k] = bytes of events[:k] as the service counts them; the sums are done in C.
    running = list(accumulate(map(EVENT_OVERHEAD_BYTES.__add__, sizes), initial=0))
    batches: list[list[InputLogEvent]] = []
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
