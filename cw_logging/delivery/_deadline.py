"""The sender's stop deadline, and waits that end early when it passes."""

from __future__ import annotations

import threading
from collections.abc import Callable

from .._options import Clock

__all__ = ["Deadline"]

Tick = Callable[[], float]
"""Work to do while waiting (a due spool commit); returns when it is next due (clock time)."""


class Deadline:
    """When the sender must be done, once ``close()`` set it; None while running normally.

    :meth:`pause` waits are cut short by the deadline; while waiting, ``tick`` (when set) runs
    whenever it is due, so that spool commits go on during a long backoff.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._at: float | None = None
        self._interrupt = threading.Event()
        self.tick: Tick | None = None

    @property
    def at(self) -> float | None:
        """The deadline (clock time), or None when no stop was asked for."""
        return self._at

    def set(self, deadline: float) -> None:
        """Ask to stop by ``deadline``; an earlier deadline wins. Wakes a waiting pause."""
        if self._at is None or deadline < self._at:
            self._at = deadline
        self._interrupt.set()

    def expired(self) -> bool:
        """True once the deadline has passed."""
        at = self._at
        return at is not None and self._clock() >= at

    def seconds_left(self) -> float:
        """Seconds until the deadline (0 when passed or not stopping)."""
        at = self._at
        return 0.0 if at is None else max(at - self._clock(), 0.0)

    def pause(self, seconds: float) -> bool:
        """Wait ``seconds``, cut short by the deadline; return False if the deadline passed."""
        clock = self._clock
        end = clock() + seconds
        while True:
            now = clock()
            at = self._at
            if at is not None and now >= at:
                return False
            limit = end if at is None else min(end, at)
            if now >= limit:
                return True
            tick = self.tick
            if tick is not None:  # keep committing while the service is unreachable
                limit = min(limit, tick())
            if self._interrupt.wait(max(limit - now, 0.0)):
                self._interrupt.clear()  # a deadline was set: re-evaluate against it
