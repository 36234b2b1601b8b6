"""The bounded queue between the application threads that log and the one sender thread."""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from typing import Generic, TypeVar

from .._options import Overflow, parse_overflow, require_int, require_seconds

__all__ = ["BoundedQueue"]

T = TypeVar("T")


class BoundedQueue(Generic[T]):
    """Thread-safe FIFO bounded by the total 'cost' (bytes) of its items.

    Producers call :meth:`put` (cheap, never blocks unless the policy is ``block`` and the queue
    is full); one consumer calls :meth:`wait` and :meth:`drain`. The consumer is signalled only when
    the queue holds ``wake_items`` items or ``wake_bytes`` bytes, or when :meth:`wake` is called.

    What the consumer holds outside the queue (drained and not yet delivered) counts against the
    same bound (:meth:`set_held`), so the bound covers every record the handler keeps in memory.

    Accounting is exact under concurrency: every accepted item is eventually drained, evicted
    (``drop_oldest``) or cleared, so ``total_put == total_drained + total_evicted + total_cleared +
    len(queue)`` holds whenever no call is in progress.

    Items and their costs alternate in one deque (item, cost, item, cost, ...): no pair object
    is made per item, so a queued item costs the garbage collector nothing beyond the item, and
    one ``extend`` call adds both, which a signal handler cannot split.
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
        self._max_bytes = require_int("max_queue_bytes", max_bytes, 1)
        self._overflow = parse_overflow(overflow)
        self._block_timeout = require_seconds("block_timeout", block_timeout, allow_zero=True)
        self._wake_slots = self._default_wake_slots = 2 * require_int("wake_items", wake_items, 1)
        self._wake_bytes = require_int("wake_bytes", wake_bytes, 1)
        self._slots: deque[T | int] = deque()
        self._extend = self._slots.extend
        self._bytes = 0
        self._held = 0
        self._total_evicted = 0
        self._total_drained = 0
        self._total_cleared = 0
        self._dropped: defaultdict[str, int] = defaultdict(int)
        self._blocked = 0
        self._popping = False  # pairs are being taken from the head (eviction, partial drain)
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
            if self._bytes + self._held + cost > self._max_bytes:
                return self._put_without_room(item, cost)
            self._extend((item, cost))
            self._bytes += cost
            if self._bytes + self._held > self._max_bytes:
                self._trim_after_nested_put()
            if not self._signalled and (
                self._bytes >= self._wake_bytes or len(self._slots) >= self._wake_slots
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
            if self._popping:
                # A signal handler's put() interrupted this thread between the two pops of a pair:
                # append only; the interrupted loop reads the byte total again and evicts for both.
                self._extend((item, cost))
                self._bytes += cost
                return True
            self._evict_for(cost)
        elif not self._wait_for_room(cost):
            self._dropped["block_timeout"] += 1
            return False
        self._extend((item, cost))
        self._bytes += cost
        if self._bytes + self._held > self._max_bytes:
            self._trim_after_nested_put()
        self._signal_locked()
        return True

    def _trim_after_nested_put(self) -> None:
        """Over the bound right after an append that had room: a signal handler's put() ran
        between the check (or the eviction) and the append and took the room. Under
        ``drop_oldest`` evict for it now, keeping the item just appended; under the other
        policies the bound is exceeded by that handler's records until the next drain."""
        if self._overflow is Overflow.DROP_OLDEST and not self._popping:
            self._evict_for(0, keep=1)

    def _evict_for(self, cost: int, keep: int = 0) -> None:
        """Evict from the head until ``cost`` fits, leaving at least ``keep`` items; the lock
        is held.

        When what the consumer holds leaves no room even in an empty queue, the newest item is
        still kept (alone): the bound is exceeded by at most that one item.
        """
        slots = self._slots
        kept_slots = 2 * keep
        self._popping = True
        try:
            while self._bytes + self._held + cost > self._max_bytes and len(slots) > kept_slots:
                slots.popleft()
                evicted_cost = slots.popleft()
                assert isinstance(evicted_cost, int)
                self._bytes -= evicted_cost
                self._total_evicted += 1
                self._dropped["drop_oldest"] += 1
        finally:
            self._popping = False

    def _wait_for_room(self, cost: int) -> bool:
        """Block (lock held, released while waiting) until ``cost`` fits or the timeout ends."""
        # The queue is full, so the consumer must run whatever the wake thresholds say.
        self._signal_locked()
        room = self._room
        self._blocked += 1
        try:
            return room.wait_for(
                lambda: self._bytes + self._held + cost <= self._max_bytes,
                timeout=self._block_timeout,
            )
        finally:
            self._blocked -= 1

    def _signal_locked(self) -> None:
        if not self._signalled:
            self._signalled = True
            self._event.set()

    # -- consumer side -------------------------------------------------------------------------

    def drain(self, max_items: int | None = None, *, hold: bool = False) -> list[T]:
        """Remove and return up to ``max_items`` items (all when None), oldest first.

        With ``hold``, their cost counts as held by the consumer until it calls :meth:`set_held`.
        """
        with self._lock:
            if max_items is None or 2 * max_items >= len(self._slots):
                if hold:
                    self._held += self._bytes
                taken = self._take_all()
            else:
                popleft = self._slots.popleft
                self._popping = True
                try:
                    taken = [popleft() for _ in range(2 * max(max_items, 0))]
                finally:
                    self._popping = False
                freed = sum(taken[1::2])  # type: ignore[arg-type]
                self._bytes -= freed
                if hold:
                    self._held += freed
            items: list[T] = taken[0::2]  # type: ignore[assignment]
            self._total_drained += len(items)
            if self._blocked:
                self._room.notify_all()
        return items

    def _take_all(self) -> list[T | int]:
        """Swap in an empty deque; the lock is held."""
        fresh: deque[T | int] = deque()
        # No call between these statements, so a nested put() sees the old state or the new one.
        taken = self._slots
        self._slots = fresh
        self._extend = fresh.extend
        self._bytes = 0
        return list(taken)

    def set_held(self, cost: int) -> None:
        """Tell the queue how many bytes the consumer holds now, outside the queue."""
        with self._lock:
            freed = cost < self._held
            self._held = max(cost, 0)
            if freed and self._blocked:
                self._room.notify_all()

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
            or len(self._slots) >= self._wake_slots
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
            count = len(self._take_all()) // 2
            self._total_cleared += count
            if self._blocked:
                self._room.notify_all()
            return count

    def reinit_after_fork(self) -> None:
        """In a forked child: fresh locks and events (the parent's may have been held at fork),
        an empty queue (the parent sends its own items) and every counter back at zero."""
        self._new_sync()
        self._blocked = 0
        self._popping = False
        self._slots = deque()
        self._extend = self._slots.extend
        self._bytes = self._held = 0
        self._total_evicted = self._total_drained = self._total_cleared = 0
        self._dropped = defaultdict(int)

    def wake_at_most(self, items: int) -> None:
        """Signal the consumer once ``items`` are queued if that comes before the ``wake_items``
        threshold (for example when that many more make a full batch)."""
        with self._lock:
            self._wake_slots = 2 * max(1, min(items, self._default_wake_slots // 2))

    def items_for_bytes(self, budget: int) -> int:
        """About how many of the queued items (at their average cost) fill ``budget`` bytes."""
        count = len(self._slots) // 2
        if count == 0:
            return 1
        average = max(self._bytes // count, 1)
        return max(1, budget // average)

    def oldest(self) -> T | None:
        """The item that has waited longest, or None when the queue is empty."""
        try:
            return self._slots[0]  # type: ignore[return-value]
        except IndexError:
            return None

    # -- introspection -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._slots) // 2

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
    def held(self) -> int:
        """Bytes the consumer holds outside the queue (see :meth:`set_held`)."""
        return self._held

    @property
    def total_put(self) -> int:
        """Items ever accepted by :meth:`put`."""
        # Derived rather than counted, to keep the producer's path short; exact under the lock.
        with self._lock:
            return (
                self._total_drained
                + self._total_evicted
                + self._total_cleared
                + len(self._slots) // 2
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
