"""Delivering one batch: the circuit breaker and backoff around PutLogEvents, bisecting a batch
the service refuses as invalid, creating the group and stream when they are missing, and
accounting for every event."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from .._options import Clock
from .._resilience import Backoff, CircuitBreaker, RateLimitedReporter
from ..errors import (
    CloudWatchLogsError,
    EntityTooLargeError,
    InvalidParameterError,
    ResourceAlreadyExistsError,
    ResourceNotFoundError,
    hint_for,
)
from ._columns import EventColumns
from ._settings import DeliverySettings
from ._stats import DeliveryCounters
from .transport import PutResult, Transport, TransportProvider, service_errors

__all__ = ["Putter"]

_REFUSED = (InvalidParameterError, EntityTooLargeError)

Pause = Callable[[float], bool]
"""Waits that many seconds unless the deadline comes first; returns False when it did."""


class Putter:
    """Puts batches into streams of one log group, retrying until they are settled or the
    sender's deadline passes (``pause`` returns False)."""

    def __init__(
        self,
        settings: DeliverySettings,
        transports: TransportProvider,
        counters: DeliveryCounters,
        reporter: RateLimitedReporter,
        pause: Pause,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self._transports = transports
        self._counters = counters
        self._reporter = reporter
        self._pause = pause
        retry = settings.retry
        self.backoff = Backoff(retry.base_delay, retry.max_delay)
        self.breaker = CircuitBreaker(
            retry.failure_threshold, retry.reset_timeout, retry.max_reset_timeout, clock=clock
        )

    def deliver(self, stream: str, batch: EventColumns) -> int:
        """Deliver one batch, bisecting refused parts; return how many events the deadline left.

        0 means every event is settled: stored, or refused by the service (as invalid, too old,
        too new). Any other failure is retried, with backoff behind the circuit breaker.
        """
        work: deque[EventColumns] = deque([batch])
        attempt = 0
        splits = 0
        retry = self.settings.retry
        while work:
            if not self._wait_for_breaker():
                return sum(len(part) for part in work)
            part = work[0]
            try:
                result = self._put(stream, part)
            except _REFUSED as error:
                work.popleft()
                self._note_error(error, stream)
                if len(part) == 1 or splits >= retry.bisect_budget:
                    self._counters.reject("invalid", len(part))
                else:
                    middle = len(part) // 2
                    work.extendleft((part[middle:], part[:middle]))
                    splits += 1
                continue
            except CloudWatchLogsError as error:
                # Everything else is worth another try: throttling and outages, but also expired
                # or refreshing credentials, a credentials endpoint that is down, a missing group
                # that someone may create. The records wait, bounded by the queue or the spool.
                self._note_error(error, stream)
                self.breaker.record_failure()
                self._counters.add("retried")
                delay = max(self.backoff.delay(attempt), error.retry_after or 0.0)
                attempt += 1
                if not self._pause(min(delay, retry.max_delay)):
                    return sum(len(p) for p in work)
                continue
            self.breaker.record_success()
            attempt = 0
            work.popleft()
            self._account(part, result)
        return 0

    def _account(self, part: EventColumns, result: PutResult) -> None:
        rejected = result.rejected_by_reason(len(part))
        for reason, count in rejected.items():
            self._counters.reject(reason, count)
        if rejected:
            details = ", ".join(f"{count} {reason}" for reason, count in rejected.items())
            self._reporter.report(
                "rejected",
                f"CloudWatch rejected events ({details}): timestamps more than 14 days old, "
                "older than the retention, or more than 2 hours ahead; check the clock",
            )
        self._counters.delivered(len(part) - sum(rejected.values()))

    def _wait_for_breaker(self) -> bool:
        while not self.breaker.allow():
            if not self._pause(max(self.breaker.seconds_until_retry(), 0.01)):
                return False
        return True

    def _transport(self) -> Transport:
        with service_errors():  # building the client can fail like a call (no region, ...)
            return self._transports.get()

    def _put(self, stream: str, events: EventColumns) -> PutResult:
        group = self.settings.log_group
        try:
            with service_errors():
                return self._transport().put_log_events(group, stream, events)
        except ResourceNotFoundError:
            self._ensure_stream(stream)
            with service_errors():
                return self._transport().put_log_events(group, stream, events)

    def _ensure_stream(self, stream: str) -> None:
        settings = self.settings
        group = settings.log_group
        if not settings.create_log_stream:
            raise ResourceNotFoundError(
                f"log stream {stream!r} of group {group!r} does not exist: create it, or pass "
                "create_log_stream=True",
                code="ResourceNotFoundException",
            )
        try:
            created = self._create(lambda: self._transport().create_log_stream(group, stream))
        except ResourceNotFoundError:
            if not settings.create_log_group:
                raise ResourceNotFoundError(
                    f"log group {group!r} does not exist: create it, or pass create_log_group=True",
                    code="ResourceNotFoundException",
                ) from None
            self._ensure_group()
            created = self._create(lambda: self._transport().create_log_stream(group, stream))
        if created:
            self._counters.add("streams_created")

    def _ensure_group(self) -> None:
        settings = self.settings
        group = settings.log_group
        if not self._create(lambda: self._transport().create_log_group(group)):
            return
        self._counters.add("groups_created")
        if settings.retention_days is not None:
            try:
                with service_errors():
                    self._transport().put_retention_policy(group, settings.retention_days)
            except CloudWatchLogsError as error:
                self._note_error(error, None)

    @staticmethod
    def _create(create: Callable[[], None]) -> bool:
        """Run ``create``; True if it created, False if the resource already existed."""
        try:
            with service_errors():
                create()
        except ResourceAlreadyExistsError:
            return False
        return True

    def _note_error(self, error: CloudWatchLogsError, stream: str | None) -> None:
        self._counters.error(error)
        where = f"log group {self.settings.log_group!r}"
        if stream is not None:
            where += f", stream {stream!r}"
        hint = hint_for(error)
        action = (
            "refused: isolating the invalid events"
            if isinstance(error, _REFUSED)
            else ("will retry")
        )
        message = f"{where}: {error} ({action})"
        if hint:
            message += f"; {hint}"
        self._reporter.report(f"error:{error.code}", message)
