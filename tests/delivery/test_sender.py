"""The sender's decisions, driven through CloudWatchHandler with an in-memory transport."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from cw_logging.delivery.transport import PutResult
from cw_logging.errors import (
    AuthenticationError,
    ResourceAlreadyExistsError,
    ResourceNotFoundError,
    ServerError,
)
from cw_logging.handler import CloudWatchHandler
from tests.integration.helpers import wait_until
from tests.support.faults import HandlerFactory, MemoryTransport, quick_retry_policy

GROUP = "/unit/sender"


class QuickRetryHandler(CloudWatchHandler):
    retry_policy = quick_retry_policy()


@pytest.fixture
def transport() -> Iterator[MemoryTransport]:
    transport = MemoryTransport()
    yield transport
    transport.gate.set()
    assert transport.violations == []


@pytest.fixture
def make(transport: MemoryTransport) -> Iterator[Any]:
    factory = HandlerFactory(
        QuickRetryHandler, GROUP, create_log_group=True, transport=transport, flush_interval=0.05
    )
    yield factory.make
    factory.close_all()


def test_creates_group_then_stream_and_sets_retention_once(
    make: Any, transport: MemoryTransport
) -> None:
    handler, logger = make(retention_days=14)
    for i in range(3):
        logger.info("m%d", i)
        assert handler.flush(timeout=5)
    assert transport.messages(GROUP, "s") == ["m0", "m1", "m2"]
    assert transport.retention == {GROUP: 14}
    assert transport.count("create_log_group") == 1
    assert transport.count("create_log_stream") == 2  # the first try finds no group
    assert transport.count("put_retention_policy") == 1
    stats = handler.stats()
    assert (stats["groups_created"], stats["streams_created"]) == (1, 1)


def test_existing_group_is_tolerated_and_its_retention_left_alone(
    make: Any, transport: MemoryTransport
) -> None:
    handler, logger = make(retention_days=30)
    transport.fail_next(  # created by someone else between our two calls
        "create_log_stream",
        ResourceNotFoundError("no group", code="ResourceNotFoundException"),
    )
    transport.groups.add(GROUP)
    logger.info("hello")
    assert handler.flush(timeout=5)
    assert transport.messages(GROUP) == ["hello"]
    assert transport.retention == {}
    assert handler.stats()["groups_created"] == 0


def test_stream_created_concurrently_is_tolerated(make: Any, transport: MemoryTransport) -> None:
    handler, logger = make()
    transport.groups.add(GROUP)
    transport.fail_next("create_log_stream", ResourceAlreadyExistsError("exists"))
    transport.streams[(GROUP, "s")] = []
    transport.fail_next("put_log_events", ResourceNotFoundError("not yet"))
    logger.info("x")
    assert handler.flush(timeout=5)
    assert transport.messages(GROUP) == ["x"]


def test_missing_group_without_create_keeps_the_records_and_reports(
    make: Any, transport: MemoryTransport, capsys: pytest.CaptureFixture[str]
) -> None:
    handler, logger = make(create_log_group=False)
    for i in range(5):
        logger.info("m%d", i)
    assert handler.flush(timeout=1) is False, "the group does not exist: nothing delivered"
    stats = handler.stats()
    assert stats["dropped"] == {} and stats["retried"] > 0
    assert "create_log_group=True" in str(stats["last_error"])
    assert "create_log_group=True" in capsys.readouterr().err
    assert transport.count("create_log_group") == 0
    transport.groups.add(GROUP)  # someone creates the group: the records go out
    assert handler.flush(timeout=10)
    assert transport.messages(GROUP) == [f"m{i}" for i in range(5)]


def test_retryable_failures_are_retried_without_loss_or_duplicates(
    make: Any, transport: MemoryTransport
) -> None:
    handler, logger = make()
    transport.fail_next("put_log_events", ServerError("down", code="ServiceUnavailable"), 4)
    for i in range(100):
        logger.info("m%d", i)
    assert handler.flush(timeout=10)
    assert transport.messages(GROUP) == [f"m{i}" for i in range(100)]
    stats = handler.stats()
    assert stats["retried"] == 4
    assert stats["sent"] == 100 and stats["dropped"] == {}


def test_a_permission_or_credential_failure_is_retried_not_dropped(
    make: Any, transport: MemoryTransport
) -> None:
    handler, logger = make()
    transport.groups.add(GROUP)
    transport.streams[(GROUP, "s")] = []
    transport.fail_next("put_log_events", AuthenticationError("denied", code="AccessDenied"))
    for i in range(7):
        logger.info("m%d", i)
    assert handler.flush(timeout=5)
    assert transport.count("put_log_events") == 2
    stats = handler.stats()
    assert stats["dropped"] == {} and stats["retried"] == 1 and stats["sent"] == 7
    assert "AccessDenied" in str(stats["last_error"])


def test_rejected_events_are_partial_success(make: Any, transport: MemoryTransport) -> None:
    handler, logger = make()
    transport.reject_with = lambda events: PutResult(too_old_end=1, too_new_start=8)
    for i in range(10):
        logger.info("m%d", i)
    assert handler.flush(timeout=5) is False, "4 events were refused"
    assert handler.flush(timeout=5), "nothing was lost since"
    stats = handler.stats()
    assert stats["rejected"] == {"too_old": 2, "too_new": 2}
    assert stats["sent"] == 6
    assert transport.messages(GROUP) == [f"m{i}" for i in range(2, 8)]


def test_bisect_isolates_the_refused_event(make: Any, transport: MemoryTransport) -> None:
    handler, logger = make(flush_interval=60)  # the 1,000 records go out as one batch
    transport.groups.add(GROUP)
    transport.streams[(GROUP, "s")] = []
    transport.poison(lambda message: message == "m517")
    for i in range(1000):
        logger.info("m%d", i)
    assert handler.flush(timeout=10) is False, "one event was refused"
    stored = transport.messages(GROUP)
    assert len(stored) == 999 and "m517" not in stored
    assert Counter(stored) == Counter(f"m{i}" for i in range(1000) if i != 517)
    stats = handler.stats()
    assert stats["rejected"] == {"invalid": 1}
    # one refused call, then two per halving level down to the single event
    assert transport.count("put_log_events") <= 1 + 2 * math.ceil(math.log2(1000))


def test_breaker_stops_hammering_a_failing_service(make: Any, transport: MemoryTransport) -> None:
    handler, logger = make()
    transport.fail_next("put_log_events", ServerError("down"), 10**6)
    for i in range(50):
        logger.info("m%d", i)
    wait_until(lambda: handler.stats()["breaker"] != "closed", 5, "the breaker to open")
    before = transport.count("put_log_events")
    threading.Event().wait(1.0)  # an observation window, not synchronisation
    during = transport.count("put_log_events") - before
    assert during <= 4  # reset timeout 0.3 s doubling to 1 s: a few trials, no spinning
    assert handler.stats()["queued"] + handler.stats()["in_flight"] == 50
    transport.failures.clear()
    assert handler.flush(timeout=10)
    assert transport.messages(GROUP) == [f"m{i}" for i in range(50)]


def test_close_during_an_outage_is_bounded_and_counts_what_is_left(
    make: Any, transport: MemoryTransport
) -> None:
    handler, logger = make(close_timeout=0.5)
    transport.fail_next("put_log_events", ServerError("down"), 10**6)
    for i in range(30):
        logger.info("m%d", i)
    wait_until(lambda: handler.stats()["retried"] > 0, 5, "a failed attempt")
    started = time.monotonic()
    handler.close()
    assert time.monotonic() - started < 1.0
    assert handler.stats()["dropped"] == {"close_timeout": 30}


def test_flush_is_bounded_when_the_service_hangs(make: Any, transport: MemoryTransport) -> None:
    handler, logger = make()
    transport.gate.clear()
    logger.info("stuck")
    started = time.monotonic()
    assert handler.flush(timeout=0.3) is False
    assert time.monotonic() - started < 0.8
    transport.gate.set()
    assert handler.flush(timeout=5)
    assert transport.messages(GROUP) == ["stuck"]


def test_full_queue_applies_the_overflow_policy_and_reports(
    make: Any, transport: MemoryTransport, capsys: pytest.CaptureFixture[str]
) -> None:
    handler, logger = make(max_queue_bytes=20_000, overflow="drop_newest")
    transport.gate.clear()
    logger.info("first")
    wait_until(lambda: handler.stats()["in_flight"] == 1, 5, "the sender to hold a batch")
    for i in range(200):  # ~540 bytes each against 20,000
        logger.info("m%d", i)
    stats = handler.stats()
    kept = stats["queued"]
    assert 0 < kept < 200
    assert stats["dropped"] == {"drop_newest": 200 - kept}
    transport.gate.set()
    assert handler.flush(timeout=5) is False, "records were dropped"
    assert transport.messages(GROUP) == ["first", *(f"m{i}" for i in range(kept))]
    assert "drop_newest" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("policy", "expected"),
    [("truncate", {"truncated": 1}), ("split", {"split": 1}), ("drop", {"dropped": 1})],
)
def test_oversize_policies_are_applied_and_counted(
    make: Any, transport: MemoryTransport, policy: str, expected: dict[str, int]
) -> None:
    handler, logger = make(max_event_bytes=100, oversize=policy)
    logger.info("x" * 250)
    logger.info("small")
    assert handler.flush(timeout=5) is (policy != "drop")
    stored = transport.messages(GROUP)
    assert stored[-1] == "small"
    assert all(len(m.encode()) <= 100 for m in stored)
    stats = handler.stats()
    counts = {
        "truncated": stats["truncated"],
        "split": stats["split"],
        "dropped": stats["dropped"].get("oversize", 0),
    }
    assert {k: v for k, v in counts.items() if v} == expected
    if policy == "split":
        assert "".join(m.split("] ", 1)[1] for m in stored[:-1]) == "x" * 250


def test_formatter_failure_on_one_record_spares_the_others(
    make: Any, transport: MemoryTransport
) -> None:
    class Picky(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            if record.getMessage() == "bad":
                raise RuntimeError("cannot format")
            return super().format(record)

    handler, logger = make()
    handler.setFormatter(Picky())
    for message in ("one", "bad", "two"):
        logger.info(message)
    assert handler.flush(timeout=5)
    stored = transport.messages(GROUP)
    assert stored[0] == "one" and stored[2] == "two"
    assert "bad" in stored[1] and "formatting failed" in stored[1]
    assert handler.stats()["format_errors"] == 1


def test_queue_stays_bounded_during_an_outage_and_every_record_is_accounted_for(
    make: Any, transport: MemoryTransport
) -> None:
    handler, logger = make(max_queue_bytes=60_000)  # overflow="drop_oldest"
    transport.fail_next("put_log_events", ServerError("down"), 10**6)
    logger.info("first")
    wait_until(lambda: handler.stats()["retried"] > 0, 5, "a failed attempt")
    for i in range(1000):
        logger.info("m%d", i)
        assert handler.stats()["queued_bytes"] <= 60_000
    transport.failures.clear()
    assert handler.flush(timeout=10) is False, "the oldest records were evicted"
    stats = handler.stats()
    evicted = stats["dropped"]["drop_oldest"]
    assert evicted > 800
    assert stats["sent"] + evicted == 1001
    # the batch in flight is kept; the queue lost its oldest and kept the newest
    assert transport.messages(GROUP) == ["first", *(f"m{i}" for i in range(evicted, 1000))]


def test_a_full_batch_is_sent_at_once_in_one_call(make: Any, transport: MemoryTransport) -> None:
    handler, logger = make(flush_interval=3600)  # only a full batch can trigger a send
    transport.groups.add(GROUP)
    transport.streams[(GROUP, "s")] = []
    for i in range(10_000):
        logger.info("m%d", i)
    wait_until(lambda: handler.stats()["sent"] == 10_000, 10, "the full batch")
    assert transport.put_events == [10_000]
