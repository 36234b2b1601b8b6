"""Tests of backoff, circuit breaker, token bucket and the rate-limited reporter (fake clocks)."""

from __future__ import annotations

import io
import random
import sys
import threading

import pytest

from cw_logging._resilience import Backoff, CircuitBreaker, RateLimitedReporter
from cw_logging.errors import ConfigurationError


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# -- Backoff -------------------------------------------------------------------------------------


def test_backoff_ceiling_doubles_until_the_cap() -> None:
    backoff = Backoff(base=0.5, cap=5.0)
    assert [backoff.ceiling(n) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]


def test_backoff_delays_are_full_jitter_within_the_ceiling() -> None:
    backoff = Backoff(base=0.2, cap=30.0, rng=random.Random(7))
    for attempt in range(12):
        ceiling = min(30.0, 0.2 * 2**attempt)
        delays = [backoff.delay(attempt) for _ in range(200)]
        assert all(0.0 <= d <= ceiling for d in delays)
        # Full jitter uses the whole range, not just its top.
        assert min(delays) < ceiling * 0.1
        assert max(delays) > ceiling * 0.9


def test_backoff_is_reproducible_with_a_seeded_rng() -> None:
    first = Backoff(rng=random.Random(42))
    second = Backoff(rng=random.Random(42))
    assert [first.delay(n) for n in range(10)] == [second.delay(n) for n in range(10)]


def test_backoff_survives_huge_and_negative_attempts() -> None:
    backoff = Backoff(base=0.2, cap=30.0, rng=random.Random(1))
    assert backoff.ceiling(10_000) == 30.0
    assert backoff.ceiling(-3) == 0.2
    assert 0.0 <= backoff.delay(10_000) <= 30.0


@pytest.mark.parametrize(
    "kwargs", [{"base": 0}, {"base": -1}, {"cap": 0.1, "base": 1.0}, {"base": float("inf")}]
)
def test_backoff_rejects_bad_settings(kwargs: dict[str, float]) -> None:
    with pytest.raises(ConfigurationError):
        Backoff(**kwargs)  # type: ignore[arg-type]


# -- CircuitBreaker ------------------------------------------------------------------------------


def breaker(clock: FakeClock, **kwargs: float) -> CircuitBreaker:
    options: dict[str, float] = {
        "failure_threshold": 3,
        "reset_timeout": 5.0,
        "max_reset_timeout": 20.0,
        **kwargs,
    }
    return CircuitBreaker(clock=clock, **options)  # type: ignore[arg-type]


def tripped(clock: FakeClock) -> CircuitBreaker:
    """A breaker just opened by three consecutive failures."""
    cb = breaker(clock)
    for _ in range(3):
        cb.record_failure()
    assert cb.state == "open"
    return cb


def test_breaker_opens_after_consecutive_failures_only() -> None:
    clock = FakeClock()
    cb = breaker(clock)
    cb.record_failure()
    cb.record_failure()
    cb.record_success()  # resets the run
    cb.record_failure()
    cb.record_failure()
    assert cb.state == "closed"
    assert cb.allow()
    cb.record_failure()
    assert cb.state == "open"
    assert not cb.allow()
    assert cb.seconds_until_retry() == pytest.approx(5.0)


def test_open_breaker_allows_exactly_one_trial_after_the_timeout() -> None:
    clock = FakeClock()
    cb = tripped(clock)
    clock.advance(4.9)
    assert not cb.allow()
    assert cb.seconds_until_retry() == pytest.approx(0.1)
    clock.advance(0.1)
    assert cb.allow()
    assert cb.state == "half_open"
    assert not cb.allow()  # only one trial at a time


def test_successful_trial_closes_the_breaker() -> None:
    clock = FakeClock()
    cb = tripped(clock)
    clock.advance(5)
    assert cb.allow()
    cb.record_success()
    assert cb.state == "closed"
    assert cb.consecutive_failures == 0
    assert cb.seconds_until_retry() == 0.0
    assert all(cb.allow() for _ in range(5))


