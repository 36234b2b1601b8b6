"""Edges of backoff, breaker and reporter: defaults, equal bounds, the exponent cap, and return
values that say exactly whether a line was written."""

from __future__ import annotations

import io
import sys

import pytest

from cw_logging._resilience import Backoff, CircuitBreaker, RateLimitedReporter
from tests.test_resilience import FakeClock


def test_backoff_cap_equal_to_base_is_allowed() -> None:
    assert Backoff(1.0, 1.0).ceiling(5) == 1.0


def test_backoff_exponent_stops_at_64() -> None:
    tiny = Backoff(1e-30, 1.0)
    assert tiny.ceiling(63) == 1e-30 * 2.0**63
    assert tiny.ceiling(64) == 1e-30 * 2.0**64
    assert tiny.ceiling(65) == tiny.ceiling(10**9) == 1e-30 * 2.0**64


def test_breaker_defaults_open_after_five_failures() -> None:
    breaker = CircuitBreaker(clock=FakeClock())
    assert breaker.consecutive_failures == 0
    for _ in range(4):
        breaker.record_failure()
    assert breaker.state == "closed" and breaker.consecutive_failures == 4
    breaker.record_failure()
    assert breaker.state == "open"


def test_breaker_threshold_of_one_and_equal_timeouts_are_allowed() -> None:
    breaker = CircuitBreaker(1, 2.0, 2.0, clock=FakeClock())
    assert breaker.seconds_until_retry() == 0.0
    breaker.record_failure()
    assert breaker.state == "open"
    assert breaker.seconds_until_retry() == 2.0


def test_reporter_says_false_when_it_suppresses_or_cannot_write(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reporter = RateLimitedReporter(60, stream=io.StringIO(), clock=FakeClock())
    assert reporter.report("r", "first") is True
    assert reporter.report("r", "again") is False
    closed = io.StringIO()
    closed.close()
    assert RateLimitedReporter(stream=closed, clock=FakeClock()).report("a", "x") is False
    monkeypatch.setattr(sys, "stderr", None)
    assert RateLimitedReporter(clock=FakeClock()).report("a", "x") is False


def test_one_suppressed_report_is_a_repeat_in_the_singular() -> None:
    clock, stream = FakeClock(), io.StringIO()
    reporter = RateLimitedReporter(60, stream=stream, clock=clock)
    reporter.report("r", "first")
    reporter.report("r", "suppressed")
    clock.advance(60)
    reporter.report("r", "next")
    assert stream.getvalue().splitlines()[-1] == (
        "cw_logging: next (1 similar repeat suppressed since the last report)"
    )


class _Recording(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.flushes = 0

    def flush(self) -> None:
        self.flushes += 1
        super().flush()


def test_each_report_is_flushed() -> None:
    stream = _Recording()
    RateLimitedReporter(stream=stream, clock=FakeClock()).report("r", "shown now")
    assert stream.flushes == 1 and stream.getvalue() == "cw_logging: shown now\n"
