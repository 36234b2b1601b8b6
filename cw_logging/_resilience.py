"""Resilience helpers botocore does not provide: jittered backoff, a circuit breaker and a
rate-limited problem reporter that writes to stderr, never through logging."""

from __future__ import annotations

import random
import sys
import threading
import time
from typing import TextIO

from ._options import INVALID_SETTING, Clock, require_int, require_seconds
from ._secrets import mask_secrets
from .errors import ConfigurationError

__all__ = ["Backoff", "CircuitBreaker", "RateLimitedReporter"]

_MAX_EXPONENT = 64  # 2**64 * any sane base is far beyond any cap; avoids float overflow


class Backoff:
    """Capped exponential backoff with full jitter: attempt n waits uniform(0, min(cap, base*2**n)).

    Full jitter spreads the retries of many clients (or threads) so they do not hit the service
    in waves after an outage.
    """

    def __init__(
        self, base: float = 0.2, cap: float = 30.0, *, rng: random.Random | None = None
    ) -> None:
        self.base = require_seconds("base", base)
        self.cap = require_seconds("cap", cap)
        if self.cap < self.base:
            raise ConfigurationError(
                f"backoff cap {cap!r} is below base {base!r}: use cap >= base",
                code=INVALID_SETTING,
            )
        self._rng = rng or random.Random()

    def ceiling(self, attempt: int) -> float:
        """Return the largest delay attempt ``attempt`` (0-based) may wait."""
        exponent = min(max(attempt, 0), _MAX_EXPONENT)
        return min(self.cap, self.base * 2.0**exponent)

    def delay(self, attempt: int) -> float:
        """Return a random delay in seconds for retry ``attempt`` (0, 1, 2, ...)."""
        return self._rng.uniform(0.0, self.ceiling(attempt))


class CircuitBreaker:
    """Stops calls to a failing service and lets one trial call through now and then.

    ``closed``: calls allowed; ``failure_threshold`` consecutive failures open it. ``open``: calls
    refused until the reset timeout has passed, then one trial is allowed (``half_open``). The
    trial's success closes the breaker; its failure re-opens it with the reset timeout doubled, up
    to ``max_reset_timeout``. A trial whose outcome is never recorded expires after the reset
    timeout, so the breaker cannot stay stuck half-open.
    """

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_timeout: float = 5.0,
        max_reset_timeout: float = 60.0,
        *,
        clock: Clock = time.monotonic,
    ) -> None:
        self.failure_threshold = require_int("failure_threshold", failure_threshold, 1)
        self.reset_timeout = require_seconds("reset_timeout", reset_timeout)
        self.max_reset_timeout = require_seconds("max_reset_timeout", max_reset_timeout)
        if self.max_reset_timeout < self.reset_timeout:
            raise ConfigurationError(
                f"max_reset_timeout {max_reset_timeout!r} is below reset_timeout "
                f"{reset_timeout!r}: use max_reset_timeout >= reset_timeout",
                code=INVALID_SETTING,
            )
        self._clock = clock
        self._lock = threading.Lock()
        self._state = self.CLOSED
        self._failures = 0
        self._current_timeout = self.reset_timeout
        self._since = 0.0  # when the breaker opened, or when the half-open trial started

    @property
    def state(self) -> str:
        """``"closed"``, ``"open"`` or ``"half_open"``."""
        return self._state

    @property
    def consecutive_failures(self) -> int:
        """Failures recorded since the last success."""
        return self._failures

    def allow(self) -> bool:
        """Return True if a call may be made now (in half-open state: the one trial call)."""
        with self._lock:
            if self._state == self.CLOSED:
                return True
            now = self._clock()
            if now - self._since < self._current_timeout:
                return False
            # Open and the timeout has passed, or a half-open trial expired: start a new trial.
            self._state = self.HALF_OPEN
            self._since = now
            return True

    def record_success(self) -> None:
        """Record a successful call: the breaker closes and the reset timeout resets."""
        with self._lock:
            self._state = self.CLOSED
            self._failures = 0
            self._current_timeout = self.reset_timeout

    def record_failure(self) -> None:
        """Record a failed call; may open (or re-open) the breaker."""
        with self._lock:
            self._failures += 1
            if self._state == self.HALF_OPEN:
                self._current_timeout = min(self._current_timeout * 2, self.max_reset_timeout)
                self._open()
            elif self._state == self.CLOSED and self._failures >= self.failure_threshold:
                self._open()

    def _open(self) -> None:
        self._state = self.OPEN
        self._since = self._clock()

    def seconds_until_retry(self) -> float:
        """Return how long until :meth:`allow` may return True (0 when it would now)."""
        with self._lock:
            if self._state == self.CLOSED:
                return 0.0
            return max(0.0, self._since + self._current_timeout - self._clock())


class RateLimitedReporter:
    """Reports problems on stderr at most once per ``interval`` per reason, never via logging.

    Credentials in a message (URL passwords, tokens, signatures) are masked before it is
    written. Repeats within the interval are counted and the count is shown with the next report
    of the same reason. Writing never raises: a closed or missing stream just means nothing is
    shown.
    """

    def __init__(
        self,
        interval: float = 60.0,
        *,
        stream: TextIO | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self.interval = require_seconds("interval", interval, allow_zero=True)
        self._stream = stream
        self._clock = clock
        # Re-entrant: the handler may report from a caller thread that a signal handler interrupts.
        self._lock = threading.RLock()
        self._last: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}

    def report(self, reason: str, message: str, *, force: bool = False) -> bool:
        """Write ``cw_logging: <message>`` unless ``reason`` was reported within the interval.

        ``force`` writes it in any case (for events that happen once, such as a spool file set
        aside). Returns True if the line was written.
        """
        with self._lock:
            now = self._clock()
            last = self._last.get(reason)
            if not force and last is not None and now - last < self.interval:
                self._suppressed[reason] = self._suppressed.get(reason, 0) + 1
                return False
            suppressed = self._suppressed.pop(reason, 0)
            self._last[reason] = now
        line = f"cw_logging: {mask_secrets(message)}"
        if suppressed:
            repeats = "repeat" if suppressed == 1 else "repeats"
            line += f" ({suppressed} similar {repeats} suppressed since the last report)"
        return self._write(line + "\n")

    def suppressed(self, reason: str) -> int:
        """Return how many reports of ``reason`` were suppressed since its last written one."""
        with self._lock:
            return self._suppressed.get(reason, 0)

    def _write(self, line: str) -> bool:
        stream = self._stream if self._stream is not None else sys.stderr
        if stream is None:  # interpreter shutdown or pythonw
            return False
        try:
            stream.write(line)
            stream.flush()
        except (OSError, ValueError):  # closed or broken stream
            return False
        return True
