"""A bounded, counted hand-off of new events from the sending thread to a test or a callback."""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from ..errors import ConfigurationError

T = TypeVar("T")


class Subscription(Generic[T]):
    """Receives new events in a queue of at most ``maxsize``; when it is full, new arrivals are
    dropped and counted in ``dropped`` (the producer never waits for a slow subscriber).

    Read with :meth:`get`, :meth:`drain` or :meth:`wait_for`; or pass ``callback`` and a
    background thread calls it for each event (exceptions it raises are counted in ``errors``).
    Use as a context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        maxsize: int = 1000,
        callback: Callable[[T], object] | None = None,
        on_close: Callable[[Subscription[T]], None] | None = None,
    ) -> None:
        if isinstance(maxsize, bool) or not isinstance(maxsize, int) or maxsize < 1:
            raise ConfigurationError(
                f"maxsize={maxsize!r} is invalid: use a whole number >= 1", code="InvalidSetting"
            )
        self.maxsize = maxsize
        self.dropped = 0
        self.delivered = 0
        self.errors = 0
        self._queue: collections.deque[T] = collections.deque()
        self._ready = threading.Condition()
        self._closed = False
        self._on_close = on_close
        self._thread: threading.Thread | None = None
        if callback is not None:
            self._thread = threading.Thread(
                target=self._run, args=(callback,), name="cw-mock-subscriber", daemon=True
            )
            self._thread.start()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def offer(self, event: T) -> bool:
        """Queue ``event`` without waiting; return False (and count a drop) when full or closed."""
        with self._ready:
            if self._closed or len(self._queue) >= self.maxsize:
                self.dropped += 1
                return False
            self._queue.append(event)
            self._ready.notify()
            return True

    def get(self, timeout: float | None = None) -> T:
        """Return the oldest queued event, waiting up to ``timeout`` seconds (None: forever).

        Raises TimeoutError when none arrives in time, EOFError once closed and empty.
        """
        with self._ready:
            if not self._ready.wait_for(lambda: self._queue or self._closed, timeout):
                raise TimeoutError(f"no new event within {timeout} s")
            if not self._queue:
                raise EOFError("the subscription is closed")
            self.delivered += 1
            return self._queue.popleft()

    def drain(self) -> list[T]:
        """Return every queued event at once (possibly none), oldest first."""
        with self._ready:
            events = list(self._queue)
            self._queue.clear()
            self.delivered += len(events)
            return events

    def wait_for(self, predicate: Callable[[T], bool], timeout: float) -> T:
        """Return the first new event for which ``predicate`` is true, consuming the events
        before it; raise TimeoutError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            event = self.get(max(deadline - time.monotonic(), 0.0))
            if predicate(event):
                return event

    def close(self) -> None:
        """Stop receiving; a callback thread ends after the events already queued."""
        with self._ready:
            if self._closed:
                return
            self._closed = True
            self._ready.notify_all()
        if self._on_close is not None:
            self._on_close(self)
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)

    def _run(self, callback: Callable[[T], object]) -> None:
        while True:
            try:
                event = self.get()
            except EOFError:
                return
            try:
                callback(event)
            except Exception:
                self.errors += 1

    def __len__(self) -> int:
        return len(self._queue)

    def __enter__(self) -> Subscription[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
