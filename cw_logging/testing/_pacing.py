"""Keeping recorded or simulated time: wait until an event's offset from the first one is due."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from .._options import Clock
from ..errors import ConfigurationError

Sleep = Callable[[float], None]
"""Waits the given number of seconds (``time.sleep`` by default)."""


def check_time_scale(time_scale: float) -> float:
    """Return ``time_scale`` as a float; raise ConfigurationError unless it is finite and >= 0."""
    if (
        isinstance(time_scale, bool)
        or not isinstance(time_scale, (int, float))
        or math.isnan(time_scale)
        or math.isinf(time_scale)
        or time_scale < 0
    ):
        raise ConfigurationError(
            f"time_scale={time_scale!r} is invalid: use a finite number >= 0 "
            "(1.0 keeps the original pace, 0.5 goes twice as fast, 0 as fast as possible)",
            code="InvalidSetting",
        )
    return float(time_scale)


class Pacer:
    """Releases events at their original offsets, scaled by ``time_scale``.

    The first :meth:`wait_for` call starts the schedule; each later call waits until
    ``(timestamp - first timestamp) * time_scale`` seconds have passed on ``clock``.
    ``time_scale=0`` never waits. ``waited`` is the total time asked of ``sleep``.
    """

    def __init__(
        self, time_scale: float = 1.0, *, clock: Clock = time.monotonic, sleep: Sleep = time.sleep
    ) -> None:
        self.time_scale = check_time_scale(time_scale)
        self._clock = clock
        self._sleep = sleep
        self._origin: tuple[float, float] | None = None  # (first timestamp s, clock at start)
        self.waited = 0.0

    def wait_for(self, timestamp_s: float) -> None:
        """Wait until the event stamped ``timestamp_s`` (seconds) is due; never waits backwards."""
        if self.time_scale == 0:
            return
        if self._origin is None:
            self._origin = (timestamp_s, self._clock())
            return
        first, started = self._origin
        due = started + max(timestamp_s - first, 0.0) * self.time_scale
        delay = due - self._clock()
        if delay > 0:
            self.waited += delay
            self._sleep(delay)