def test_failed_trial_reopens_with_a_longer_timeout_up_to_the_cap() -> None:
    clock = FakeClock()
    cb = tripped(clock)
    waits = []
    for _ in range(5):
        waits.append(cb.seconds_until_retry())
        clock.advance(waits[-1])
        assert cb.allow()
        cb.record_failure()
        assert cb.state == "open"
    assert waits == [5.0, 10.0, 20.0, 20.0, 20.0]


def test_success_after_reopening_restores_the_base_timeout() -> None:
    clock = FakeClock()
    cb = tripped(clock)
    clock.advance(5)
    cb.allow()
    cb.record_failure()  # timeout now 10
    clock.advance(10)
    assert cb.allow()
    cb.record_success()
    for _ in range(3):
        cb.record_failure()
    assert cb.seconds_until_retry() == pytest.approx(5.0)


def test_a_trial_whose_outcome_is_never_recorded_expires() -> None:
    clock = FakeClock()
    cb = tripped(clock)
    clock.advance(5)
    assert cb.allow()
    assert not cb.allow()
    clock.advance(5)
    assert cb.allow()  # the lost trial no longer blocks every call


def test_only_one_thread_gets_the_trial() -> None:
    clock = FakeClock()
    cb = tripped(clock)
    clock.advance(5)
    barrier = threading.Barrier(8)
    results: list[bool] = []
    lock = threading.Lock()

    def contend() -> None:
        barrier.wait(10)
        allowed = cb.allow()
        with lock:
            results.append(allowed)

    threads = [threading.Thread(target=contend) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(results) == [False] * 7 + [True]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"failure_threshold": 0},
        {"failure_threshold": 1.5},
        {"reset_timeout": 0},
        {"reset_timeout": 10, "max_reset_timeout": 5},
    ],
)
def test_breaker_rejects_bad_settings(kwargs: dict[str, float]) -> None:
    with pytest.raises(ConfigurationError):
        CircuitBreaker(**kwargs)  # type: ignore[arg-type]


# -- RateLimitedReporter -------------------------------------------------------------------------


def test_reporter_writes_once_per_interval_per_reason_with_the_suppressed_count() -> None:
    clock = FakeClock()
    stream = io.StringIO()
    reporter = RateLimitedReporter(60, stream=stream, clock=clock)
    assert reporter.report("throttled", "PutLogEvents throttled")
    assert not reporter.report("throttled", "PutLogEvents throttled")
    assert reporter.report("dropped", "queue full, records dropped")  # another reason
    clock.advance(30)
    assert not reporter.report("throttled", "PutLogEvents throttled")
    assert reporter.suppressed("throttled") == 2
    clock.advance(30)
    assert reporter.report("throttled", "PutLogEvents throttled again")
    assert reporter.suppressed("throttled") == 0
    assert stream.getvalue().splitlines() == [
        "cw_logging: PutLogEvents throttled",
        "cw_logging: queue full, records dropped",
        "cw_logging: PutLogEvents throttled again (2 similar repeats suppressed since the last "
        "report)",
    ]


def test_reporter_defaults_to_stderr_at_call_time(capsys: pytest.CaptureFixture[str]) -> None:
    reporter = RateLimitedReporter(60, clock=FakeClock())
    assert reporter.report("x", "endpoint unreachable")
    captured = capsys.readouterr()
    assert captured.err == "cw_logging: endpoint unreachable\n"
    assert captured.out == ""


def test_reporter_never_raises_on_a_closed_or_missing_stream(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    closed = io.StringIO()
    closed.close()
    assert not RateLimitedReporter(stream=closed, clock=FakeClock()).report("a", "lost")
    monkeypatch.setattr(sys, "stderr", None)
    assert not RateLimitedReporter(clock=FakeClock()).report("a", "lost")


def test_reporter_with_zero_interval_reports_everything() -> None:
    stream = io.StringIO()
    reporter = RateLimitedReporter(0, stream=stream, clock=FakeClock())
    assert all(reporter.report("r", f"m{i}") for i in range(3))
    assert len(stream.getvalue().splitlines()) == 3


def test_reporter_rejects_a_negative_interval() -> None:
    with pytest.raises(ConfigurationError):
        RateLimitedReporter(-1)
