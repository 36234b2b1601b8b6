"""How many drained records are settled, so that ``flush()`` knows when it is done."""

from __future__ import annotations

import threading
from collections.abc import Callable

from .._options import Clock

__all__ = ["Progress"]


class Progress:
    """Counts the records the sender has settled (delivered, or accounted for as dropped).

    ``settled`` starts at the number of records drained before this sender existed (not its
    business). After :meth:`abandon`, later settlements no longer count.
    """

    def __init__(self, already_drained: int, clock: Clock) -> None:
        self._clock = clock
        self._condition = threading.Condition(threading.Lock())
        self.settled = already_drained
        self.abandoned = False

    def settle(self, count: int) -> None:
        """Count ``count`` more records settled and wake the waiters."""
        with self._condition:
            if not self.abandoned:
                self.settled += count
            self._condition.notify_all()

    def settle_to(self, drained: int) -> None:
        """Count every record up to the ``drained``-th as settled and wake the waiters."""
        with self._condition:
            if not self.abandoned:
                self.settled = max(self.settled, drained)
            self._condition.notify_all()

    def abandon(self, drained: int) -> int:
        """Stop counting; return how many of the ``drained`` records were never settled."""
        with self._condition:
            if self.abandoned:
                return 0
            self.abandoned = True
            unsettled = drained - self.settled
            self.settled = drained
            self._condition.notify_all()
        return unsettled

    def wait_for(self, done: Callable[[], bool], timeout: float, alive: Callable[[], bool]) -> bool:
        """Wait up to ``timeout`` seconds until ``done()``; give up early once not ``alive()``."""
        end = self._clock() + max(timeout, 0.0)
        with self._condition:
            while not done():
                remaining = end - self._clock()
                if remaining <= 0 or not alive():
                    return done()
                # Short slices: evictions by producers settle records without a notification.
                self._condition.wait(min(remaining, 0.05))
        return True
