"""MockLogStream: what a real CloudWatchHandler sends, collected through the local engine."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from cw_logging.errors import ConfigurationError, InvalidParameterError, MalformedQueryError
from cw_logging.local import LocalEngine
from cw_logging.testing import MockEvent, MockLogStream, Subscription


@pytest.fixture
def frozen_now() -> float:
    return time.time()


@pytest.fixture
def mock(frozen_now: float) -> Iterator[MockLogStream]:
    """A mock over an engine whose clock is fixed, so ingestion times are known."""
    with (
        LocalEngine(clock=lambda: frozen_now) as engine,
        MockLogStream("/mock/app", engine=engine) as stream,
    ):
        yield stream


def test_events_carry_record_time_message_and_the_engines_ingestion_time(
    mock: MockLogStream, logger: logging.Logger, frozen_now: float
) -> None:
    logger.addHandler(mock.handler(formatter=logging.Formatter("%(levelname)s %(message)s")))
    created: list[int] = []

    def remember(record: logging.LogRecord) -> bool:
        created.append(int(record.created * 1000))
        return True

    logger.addFilter(remember)
    logger.info("first")
    logger.warning("second %d", 2)

    events = mock.events
    assert [e.message for e in events] == ["INFO first", "WARNING second 2"]
    assert [e.timestamp for e in events] == created
    assert {e.ingestion_time for e in events} == {int(frozen_now * 1000)}
    assert {(e.log_group, e.log_stream) for e in events} == {("/mock/app", "test")}


def test_records_are_parsed_json_and_other_messages_stay_text(
    cw_mock_stream: MockLogStream, logger: logging.Logger
) -> None:
    json_logger = logger.getChild("json")
    json_logger.addHandler(cw_mock_stream.handler())
    logger.addHandler(cw_mock_stream.handler(formatter=logging.Formatter("%(message)s")))
    json_logger.propagate = False
    json_logger.error("payment failed", extra={"orderId": 42, "http": {"status": 502}})
    logger.info("plain {not json")

    records = cw_mock_stream.records
    parsed = [r for r in records if isinstance(r, dict)]
    assert len(parsed) == 1 and parsed[0]["message"] == "payment failed"
    assert parsed[0]["orderId"] == 42 and parsed[0]["level"] == "ERROR"
    assert [r for r in records if isinstance(r, str)] == ["plain {not json"]
    error = next(e for e in cw_mock_stream.events if isinstance(e.record, dict))
    assert error.field("http.status") == 502
    assert error.field("http.missing", "none") == "none"


def test_filter_by_cloudwatch_pattern_and_by_predicate(
    cw_mock_stream: MockLogStream, logger: logging.Logger
) -> None:
    cw_mock_stream.attach(logger)
    for n in range(6):
        logger.log(logging.ERROR if n % 3 == 0 else logging.INFO, "req %d", n, extra={"n": n})

    json_hits = cw_mock_stream.filter('{ $.level = "ERROR" && $.n > 0 }')
    assert [e.field("n") for e in json_hits] == [3]
    term_hits = cw_mock_stream.filter('?"req 4" ?"req 5"')  # either phrase
    assert sorted(e.field("n") for e in term_hits) == [4, 5]
    excluded = cw_mock_stream.filter("req -ERROR")  # terms: events with req and no ERROR
    assert sorted(e.field("n") for e in excluded) == [1, 2, 4, 5]
    by_predicate = cw_mock_stream.filter(lambda e: e.field("n", -1) % 2 == 0)
    assert sorted(e.field("n") for e in by_predicate) == [0, 2, 4]
    with pytest.raises(InvalidParameterError):
        cw_mock_stream.filter("{ $.n = ")


def test_query_runs_insights_over_the_collected_events(
    cw_mock_stream: MockLogStream, logger: logging.Logger
) -> None:
    cw_mock_stream.attach(logger)
    levels = [logging.INFO] * 5 + [logging.ERROR] * 2 + [logging.WARNING]
    for n, level in enumerate(levels):
        logger.log(level, "work", extra={"latencyMs": 10 * n})

    expected = Counter(logging.getLevelName(level) for level in levels)
    rows = cw_mock_stream.query("stats count(*) as n by level | sort n desc")
    assert {row["level"]: row["n"] for row in rows} == dict(expected)
    slow = cw_mock_stream.query("filter latencyMs >= 50 | fields latencyMs | sort latencyMs")
    assert [row["latencyMs"] for row in slow] == [50, 60, 70]
    with pytest.raises(MalformedQueryError):
        cw_mock_stream.query("stats count(*) by")


def test_query_sees_the_events_system_fields(
    cw_mock_stream: MockLogStream, logger: logging.Logger
) -> None:
    cw_mock_stream.attach(logger, log_stream="web-1")
    logger.info("hello")
    [event] = cw_mock_stream.events
    [row] = cw_mock_stream.query("fields @log, @logStream, @ingestionTime, @message")
    account = cw_mock_stream.engine.context.account_id
    assert row["@log"] == f"{account}:/test/app" and row["@logStream"] == "web-1"
    assert row["@message"] == event.message
    assert int(row["@ingestionTime"]) == event.ingestion_time


def test_subscription_queue_is_bounded_and_counts_what_it_drops(
    cw_mock_stream: MockLogStream, logger: logging.Logger
) -> None:
    handler = cw_mock_stream.attach(logger, formatter=logging.Formatter("%(message)s"))
    logger.info("before")
    assert cw_mock_stream.flush()
    with cw_mock_stream.subscribe(maxsize=3) as subscription:
        for n in range(10):
            logger.info("m%d", n)
        assert handler.flush(timeout=10)
        assert subscription.dropped == 7
        assert [e.message for e in subscription.drain()] == ["m0", "m1", "m2"]
        logger.info("after drain")
        assert subscription.get(timeout=10).message == "after drain"
        assert subscription.dropped == 7
        with pytest.raises(TimeoutError):
            subscription.get(timeout=0.05)
    assert subscription.closed
    assert len(cw_mock_stream.events) == 12  # the mock itself keeps everything


def test_subscriber_callback_gets_new_events_and_its_failures_are_counted(
    cw_mock_stream: MockLogStream, logger: logging.Logger
) -> None:
    cw_mock_stream.attach(logger, formatter=logging.Formatter("%(message)s"))
    received: list[str] = []
    done = threading.Event()

    def on_event(event: MockEvent) -> None:
        if event.message == "boom":
            raise RuntimeError("subscriber bug")
        received.append(event.message)
        if event.message == "last":
            done.set()

    subscription = cw_mock_stream.subscribe(on_event, maxsize=100)
    for message in ("a", "boom", "b", "last"):
        logger.info(message)
    assert done.wait(timeout=10)
    subscription.close()
    assert received == ["a", "b", "last"]
    assert subscription.errors == 1 and subscription.dropped == 0


def test_wait_for_returns_the_first_matching_new_event(
    cw_mock_stream: MockLogStream, logger: logging.Logger
) -> None:
    cw_mock_stream.attach(logger)
    with cw_mock_stream.subscribe() as subscription:

        def produce() -> None:
            for n in range(5):
                logger.info("tick", extra={"n": n})

        thread = threading.Thread(target=produce)
        thread.start()
        event = subscription.wait_for(lambda e: e.field("n") == 3, timeout=10)
        thread.join()
        assert event.field("n") == 3


def test_clear_forgets_what_was_collected(
    cw_mock_stream: MockLogStream, logger: logging.Logger
) -> None:
    cw_mock_stream.attach(logger, formatter=logging.Formatter("%(message)s"))
    logger.info("old")
    cw_mock_stream.clear()
    assert cw_mock_stream.events == []
    logger.info("new")
    assert cw_mock_stream.messages == ["new"]


def test_events_the_service_rejects_are_not_collected(
    cw_mock_stream: MockLogStream, logger: logging.Logger
) -> None:
    handler = cw_mock_stream.attach(logger, formatter=logging.Formatter("%(message)s"))
    stale = logger.makeRecord(logger.name, logging.INFO, __file__, 1, "stale", (), None)
    stale.created = time.time() - 15 * 86400  # older than 14 days: rejected by CloudWatch
    logger.handle(stale)
    logger.info("fresh")
    assert cw_mock_stream.messages == ["fresh"]
    assert handler.stats()["rejected"] == {"too_old": 1}


def test_events_come_back_in_time_order_across_streams(
    cw_mock_stream: MockLogStream, logger: logging.Logger
) -> None:
    first = logger.getChild("a")
    second = logger.getChild("b")
    for child in (first, second):
        child.propagate = False
    cw_mock_stream.attach(first, log_stream="a", formatter=logging.Formatter("%(message)s"))
    cw_mock_stream.attach(second, log_stream="b", formatter=logging.Formatter("%(message)s"))
    base = time.time()
    for offset, target, text in ((3, first, "a3"), (1, second, "b1"), (2, first, "a2")):
        record = target.makeRecord(target.name, logging.INFO, __file__, 1, text, (), None)
        record.created = base + offset
        target.handle(record)
    events = cw_mock_stream.events
    assert [e.message for e in events] == ["b1", "a2", "a3"]
    assert {e.message: e.log_stream for e in events} == {"a3": "a", "b1": "b", "a2": "a"}


def test_client_reads_the_same_events_back_through_boto3(
    cw_mock_stream: MockLogStream, logger: logging.Logger
) -> None:
    cw_mock_stream.attach(logger)
    logger.info("hello", extra={"k": "v"})
    collected = cw_mock_stream.messages
    response = cw_mock_stream.client.filter_log_events(logGroupName="/test/app")
    assert [event["message"] for event in response["events"]] == collected
    assert json.loads(collected[0])["k"] == "v"


def test_close_detaches_its_handlers_from_loggers(logger: logging.Logger) -> None:
    with MockLogStream("/mock/close") as mock:
        handler = mock.attach(logger)
        assert handler in logger.handlers
    assert handler not in logger.handlers
    assert handler.stats()["closed"] is True


def test_subscription_get_after_close_and_bad_sizes() -> None:
    subscription: Subscription[int] = Subscription(maxsize=2)
    assert subscription.offer(1) and subscription.offer(2) and not subscription.offer(3)
    subscription.close()
    assert not subscription.offer(4) and subscription.dropped == 2
    assert subscription.get(timeout=0) == 1 and subscription.drain() == [2]
    with pytest.raises(EOFError):
        subscription.get(timeout=1)
    with pytest.raises(ConfigurationError, match="maxsize=0"):
        Subscription(maxsize=0)


def test_wait_for_gives_up_at_the_deadline() -> None:
    with Subscription[int]() as subscription:
        subscription.offer(1)
        with pytest.raises(TimeoutError):
            subscription.wait_for(lambda n: n > 1, timeout=0.05)
        assert len(subscription) == 0  # the non-matching event was consumed
